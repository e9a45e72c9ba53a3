"""One pair of tests per constraint family: the smallest instance where breaking the rule is tempting (it must
hold), and an infeasible twin (the explanation must name the requirement in words).

Every solve goes through `solve()`, so the independent checker has also accepted each timetable shown here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from factories import at, make_conference, make_day, make_days, make_room, make_session, make_speaker, window

from scheduler.domain import Attendee, InterpreterTeam, Timetable
from scheduler.solve import SolveSettings, solve

FAST = SolveSettings(time_limit_s=10, workers=1)


def placed(result):
    assert result.timetable is not None, (result.status, result.explanation)
    return result.timetable.by_session


def overlap(a, b) -> bool:
    return a.start < b.end and b.start < a.end


def explanation(result) -> str:
    assert result.status == "INFEASIBLE"
    return "\n".join(result.explanation)


# placed_once ----------------------------------------------------------------------------------------------------


def test_placed_once_every_session_gets_one_room_and_one_start_on_the_grid():
    conf = make_conference([make_session(s, 60) for s in "ABC"], rooms=[make_room("R1"), make_room("R2")])
    t = placed(solve(conf, FAST))
    assert sorted(t) == ["A", "B", "C"]
    for a in t.values():
        assert a.end - a.start == timedelta(minutes=60)
        assert a.start.minute % 30 == 0 and at("09:00") <= a.start and a.end <= at("12:00")


def test_placed_once_too_many_sessions_for_the_room_time_is_explained():
    conf = make_conference([make_session(s, 60) for s in "ABCD"])  # 4 hours into one 3-hour room
    text = explanation(solve(conf, FAST))
    assert text.count("must be in the programme") == 4


def test_placed_once_never_across_a_break():
    # 90 minutes would fit in the day's 3 hours, but not in either 60/120-minute period alone... except the second.
    conf = make_conference([make_session("A", 90)], days=[make_day("09:00-10:00", "11:00-13:00")])
    a = placed(solve(conf, FAST))["A"]
    assert a.start >= at("11:00") and a.end <= at("13:00")


# room_suits_session ---------------------------------------------------------------------------------------------


def test_room_suits_session_capacity_features_and_booths():
    rooms = [make_room("small", 50, booths=3, features=frozenset({"stage"})), make_room("hall", 400, booths=1),
             make_room("lab", 400, features=frozenset({"workshop"}), booths=2)]
    sessions = [make_session("big", 60, expected_audience=300, language="it", interpretation=frozenset({"en", "ru"})),
                make_session("ws", 60, needs=frozenset({"workshop"})),
                make_session("talk", 60, expected_audience=40)]
    t = placed(solve(make_conference(sessions, rooms=rooms, languages=("it", "en", "ru")), FAST))
    assert t["big"].room_id == "lab"  # the only room with 300 seats and 2 booths
    assert t["ws"].room_id == "lab"


def test_room_suits_session_no_room_big_enough_is_explained():
    conf = make_conference([make_session("big", 60, expected_audience=300)], rooms=[make_room("R1", 100)])
    assert "needs a room with 300 seats" in explanation(solve(conf, FAST))


# no_room_overlap ------------------------------------------------------------------------------------------------


def test_no_room_overlap_with_changeover_gap():
    conf = make_conference([make_session("A", 60), make_session("B", 60)], days=[make_day("09:00-11:30")],
                           granularity_min=10, changeover_min=10)
    t = placed(solve(conf, FAST))
    first, second = sorted(t.values(), key=lambda a: a.start)
    assert second.start - first.end >= timedelta(minutes=10)


def test_no_room_overlap_changeover_makes_back_to_back_impossible():
    conf = make_conference([make_session("A", 60), make_session("B", 60)], days=[make_day("09:00-11:00")],
                           changeover_min=10)
    assert "must be in the programme" in explanation(solve(conf, FAST))


def test_no_room_overlap_overflow_room_is_busy_during_the_relay():
    rooms = [make_room("R1"), make_room("R2")]
    sessions = [make_session("A", 60, overflow_rooms=("R2",)), make_session("B", 60)]
    t = placed(solve(make_conference(sessions, rooms=rooms, days=[make_day("09:00-11:00")]), FAST))
    assert t["A"].room_id == "R1"
    assert not overlap(t["A"], t["B"])


def test_no_room_overlap_overflow_leaves_no_room_is_explained():
    rooms = [make_room("R1"), make_room("R2")]
    sessions = [make_session("A", 60, overflow_rooms=("R2",)), make_session("B", 60)]
    text = explanation(solve(make_conference(sessions, rooms=rooms, days=[make_day("09:00-10:00")]), FAST))
    assert "relayed live into R2" in text


# speaker_one_place ----------------------------------------------------------------------------------------------


def test_speaker_one_place_even_when_running_in_parallel_would_fill_the_rooms():
    sessions = [make_session("A", 60, ("s1",)), make_session("B", 60, ("s1",)), make_session("C", 60, ("s2",))]
    conf = make_conference(sessions, rooms=[make_room("R1"), make_room("R2")], days=[make_day("09:00-11:00")])
    t = placed(solve(conf, FAST))
    assert not overlap(t["A"], t["B"])


def test_speaker_one_place_no_time_for_both_talks_is_explained():
    sessions = [make_session("A", 60, ("s1",)), make_session("B", 60, ("s1",))]
    conf = make_conference(sessions, rooms=[make_room("R1"), make_room("R2")], days=[make_day("09:00-10:00")])
    text = explanation(solve(conf, FAST))
    assert "must be in the programme" in text
    assert "(s1) is in one place at a time, and presents session A 'Session A' and session B" in text


def test_speaker_one_place_two_pins_in_different_rooms_name_the_speaker_they_share():
    # Each pin alone is fine and the rooms differ: only the shared speaker makes them clash.
    speakers = [make_speaker("s1", name="Olena Kovalenko"), make_speaker("s2")]
    sessions = [make_session("A", 60, ("s1",), fixed_start=at("10:00"), fixed_room="R1"),
                make_session("B", 90, ("s2", "s1"), fixed_start=at("10:30"), fixed_room="R2"),
                make_session("C", 60, ("s2",))]
    conf = make_conference(sessions, speakers=speakers, rooms=[make_room("R1"), make_room("R2")],
                           days=[make_day("09:00-13:00")])
    lines = solve(conf, FAST).explanation
    assert any("Olena Kovalenko (s1) is in one place at a time" in line for line in lines), lines
    assert not any("(s2)" in line for line in lines), lines  # s2's talks can be apart: not part of the conflict
    assert any("pinned to start" in line and "session A" in line for line in lines), lines
    assert any("pinned to start" in line and "session B" in line for line in lines), lines


# room_availability ----------------------------------------------------------------------------------------------


def test_room_availability_the_only_big_room_is_used_only_while_open():
    # The one attendee wants A and B, and B is pinned at 11:00: A would rather run before it, but the only room
    # big enough for A opens at 11:00.
    rooms = [make_room("R1", 300, availability=(window("11:00", "12:00"),)), make_room("R2", 30)]
    sessions = [make_session("A", 60, expected_audience=200), make_session("B", 60, fixed_start=at("11:00"))]
    conf = make_conference(sessions, rooms=rooms, attendees=(Attendee("a1", frozenset(), ("A", "B")),))
    t = placed(solve(conf, FAST))
    assert (t["A"].start, t["A"].room_id) == (at("11:00"), "R1") and t["B"].room_id == "R2"


def test_room_availability_an_overflow_room_must_be_open_while_it_relays():
    # R1 is open all morning, but the session is relayed into R2, which opens at 10:30.
    rooms = [make_room("R1"), make_room("R2", availability=(window("10:30", "12:00"),))]
    conf = make_conference([make_session("A", 60, overflow_rooms=("R2",))], rooms=rooms)
    assert placed(solve(conf, FAST))["A"].start >= at("10:30")


def test_room_availability_a_session_may_end_as_its_room_closes_despite_the_changeover():
    rooms = [make_room("R1", availability=(window("09:00", "10:00"),))]
    conf = make_conference([make_session("A", 60)], rooms=rooms, changeover_min=15)
    assert placed(solve(conf, FAST))["A"].start == at("09:00")


def test_room_availability_a_pin_while_the_room_is_closed_names_its_opening_times():
    rooms = [make_room("R1", name="Sala Pace", availability=(window("10:00", "12:00"),)), make_room("R2")]
    conf = make_conference([make_session("A", 60, fixed_start=at("09:00"), fixed_room="R1")], rooms=rooms)
    text = explanation(solve(conf, FAST))
    assert "room Sala Pace (R1) is open only Fri 13 Oct 10:00-12:00" in text, text


# speaker_availability -------------------------------------------------------------------------------------------


def test_speaker_availability_session_runs_inside_the_window():
    speakers = [make_speaker("s1", availability=(window("10:00", "11:00"),))]
    conf = make_conference([make_session("A", 60, ("s1",))], speakers=speakers)
    assert placed(solve(conf, FAST))["A"].start == at("10:00")


def test_speaker_availability_window_too_short_names_the_speaker():
    speakers = [make_speaker("s1", name="Olena Kovalenko", availability=(window("09:30", "11:00"),))]
    conf = make_conference([make_session("A", 90, ("s1",)), make_session("B", 90, ("s1",))], speakers=speakers,
                           rooms=[make_room("R1"), make_room("R2")])
    text = explanation(solve(conf, FAST))
    assert "Olena Kovalenko (s1) is available only Fri 13 Oct 09:30-11:00" in text
    assert "session A" in text and "session B" in text


# pinned ---------------------------------------------------------------------------------------------------------


def test_pinned_start_and_room_are_kept():
    sessions = [make_session("A", 60, fixed_start=at("11:00"), fixed_room="R2"), make_session("B", 60)]
    t = placed(solve(make_conference(sessions, rooms=[make_room("R1"), make_room("R2")]), FAST))
    assert (t["A"].start, t["A"].room_id) == (at("11:00"), "R2")


def test_pinned_two_sessions_to_the_same_room_and_time_is_explained():
    sessions = [make_session(s, 60, fixed_start=at("09:00"), fixed_room="R1") for s in "AB"]
    text = explanation(solve(make_conference(sessions, rooms=[make_room("R1"), make_room("R2")]), FAST))
    assert "pinned" in text


# plenary_alone --------------------------------------------------------------------------------------------------


def test_plenary_alone_nothing_runs_beside_it():
    sessions = [make_session("P", 60, plenary=True), *(make_session(s, 60) for s in "ABC")]
    conf = make_conference(sessions, rooms=[make_room("R1"), make_room("R2")])
    t = placed(solve(conf, FAST))
    assert all(not overlap(t["P"], t[s]) for s in "ABC")


def test_plenary_alone_no_room_time_left_is_explained():
    sessions = [make_session("P", 60, plenary=True), *(make_session(s, 60) for s in "ABC")]
    conf = make_conference(sessions, rooms=[make_room("R1"), make_room("R2")], days=[make_day("09:00-11:00")])
    assert "is a plenary: nothing else runs meanwhile" in explanation(solve(conf, FAST))


# after_order ----------------------------------------------------------------------------------------------------


def test_after_order_follows_the_preparing_session():
    speakers = [make_speaker("s1", availability=(window("10:00", "12:00"),)), make_speaker("s2")]
    sessions = [make_session("prep", 60, ("s1",)), make_session("act", 60, ("s2",), after=("prep",))]
    t = placed(solve(make_conference(sessions, speakers=speakers, rooms=[make_room("R1"), make_room("R2")]), FAST))
    assert t["act"].start >= t["prep"].end


def test_after_order_impossible_is_explained():
    speakers = [make_speaker("s1", availability=(window("10:00", "12:00"),)),
                make_speaker("s2", availability=(window("09:00", "10:00"),))]
    sessions = [make_session("prep", 60, ("s1",)), make_session("act", 60, ("s2",), after=("prep",))]
    text = explanation(solve(make_conference(sessions, speakers=speakers, rooms=[make_room("R1"), make_room("R2")]),
                             FAST))
    assert "must end before session act" in text


# interpreter_teams ----------------------------------------------------------------------------------------------


def _interpreted(n_teams: int, day: str):
    sessions = [make_session(s, 60, language="it", interpretation=frozenset({"en"})) for s in "AB"]
    teams = tuple(InterpreterTeam(f"T{i}", ("en", "it")) for i in range(n_teams))
    return make_conference(sessions, rooms=[make_room("R1", booths=1), make_room("R2", booths=1)],
                           days=[make_day(day)], interpreters=teams, interpreters_limited=True)


def test_interpreter_teams_one_team_means_one_interpreted_session_at_a_time():
    t = placed(solve(_interpreted(1, "09:00-11:00"), FAST))
    assert not overlap(t["A"], t["B"])


def test_interpreter_teams_shortage_is_explained():
    assert "only 1 interpreter team(s) for en-it" in explanation(solve(_interpreted(1, "09:00-10:00"), FAST))
    assert placed(solve(_interpreted(2, "09:00-10:00"), FAST))  # a second team makes it possible


def test_interpreter_teams_follow_their_availability():
    conf = _interpreted(1, "09:00-12:00")
    conf = replace(conf, interpreters=(InterpreterTeam("T0", ("en", "it"), (window("10:00", "12:00"),)),))
    t = placed(solve(conf, FAST))
    assert t["A"].start >= at("10:00") and t["B"].start >= at("10:00")


# soft goals -----------------------------------------------------------------------------------------------------


def test_attendee_conflict_wanted_sessions_are_not_parallel():
    sessions = [make_session(s, 60) for s in "ABCD"]
    attendees = (Attendee("x", frozenset({"en"}), ("A", "B")), Attendee("y", frozenset({"en"}), ("C", "D")))
    conf = make_conference(sessions, rooms=[make_room("R1"), make_room("R2")], days=[make_day("09:00-11:00")],
                           attendees=attendees)
    result = solve(conf, FAST)
    t = placed(result)
    assert not overlap(t["A"], t["B"]) and not overlap(t["C"], t["D"])
    assert result.soft_terms["attendee_conflict"] == 0 and result.status == "OPTIMAL"


def test_track_parallel_and_room_stability():
    sessions = [make_session(s, 60, track="war-zone" if s in "AB" else "europe") for s in "ABCD"]
    conf = make_conference(sessions, rooms=[make_room("R1"), make_room("R2")], days=[make_day("09:00-11:00")])
    result = solve(conf, FAST)
    t = placed(result)
    assert not overlap(t["A"], t["B"]) and t["A"].room_id == t["B"].room_id
    assert result.soft_terms["track_parallel"] == 0 and result.soft_terms["track_room_stability"] == 0


def test_language_coverage_interpretation_serves_the_other_group():
    sessions = [make_session("it1", 60, language="it"), make_session("en1", 60, language="en"),
                make_session("it2", 60, language="it", interpretation=frozenset({"en"}))]
    attendees = (Attendee("x", frozenset({"en"})), Attendee("y", frozenset({"it"})))
    conf = make_conference(sessions, rooms=[make_room("R1", booths=1), make_room("R2")],
                           days=[make_day("09:00-11:00")], attendees=attendees)
    result = solve(conf, FAST)
    t = placed(result)
    # it1 must run beside something English-speakers can follow, and en1 beside something Italian.
    assert result.soft_terms["language_coverage"] == 0
    assert overlap(t["it1"], t["en1"]) or overlap(t["it1"], t["it2"])


def test_speaker_preference_is_honoured_when_possible():
    speakers = [make_speaker("s1", preferred=(window("11:00", "12:00"),))]
    result = solve(make_conference([make_session("A", 60, ("s1",))], speakers=speakers), FAST)
    assert placed(result)["A"].start == at("11:00") and result.soft_terms["speaker_preference"] == 0


# allow_unplaced and minimal change --------------------------------------------------------------------------------


def test_allow_unplaced_leaves_out_the_lowest_priority_with_a_reason():
    sessions = [make_session("A", 60, priority=2), make_session("B", 60, priority=0), make_session("C", 60, priority=1),
                make_session("D", 60, priority=3)]
    result = solve(make_conference(sessions), SolveSettings(time_limit_s=10, workers=1, allow_unplaced=True))
    assert result.timetable.unplaced == ("B",)
    assert result.soft_terms["unplaced"] == 1
    assert "B" in result.unplaced_reasons and result.unplaced_reasons["B"]


def test_moved_re_solve_keeps_unaffected_sessions_in_place():
    sessions = [make_session(s, 60, (f"s{s}",)) for s in "ABCDEF"]
    rooms = [make_room("R1"), make_room("R2")]
    conf = make_conference(sessions, rooms=rooms)
    before = placed(solve(conf, FAST))
    reference = Timetable(tuple(before.values()))
    # Speaker sA can now only come at the time another session holds in the other room.
    moved_to = next(a for a in before.values() if a.session_id != "A" and a.start != before["A"].start)
    speakers = [make_speaker(f"s{s}") if s != "A" else
                make_speaker("sA", availability=((window(moved_to.start.strftime("%H:%M"),
                                                          moved_to.end.strftime("%H:%M"))),))
                for s in "ABCDEF"]
    changed = make_conference(sessions, rooms=rooms, speakers=speakers)
    result = solve(changed, SolveSettings(time_limit_s=10, workers=1, reference=reference))
    after = placed(result)
    assert after["A"].start == moved_to.start
    assert "A" in result.moved and len(result.moved) <= 3  # A, and at most the session it displaced and one more
    assert result.soft_terms["moved"] == len(result.moved)


# determinism ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_same_input_seed_and_workers_give_the_same_timetable(workers):
    sessions = [make_session(f"S{i}", 60 if i % 2 else 90, (f"p{i % 5}",), track=f"t{i % 3}") for i in range(12)]
    attendees = tuple(Attendee(f"a{i}", frozenset({"en"}), (f"S{i % 12}", f"S{(i * 5) % 12}", f"S{(i + 3) % 12}"))
                      for i in range(30))
    conf = make_conference(sessions, rooms=[make_room("R1"), make_room("R2"), make_room("R3")],
                           days=make_days(2, "09:00-12:00", "14:00-17:00"), attendees=attendees)
    settings = SolveSettings(time_limit_s=3, workers=workers, seed=7)
    first, second = solve(conf, settings), solve(conf, settings)
    assert first.timetable == second.timetable


def test_cancel_keeps_the_best_timetable_found_so_far():
    import threading

    sessions = [make_session(f"S{i}", 60, (f"p{i % 7}",), track=f"t{i % 4}") for i in range(40)]
    attendees = tuple(Attendee(f"a{i}", frozenset({"en"}), tuple(f"S{(i * k) % 40}" for k in (1, 3, 7, 11)))
                      for i in range(80))
    conf = make_conference(sessions, rooms=[make_room(f"R{i}") for i in range(4)],
                           days=make_days(2, "09:00-13:00", "14:00-18:00"), attendees=attendees)
    cancel = threading.Event()
    seen = []

    def on_progress(p):
        seen.append(p)
        cancel.set()  # stop as soon as there is a first timetable

    result = solve(conf, SolveSettings(time_limit_s=120, workers=2), on_progress=on_progress, cancel=cancel)
    assert seen and result.timetable is not None
    assert result.status == "FEASIBLE" and result.wall_time_s < 120
