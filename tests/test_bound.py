"""The linear relaxation's bound: never above a proven optimum, and tight where the rooms-in-use cut decides."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import make_conference, make_room, make_session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model
from strategies import conferences

from scheduler.bound import Relaxation, relaxation_bound
from scheduler.domain import Attendee
from scheduler.loader import load_conference
from scheduler.model import ModelOptions, build_model
from scheduler.solve import SolveSettings, solve

ROME = Path(__file__).resolve().parents[1] / "data" / "rome-2023"


def _one_room_two_languages(rooms: int = 1):
    """An Italian and a French session, one Italian-only and one French-only attendee. In one room the two
    sessions run one after the other, so for 2 x 60 min one of the two groups has nothing it can follow."""
    sessions = [make_session("IT", 60, language="it"), make_session("FR", 60, language="fr")]
    attendees = (Attendee("a", frozenset({"it"})), Attendee("b", frozenset({"fr"})))
    return make_conference(
        sessions, rooms=[make_room(f"R{i}") for i in range(rooms)], attendees=attendees, languages=("it", "fr")
    )


def test_rooms_in_use_cut_makes_the_bound_tight():
    conference = _one_room_two_languages()
    built = build_model(conference, ModelOptions())
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(built.model) == cp_model.OPTIMAL
    optimum = round(solver.objective_value)
    gaps = 4 * conference.weights.language_coverage  # 4 half-hour instants, each missed by one group
    assert optimum == gaps
    assert relaxation_bound(built) == optimum
    without_cut = Relaxation(built)
    without_cut.add_model_rows()
    assert without_cut.minimum() < optimum  # the model's rows alone let "something runs" go fractional


def test_rooms_in_use_cut_leaves_parallel_rooms_free():
    """With a room each, both sessions run at once and every group can follow one: nothing to charge."""
    built = build_model(_one_room_two_languages(rooms=2), ModelOptions())
    assert relaxation_bound(built) == 0


def test_solve_stops_at_a_timetable_that_meets_the_bound():
    conference = _one_room_two_languages()
    result = solve(conference, SolveSettings(time_limit_s=5, workers=1))
    assert result.status == "OPTIMAL"
    assert result.best_bound == result.objective == 4 * conference.weights.language_coverage


@pytest.mark.slow
def test_a_budget_too_short_for_cp_sat_still_reports_the_relaxation_bound(monkeypatch):
    """On the sample, 5 s with one worker leave less than CP-SAT's setup after the annealing: CP-SAT is not
    started (it would overrun the limit), and the bound is the relaxation's."""
    conference = load_conference(ROME)
    calls = []
    original = cp_model.CpSolver.solve
    monkeypatch.setattr(cp_model.CpSolver, "solve", lambda self, *a, **kw: calls.append(1) or original(self, *a, **kw))
    result = solve(conference, SolveSettings(time_limit_s=5, workers=1))
    assert result.status == "FEASIBLE"
    assert not calls
    assert result.best_bound == relaxation_bound(build_model(conference, ModelOptions())) > 0
    assert result.gap is not None and 0 < result.gap < 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conferences(), st.booleans())
def test_relaxation_bound_never_exceeds_the_proven_optimum(conference, allow_unplaced):
    built = build_model(conference, ModelOptions(allow_unplaced=allow_unplaced))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    if solver.solve(built.model) != cp_model.OPTIMAL:
        return  # infeasible (or not proven): nothing to compare against
    bound = relaxation_bound(built)
    assert bound is not None
    assert bound <= round(solver.objective_value)
