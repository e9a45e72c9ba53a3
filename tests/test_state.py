"""The incremental state the annealing works on: every hard rule as `fits` sees it, on the smallest instance
where breaking it would be tempting, and the property that its running objective is always the checker's."""

from __future__ import annotations

import random

from factories import at, make_conference, make_day, make_room, make_session, make_speaker, window
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import conferences

from scheduler.checker import check
from scheduler.construct import build
from scheduler.domain import Assignment, Attendee, InterpreterTeam, Timetable
from scheduler.state import Facts, SearchState


def state_of(conference, *placements: tuple[str, str, str]) -> tuple[Facts, SearchState]:
    """The state with sessions placed at ("id", "HH:MM", "room") and everything else unplaced."""
    facts = Facts.of(conference)
    state = SearchState(facts)
    for sid, hhmm, room in placements:
        i, t, r = spot(facts, sid, hhmm, room)
        assert state.fits(i, t, r), f"{sid} should fit at {hhmm} in {room}"
        state.insert(i, t, r)
    return facts, state


def spot(facts: Facts, sid: str, hhmm: str, room: str) -> tuple[int, int, int]:
    rooms = [r.room_id for r in facts.conference.rooms]
    return facts.ids.index(sid), facts.grid.minute(at(hhmm)), rooms.index(room)


def fits(facts: Facts, state: SearchState, sid: str, hhmm: str, room: str) -> bool:
    return state.fits(*spot(facts, sid, hhmm, room))


def test_no_room_overlap_changeover_keeps_the_next_session_back():
    conf = make_conference([make_session("A", 60), make_session("B", 60)], rooms=[make_room("R1"), make_room("R2")],
                           days=[make_day("09:00-12:00")], granularity_min=15, changeover_min=10)
    facts, state = state_of(conf, ("A", "09:00", "R1"))
    assert not fits(facts, state, "B", "10:00", "R1")  # 10 minutes of changeover after A
    assert fits(facts, state, "B", "10:15", "R1")
    assert fits(facts, state, "B", "10:00", "R2")
    assert not fits(facts, state, "B", "08:15", "R1") and not fits(facts, state, "B", "09:30", "R1")


def test_no_room_overlap_overflow_room_is_busy_wherever_the_relayed_session_is():
    rooms = [make_room("R1"), make_room("R2"), make_room("R3")]
    conf = make_conference([make_session("A", 60, overflow_rooms=("R2",)), make_session("B", 60)], rooms=rooms,
                           days=[make_day("09:00-12:00")])
    facts, state = state_of(conf, ("A", "09:00", "R1"))
    assert not fits(facts, state, "B", "09:00", "R2")
    assert fits(facts, state, "B", "09:00", "R3")
    # ... and a relayed session needs its overflow room free as well as its own.
    facts, state = state_of(conf, ("B", "09:00", "R2"))
    assert not fits(facts, state, "A", "09:00", "R1")
    assert not state.facts.room_ok[0, 1]  # its own overflow room is never its main room


def test_room_suits_session_only_rooms_with_seats_features_and_booths():
    rooms = [make_room("small", 50), make_room("lab", 200, features=frozenset({"workshop"}), booths=1)]
    sessions = [make_session("big", 60, expected_audience=150, language="it", interpretation=frozenset({"en"})),
                make_session("ws", 60, needs=frozenset({"workshop"}))]
    facts, state = state_of(make_conference(sessions, rooms=rooms))
    assert not fits(facts, state, "big", "09:00", "small") and fits(facts, state, "big", "09:00", "lab")
    assert not fits(facts, state, "ws", "09:00", "small")


def test_speaker_one_place_a_free_room_is_not_enough():
    sessions = [make_session("A", 60, ("s1",)), make_session("B", 60, ("s1",))]
    conf = make_conference(sessions, rooms=[make_room("R1"), make_room("R2")])
    facts, state = state_of(conf, ("A", "09:00", "R1"))
    assert not fits(facts, state, "B", "09:30", "R2")
    assert fits(facts, state, "B", "10:00", "R2")


