"""A first timetable by greedy insertion: fast at any size, respecting every hard rule.

Sessions go in most-constrained first (pins, plenaries, few possible starts, long, large), predecessors in
`after` before their successors. Each takes the start that adds the least attendee and track clash cost to what
is already placed (ties go to the least crowded time), in the cheapest suitable room free then (its track's
rooms, then the smallest). A session that fits nowhere is left out for the search (`anneal`, then `lns`) to
insert. The result is a starting point: the search improves it, and the checker verifies whatever comes out.
"""

from __future__ import annotations

import heapq
from collections import defaultdict

import numpy as np

from scheduler.domain import Conference, Session, Timetable
from scheduler.state import Facts, SearchState
from scheduler.timegrid import Grid

ROOMS_THAT_MATTER = 4


def _order(conference: Conference, grid: Grid, starts: dict[str, list[int]], rooms: dict[str, int]) -> list[str]:
    """Pinned sessions first (nothing may take their place), then the most constrained first, but never a
    session before one it must follow. Constrained means few starts times few suitable rooms, the rooms counted
    up to ROOMS_THAT_MATTER: with more than a handful, rooms stop being what is scarce (measured on generated
    conferences of 130 to 3,000 sessions: counting every room put the many-room sessions so late that clashes
    doubled)."""

    def key(s: Session) -> tuple:
        sid = s.session_id
        scarcity = len(starts[sid]) * min(rooms[sid], ROOMS_THAT_MATTER)
        return (not s.plenary, scarcity, -s.duration_min, -s.expected_audience, sid)

    by_id = conference.session_by_id
    pinned = sorted((s for s in conference.sessions if s.fixed_start is not None), key=key)
    done = {s.session_id for s in pinned}
    waiting = {
        s.session_id: len([a for a in s.after if a in by_id and a not in done])
        for s in conference.sessions
        if s.session_id not in done
    }
    successors: dict[str, list[str]] = defaultdict(list)
    for s in conference.sessions:
        for a in s.after:
            successors[a].append(s.session_id)
    ready = [(key(by_id[sid]), sid) for sid, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order = [s.session_id for s in pinned]
    while ready:
        _, sid = heapq.heappop(ready)
        order.append(sid)
        for nxt in successors[sid]:
            if nxt in waiting:
                waiting[nxt] -= 1
                if waiting[nxt] == 0:
                    heapq.heappush(ready, (key(by_id[nxt]), nxt))
    return order  # sessions on an `after` cycle never become ready: the loader rejects cycles anyway


def _chain_windows(conference: Conference, starts: dict[str, list[int]]) -> dict[str, list[int]]:
    """Narrow each session's starts by its `after` chain: a session must leave its successors room to follow
    before their last possible end, and may start only once its predecessors can have ended."""
    by_id = conference.session_by_id
    earliest = {sid: min(ts, default=0) for sid, ts in starts.items()}
    latest_end = {sid: max((t + by_id[sid].duration_min for t in ts), default=0) for sid, ts in starts.items()}
    for _ in range(len(by_id)):  # relax until stable; `after` chains are short and acyclic
        changed = False
        for s in conference.sessions:
            for a in s.after:
                if a not in by_id:
                    continue
                e = earliest[a] + by_id[a].duration_min
                if e > earliest[s.session_id]:
                    earliest[s.session_id], changed = e, True
                le = latest_end[s.session_id] - s.duration_min
                if le < latest_end[a]:
                    latest_end[a], changed = le, True
        if not changed:
            break
    return {
        sid: [t for t in ts if t >= earliest[sid] and t + by_id[sid].duration_min <= latest_end[sid]]
        for sid, ts in starts.items()
    }


def build(facts: Facts, partial: Timetable | None = None) -> SearchState:
    """A search state holding `partial` (which must keep every hard rule) and every other session inserted where
    it costs least, or left out when it fits nowhere."""
    conference, grid = facts.conference, facts.grid
    state = SearchState.of(facts, partial) if partial is not None else SearchState(facts)
    index = {sid: i for i, sid in enumerate(facts.ids)}
    starts = {sid: [int(t) for t in facts.starts[i]] for sid, i in index.items()}
    narrowed = _chain_windows(conference, starts)
    rooms = {sid: len(facts.rooms[i]) for sid, i in index.items()}
    for sid in _order(conference, grid, starts, rooms):
        i = index[sid]
        if state.placed[i] or not len(facts.starts[i]):
            continue
        # Clashes first, then starts the `after` chains leave room for, then the least crowded time.
        inside = np.isin(facts.starts[i], narrowed[sid])
        crowd = state.occupied[:, facts.starts[i]].sum(axis=0)
        scale = facts.n_rooms + 1  # crowding counts rooms, so it only ever breaks ties
        key = state.start_costs(i, coverage=False) * 4 * scale + (~inside) * 2 * scale + crowd
        for k in np.argsort(key, kind="stable"):
            t = int(facts.starts[i][k])
            r = state.best_room(i, t)
            if r is not None:
                state.insert(i, t, r)
                break
    return state


def greedy(conference: Conference, partial: Timetable | None = None) -> Timetable:
    """Insert every session not placed in `partial` (all of them by default) where it costs least."""
    return build(Facts.of(conference), partial).timetable()
