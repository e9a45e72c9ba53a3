"""A first timetable by greedy insertion, in plain Python: fast at any size, respecting every hard rule.

Sessions go in most-constrained first (pins, plenaries, few possible starts, long, large), predecessors in
`after` before their successors. Each takes the start that adds the least attendee and track clash cost to what
is already placed (ties go to the least crowded time), in the smallest suitable room free then. A session that
fits nowhere is left out for the neighbourhood search (`lns`) to insert. The result is a starting point: the
search improves it, and the checker verifies whatever comes out.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field

from scheduler.domain import Assignment, Conference, Session, Timetable, language_pair
from scheduler.model import co_interest, room_suits
from scheduler.timegrid import Grid


def _overlaps(spans: list[tuple[int, int]], lo: int, hi: int) -> bool:
    return any(a < hi and lo < b for a, b in spans)


@dataclass
class _State:
    conference: Conference
    grid: Grid
    room_busy: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    speaker_busy: dict[str, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    running: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))  # grid instant -> sessions
    pair_busy: dict[tuple[str, str], list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    placed: dict[str, tuple[int, str]] = field(default_factory=dict)

    def place(self, s: Session, t: int, room: str) -> None:
        gap = self.conference.changeover_min
        end = t + s.duration_min
        for rid in (room, *s.overflow_rooms):
            self.room_busy[rid].append((t, end + gap))
        for sp in s.speakers:
            self.speaker_busy[sp].append((t, end))
        for u in self.grid.instants_in(t, end):
            self.running[u].append(s.session_id)
        for pair in _pairs(s):
            self.pair_busy[pair].append((t, end))
        self.placed[s.session_id] = (t, room)


def _pairs(s: Session) -> list[tuple[str, str]]:
    return [language_pair(s.language, target) for target in sorted(s.interpretation)]


class _Teams:
    """Interpreter teams available per pair at an instant, checked at every boundary that matters."""

    def __init__(self, conference: Conference, grid: Grid):
        self.limited = conference.interpreters_limited
        self.windows: dict[tuple[str, str], list[list[tuple[int, int]]]] = defaultdict(list)
        for team in conference.interpreters:
            spans = [(grid.minute(w.start), grid.minute(w.end)) for w in team.windows]
            self.windows[team.languages].append(spans)

    def available(self, pair: tuple[str, str], u: int) -> int:
        return sum(1 for spans in self.windows[pair] if not spans or any(lo <= u < hi for lo, hi in spans))

    def boundaries(self, pair: tuple[str, str]) -> list[int]:
        return sorted({m for spans in self.windows[pair] for span in spans for m in span})

    def fits(self, state: _State, s: Session, t: int, end: int) -> bool:
        if not self.limited:
            return True
        for pair in _pairs(s):
            busy = state.pair_busy[pair]
            edges = [b for b in self.boundaries(pair) if t <= b < end]
            moments = {t, *edges, *(lo for lo, _ in busy if t <= lo < end)}
            for u in moments:
                if sum(1 for lo, hi in busy if lo <= u < hi) + 1 > self.available(pair, u):
                    return False
        return True


def _order(conference: Conference, grid: Grid, starts: dict[str, list[int]]) -> list[str]:
    """Pinned sessions first (nothing may take their place), then the most constrained first, but never a
    session before one it must follow."""

    def key(s: Session) -> tuple:
        return (not s.plenary, len(starts[s.session_id]), -s.duration_min, -s.expected_audience, s.session_id)

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


def _possible_starts(conference: Conference, grid: Grid, s: Session) -> list[int]:
    starts = list(grid.starts(s))
    if s.fixed_start is not None:
        pin = grid.minute(s.fixed_start)
        starts = [t for t in starts if t == pin]
    for sp_id in s.speakers:
        sp = conference.speaker_by_id[sp_id]
        if sp.availability:
            starts = [t for t in starts if grid.inside_any(t, t + s.duration_min, sp.availability)]
    return starts


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


def greedy(conference: Conference, partial: Timetable | None = None) -> Timetable:
    """Insert every session not placed in `partial` (all of them by default) where it costs least."""
    grid = Grid(conference)
    state = _State(conference, grid)
    teams = _Teams(conference, grid)
    by_id = conference.session_by_id
    kept = [a for a in (partial.assignments if partial else ()) if a.session_id in by_id]
    for a in kept:
        state.place(by_id[a.session_id], grid.minute(a.start), a.room_id)
    starts = _chain_windows(
        conference, {s.session_id: _possible_starts(conference, grid, s) for s in conference.sessions}
    )
    wanted = co_interest(conference.attendees)
    w = conference.weights
    plenaries = {s.session_id for s in conference.sessions if s.plenary}
    track_rooms: dict[str, set[str]] = defaultdict(set)
    for a in kept:
        if by_id[a.session_id].track:
            track_rooms[by_id[a.session_id].track].add(a.room_id)
    rooms = sorted(conference.rooms, key=lambda r: (r.capacity, r.room_id))
    successors: dict[str, list[str]] = defaultdict(list)
    for s in conference.sessions:
        for a in s.after:
            successors[a].append(s.session_id)

    def cost(s: Session, t: int) -> tuple[int, int]:
        others = {o for u in grid.instants_in(t, t + s.duration_min) for o in state.running[u]}
        clash = 0
        for o in others:
            pair = (s.session_id, o) if s.session_id < o else (o, s.session_id)
            clash += w.attendee_conflict * wanted.get(pair, 0)
            if s.track and by_id[o].track == s.track:
                clash += w.track_parallel
        return clash, len(others)

    for sid in _order(conference, grid, starts):
        if sid in state.placed:
            continue
        s = by_id[sid]
        lo_bound, hi_bound = 0, grid.horizon
        for a in s.after:  # placed predecessors end before it starts
            if a in state.placed:
                lo_bound = max(lo_bound, state.placed[a][0] + by_id[a].duration_min)
        for nxt in successors[sid]:  # placed successors (pinned ones) start after it ends
            if nxt in state.placed:
                hi_bound = min(hi_bound, state.placed[nxt][0])
        fitting = [t for t in starts[sid] if t >= lo_bound and t + s.duration_min <= hi_bound]
        candidates = sorted((cost(s, t), t) for t in fitting)
        for _, t in candidates:
            room = _fit(state, teams, s, t, rooms, plenaries, track_rooms.get(s.track, set()))
            if room is not None:
                state.place(s, t, room)
                if s.track:
                    track_rooms[s.track].add(room)
                break
    assignments = tuple(
        Assignment(sid, room, grid.to_datetime(t), grid.to_datetime(t + by_id[sid].duration_min))
        for sid, (t, room) in state.placed.items()
    )
    unplaced = tuple(s.session_id for s in conference.sessions if s.session_id not in state.placed)
    return Timetable(assignments, unplaced).sorted()


def _fit(state: _State, teams: _Teams, s: Session, t: int, rooms, plenaries: set[str], preferred: set[str]):
    """The room `s` can use from `t`, or None when a hard rule forbids starting it then."""
    end = t + s.duration_min
    gap = state.conference.changeover_min
    if any(_overlaps(state.speaker_busy[sp], t, end) for sp in s.speakers):
        return None
    running = {o for u in state.grid.instants_in(t, end) for o in state.running[u]}
    if (s.plenary and running) or (running & plenaries):
        return None
    if not teams.fits(state, s, t, end):
        return None
    if any(_overlaps(state.room_busy[rid], t, end + gap) for rid in s.overflow_rooms):
        return None
    options = [
        r
        for r in rooms
        if room_suits(r, s)
        and r.room_id not in s.overflow_rooms
        and (s.fixed_room is None or r.room_id == s.fixed_room)
    ]
    # The track's rooms first (room stability), then the smallest room that suits.
    options.sort(key=lambda r: (r.room_id not in preferred, r.capacity, r.room_id))
    for r in options:
        if not _overlaps(state.room_busy[r.room_id], t, end + gap):
            return r.room_id
    return None