def test_room_availability_a_closed_room_is_neither_free_nor_a_blocker_to_take_out():
    rooms = [make_room("R1", availability=(window("10:00", "12:00"),)), make_room("R2")]
    conf = make_conference([make_session("A", 60), make_session("B", 60, expected_audience=150)], rooms=rooms)
    facts, state = state_of(conf)
    assert not fits(facts, state, "A", "09:30", "R1") and fits(facts, state, "A", "09:30", "R2")
    assert fits(facts, state, "A", "10:00", "R1")
    i, t, r = spot(facts, "A", "09:00", "R1")
    assert state.blockers(i, t, r) is None  # no session to take out would make the place fit
    assert list(state.free_rooms(i, t)) == [facts.conference.rooms.index(rooms[1])]


def test_room_availability_starts_need_an_open_room_and_every_overflow_room_open():
    rooms = [make_room("R1", 30), make_room("R2", 300, availability=(window("10:00", "11:00"),)),
             make_room("R3", availability=(window("09:00", "11:30"),))]
    # B fits only R2 (audience), C runs in R1 or R2 and is relayed into R3.
    conf = make_conference([make_session("B", 60, expected_audience=200),
                            make_session("C", 60, overflow_rooms=("R3",))], rooms=rooms)
    facts, _ = state_of(conf)
    assert [facts.grid.to_datetime(int(t)) for t in facts.starts[0]] == [at("10:00")]
    assert [facts.grid.to_datetime(int(t)) for t in facts.starts[1]] == [at(h) for h in
                                                                         ("09:00", "09:30", "10:00", "10:30")]


def test_speaker_availability_starts_stay_inside_one_window():
    speakers = [make_speaker("s1", availability=(window("09:00", "10:00"), window("10:30", "12:00")))]
    conf = make_conference([make_session("A", 60, ("s1",))], speakers=speakers)
    facts, state = state_of(conf)
    # 09:30-10:30 spans the gap between two windows although each end lies inside one.
    assert [facts.grid.to_datetime(int(t)) for t in facts.starts[0]] == [at("09:00"), at("10:30"), at("11:00")]
    assert not fits(facts, state, "A", "09:30", "R1")


def test_pinned_start_and_room():
    sessions = [make_session("A", 60, fixed_start=at("10:00"), fixed_room="R2"), make_session("B", 60)]
    facts, state = state_of(make_conference(sessions, rooms=[make_room("R1"), make_room("R2")]))
    assert fits(facts, state, "A", "10:00", "R2")
    assert not fits(facts, state, "A", "10:00", "R1") and not fits(facts, state, "A", "09:00", "R2")
    assert facts.fixed[0] and not facts.fixed[1]


def test_plenary_alone_both_ways():
    sessions = [make_session("P", 60, plenary=True), make_session("A", 60)]
    conf = make_conference(sessions, rooms=[make_room("R1"), make_room("R2")])
    facts, state = state_of(conf, ("P", "09:00", "R1"))
    assert not fits(facts, state, "A", "09:30", "R2") and fits(facts, state, "A", "10:00", "R2")
    facts, state = state_of(conf, ("A", "10:00", "R2"))
    assert not fits(facts, state, "P", "09:30", "R1") and fits(facts, state, "P", "09:00", "R1")


def test_after_order_both_directions():
    sessions = [make_session("prep", 60), make_session("act", 60, after=("prep",))]
    conf = make_conference(sessions, rooms=[make_room("R1"), make_room("R2")])
    facts, state = state_of(conf, ("prep", "10:00", "R1"))
    assert not fits(facts, state, "act", "10:30", "R2") and fits(facts, state, "act", "11:00", "R2")
    facts, state = state_of(conf, ("act", "10:00", "R1"))
    assert not fits(facts, state, "prep", "09:30", "R2") and fits(facts, state, "prep", "09:00", "R2")


