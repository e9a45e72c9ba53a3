"""The second opinion on INFEASIBLE verdicts (`scheduler.confirm`): each rule's rows on the smallest instance that
the rule alone makes impossible, with a twin one step looser that SCIP must solve (so a row stricter than the
rule, or looser, fails one of the two); agreement with CP-SAT on random small conferences; and the sample's
tight variant end to end."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from factories import at, make_conference, make_day, make_room, make_session, make_speaker, window
from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model
from strategies import conferences

from scheduler.checker import check
from scheduler.confirm import CONFIRMED, REFUTED, UNDECIDED, confirm_infeasible
from scheduler.domain import InterpreterTeam
from scheduler.loader import load_conference
from scheduler.solve import SolveSettings, feasible_hint, solve

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "rome-2023"


def verdict(conference) -> str:
    result = confirm_infeasible(conference, [s.session_id for s in conference.sessions], 30)
    if result.status == REFUTED:
        assert check(conference, result.timetable).ok
        assert len(result.timetable.assignments) == len(conference.sessions)
    return result.status


def two_talks_one_room(changeover_min: int):
    # 60 + changeover + 60 in a room open 130 min: only a changeover over 10 min makes it impossible
    sessions = [make_session("A", 60), make_session("B", 60)]
    return make_conference(sessions, rooms=[make_room("R1")], days=[make_day("09:00-11:10")],
                           granularity_min=5, changeover_min=changeover_min)


def test_a_room_holds_one_session_at_a_time_with_its_changeover():
    assert verdict(two_talks_one_room(15)) == CONFIRMED
    assert verdict(two_talks_one_room(10)) == REFUTED


@pytest.mark.parametrize("shared", [True, False])
def test_a_speaker_is_in_one_place_at_a_time(shared):
    # two rooms, 90 min open: two 60-min talks must overlap
    speakers = [make_speaker("p1"), make_speaker("p2")]
    sessions = [make_session("A", 60, ("p1",)), make_session("B", 60, ("p1",) if shared else ("p2",))]
    conference = make_conference(sessions, rooms=[make_room("R1"), make_room("R2")], speakers=speakers,
                                 days=[make_day("09:00-10:30")])
    assert verdict(conference) == (CONFIRMED if shared else REFUTED)


@pytest.mark.parametrize("plenary", [True, False])
def test_a_plenary_runs_with_nothing_beside_it(plenary):
    sessions = [make_session("P", 60, plenary=plenary), make_session("A", 60)]
    conference = make_conference(sessions, rooms=[make_room("R1"), make_room("R2")], days=[make_day("09:00-10:30")])
    assert verdict(conference) == (CONFIRMED if plenary else REFUTED)


@pytest.mark.parametrize("ordered", [True, False])
def test_a_session_after_another_starts_once_it_has_ended(ordered):
    # A is pinned 10:00-11:00; B after A would end past the 11:30 closing
    sessions = [make_session("A", 60, fixed_start=at("10:00"), fixed_room="R1"),
                make_session("B", 60, after=("A",) if ordered else ())]
    conference = make_conference(sessions, rooms=[make_room("R1"), make_room("R2")], days=[make_day("09:00-11:30")])
    assert verdict(conference) == (CONFIRMED if ordered else REFUTED)


@pytest.mark.parametrize(("teams", "expected"), [
    # two rows of one team are one team, not two (here: one row for an hour, one for throughout)
    ((InterpreterTeam("T1", ("en", "it"), (window("09:00", "10:00"),)), InterpreterTeam("T1", ("en", "it"))),
     CONFIRMED),
    ((InterpreterTeam("T1", ("en", "it")), InterpreterTeam("T2", ("en", "it"))), REFUTED),
    # a team there only until 10:00 covers one of the two talks; the other needs it later or meanwhile
    ((InterpreterTeam("T1", ("en", "it"), (window("09:00", "10:00"),)),), CONFIRMED),
])
def test_interpreted_sessions_are_no_more_than_the_teams_there(teams, expected):
    sessions = [make_session(s, 60, language="it", interpretation=frozenset({"en"})) for s in "AB"]
    conference = make_conference(sessions, rooms=[make_room("R1", booths=1), make_room("R2", booths=1)],
                                 days=[make_day("09:00-10:00")], interpreters=teams, interpreters_limited=True)
    if expected == CONFIRMED and len(teams) == 1:  # the window case: an hour later there is time for both
        conference = dataclasses.replace(conference, days=(make_day("09:00-11:00"),))
    assert verdict(conference) == expected


def test_a_session_with_no_place_at_all_is_confirmed_by_the_checker_alone():
    speakers = [make_speaker("p1", availability=(window("14:00", "15:00"),))]
    conference = make_conference([make_session("A", 60, ("p1",))], speakers=speakers)
    assert verdict(conference) == CONFIRMED


def test_out_of_time_is_undecided_not_confirmed():
    conference = make_conference([make_session(s, 30) for s in "ABCDEFGH"], rooms=[make_room("R1")])
    assert confirm_infeasible(conference, [s.session_id for s in conference.sessions], 0.0).status == UNDECIDED


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conferences())
def test_scip_and_cp_sat_agree_on_whether_a_timetable_exists(conference):
    status, timetable = feasible_hint(conference, SolveSettings(time_limit_s=10, workers=1), share=1.0)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE)
    assert verdict(conference) == (CONFIRMED if timetable is None else REFUTED)


def test_the_sample_without_a_room_is_impossible_and_the_second_solver_says_so():
    sample = load_conference(SAMPLE)
    conference = dataclasses.replace(sample, rooms=tuple(r for r in sample.rooms if r.room_id != "sala-dolci"))
    result = solve(conference, SolveSettings(time_limit_s=20, workers=1))
    assert result.status == "INFEASIBLE"
    assert result.confirmation.startswith("Checked independently by a second solver"), result.confirmation
    assert result.confirmation.endswith("no timetable of them keeps every rule.")


def test_places_follow_the_checkers_grid_when_a_period_starts_between_its_steps():
    # open 09:10-10:30 on a 30-min grid: the one start is 09:30, not 09:10 + 30 min
    conference = make_conference([make_session("A", 60)], days=[make_day("09:10-10:30")])
    assert verdict(conference) == REFUTED
