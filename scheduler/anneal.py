"""Simulated annealing over a `SearchState`: relocate, swap and eject moves, every hard rule kept at every step.

A move is a short sequence of the state's exact `remove`/`insert` steps, so its change of the objective is exact
and a rejected move is undone step by step. Moves:
- relocate: one session to another start (the cheapest by attendee and track clashes, or a random one) and the
  free suitable room that costs least there;
- swap: two sessions exchange their starts and rooms;
- trade rooms: a session takes another room of its track at its own start, and the one session holding that
  room meanwhile (if any) takes its room, so a track can gather in one room without a session moving in time;
- insert: an unplaced session into its cheapest free place; if none is free, into a place whose room holders
  are ejected and re-inserted wherever they fit (which may leave one of them out instead, a sideways step).

Acceptance is the Metropolis rule with a temperature falling geometrically over the move budget, started from
the typical cost of an uphill move. The best timetable seen is kept. Everything random comes from one seeded
generator and the budget is counted in moves, so a seed gives one answer whatever the machine's speed.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable

import numpy as np

from scheduler.state import Facts, SearchState

# Shares of the move mix while every session is placed (the rest are relocations).
SWAP_SHARE = 0.3
TRADE_SHARE = 0.1  # of the other moves: room trades, when tracks should keep to one room
GUIDED_SHARE = 0.5  # of relocations: to the start with the fewest clashes rather than a random one
COSTLY_SHARE = 0.5  # of picks: the costliest of a few sessions rather than any session
ACCEPT_UPHILL = 0.9  # at the start, a typical uphill move is accepted this often (tuned: sample, 1,000 sessions)
COOLING_RANGE = 2000.0  # the temperature falls by this factor over the budget
COLD_FACTOR = 20.0  # a minimal-change re-solve starts this much colder, so moving sessions is rarely worth it
MAX_EJECTED = 4  # sessions an insertion may take out of its way
REFRESH_EVERY = 500  # moves between recomputations of each session's clash cost (read only to pick sessions)


class _Undo:
    """The steps of the move in progress with their costs, undone in reverse order if the move is rejected
    (re-applying a step whose cost is known only writes the arrays)."""

    def __init__(self, state: SearchState):
        self.state = state
        self.steps: list[tuple[int, int, int, int]] = []  # (session, start, room, cost); start < 0: an insert
        self.delta = 0

    def remove(self, i: int) -> None:
        t, r = int(self.state.start[i]), int(self.state.room[i])
        cost = self.state.remove(i)
        self.steps.append((i, t, r, cost))
        self.delta += cost

    def insert(self, i: int, t: int, r: int, cost: int | None = None) -> None:
        cost = self.state.insert(i, t, r, cost)
        self.steps.append((i, -1, -1, cost))
        self.delta += cost

    def rollback(self) -> None:
        for i, t, r, cost in reversed(self.steps):
            if t < 0:
                self.state.remove(i, -cost)
            else:
                self.state.insert(i, t, r, -cost)
        self.steps.clear()
        self.delta = 0


class Annealer:
    """The search over one state with a budget of `moves`, which `run` may spend in several parts."""

    def __init__(
        self, facts: Facts, state: SearchState, seed: int, moves: int, cold: bool = False, must_place: bool = True
    ):
        self.facts, self.state = facts, state
        self.moves = max(0, moves)
        self.cold = cold  # start near the current timetable (a minimal-change re-solve): a lower temperature
        # Unless sessions may be left out, any complete timetable is better than any incomplete one, whatever
        # the weights say (a committee may set a low `unplaced` weight for when leaving out *is* allowed).
        self.must_place = must_place
        self.done = self.accepted = 0
        self.t0: float | None = None
        self.stopped = False  # cancelled, or cut short by the wall-clock safety net
        self._keep_best()
        self.rng = np.random.default_rng(seed)  # for arrays of draws
        self.draw = random.Random(seed)  # for single draws: twenty times cheaper than numpy's one at a time
        self.movable = np.array(
            [i for i in range(facts.n) if not facts.fixed[i] and (len(facts.starts[i]) > 1 or len(facts.rooms[i]) > 1)],
            dtype=np.int64,
        )
        self.temperature = 0.0
        self.rooms_matter = bool(facts.n_tracks and facts.w_track_room)
        # Swap partners: sessions of the same length can always take each other's room time.
        by_length: dict[int, list[int]] = {}
        for i in self.movable:
            by_length.setdefault(facts.dur[i], []).append(int(i))
        self.same_length = {d: np.array(v, dtype=np.int64) for d, v in by_length.items()}

    def accept(self, delta: int) -> bool:
        """Metropolis: always downhill or level, uphill with probability exp(-delta / temperature)."""
        if delta <= 0:
            return True
        return self.temperature > 0 and self.draw.random() < math.exp(-delta / self.temperature)

    # -----------------------------------------------------------------------------------------------------------
    # Choosing

    def pick(self) -> int:
        """A movable session: often the costliest of a few drawn, so clashes are looked at first."""
        draw, movable = self.draw, self.movable
        if draw.random() < COSTLY_SHARE:
            cost = self.state.pair_cost
            return max((int(movable[draw.randrange(len(movable))]) for _ in range(4)), key=lambda i: cost[i])
        return int(movable[draw.randrange(len(movable))])

    # -----------------------------------------------------------------------------------------------------------
    # Moves: each is applied if accepted and leaves the state as it was otherwise; True when applied

    def relocate(self) -> bool:
        i = self.pick()
        f, s = self.facts, self.state
        if not s.placed[i]:
            return self.insert(i)
        undo = _Undo(s)
        old = s.starts_at[i]
        undo.remove(i)
        if self.draw.random() < GUIDED_SHARE:
            place = self.state.cheapest_place(self.rng, i, avoid=old, tries=3)
        else:
            t = int(f.starts[i][self.draw.randrange(len(f.starts[i]))])
            r = self.state.best_room(i, t)
            place = None if r is None else (t, r)
        if place is not None:
            cost = s.insert_cost(i, *place)
            if self.accept(undo.delta + cost):
                s.insert(i, *place, cost)
                return True
        undo.rollback()
        return False

    def swap(self) -> bool:
        s, f = self.state, self.facts
        i = self.pick()
        partners = self.same_length.get(f.dur[i], self.movable)
        k = int(partners[self.draw.randrange(len(partners))])
        if i == k or not (s.placed[i] and s.placed[k]):
            return False
        ti, ri, tk, rk = int(s.start[i]), int(s.room[i]), int(s.start[k]), int(s.room[k])
        if ti == tk or not (f.room_ok[i, rk] and f.room_ok[k, ri]):
            return False
        if tk not in f.start_sets[i] or ti not in f.start_sets[k]:
            return False
        undo = _Undo(s)
        undo.remove(i)
        undo.remove(k)
        return self._put_back(undo, [(i, tk, rk), (k, ti, ri)])

    def trade_rooms(self) -> bool:
        """A session of a track spread over several rooms moves, at its own start, into another room its track
        uses; the one session (if any) holding that room meanwhile takes the room left free. Relocations rarely
        propose this: they pick a new start first."""
        s, f = self.state, self.facts
        i = int(self.movable[self.draw.randrange(len(self.movable))])
        tr = f.track_list[i]
        if not s.placed[i] or tr < 0:
            return False
        ri = int(s.room[i])
        rooms = f.rooms[i]
        rooms = rooms[(s.track_rooms[tr, rooms] > 0) & (rooms != ri)]  # where the rest of its track is
        if not len(rooms):
            return False
        r = int(rooms[self.draw.randrange(len(rooms))])
        t, end, gap = s.starts_at[i], s.ends_at[i], f.changeover
        holders = np.flatnonzero((s.room == r) & (s.start < end + gap) & (s.end + gap > t))
        if len(holders) > 1:
            return False
        k = int(holders[0]) if len(holders) else -1
        if k >= 0 and (f.fixed[k] or not f.room_ok[k, ri]):
            return False
        undo = _Undo(s)
        undo.remove(i)
        places = [(i, t, r)]
        if k >= 0:
            places.append((k, s.starts_at[k], ri))
            undo.remove(k)
        return self._put_back(undo, places)

    def _put_back(self, undo: _Undo, places: list[tuple[int, int, int]]) -> bool:
        """Insert the sessions the move took out at their new (session, start, room) places in order; the move
        is applied if every place fits and the Metropolis rule accepts its total cost, else undone."""
        s = self.state
        *first, (j, tj, rj) = places
        for i, t, r in first:
            if not s.fits(i, t, r):
                undo.rollback()
                return False
            undo.insert(i, t, r)
        if s.fits(j, tj, rj):
            cost = s.insert_cost(j, tj, rj)
            if self.accept(undo.delta + cost):
                s.insert(j, tj, rj, cost)
                return True
        undo.rollback()
        return False

    def insert(self, i: int) -> bool:
        """Place unplaced session i: where it fits, else at a random place whose blockers are taken out and put
        back wherever they fit (those that fit nowhere are left out instead: then the move is level or worse)."""
        s = self.state
        place = self.state.cheapest_place(self.rng, i)
        if place is not None:
            s.insert(i, *place)  # always downhill: a placed session saves far more than any soft cost
            return True
        f, draw = self.facts, self.draw
        starts, rooms = f.starts[i], f.rooms[i]
        if not len(starts) or not len(rooms):
            return False
        t = int(starts[draw.randrange(len(starts))])
        r = int(rooms[draw.randrange(len(rooms))])
        ejected = s.blockers(i, t, r)
        if ejected is None or len(ejected) > MAX_EJECTED or any(f.fixed[x] for x in ejected):
            return False
        undo = _Undo(s)
        for x in sorted(ejected):
            undo.remove(x)
        if s.fits(i, t, r):
            undo.insert(i, t, r)
            for x in sorted(ejected, key=lambda x: (len(f.starts[x]) * len(f.rooms[x]), x)):
                place = self.state.cheapest_place(self.rng, x, tries=len(f.starts[x]))
                if place is not None:
                    undo.insert(x, *place)
            if self.accept(undo.delta):
                return True
        undo.rollback()
        return False

    # -----------------------------------------------------------------------------------------------------------

    def uphill_scale(self, samples: int = 200) -> float:
        """The median cost of an uphill relocation from here: sets the starting temperature."""
        ups = []
        self.temperature = math.inf  # accept everything, to see what uphill moves cost
        for _ in range(samples):
            before = self.state.objective
            undo_start, undo_room = self.state.start.copy(), self.state.room.copy()
            if self.relocate():
                if self.state.objective > before:
                    ups.append(self.state.objective - before)
                self._reset(undo_start, undo_room)
        return float(np.median(ups)) if ups else 10.0

    def _reset(self, start: np.ndarray, room: np.ndarray) -> None:
        """Put the state back to the given starts and rooms (only the sessions that differ move)."""
        s = self.state
        changed = np.flatnonzero((s.start != start) | (s.room != room))
        for i in changed:
            if s.placed[i]:
                s.remove(int(i))
        for i in changed:
            if room[i] >= 0:
                s.insert(int(i), int(start[i]), int(room[i]))

    def run(
        self,
        until: int | None = None,
        on_improvement: Callable[[int, int], None] | None = None,  # (objective, sessions left out)
        cancel: threading.Event | None = None,
        wall_deadline: float | None = None,
    ) -> None:
        """Make moves up to number `until` of the budget (all of it by default); the best state is kept. A
        later call goes on where this one stopped, on the same cooling schedule."""
        s, draw = self.state, self.draw
        until = self.moves if until is None else min(until, self.moves)
        if not len(self.movable) or self.done >= until:
            return
        if self.t0 is None:
            self.t0 = self.uphill_scale() / -math.log(ACCEPT_UPHILL) / (COLD_FACTOR if self.cold else 1.0)
        for done in range(self.done, until):
            if self.best == 0 and not s.n_unplaced:
                break  # every soft goal is met: nothing can be better
            if done % 256 == 0 and (
                (cancel is not None and cancel.is_set())
                or (wall_deadline is not None and time.perf_counter() > wall_deadline)
            ):
                self.stopped = True
                break
            self.done = done + 1
            self.temperature = self.t0 * COOLING_RANGE ** (-done / self.moves)
            if done % REFRESH_EVERY == 0:
                s.refresh_pair_costs()
            if s.n_unplaced and draw.random() < 0.5:
                unplaced = s.unplaced
                changed = self.insert(int(unplaced[draw.randrange(len(unplaced))]))
            elif draw.random() < SWAP_SHARE:
                changed = self.swap()
            elif self.rooms_matter and draw.random() < TRADE_SHARE:
                changed = self.trade_rooms()
            else:
                changed = self.relocate()
            if changed:
                self.accepted += 1
                if self._rank(s) < self.best_rank:
                    self._keep_best()
                    if on_improvement is not None:
                        on_improvement(self.best, s.n_unplaced)

    def adopt(self, state: SearchState) -> None:
        """Go on from `state` (a timetable found another way, e.g. by CP-SAT inserting what the moves could
        not), keeping it as the best if it is better."""
        self.state = state
        if self._rank(state) < self.best_rank:
            self._keep_best()

    def _rank(self, state: SearchState) -> tuple[int, int]:
        return (state.n_unplaced if self.must_place else 0, state.objective)

    def _keep_best(self) -> None:
        self.best = self.state.objective
        self.best_rank = self._rank(self.state)
        self.best_start, self.best_room = self.state.start.copy(), self.state.room.copy()

    def best_state(self) -> SearchState:
        """A state holding the best timetable seen."""
        state = SearchState(self.facts)
        for i in np.argsort(self.best_start, kind="stable"):
            if self.best_room[i] >= 0:
                state.insert(int(i), int(self.best_start[i]), int(self.best_room[i]))
        return state


