"""Explanations a programme committee reads: every requirement in a conflict named in words (rooms, the changeover
and the open periods included), reasons for sessions left out that name who or what is missing, and a model for
explaining that says the same as the real one when every requirement is assumed."""

from __future__ import annotations

from datetime import date

import pytest
from factories import at, make_conference, make_day, make_room, make_session, make_speaker, window
from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model
from strategies import conferences

import scheduler.explain as explain_module
from scheduler.domain import InterpreterTeam, Timetable
from scheduler.explain import explain, unplaced_reasons
from scheduler.model import ModelOptions, build_model
from scheduler.solve import SolveSettings, solve

FAST = SolveSettings(time_limit_s=10, workers=1)


def infeasible(conference) -> list[str]:
    result = solve(conference, FAST)
    assert result.status == "INFEASIBLE", result.status
    return list(result.explanation)


def test_no_room_overlap_back_to_back_pins_name_the_room_and_the_changeover():
    # B starts when A ends, in the same room: only the changeover makes them clash, so it must be named.
    sessions = [make_session("A", 60, fixed_start=at("09:00"), fixed_room="R1"),
                make_session("B", 60, fixed_start=at("10:00"), fixed_room="R1")]
    lines = infeasible(make_conference(sessions, rooms=[make_room("R1"), make_room("R2")], changeover_min=10))
    assert "room Room R1 (R1) holds one session at a time, with at least 10 min between two sessions " \
           "(changeover_min)" in lines, lines
    assert not any("(R2)" in line for line in lines), lines


def test_placed_once_more_session_time_than_room_time_names_the_rooms_and_the_open_periods():
    sessions = [make_session(s, 60) for s in "ABCDEFG"]  # 7 hours into two rooms open 3 hours
    lines = infeasible(make_conference(sessions, rooms=[make_room("R1"), make_room("R2")]))
    assert "room Room R1 (R1) holds one session at a time" in lines, lines
    assert "room Room R2 (R2) holds one session at a time" in lines, lines
    assert "sessions run only inside the open periods (Fri 13 Oct 09:00-12:00)" in lines, lines


def test_plenary_alone_explanation_does_not_blame_the_other_sessions_alone():
    # Three talks fit two rooms for two hours; only the plenary leaves no room time.
    sessions = [make_session("P", 60, plenary=True), *(make_session(s, 60) for s in "ABC")]
    lines = infeasible(make_conference(sessions, rooms=[make_room("R1"), make_room("R2")],
                                       days=[make_day("09:00-11:00")]))
    assert any("is a plenary: nothing else runs meanwhile" in line for line in lines), lines


def test_pins_alone_in_conflict_leave_the_open_periods_out():
    sessions = [make_session(s, 60, fixed_start=at("09:00"), fixed_room="R1") for s in "AB"]
    lines = infeasible(make_conference(sessions, rooms=[make_room("R1"), make_room("R2")]))
    assert not any("open periods" in line for line in lines), lines


def test_interpreter_teams_shortage_names_the_sessions_needing_the_pair():
    sessions = [make_session(s, 60, language="it", interpretation=frozenset({"en"})) for s in "AB"]
    conf = make_conference(sessions, rooms=[make_room("R1", booths=1), make_room("R2", booths=1)],
                           days=[make_day("09:00-10:00")], interpreters=(InterpreterTeam("T0", ("en", "it")),),
                           interpreters_limited=True)
    text = "\n".join(infeasible(conf))
    assert "only 1 interpreter team(s) for en-it (T0: throughout), and session(s) A, B need en-it interpretation" \
        in text, text


def test_a_conflict_not_narrowed_down_in_time_does_not_say_a_timetable_may_exist(monkeypatch):
    monkeypatch.setattr(explain_module, "_solve_under", lambda *_: (cp_model.UNKNOWN, []))
    lines = explain(make_conference([make_session(s, 60) for s in "ABCD"]))
    assert lines == [explain_module.NOT_NARROWED]
    assert "may exist" not in lines[0]


def test_unplaced_reason_names_the_speaker_who_is_never_available():
    speakers = [make_speaker("s1", name="Olena Kovalenko", availability=(window("14:00", "16:00"),)),
                make_speaker("s2")]
    conf = make_conference([make_session("A", 60, ("s1", "s2"))], speakers=speakers)
    reasons = unplaced_reasons(conf, Timetable((), ("A",)))
    # the conference is open 09:00-12:00 only, so the window is flagged too
    assert reasons["A"] == ("speaker Olena Kovalenko (s1, available Fri 13 Oct 2023 14:00 - Fri 13 Oct 2023 16:00 "
                            "(outside every open period)) is never available for its 60 min inside one open period")


