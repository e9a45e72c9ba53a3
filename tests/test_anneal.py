"""Simulated annealing over the incremental state, and its chains in worker processes."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from factories import at, make_conference, make_day, make_room, make_session, make_speaker, window

from scheduler.anneal import Annealer
from scheduler.chains import run_chains
from scheduler.checker import check
from scheduler.construct import build
from scheduler.generate import GenerateOptions, generate
from scheduler.state import Facts, SearchState


@pytest.fixture(scope="module")
def congress():
    return generate(GenerateOptions(sessions=110, seed=3)).conference


def annealer(conference, moves: int, seed: int = 0) -> Annealer:
    facts = Facts.of(conference)
    return Annealer(facts, build(facts), seed, moves)


def test_annealing_keeps_every_rule_and_only_ever_improves_its_best(congress):
    search = annealer(congress, 8000)
    before = search.best
    search.run()
    timetable = search.best_state().timetable()
    report = check(congress, timetable, allow_unplaced=True)
    assert report.ok, report.violations[:3]
    assert report.objective == search.best < before
    assert check(congress, search.state.timetable(), allow_unplaced=True).objective == search.state.objective


def test_annealing_is_repeatable_and_can_be_resumed(congress):
    whole, parts = annealer(congress, 3000, seed=7), annealer(congress, 3000, seed=7)
    whole.run()
    parts.run(until=1000)
    parts.run()
    assert whole.best == parts.best
    assert np.array_equal(whole.best_start, parts.best_start) and np.array_equal(whole.best_room, parts.best_room)


def test_insert_moves_what_blocks_the_only_place_a_session_has():
    # B needs the hall and its speaker is there only 09:00-10:00; A sits there first but could go anywhere.
    speakers = [make_speaker("a"), make_speaker("b", availability=(window("09:00", "10:00"),))]
    sessions = [make_session("A", 60, ("a",)), make_session("B", 60, ("b",), expected_audience=300)]
    conf = make_conference(sessions, speakers=speakers, rooms=[make_room("hall", 400), make_room("small", 50)],
                           days=[make_day("09:00-12:00")])
    facts = Facts.of(conf)
    state = SearchState(facts)
    state.insert(0, facts.grid.minute(at("09:00")), 0)
    search = Annealer(facts, state, seed=0, moves=50)
    assert search.insert(1)
    assert state.n_unplaced == 0
    assert check(conf, state.timetable()).ok


def _track_split_across_rooms(b_audience: int = 50):
    """Track a has A1 in R0 at 09:00 and A2 in R1 at 10:30; B (track b) holds R0 at 10:30. Gathering track a
    in R0 needs no session to move in time, only A2 and B to trade rooms."""
    sessions = [make_session("A1", 60, track="a"), make_session("A2", 60, track="a"),
                make_session("B", 60, track="b", expected_audience=b_audience)]
    conf = make_conference(sessions, rooms=[make_room("R0", 200), make_room("R1", 100)],
                           days=[make_day("09:00-12:00")])
    facts = Facts.of(conf)
    state = SearchState(facts)
    for i, (hhmm, r) in enumerate([("09:00", 0), ("10:30", 1), ("10:30", 0)]):
        state.insert(i, facts.grid.minute(at(hhmm)), r)
    search = Annealer(facts, state, seed=0, moves=50)
    search.movable = np.array([1])  # A2 is the session the move draws
    return conf, state, search


def test_trade_rooms_gathers_a_track_without_moving_a_session_in_time():
    conf, state, search = _track_split_across_rooms()
    starts = state.start.copy()
    assert state.objective == conf.weights.track_room_stability
    assert search.trade_rooms()  # R0, the only other room of its track; temperature 0: nothing uphill
    assert np.array_equal(state.start, starts)
    assert list(state.room) == [0, 0, 1]
    assert state.objective == check(conf, state.timetable()).objective == 0


def test_trade_rooms_leaves_a_session_alone_when_its_track_has_one_room():
    conf, state, search = _track_split_across_rooms()
    search.movable = np.array([2])  # B: track b is only in R0
    rooms = state.room.copy()
    assert not search.trade_rooms()
    assert np.array_equal(state.room, rooms)


def test_trade_rooms_keeps_a_holder_out_of_a_room_too_small_for_it():
    conf, state, search = _track_split_across_rooms(b_audience=150)  # B does not fit R1's 100 seats
    rooms, objective = state.room.copy(), state.objective
    assert not search.trade_rooms()
    assert np.array_equal(state.room, rooms) and state.objective == objective
    assert check(conf, state.timetable()).ok


def test_chains_keep_the_best_and_repeat(congress):
    single = annealer(congress, 6000, seed=5)
    single.run(until=1000)
    run_chains(single, workers=1, seed=5)
    results = []
    for _ in range(2):
        search = annealer(congress, 6000, seed=5)
        search.run(until=1000)
        run_chains(search, workers=2, seed=5)
        results.append((search.best, search.best_start.tolist(), search.best_room.tolist()))
        assert check(congress, search.best_state().timetable(), allow_unplaced=True).objective == search.best
    assert results[0] == results[1]
    assert results[0][0] <= single.best  # chain 0 is the single chain; a worker may only do better


def test_cancel_stops_every_chain(congress):
    search = annealer(congress, 10**7)
    cancel = threading.Event()
    threading.Timer(1.0, cancel.set).start()
    t0 = time.perf_counter()
    run_chains(search, workers=2, seed=0, cancel=cancel)
    assert search.stopped and time.perf_counter() - t0 < 20
    assert check(congress, search.best_state().timetable(), allow_unplaced=True).ok
