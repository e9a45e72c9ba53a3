"""Tests of the independent checker: a respected/broken pair per hard rule, a hand count per soft goal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from factories import DAY1, at, make_conference, make_day, make_room, make_session, make_speaker, window

from scheduler.checker import HARD_RULES, SOFT_GOALS, CheckReport, Violation, check, format_report
from scheduler.domain import Assignment, Attendee, InterpreterTeam, Timetable, Weights


def place(session_id: str, start: str, end: str, room: str = "R1", day: date = DAY1) -> Assignment:
    return Assignment(session_id, room, at(start, day), at(end, day))


def timetable(*assignments: Assignment, unplaced: tuple[str, ...] = ()) -> Timetable:
    return Timetable(tuple(assignments), unplaced)


def broken(report: CheckReport, rule: str) -> list[tuple[str, ...]]:
    """The session ids of each violation of `rule`, in report order."""
    return [v.sessions for v in report.violations if v.rule == rule]


def two_rooms(**kw):
    return [make_room("R1", **kw), make_room("R2", **kw)]


# ---------------------------------------------------------------------------------------------------------------
# placed_once


def test_placed_once_respected_when_every_session_is_placed():
    conference = make_conference([make_session("S1"), make_session("S2")])
    report = check(conference, timetable(place("S1", "09:00", "10:00"), place("S2", "10:00", "11:00")))
    assert report.ok
    assert report.violations == ()


def test_placed_once_broken_by_a_missing_session():
    conference = make_conference([make_session("S1"), make_session("S2")])
    report = check(conference, timetable(place("S1", "09:00", "10:00")))
    assert broken(report, "placed_once") == [("S2",)]
    assert not report.ok


def test_placed_once_broken_by_unknown_session_and_room_ids():
    conference = make_conference([make_session("S1")])
    report = check(conference, timetable(place("S1", "09:00", "10:00", room="R9"), place("X7", "10:00", "11:00")))
    assert sorted(broken(report, "placed_once")) == [("S1",), ("X7",)]
    messages = " ".join(v.message for v in report.violations)
    assert "R9" in messages and "X7" in messages


def test_placed_once_broken_by_an_identical_second_assignment():
    # The tempting case: both copies agree, yet the session is placed twice.
    conference = make_conference([make_session("S1")])
    report = check(conference, timetable(place("S1", "09:00", "10:00"), place("S1", "09:00", "10:00")))
    assert broken(report, "placed_once") == [("S1",)]


def test_placed_once_respects_a_session_left_out_when_allowed():
    conference = make_conference([make_session("S1"), make_session("S2")])
    report = check(conference, timetable(place("S1", "09:00", "10:00"), unplaced=("S2",)), allow_unplaced=True)
    assert broken(report, "placed_once") == []


def test_placed_once_broken_by_leaving_out_when_not_allowed():
    conference = make_conference([make_session("S1"), make_session("S2")])
    report = check(conference, timetable(place("S1", "09:00", "10:00"), unplaced=("S2",)))
    assert broken(report, "placed_once") == [("S2",)]


def test_placed_once_broken_by_a_session_both_placed_and_left_out():
    conference = make_conference([make_session("S1")])
    report = check(conference, timetable(place("S1", "09:00", "10:00"), unplaced=("S1",)), allow_unplaced=True)
    assert broken(report, "placed_once") == [("S1",)]


# ---------------------------------------------------------------------------------------------------------------
# on_grid


def test_on_grid_respected_by_a_start_on_a_step():
    conference = make_conference([make_session("S1", 30)], granularity_min=30)
    report = check(conference, timetable(place("S1", "09:30", "10:00")))
    assert broken(report, "on_grid") == []


def test_on_grid_broken_by_a_quarter_past_on_a_half_hour_grid():
    conference = make_conference([make_session("S1", 30)], granularity_min=30)
    report = check(conference, timetable(place("S1", "09:15", "09:45")))
    assert broken(report, "on_grid") == [("S1",)]
    assert "09:15" in report.violations[0].message


def test_on_grid_broken_at_an_open_period_start_that_is_off_the_grid():
    # The grid is anchored at midnight, not at the period: a period opening at 09:10 does not make 09:10 a step.
    conference = make_conference([make_session("S1", 30)], granularity_min=30, days=[make_day("09:10-12:00")])
    report = check(conference, timetable(place("S1", "09:10", "09:40")))
    assert broken(report, "on_grid") == [("S1",)]
    assert broken(report, "in_open_period") == []


# ---------------------------------------------------------------------------------------------------------------
# in_open_period


def test_in_open_period_respected_by_a_session_exactly_filling_a_period():
    conference = make_conference([make_session("S1", 180)], days=[make_day("09:00-12:00")])
    report = check(conference, timetable(place("S1", "09:00", "12:00")))
    assert report.ok


def test_in_open_period_broken_across_two_touching_periods():
    # 11:00-13:00 is open at every minute, but not inside ONE period.
    conference = make_conference([make_session("S1", 120)], days=[make_day("09:00-12:00", "12:00-15:00")])
    report = check(conference, timetable(place("S1", "11:00", "13:00")))
    assert broken(report, "in_open_period") == [("S1",)]


def test_in_open_period_broken_by_end_minus_start_differing_from_duration():
    conference = make_conference([make_session("S1", 60)])
    report = check(conference, timetable(place("S1", "09:00", "09:30")))
    assert broken(report, "in_open_period") == [("S1",)]
    assert "60" in report.violations[0].message


def test_in_open_period_broken_one_minute_past_the_close():
    conference = make_conference([make_session("S1", 61)], granularity_min=30)
    report = check(conference, timetable(place("S1", "11:00", "12:01")))
    assert broken(report, "in_open_period") == [("S1",)]


# ---------------------------------------------------------------------------------------------------------------
# room_suits_session


def test_room_suits_session_respected_at_exact_capacity_features_and_booths():
    session = make_session("S1", expected_audience=100, needs=frozenset({"stage"}), language="it",
                           interpretation=frozenset({"en", "de"}))
    room = make_room("R1", capacity=100, features=frozenset({"stage", "streaming"}), booths=2)
    report = check(make_conference([session], rooms=[room]), timetable(place("S1", "09:00", "10:00")))
    assert report.ok


def test_room_suits_session_broken_one_seat_short():
    session = make_session("S1", expected_audience=101)
    report = check(make_conference([session], rooms=[make_room("R1", capacity=100)]),
                   timetable(place("S1", "09:00", "10:00")))
    assert broken(report, "room_suits_session") == [("S1",)]


def test_room_suits_session_broken_by_a_missing_feature():
    session = make_session("S1", needs=frozenset({"stage", "streaming"}))
    room = make_room("R1", features=frozenset({"stage"}))
    report = check(make_conference([session], rooms=[room]), timetable(place("S1", "09:00", "10:00")))
    assert broken(report, "room_suits_session") == [("S1",)]
    assert "streaming" in report.violations[0].message


def test_room_suits_session_broken_one_booth_short():
    session = make_session("S1", language="it", interpretation=frozenset({"en", "de"}))
    report = check(make_conference([session], rooms=[make_room("R1", booths=1)]),
                   timetable(place("S1", "09:00", "10:00")))
    assert broken(report, "room_suits_session") == [("S1",)]


# ---------------------------------------------------------------------------------------------------------------
# no_room_overlap


def test_no_room_overlap_respected_by_sessions_touching_end_to_start():
    conference = make_conference([make_session("S1"), make_session("S2")])
    report = check(conference, timetable(place("S1", "09:00", "10:00"), place("S2", "10:00", "11:00")))
    assert broken(report, "no_room_overlap") == []


def test_no_room_overlap_broken_by_two_sessions_at_once():
    conference = make_conference([make_session("S1"), make_session("S2")])
    report = check(conference, timetable(place("S1", "09:00", "10:00"), place("S2", "09:30", "10:30")))
    assert broken(report, "no_room_overlap") == [("S1", "S2")]
    assert "R1" in report.violations[0].message and "09:30" in report.violations[0].message


def test_no_room_overlap_respected_at_exactly_the_changeover_gap():
    conference = make_conference([make_session("S1", 50), make_session("S2")], changeover_min=10)
    report = check(conference, timetable(place("S1", "09:00", "09:50"), place("S2", "10:00", "11:00")))
    assert broken(report, "no_room_overlap") == []


def test_no_room_overlap_broken_by_a_gap_shorter_than_the_changeover():
    conference = make_conference([make_session("S1", 55), make_session("S2")], changeover_min=10)
    report = check(conference, timetable(place("S1", "09:00", "09:55"), place("S2", "10:00", "11:00")))
    assert broken(report, "no_room_overlap") == [("S1", "S2")]


def test_no_room_overlap_respected_by_parallel_sessions_in_different_rooms():
    conference = make_conference([make_session("S1"), make_session("S2")], rooms=two_rooms())
    report = check(conference, timetable(place("S1", "09:00", "10:00"), place("S2", "09:00", "10:00", room="R2")))
    assert broken(report, "no_room_overlap") == []


def test_no_room_overlap_broken_in_an_overflow_room():
    sessions = [make_session("S1", overflow_rooms=("R2",)), make_session("S2")]
    report = check(make_conference(sessions, rooms=two_rooms()),
                   timetable(place("S1", "09:00", "10:00"), place("S2", "09:30", "10:30", room="R2")))
    assert broken(report, "no_room_overlap") == [("S1", "S2")]


def test_no_room_overlap_respected_after_an_overflow_ends():
    sessions = [make_session("S1", overflow_rooms=("R2",)), make_session("S2")]
    report = check(make_conference(sessions, rooms=two_rooms()),
                   timetable(place("S1", "09:00", "10:00"), place("S2", "10:00", "11:00", room="R2")))
    assert broken(report, "no_room_overlap") == []


def test_no_room_overlap_broken_by_the_changeover_after_an_overflow():
    sessions = [make_session("S1", 55, overflow_rooms=("R2",)), make_session("S2")]
    report = check(make_conference(sessions, rooms=two_rooms(), changeover_min=10),
                   timetable(place("S1", "09:00", "09:55"), place("S2", "10:00", "11:00", room="R2")))
    assert broken(report, "no_room_overlap") == [("S1", "S2")]


def test_no_room_overlap_broken_by_a_main_room_among_its_own_overflow_rooms():
    sessions = [make_session("S1", overflow_rooms=("R1", "R2"))]
    report = check(make_conference(sessions, rooms=two_rooms()), timetable(place("S1", "09:00", "10:00")))
    assert broken(report, "no_room_overlap") == [("S1",)]


# ---------------------------------------------------------------------------------------------------------------
# room_availability


def test_room_availability_respected_by_a_window_the_changeover_runs_past():
    conf = make_conference([make_session("S1")], rooms=[make_room("R1", availability=(window("09:00", "10:00"),))],
                           changeover_min=15)
    assert check(conf, timetable(place("S1", "09:00", "10:00"))).ok


def test_room_availability_broken_by_a_window_opening_one_minute_late():
    rooms = [make_room("R1", availability=(window("09:01", "12:00"),)), make_room("R2")]
    report = check(make_conference([make_session("S1")], rooms=rooms), timetable(place("S1", "09:00", "10:00")))
    assert broken(report, "room_availability") == [("S1",)]
    assert "room R1 is not open" in report.violations[0].message


def test_room_availability_broken_by_an_overflow_room_closed_while_it_relays():
    rooms = [make_room("R1"), make_room("R2", availability=(window("10:00", "12:00"),))]
    sessions = [make_session("S1", overflow_rooms=("R2",))]
    report = check(make_conference(sessions, rooms=rooms), timetable(place("S1", "09:00", "10:00")))
    assert broken(report, "room_availability") == [("S1",)]
    assert "R2" in report.violations[0].message and "overflow" in report.violations[0].message


# ---------------------------------------------------------------------------------------------------------------
# speaker_one_place


def test_speaker_one_place_respected_by_back_to_back_talks_in_two_rooms():
    sessions = [make_session("S1", speakers=("P1",)), make_session("S2", speakers=("P1",))]
    report = check(make_conference(sessions, rooms=two_rooms()),
                   timetable(place("S1", "09:00", "10:00"), place("S2", "10:00", "11:00", room="R2")))
    assert broken(report, "speaker_one_place") == []


def test_speaker_one_place_broken_by_overlapping_talks_in_two_rooms():
    sessions = [make_session("S1", speakers=("P1", "P2")), make_session("S2", speakers=("P3", "P1"))]
    report = check(make_conference(sessions, rooms=two_rooms()),
                   timetable(place("S1", "09:00", "10:00"), place("S2", "09:30", "10:30", room="R2")))
    assert broken(report, "speaker_one_place") == [("S1", "S2")]
    assert "P1" in report.violations[0].message


# ---------------------------------------------------------------------------------------------------------------
# speaker_availability


def test_speaker_availability_respected_by_a_window_exactly_covering_the_session():
    speakers = [make_speaker("P1", availability=(window("09:00", "10:00"),)), make_speaker("P2")]
    sessions = [make_session("S1", speakers=("P1", "P2"))]
    report = check(make_conference(sessions, speakers=speakers), timetable(place("S1", "09:00", "10:00")))
    assert report.ok


def test_speaker_availability_broken_by_a_window_ending_one_minute_early():
    speakers = [make_speaker("P1", availability=(window("09:00", "09:59"),))]
    sessions = [make_session("S1", speakers=("P1",))]
    report = check(make_conference(sessions, speakers=speakers), timetable(place("S1", "09:00", "10:00")))
    assert broken(report, "speaker_availability") == [("S1",)]
    assert "P1" in report.violations[0].message


def test_speaker_availability_broken_by_two_windows_only_covering_it_together():
    # Back-to-back windows cover every minute, but the rule asks for ONE window containing the session.
    speakers = [make_speaker("P1", availability=(window("09:00", "09:30"), window("09:30", "12:00")))]
    sessions = [make_session("S1", speakers=("P1",))]
    report = check(make_conference(sessions, speakers=speakers), timetable(place("S1", "09:00", "10:00")))
    assert broken(report, "speaker_availability") == [("S1",)]


# ---------------------------------------------------------------------------------------------------------------
# pinned


def test_pinned_respected_even_when_the_pin_is_written_in_utc():
    pin_utc = at("10:00").astimezone(UTC)  # 08:00 UTC is 10:00 in Rome in October
    sessions = [make_session("S1", fixed_start=pin_utc, fixed_room="R2")]
    report = check(make_conference(sessions, rooms=two_rooms()), timetable(place("S1", "10:00", "11:00", "R2")))
    assert report.ok


def test_pinned_broken_by_another_start():
    sessions = [make_session("S1", fixed_start=at("10:00"))]
    report = check(make_conference(sessions), timetable(place("S1", "10:30", "11:30")))
    assert broken(report, "pinned") == [("S1",)]
    assert "10:00" in report.violations[0].message


def test_pinned_broken_by_another_room():
    sessions = [make_session("S1", fixed_room="R2")]
    report = check(make_conference(sessions, rooms=two_rooms()), timetable(place("S1", "09:00", "10:00")))
    assert broken(report, "pinned") == [("S1",)]


# ---------------------------------------------------------------------------------------------------------------
# plenary_alone


def test_plenary_alone_respected_by_sessions_touching_the_plenary():
    sessions = [make_session("P", plenary=True), make_session("S1"), make_session("S2")]
    report = check(make_conference(sessions, rooms=two_rooms()),
                   timetable(place("S1", "09:00", "10:00", "R2"), place("P", "10:00", "11:00"),
                             place("S2", "11:00", "12:00", "R2")))
    assert report.ok


def test_plenary_alone_broken_by_a_session_in_another_room():
    sessions = [make_session("P", plenary=True), make_session("S1")]
    report = check(make_conference(sessions, rooms=two_rooms()),
                   timetable(place("P", "10:00", "11:00"), place("S1", "10:30", "11:30", "R2")))
    assert broken(report, "plenary_alone") == [("P", "S1")]


# ---------------------------------------------------------------------------------------------------------------
# after_order


def test_after_order_respected_when_the_predecessor_ends_as_it_starts():
    sessions = [make_session("A"), make_session("B", after=("A",))]
    report = check(make_conference(sessions, rooms=two_rooms()),
                   timetable(place("A", "09:00", "10:00"), place("B", "10:00", "11:00", "R2")))
    assert broken(report, "after_order") == []


def test_after_order_broken_by_a_predecessor_still_running():
    sessions = [make_session("A"), make_session("B", after=("A",))]
    report = check(make_conference(sessions, rooms=two_rooms()),
                   timetable(place("A", "09:00", "10:00"), place("B", "09:30", "10:30", "R2")))
    assert broken(report, "after_order") == [("A", "B")]


def test_after_order_broken_by_the_reverse_order():
    sessions = [make_session("A"), make_session("B", after=("A",))]
    report = check(make_conference(sessions), timetable(place("B", "09:00", "10:00"), place("A", "10:00", "11:00")))
    assert broken(report, "after_order") == [("A", "B")]


# ---------------------------------------------------------------------------------------------------------------
# interpreter_teams


def it_en(session_id: str):
    return make_session(session_id, language="it", interpretation=frozenset({"en"}))


def team(team_id: str, *windows) -> InterpreterTeam:
    return InterpreterTeam(team_id, ("en", "it"), tuple(windows))


def test_interpreter_teams_respected_with_one_team_per_parallel_session():
    conference = make_conference([it_en("S1"), it_en("S2")], rooms=two_rooms(booths=1), interpreters_limited=True,
                                 interpreters=(team("T1"), team("T2", window("09:00", "12:00"))))
    report = check(conference, timetable(place("S1", "09:00", "10:00"), place("S2", "09:30", "10:30", "R2")))
    assert report.ok


def test_interpreter_teams_broken_by_two_parallel_sessions_and_one_team():
    conference = make_conference([it_en("S1"), it_en("S2")], rooms=two_rooms(booths=1), interpreters_limited=True,
                                 interpreters=(team("T1"),))
    report = check(conference, timetable(place("S1", "09:00", "10:00"), place("S2", "09:30", "10:30", "R2")))
    assert broken(report, "interpreter_teams") == [("S1", "S2")]


def test_interpreter_teams_respected_when_one_team_serves_sessions_back_to_back():
    conference = make_conference([it_en("S1"), it_en("S2")], rooms=two_rooms(booths=1), interpreters_limited=True,
                                 interpreters=(team("T1"),))
    report = check(conference, timetable(place("S1", "09:00", "10:00"), place("S2", "10:00", "11:00", "R2")))
    assert report.ok


def test_interpreter_teams_respected_by_a_team_with_consecutive_windows():
    conference = make_conference([it_en("S1")], rooms=[make_room("R1", booths=1)], interpreters_limited=True,
                                 interpreters=(team("T1", window("09:00", "09:30"), window("09:30", "10:00")),))
    report = check(conference, timetable(place("S1", "09:00", "10:00")))
    assert report.ok


def test_interpreter_teams_broken_by_a_team_leaving_mid_session():
    # At 09:00 the team is there; the shortage starts at its window's end, a boundary that is no session start.
    conference = make_conference([it_en("S1")], rooms=[make_room("R1", booths=1)], interpreters_limited=True,
                                 interpreters=(team("T1", window("09:00", "09:30")),))
    report = check(conference, timetable(place("S1", "09:00", "10:00")))
    assert broken(report, "interpreter_teams") == [("S1",)]
    assert "09:30" in report.violations[0].message


def test_interpreter_teams_not_checked_when_interpreters_are_unlimited():
    conference = make_conference([it_en("S1"), it_en("S2")], rooms=two_rooms(booths=1), interpreters_limited=False)
    report = check(conference, timetable(place("S1", "09:00", "10:00"), place("S2", "09:30", "10:30", "R2")))
    assert broken(report, "interpreter_teams") == []


# ---------------------------------------------------------------------------------------------------------------
# Soft goals


def test_attendee_conflict_hand_count():
    # S1 09:00-10:00, S2 09:30-10:30, S3 10:00-11:00: overlapping pairs are (S1,S2) and (S2,S3); S1 and S3 touch.
    # A1 wants all three -> 2, A2 wants S1,S3 -> 0, A3 wants S2,S3 -> 1, A4 lists S2 twice and S1 -> 1 (once).
    attendees = (Attendee("A1", interests=("S1", "S2", "S3")), Attendee("A2", interests=("S1", "S3")),
                 Attendee("A3", interests=("S3", "S2")), Attendee("A4", interests=("S2", "S2", "S1")))
    conference = make_conference([make_session(s) for s in ("S1", "S2", "S3")],
                                 rooms=[make_room(r) for r in ("R1", "R2", "R3")], attendees=attendees)
    report = check(conference, timetable(place("S1", "09:00", "10:00", "R1"), place("S2", "09:30", "10:30", "R2"),
                                         place("S3", "10:00", "11:00", "R3")))
    assert report.soft["attendee_conflict"] == 2 + 0 + 1 + 1


def test_track_parallel_hand_count():
    # a1, a2, a3 all run 09:00-10:00: 3 pairs. b1 overlaps them but is alone in its track; x1 and x2 have no
    # track (never counted); a4 touches the others end-to-start (no overlap).
    sessions = [make_session(s, track="a") for s in ("a1", "a2", "a3", "a4")]
    sessions += [make_session("b1", track="b"), make_session("x1"), make_session("x2")]
    rooms = [make_room(f"R{i}") for i in range(1, 7)]
    report = check(make_conference(sessions, rooms=rooms),
                   timetable(place("a1", "09:00", "10:00", "R1"), place("a2", "09:00", "10:00", "R2"),
                             place("a3", "09:00", "10:00", "R3"), place("b1", "09:00", "10:00", "R4"),
                             place("x1", "09:00", "10:00", "R5"), place("x2", "09:00", "10:00", "R6"),
                             place("a4", "10:00", "11:00", "R1")))
    assert report.soft["track_parallel"] == 3


def test_language_coverage_hand_count():
    # Grid 30 min, open 09:00-12:00: instants 09:00, 09:30, ..., 11:30 (12:00 is outside [start, end)).
    # Groups: {en}, {it}, {de}, {fr} (A3 repeats {en}; A6 with no language forms no group).
    # 09:00, 09:30: S1 (it, into en) runs -> {de} and {fr} cannot follow: 2 * 2 = 4.
    # 10:00, 10:30: S2 (de) runs, S1 has ended at 10:00 -> {en}, {it}, {fr} cannot follow: 2 * 3 = 6.
    # 11:00, 11:30: nothing runs (S2 ended at 11:00) -> 0.
    attendees = (Attendee("A1", frozenset({"en"})), Attendee("A2", frozenset({"it"})),
                 Attendee("A3", frozenset({"en"})), Attendee("A4", frozenset({"de"})),
                 Attendee("A5", frozenset({"fr"})), Attendee("A6"))
    sessions = [make_session("S1", language="it", interpretation=frozenset({"en"})),
                make_session("S2", language="de")]
    conference = make_conference(sessions, rooms=[make_room("R1", booths=1)], attendees=attendees,
                                 languages=("en", "it", "de", "fr"))
    report = check(conference, timetable(place("S1", "09:00", "10:00"), place("S2", "10:00", "11:00")))
    assert report.soft["language_coverage"] == 4 + 6 + 0


def test_language_coverage_ignores_instants_outside_open_periods():
    # S1 (it) is misplaced 11:30-12:30 across the 12:00 close: only the 11:30 instant is inside the period, so
    # the {en} group counts 1 (not 2 for 12:00 too).
    conference = make_conference([make_session("S1", language="it")], attendees=(Attendee("A1", frozenset({"en"})),))
    report = check(conference, timetable(place("S1", "11:30", "12:30")))
    assert broken(report, "in_open_period") == [("S1",)]
    assert report.soft["language_coverage"] == 1


def test_language_coverage_counts_only_instants_where_nothing_followable_runs():
    # S1 (it) and S2 (en) run together 09:00-10:00: every group can follow one of them -> 0 there.
    # 10:00-10:30 only S1 runs (S2 ended): instant 10:00 -> {en} cannot follow: 1.
    attendees = (Attendee("A1", frozenset({"en"})), Attendee("A2", frozenset({"it"})))
    sessions = [make_session("S1", 90, language="it"), make_session("S2", language="en")]
    conference = make_conference(sessions, rooms=two_rooms(), attendees=attendees)
    report = check(conference, timetable(place("S1", "09:00", "10:30"), place("S2", "09:00", "10:00", "R2")))
    assert report.soft["language_coverage"] == 1


def test_speaker_preference_hand_count():
    # S1 (09:00-10:00) by P1 (prefers 09:00-12:00: inside), P2 (prefers 13:00-14:00 or 10:00-11:00: outside both)
    # and P3 (no wish): 1.
    # S2 (10:00-11:00) by P2 (inside 10:00-11:00) and P4 (prefers 10:00-10:59, one minute short: outside): 1.
    speakers = [make_speaker("P1", preferred=(window("09:00", "12:00"),)),
                make_speaker("P2", preferred=(window("13:00", "14:00"), window("10:00", "11:00"))),
                make_speaker("P3"), make_speaker("P4", preferred=(window("10:00", "10:59"),))]
    sessions = [make_session("S1", speakers=("P1", "P2", "P3")), make_session("S2", speakers=("P2", "P4"))]
    report = check(make_conference(sessions, speakers=speakers),
                   timetable(place("S1", "09:00", "10:00"), place("S2", "10:00", "11:00")))
    assert report.soft["speaker_preference"] == 1 + 1


def test_track_room_stability_hand_count():
    # Track a uses R1, R1, R2 -> 2 rooms -> 1; track b uses R3 -> 0; untracked x1, x2 in R1, R2 -> never counted.
    sessions = [make_session(s, track="a") for s in ("a1", "a2", "a3")]
    sessions += [make_session("b1", track="b"), make_session("x1"), make_session("x2")]
    rooms = [make_room(r) for r in ("R1", "R2", "R3")]
    report = check(make_conference(sessions, rooms=rooms, days=[make_day("09:00-13:00")]),
                   timetable(place("a1", "09:00", "10:00", "R1"), place("a2", "10:00", "11:00", "R1"),
                             place("a3", "11:00", "12:00", "R2"), place("b1", "09:00", "10:00", "R3"),
                             place("x1", "12:00", "13:00", "R1"), place("x2", "09:00", "10:00", "R2")))
    assert report.soft["track_room_stability"] == 1


def test_moved_hand_count():
    # S1 unchanged, S2 starts an hour later, S3 changes room, S4 was left out of the reference (not placed in
    # both, so not moved): 2.
    sessions = [make_session(s) for s in ("S1", "S2", "S3", "S4")]
    conference = make_conference(sessions, rooms=two_rooms(), days=[make_day("09:00-13:00")])
    reference = timetable(place("S1", "09:00", "10:00"), place("S2", "10:00", "11:00"),
                          place("S3", "09:00", "10:00", "R2"), unplaced=("S4",))
    current = timetable(place("S1", "09:00", "10:00"), place("S2", "11:00", "12:00"),
                        place("S3", "10:00", "11:00", "R1"), place("S4", "09:00", "10:00", "R2"))
    report = check(conference, current, reference=reference)
    assert report.ok
    assert report.soft["moved"] == 2
    assert check(conference, current).soft["moved"] == 0  # no reference: not applicable


def test_unplaced_hand_count_and_objective():
    # Left out: S2 (priority 0) -> 1, S3 (priority 2) -> 3: total 4. The objective is weight * count per goal.
    sessions = [make_session("S1"), make_session("S2"), make_session("S3", priority=2)]
    weights = Weights(unplaced=1000)
    conference = make_conference(sessions, weights=weights)
    report = check(conference, timetable(place("S1", "09:00", "10:00"), unplaced=("S2", "S3")), allow_unplaced=True)
    assert report.ok
    assert report.soft["unplaced"] == 4
    assert report.objective == 4 * 1000
    assert set(report.soft) == set(SOFT_GOALS)


def test_objective_is_the_weighted_sum_of_the_soft_counts():
    # Two same-track sessions at once in R1/R2: track_parallel 1, track_room_stability 1 (two rooms), and the one
    # attendee wanting both: attendee_conflict 1.
    weights = Weights(attendee_conflict=7, track_parallel=11, track_room_stability=13)
    sessions = [make_session("S1", track="t"), make_session("S2", track="t")]
    conference = make_conference(sessions, rooms=two_rooms(), weights=weights,
                                 attendees=(Attendee("A1", interests=("S1", "S2")),))
    report = check(conference, timetable(place("S1", "09:00", "10:00"), place("S2", "09:00", "10:00", "R2")))
    assert (report.soft["attendee_conflict"], report.soft["track_parallel"],
            report.soft["track_room_stability"]) == (1, 1, 1)
    assert report.objective == 7 + 11 + 13


# ---------------------------------------------------------------------------------------------------------------
# Daylight saving time: Europe/Rome falls back from 03:00 CEST to 02:00 CET on Sunday 2023-10-29.

FRI, SAT, SUN = date(2023, 10, 27), date(2023, 10, 28), date(2023, 10, 29)


def test_grid_instants_count_elapsed_minutes_across_the_october_dst_change():
    # With a 90-minute grid, Saturday's steps include 09:00 and 10:30 (540 and 630 minutes after midnight). On
    # Sunday midnight is CEST and 09:00 CET is 600 elapsed minutes: steps are 09:30 and 11:00 instead.
    days = [make_day("09:00-12:00", day=d) for d in (FRI, SAT, SUN)]
    sessions = [make_session("S1", 30, language="it"), make_session("S2", 30, language="it"),
                make_session("S3", 30, language="it"), make_session("S4", 30, language="it")]
    conference = make_conference(sessions, days=days, granularity_min=90,
                                 attendees=(Attendee("A1", frozenset({"en"})),))
    report = check(conference, timetable(
        place("S1", "09:00", "09:30", day=SAT), place("S4", "10:15", "10:45", day=SAT),
        place("S2", "09:30", "10:00", day=SUN), place("S3", "09:00", "09:30", day=SUN)))
    assert sorted(broken(report, "on_grid")) == [("S3",), ("S4",)]
    # Language coverage counts grid instants where only Italian runs: Saturday 09:00 (S1) and 10:30 (S4),
    # Sunday 09:30 (S2). Sunday's S3 [09:00, 09:30) holds no Sunday step (a wall-clock grid would count 09:00).
    assert report.soft["language_coverage"] == 3


def test_a_period_across_the_dst_change_lasts_its_elapsed_minutes():
    # 00:00-06:00 on the night of the change is 7 hours long: a session filling it lasts 420 minutes, and an
    # hourly grid has 7 instants in it (00:00, 01:00, 02:00 CEST, 02:00 CET, 03:00, 04:00, 05:00).
    night = make_day("00:00-06:00", day=SUN)
    conference = make_conference([make_session("S1", 420, language="it")], days=[night], granularity_min=60,
                                 attendees=(Attendee("A1", frozenset({"en"})),))
    report = check(conference, timetable(place("S1", "00:00", "06:00", day=SUN)))
    assert report.ok
    assert report.soft["language_coverage"] == 7
    wall_clock = make_conference([make_session("S1", 360)], days=[night], granularity_min=60)
    assert broken(check(wall_clock, timetable(place("S1", "00:00", "06:00", day=SUN))), "in_open_period") == [("S1",)]


def test_on_grid_after_the_fall_back_hour_uses_elapsed_minutes():
    # 45-minute grid on Sunday: 03:00 CET is 240 elapsed minutes after midnight (CEST), 240 % 45 = 15: off the grid.
    # The second 02:45 (CET, fold=1) is 225 elapsed minutes: on the grid. A wall-clock grid would judge the other
    # way round (180 % 45 = 0, 165 % 45 = 30).
    night = make_day("00:00-06:00", day=SUN)
    sessions = [make_session("S1", 15), make_session("S2", 15)]
    conference = make_conference(sessions, days=[night], granularity_min=45, rooms=two_rooms())
    second_0245 = datetime(2023, 10, 29, 2, 45, fold=1, tzinfo=at("00:00", SUN).tzinfo)
    s2 = Assignment("S2", "R2", second_0245, second_0245 + timedelta(minutes=15))
    report = check(conference, Timetable((place("S1", "03:00", "03:15", day=SUN), s2)))
    assert broken(report, "on_grid") == [("S1",)]
    assert report.ok is False and len(report.violations) == 1


# ---------------------------------------------------------------------------------------------------------------
# Report


def test_format_report_groups_violations_by_rule_and_shows_weighted_soft_scores():
    sessions = [make_session("S1", track="t"), make_session("S2", track="t"), make_session("S3", fixed_room="R2")]
    conference = make_conference(sessions, rooms=two_rooms(), name="Rome Peace Conference")
    report = check(conference, timetable(place("S1", "09:00", "10:00"), place("S2", "09:30", "10:30"),
                                         place("S3", "10:30", "11:30")))
    text = format_report(report, conference)
    assert "Rome Peace Conference" in text
    assert "no_room_overlap (1):" in text and "pinned (1):" in text
    assert text.index("no_room_overlap") < text.index("pinned (1)")  # the rule order of the architecture
    for goal in SOFT_GOALS:
        assert goal in text
    # track_parallel: one pair, weight 30.
    assert any("track_parallel" in line and "30" in line.split("x")[1] for line in text.splitlines())
    assert str(report.objective) in text


def test_format_report_of_a_valid_timetable_says_so():
    conference = make_conference([make_session("S1")])
    report = check(conference, timetable(place("S1", "09:00", "10:00")))
    assert "all hard rules hold" in format_report(report, conference)


def test_every_violation_names_a_rule_of_the_architecture():
    sessions = [make_session("S1", fixed_room="R9"), make_session("S2")]
    report = check(make_conference(sessions), timetable(place("S1", "09:10", "10:00"), place("S1", "09:00", "10:00")))
    assert report.violations
    assert all(isinstance(v, Violation) and v.rule in HARD_RULES for v in report.violations)