def test_an_availability_on_no_conference_day_is_written_with_its_year():
    # A mistyped year (2024 for 2023) reads like any other window without it: the explanation must show it.
    typo = window("09:00", "17:00", day=date(2024, 10, 14))
    speakers = [make_speaker("s1", name="Marco Marino", availability=(typo,))]
    lines = infeasible(make_conference([make_session("A", 60, ("s1",))], speakers=speakers))
    assert any("Marco Marino (s1) is available only Mon 14 Oct 2024 09:00 - Mon 14 Oct 2024 17:00 (outside every "
               "open period)" in line for line in lines), lines


def test_only_windows_outside_every_open_period_are_flagged():
    speakers = [make_speaker("s1", availability=(window("09:00", "10:00"), window("20:00", "21:00")))]
    conf = make_conference([make_session("A", 90, ("s1",))], speakers=speakers)
    reason = unplaced_reasons(conf, Timetable((), ("A",)))["A"]
    # the evening window is on a conference day, but outside its open hours: flagged, with its year
    assert "available Fri 13 Oct 09:00-10:00, Fri 13 Oct 2023 20:00 - Fri 13 Oct 2023 21:00 (outside every open " \
           "period))" in reason, reason


def test_unplaced_reason_names_the_rooms_never_open_while_its_speaker_is_free():
    rooms = [make_room("R1", 30), make_room("R2", 300, name="Aula Magna", availability=(window("11:00", "12:00"),))]
    speakers = [make_speaker("s1", availability=(window("09:00", "10:30"),))]
    conf = make_conference([make_session("A", 60, ("s1",), expected_audience=200)], rooms=rooms, speakers=speakers)
    reason = unplaced_reasons(conf, Timetable((), ("A",)))["A"]
    assert reason == ("its rooms are never open for its 60 min inside one open period at a time its speakers are "
                      "available (suitable rooms and overflow rooms with opening times: Aula Magna (R2) open Fri 13 "
                      "Oct 11:00-12:00)")


def test_unplaced_reason_names_speakers_never_free_together():
    speakers = [make_speaker("s1", availability=(window("09:00", "10:00"),)),
                make_speaker("s2", availability=(window("10:00", "11:00"),))]
    conf = make_conference([make_session("A", 60, ("s1", "s2"))], speakers=speakers)
    reason = unplaced_reasons(conf, Timetable((), ("A",)))["A"]
    assert reason.startswith("speakers Speaker s1 (s1, available Fri 13 Oct 09:00-10:00), Speaker s2 (s2")
    assert "never all available together" in reason


def test_unplaced_reason_names_what_no_room_has():
    rooms = [make_room("R1", 100, features=frozenset({"stage"})), make_room("R2", 300)]
    conf = make_conference([make_session("A", 60, needs=frozenset({"hologram"})),
                            make_session("B", 60, expected_audience=250, needs=frozenset({"stage"}))], rooms=rooms)
    reasons = unplaced_reasons(conf, Timetable((), ("A", "B")))
    assert reasons["A"] == "no room has feature 'hologram'"
    assert reasons["B"] == "no single room has all of: 250 seats, feature 'stage'"


def _feasible(b) -> bool:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    status = solver.solve(b.model)
    assert status != cp_model.UNKNOWN
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conferences())
def test_explaining_model_with_every_requirement_assumed_agrees_with_the_hard_rules(conference):
    hard = build_model(conference, soft=False)
    explaining = build_model(conference, ModelOptions(explain=True))
    explaining.model.add_assumptions(list(explaining.guards.literals.values()))
    assert _feasible(explaining) == _feasible(hard)


@pytest.mark.parametrize("chunks", [False, True])
def test_the_core_is_minimal_whether_it_is_narrowed_one_by_one_or_by_halves_first(chunks):
    # Ten requirements, at most eight may hold: any nine conflict, and no eight do.
    model = cp_model.CpModel()
    holds = [model.new_bool_var(f"r{i}") for i in range(10)]
    model.add(sum(holds) <= 8)
    core = explain_module.minimal_core(model, holds, 10.0, chunks=chunks)
    assert len(core) == 9


def test_a_conflict_of_many_sessions_names_them_on_one_line():
    # Twelve one-hour talks by one speaker in an eleven-hour day: every one of them is needed for the conflict.
    sessions = [make_session(f"S{i:02d}", 60, ("sp",)) for i in range(12)]
    conference = make_conference(sessions, rooms=[make_room("R1"), make_room("R2")], days=[make_day("08:00-19:00")])
    lines = explain(conference)
    ids = ", ".join(f"S{i:02d}" for i in range(12))
    assert f"sessions {ids} (12) must all be in the programme" in lines
    assert not any(line.startswith("session S") for line in lines)