def test_interpreter_teams_no_more_at_once_than_teams_available():
    sessions = [make_session(s, 60, language="it", interpretation=frozenset({"en"})) for s in "ABC"]
    teams = (InterpreterTeam("T1", ("en", "it")), InterpreterTeam("T2", ("en", "it"), (window("09:00", "10:00"),)))
    rooms = [make_room(r, booths=1) for r in ("R1", "R2", "R3")]
    conf = make_conference(sessions, rooms=rooms, interpreters=teams, interpreters_limited=True)
    facts, state = state_of(conf, ("A", "10:00", "R1"))
    assert fits(facts, state, "B", "09:00", "R2")
    assert not fits(facts, state, "B", "09:30", "R2")  # 10:00-10:30 beside A, when T2 has left
    facts, state = state_of(conf, ("A", "09:00", "R1"), ("B", "09:00", "R2"))  # two teams until 10:00
    assert not fits(facts, state, "C", "09:00", "R3") and fits(facts, state, "C", "10:00", "R3")


def test_blockers_are_all_that_keeps_a_session_out():
    speakers = [make_speaker("s1"), make_speaker("s2")]
    sessions = [make_session("A", 60, ("s1",)), make_session("B", 60, ("s2",)), make_session("C", 60, ("s1",))]
    conf = make_conference(sessions, speakers=speakers, rooms=[make_room("R1"), make_room("R2")])
    facts, state = state_of(conf, ("A", "09:00", "R1"), ("B", "09:00", "R2"))
    i, t, r = spot(facts, "C", "09:00", "R2")
    assert not state.fits(i, t, r)
    blocking = state.blockers(i, t, r)
    assert {facts.ids[j] for j in blocking} == {"A", "B"}  # A shares the speaker, B holds the room
    for j in blocking:
        state.remove(j)
    assert state.fits(i, t, r)


def test_coverage_counts_what_the_checker_counts():
    sessions = [make_session("it", 60, language="it"), make_session("en", 60, language="en"),
                make_session("both", 60, language="it", interpretation=frozenset({"en"}))]
    attendees = (Attendee("a", frozenset({"it"})), Attendee("b", frozenset({"en"})))
    conf = make_conference(sessions, rooms=[make_room("R1", booths=1), make_room("R2")], attendees=attendees,
                           days=[make_day("09:00-11:00")])
    facts, state = state_of(conf, ("it", "09:00", "R1"), ("en", "10:00", "R2"))
    assert check(conf, state.timetable(), allow_unplaced=True).soft["language_coverage"] == 4  # 4 half-hours
    state.insert(*spot(facts, "both", "10:00", "R1"), None)
    assert check(conf, state.timetable(), allow_unplaced=True).soft["language_coverage"] == 2


def test_moved_a_session_whose_reference_room_is_gone_has_moved_wherever_it_goes():
    """A room closed since the reference: its sessions have moved whatever their new place, as the checker counts."""
    conf = make_conference([make_session("A", 60), make_session("B", 60)], rooms=[make_room("R1"), make_room("R2")])
    reference = Timetable((Assignment("A", "R9", at("09:00"), at("10:00")),
                           Assignment("B", "R2", at("09:00"), at("10:00"))))
    facts = Facts.of(conf, reference)
    state = SearchState(facts)
    for sid, room in (("A", "R1"), ("B", "R2")):
        state.insert(*spot(facts, sid, "09:00", room))
    report = check(conf, state.timetable(), reference=reference)
    assert report.soft["moved"] == 1 and state.objective == report.objective == conf.weights.moved


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conferences(), st.integers(0, 10**6), st.booleans())
def test_the_objective_is_always_the_checkers_and_every_rule_holds(conference, seed, rebuild):
    """Any walk of inserts (where `fits` allows) and removals keeps a timetable the checker accepts, with the
    objective the state carries."""
    facts = Facts.of(conference)
    state = build(facts) if rebuild else SearchState(facts)
    rng = random.Random(seed)
    for _ in range(40):
        i = rng.randrange(facts.n)
        if state.placed[i]:
            state.remove(i)
        elif len(facts.starts[i]) and len(facts.rooms[i]):
            t, r = int(rng.choice(facts.starts[i])), int(rng.choice(facts.rooms[i]))
            if state.fits(i, t, r):
                state.insert(i, t, r)
        report = check(conference, state.timetable(), allow_unplaced=True)
        assert report.ok, report.violations
        assert state.objective == report.objective
