"""A timetable held in numpy arrays for local search: every hard rule tested move by move, the objective kept
up to date incrementally.

`SearchState` answers two questions fast, at any conference size: "may session i start at t in room r, given
everything else placed?" (`fits`) and "what would that cost?" (`insert_cost`). Moves are built from two exact
steps, `insert` and `remove`, each returning its change of the weighted objective, so a rejected move is undone
by the opposite step and the running total never drifts. The state only ever holds timetables that keep every
hard rule; sessions it cannot place are listed as unplaced and cost `weights.unplaced * (1 + priority)` each.

Time is whole minutes since the first day's local midnight (elapsed, from `Grid`), so arrays indexed by minute
cover the conference. What is kept per minute: each room's occupancy (a session holds its room and its overflow
rooms from its start to its end plus the changeover), how many sessions and how many plenaries run, and the
demand for each interpretation pair against the teams available. Language coverage is kept per language group
and grid instant, as the rule defines it.

This module shares the model's time grid but not its constraints; the independent checker verifies whatever
comes out of the search.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from scheduler.domain import Assignment, Conference, Session, Timetable, co_interest, language_pair
from scheduler.timegrid import Grid

NOWHERE = -(10**9)  # start and end of an unplaced session: it overlaps nothing


def _spans(grid: Grid, windows) -> np.ndarray:
    """Windows as (start, end) minutes, one row each."""
    return np.array([(grid.minute(w.start), grid.minute(w.end)) for w in windows], dtype=np.int64).reshape(-1, 2)


def _inside_one(starts: np.ndarray, duration: int, spans: np.ndarray) -> np.ndarray:
    """Which of `starts` begin a stretch of `duration` minutes lying inside one of the windows `spans`."""
    return ((spans[None, :, 0] <= starts[:, None]) & (starts[:, None] + duration <= spans[None, :, 1])).any(axis=1)


def allowed_starts(conference: Conference, grid: Grid, s: Session, spans: dict[str, np.ndarray] | None = None):
    """Grid starts where the session fits one open period, its pin and all its speakers' availability.
    `spans` (speaker id -> availability in minutes) saves converting the windows again."""
    starts = np.array(grid.starts(s), dtype=np.int64)
    if s.fixed_start is not None:
        starts = starts[starts == grid.minute(s.fixed_start)]
    for sp_id in s.speakers:
        sp = conference.speaker_by_id[sp_id]
        if sp.availability:
            mine = spans[sp_id] if spans is not None else _spans(grid, sp.availability)
            starts = starts[_inside_one(starts, s.duration_min, mine)]
    return starts


def _suitable_rooms(conference: Conference) -> np.ndarray:
    """(sessions, rooms): the room suits the session and is neither one of its overflow rooms nor off its pin."""
    rooms, sessions = conference.rooms, conference.sessions
    capacity = np.array([r.capacity for r in rooms])
    booths = np.array([r.booths for r in rooms])
    ok = (capacity[None, :] >= np.array([s.expected_audience for s in sessions])[:, None]) & (
        booths[None, :] >= np.array([len(s.interpretation) for s in sessions])[:, None]
    )
    with_features: dict[frozenset[str], np.ndarray] = {}
    for i, s in enumerate(sessions):
        if s.needs:
            if s.needs not in with_features:
                with_features[s.needs] = np.array([s.needs <= r.features for r in rooms], dtype=bool)
            ok[i] &= with_features[s.needs]
        for k, r in enumerate(rooms):
            if r.room_id in s.overflow_rooms or (s.fixed_room is not None and r.room_id != s.fixed_room):
                ok[i, k] = False
    return ok.reshape(len(sessions), len(rooms))


GUIDE_COVERAGE = True
TABLE_MAX_LANGUAGES = 16  # a gap table has 2**languages entries


def _gap_table(group_masks: list[int], n_languages: int) -> np.ndarray | None:
    """For every bitmask of heard languages, how many groups hear none of theirs (None past 16 languages)."""
    if n_languages > TABLE_MAX_LANGUAGES:
        return None
    masks = np.arange(1 << n_languages, dtype=np.int64)
    table = np.zeros(len(masks), dtype=np.int64)
    for g in group_masks:
        table += (masks & g) == 0
    return table


def _pair_weights(conference: Conference, index: dict[str, int]) -> tuple[tuple[np.ndarray, ...], ...]:
    """Per session, its neighbours (sessions sharing attendees or a track) and the weighted cost of overlapping
    each: weights.attendee_conflict per attendee wanting both, weights.track_parallel for the same track."""
    n, w = len(index), conference.weights
    a, b, cost = [], [], []
    for (x, y), count in co_interest(conference.attendees).items():
        if x in index and y in index:
            a.append(index[x])
            b.append(index[y])
            cost.append(w.attendee_conflict * count)
    by_track: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(conference.sessions):
        if s.track:
            by_track[s.track].append(i)
    for members in by_track.values():
        for k, x in enumerate(members):
            for y in members[k + 1 :]:
                a.append(x)
                b.append(y)
                cost.append(w.track_parallel)
    owner = np.array(a + b, dtype=np.int64)
    other = np.array(b + a, dtype=np.int64)
    weight = np.array(cost + cost, dtype=np.int64)
    # One entry per (owner, other): costs of the same pair (shared attendees and a track) add up.
    key, where = np.unique(owner * max(n, 1) + other, return_inverse=True)
    weight = np.bincount(where, weights=weight, minlength=len(key)).astype(np.int64)
    owner, other = key // max(n, 1), key % max(n, 1)
    cuts = np.searchsorted(owner, np.arange(1, n))
    return tuple(np.split(other, cuts)), tuple(np.split(weight, cuts))


def _speakers(sessions: tuple[Session, ...], index: dict[str, int]):
    """Per session: the sessions sharing a speaker, those it must follow and those that must follow it."""
    by_speaker: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sessions):
        for sp in dict.fromkeys(s.speakers):
            by_speaker[sp].append(i)
    co_speakers = tuple(
        tuple(sorted({j for sp in s.speakers for j in by_speaker[sp]} - {i})) for i, s in enumerate(sessions)
    )
    before = tuple(tuple(index[a] for a in s.after if a in index) for s in sessions)
    later: list[list[int]] = [[] for _ in sessions]
    for i, b in enumerate(before):
        for j in b:
            later[j].append(i)
    return co_speakers, before, tuple(tuple(x) for x in later)


def _interpreters(conference: Conference, grid: Grid, horizon: int) -> tuple[tuple[tuple[int, ...], ...], np.ndarray]:
    """Per session, the interpretation pairs it needs (indices; none unless teams are limited), and per pair and
    minute the number of teams available (rows of one team merge; a row without windows means always)."""
    pair_index: dict[tuple[str, str], int] = {}
    pairs = []
    for s in conference.sessions:
        mine = []
        if conference.interpreters_limited:
            for target in sorted(s.interpretation):
                mine.append(pair_index.setdefault(language_pair(s.language, target), len(pair_index)))
        pairs.append(tuple(mine))
    teams: dict[tuple[str, str], dict[str, list | None]] = defaultdict(dict)
    for team in conference.interpreters:
        pair = language_pair(*team.languages)
        known = teams[pair].get(team.team_id, [])
        teams[pair][team.team_id] = None if known is None or not team.windows else known + list(team.windows)
    supply = np.zeros((len(pair_index), horizon), dtype=np.int32)
    for pair, k in pair_index.items():
        for windows in teams.get(pair, {}).values():
            if windows is None:
                supply[k] += 1
                continue
            here = np.zeros(horizon, dtype=bool)
            for win in windows:
                lo, hi = max(0, grid.minute(win.start)), min(horizon, grid.minute(win.end))
                if hi > lo:
                    here[lo:hi] = True
            supply[k] += here
    return tuple(pairs), supply


def _preferences(conference: Conference, grid: Grid, starts: list[np.ndarray]) -> tuple[dict[int, int] | None, ...]:
    """Per session with wishing speakers: start -> how many of them would be outside their preferred windows."""
    preference: list[dict[int, int] | None] = []
    for i, s in enumerate(conference.sessions):
        wishing = [sp for sp in (conference.speaker_by_id[x] for x in dict.fromkeys(s.speakers)) if sp.preferred]
        if not wishing:
            preference.append(None)
            continue
        outside = np.zeros(len(starts[i]), dtype=np.int64)
        for sp in wishing:
            outside += ~_inside_one(starts[i], s.duration_min, _spans(grid, sp.preferred))
        preference.append(dict(zip(starts[i].tolist(), outside.tolist(), strict=True)))
    return tuple(preference)


def _closed_upto(conference: Conference, grid: Grid, horizon: int) -> np.ndarray | None:
    """Per room, the running count of its closed minutes (so a span's closed minutes are one subtraction); None
    when no room has windows."""
    if not any(room.availability for room in conference.rooms):
        return None
    closed = np.zeros((len(conference.rooms), horizon), dtype=bool)
    for k, room in enumerate(conference.rooms):
        if room.availability:
            closed[k] = True
            for lo, hi in _spans(grid, room.availability):
                closed[k, max(lo, 0) : max(min(hi, horizon), 0)] = False
    upto = np.zeros((len(conference.rooms), horizon + 1), dtype=np.int32)
    np.cumsum(closed, axis=1, out=upto[:, 1:])
    return upto


def _in_open_rooms(closed_upto: np.ndarray, starts: np.ndarray, duration: int, rooms: np.ndarray,
                   overflow: tuple[int, ...]) -> np.ndarray:
    """The starts at which one of the session's suitable rooms and all its overflow rooms are open throughout:
    at the others it could be placed nowhere."""
    ends = starts + duration

    def open_in(ks) -> np.ndarray:  # (rooms, starts)
        upto = closed_upto[np.asarray(ks, dtype=np.int64)]
        return upto[:, ends] == upto[:, starts]

    # no suitable room at all is room_suits_session's to explain, not a closing time
    keep = open_in(rooms).any(axis=0) if len(rooms) else np.ones(len(starts), dtype=bool)
    if overflow:
        keep &= open_in(overflow).all(axis=0)
    return starts[keep]


@dataclass(frozen=True)
class Facts:
    """Everything about the conference the search reads and never changes, indexed by session position."""

    conference: Conference
    grid: Grid
    ids: tuple[str, ...]  # session ids, in conference order
    dur: tuple[int, ...]  # minutes
    starts: tuple[np.ndarray, ...]  # allowed starts per session (sorted)
    start_sets: tuple[frozenset[int], ...]
    rooms: tuple[np.ndarray, ...]  # suitable room indices per session, smallest capacity first
    room_ok: np.ndarray  # (sessions, rooms) bool
    overflow: tuple[tuple[int, ...], ...]
    plenary_list: tuple[bool, ...]
    fixed: np.ndarray  # bool: pinned in time and room, never moved once placed
    neighbours: tuple[np.ndarray, ...]  # sessions sharing attendees or a track
    pair_weight: tuple[np.ndarray, ...]  # weighted cost of overlapping each neighbour
    pair_table: tuple[np.ndarray, np.ndarray, np.ndarray]  # (session, neighbour, weight) for every pair, both ways
    co_speaker_list: tuple[tuple[int, ...], ...]  # sessions sharing a speaker
    before: tuple[tuple[int, ...], ...]  # sessions that must end before this one starts
    later: tuple[tuple[int, ...], ...]  # sessions that must start after this one ends
    pairs: tuple[tuple[int, ...], ...]  # interpretation pairs (indices) the session needs
    supply: np.ndarray  # (pairs, minutes) interpreter teams available
    heard: tuple[tuple[int, ...], ...]  # per session, the group languages it can be followed in (indices)
    heard_mask: tuple[int, ...]  # the same as a bitmask
    group_masks: tuple[int, ...]  # per language group, the bitmask of its languages
    gap_table: np.ndarray | None  # heard bitmask -> groups hearing none of their languages (few languages only)
    instant_pos: tuple[int, ...]  # minute -> number of grid instants before it
    instant_index: np.ndarray  # the same as an array
    preference: tuple[dict[int, int] | None, ...]  # start -> speakers outside their preferred windows
    track_list: tuple[int, ...]  # track index or -1
    unplaced_cost: tuple[int, ...]  # weighted cost of leaving each session out
    ref_start: np.ndarray  # reference start or NOWHERE
    ref_room: np.ndarray  # reference room, or -1 (none, or a room closed since: the session moves wherever it goes)
    closed_upto: np.ndarray | None  # (rooms, horizon + 1): closed minutes of each room before each minute; None
    # when every room is open throughout
    w_coverage: int
    w_preference: int
    w_track_room: int
    w_moved: int
    horizon: int
    changeover: int
    n_instants: int
    n_tracks: int

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def n_rooms(self) -> int:
        return len(self.conference.rooms)

    @property
    def n_groups(self) -> int:
        return len(self.group_masks)

    def rooms_open(self, rooms: np.ndarray, t: int, end: int) -> np.ndarray:
        """Which of `rooms` are open for the whole of [t, end) (when some room has windows)."""
        return self.closed_upto[rooms, end] == self.closed_upto[rooms, t]

    def room_open(self, r: int, t: int, end: int) -> bool:
        return self.closed_upto is None or self.closed_upto[r, end] == self.closed_upto[r, t]

    @classmethod
    def of(cls, conference: Conference, reference: Timetable | None = None) -> Facts:
        grid = Grid(conference)
        sessions = conference.sessions
        index = {s.session_id: i for i, s in enumerate(sessions)}
        room_index = {r.room_id: k for k, r in enumerate(conference.rooms)}
        n, n_rooms = len(sessions), len(conference.rooms)
        horizon = grid.horizon + max((s.duration_min for s in sessions), default=0) + 1

        pairs, supply = _interpreters(conference, grid, horizon)
        spans = {sp.speaker_id: _spans(grid, sp.availability) for sp in conference.speakers if sp.availability}
        starts = []
        for i, s in enumerate(sessions):
            mine = allowed_starts(conference, grid, s, spans)
            for p in pairs[i]:  # a start no team could ever cover is no start at all
                mine = mine[np.array([supply[p, t : t + s.duration_min].min() > 0 for t in mine], dtype=bool)]
            starts.append(mine)
        room_ok = _suitable_rooms(conference)
        by_size = np.array(
            sorted(range(n_rooms), key=lambda k: (conference.rooms[k].capacity, conference.rooms[k].room_id)),
            dtype=np.int64,
        )
        rooms = tuple(by_size[room_ok[i, by_size]] for i in range(n))
        overflow = tuple(tuple(room_index[r] for r in s.overflow_rooms if r in room_index) for s in sessions)
        closed_upto = _closed_upto(conference, grid, horizon)
        if closed_upto is not None:
            starts = [_in_open_rooms(closed_upto, starts[i], sessions[i].duration_min, rooms[i], overflow[i])
                      for i in range(n)]
        neighbours, pair_weight = _pair_weights(conference, index)
        co_speakers, before, later = _speakers(sessions, index)

        # Coverage works on languages, not groups: a group can follow what runs at an instant when one of its
        # languages is heard there, so a bitmask of the languages heard decides every group at once.
        groups = sorted({a.languages for a in conference.attendees if a.languages}, key=sorted)
        bit = {lang: k for k, lang in enumerate(sorted({lang for g in groups for lang in g}))}
        heard = [tuple(sorted(bit[lang] for lang in s.audible_languages if lang in bit)) for s in sessions]
        group_masks = [sum(1 << bit[lang] for lang in g) for g in groups]
        instant_pos = tuple(bisect_left(grid.instants, m) for m in range(horizon + 1))

        tracks = {name: k for k, name in enumerate(sorted({s.track for s in sessions if s.track}))}
        ref_start = np.full(n, NOWHERE, dtype=np.int64)
        ref_room = np.full(n, -1, dtype=np.int64)
        for a in reference.assignments if reference is not None else ():
            if a.session_id in index:
                ref_start[index[a.session_id]] = grid.minute(a.start)
                ref_room[index[a.session_id]] = room_index.get(a.room_id, -1)
        owners = [np.full(len(nb), i, dtype=np.int64) for i, nb in enumerate(neighbours)]
        w = conference.weights
        return cls(
            conference=conference,
            grid=grid,
            ids=tuple(s.session_id for s in sessions),
            dur=tuple(s.duration_min for s in sessions),
            starts=tuple(starts),
            start_sets=tuple(frozenset(ts.tolist()) for ts in starts),
            rooms=rooms,
            room_ok=room_ok,
            overflow=overflow,
            plenary_list=tuple(s.plenary for s in sessions),
            fixed=np.array([s.fixed_start is not None and s.fixed_room is not None for s in sessions], dtype=bool),
            neighbours=neighbours,
            pair_weight=pair_weight,
            pair_table=tuple(np.concatenate(parts or [np.zeros(0, dtype=np.int64)]).astype(np.int64)
                             for parts in (owners, list(neighbours), list(pair_weight))),
            co_speaker_list=co_speakers,
            before=before,
            later=later,
            pairs=pairs,
            supply=supply,
            heard=tuple(heard),
            heard_mask=tuple(sum(1 << k for k in h) for h in heard),
            group_masks=tuple(group_masks),
            gap_table=_gap_table(group_masks, len(bit)),
            instant_pos=instant_pos,
            instant_index=np.array(instant_pos, dtype=np.int64),
            preference=_preferences(conference, grid, starts),
            track_list=tuple(tracks[s.track] if s.track else -1 for s in sessions),
            unplaced_cost=tuple(w.unplaced * (1 + s.priority) for s in sessions),
            ref_start=ref_start,
            ref_room=ref_room,
            closed_upto=closed_upto,
            w_coverage=w.language_coverage,
            w_preference=w.speaker_preference,
            w_track_room=w.track_room_stability,
            w_moved=w.moved,
            horizon=horizon,
            changeover=max(0, conference.changeover_min),
            n_instants=len(grid.instants),
            n_tracks=len(tracks),
        )


class SearchState:
    """Where each session is, the per-minute and per-instant counters the rules need, and the objective.

    Positions are kept twice: numpy arrays for the vectorised questions (which neighbours overlap, which rooms
    are free) and Python lists for the many one-at-a-time reads, which numpy answers slowly.
    """

    def __init__(self, facts: Facts):
        f = self.facts = facts
        self.start = np.full(f.n, NOWHERE, dtype=np.int64)
        self.end = np.full(f.n, NOWHERE, dtype=np.int64)
        self.room = np.full(f.n, -1, dtype=np.int64)
        self.placed = np.zeros(f.n, dtype=bool)
        self.n_unplaced = f.n
        self.starts_at = [NOWHERE] * f.n
        self.ends_at = [NOWHERE] * f.n
        self.occupied = np.zeros((f.n_rooms, f.horizon), dtype=np.int16)
        self.plenary_spans: dict[int, tuple[int, int]] = {}
        self.slack = f.supply.copy()  # interpreter teams still free, per pair and minute
        self.busy = [0] * f.n_instants  # sessions running at each grid instant
        n_languages = max((m.bit_length() for m in f.group_masks), default=0)
        self.speaking = [[0] * n_languages for _ in range(f.n_instants)]  # running sessions heard in each language
        self.heard = [0] * f.n_instants  # bitmask of the languages heard at each instant
        self.heard_array = np.zeros(f.n_instants, dtype=np.int64)  # the same two, for questions about all starts
        self.busy_array = np.zeros(f.n_instants, dtype=np.int64)
        self._gaps: dict[int, int] = {}  # heard bitmask -> groups that hear none of their languages
        self.track_rooms = np.zeros((f.n_tracks, f.n_rooms), dtype=np.int32)
        self.track_count = [0] * f.n_tracks
        self.pair_cost = np.zeros(f.n, dtype=np.int64)  # refreshed by `refresh_pair_costs`, not move by move
        self.objective = sum(f.unplaced_cost)

    # -----------------------------------------------------------------------------------------------------------
    # Reading and writing timetables

    @classmethod
    def of(cls, facts: Facts, timetable: Timetable) -> SearchState:
        """The state of `timetable` (which must keep every hard rule); sessions it does not place are unplaced."""
        state = cls(facts)
        index = {sid: i for i, sid in enumerate(facts.ids)}
        room_index = {r.room_id: k for k, r in enumerate(facts.conference.rooms)}
        for a in timetable.assignments:
            i = index.get(a.session_id)
            if i is not None and not state.placed[i]:
                state.insert(i, facts.grid.minute(a.start), room_index[a.room_id])
        return state

    def timetable(self) -> Timetable:
        f, g = self.facts, self.facts.grid
        rooms = f.conference.rooms
        assignments = tuple(
            Assignment(f.ids[i], rooms[self.room[i]].room_id, g.to_datetime(int(self.start[i])),
                       g.to_datetime(int(self.end[i])))
            for i in np.flatnonzero(self.placed)
        )
        unplaced = tuple(f.ids[i] for i in np.flatnonzero(~self.placed))
        return Timetable(assignments, unplaced).sorted()

    @property
    def unplaced(self) -> np.ndarray:
        return np.flatnonzero(~self.placed)

    def refresh_pair_costs(self) -> None:
        """Each session's weighted clashes with the others, all at once (the search reads it to pick sessions)."""
        f = self.facts
        owner, other, weight = f.pair_table
        hit = (self.start[other] < self.end[owner]) & (self.end[other] > self.start[owner])
        self.pair_cost = np.bincount(owner[hit], weights=weight[hit], minlength=f.n).astype(np.int64)

    # -----------------------------------------------------------------------------------------------------------
    # The hard rules, for one session at one start and room

    def fits(self, i: int, t: int, r: int) -> bool:
        """Whether unplaced session i may start at t in room r with everything else where it is."""
        f = self.facts
        if t not in f.start_sets[i] or not f.room_ok[i, r]:
            return False
        return self.fits_time(i, t) and self.room_free(i, t, r)

    def fits_time(self, i: int, t: int) -> bool:
        """Every rule that does not depend on the room: orderings, speakers, plenaries, interpreter teams and
        the overflow rooms (which are busy wherever the session is held)."""
        f = self.facts
        end = t + f.dur[i]
        starts_at, ends_at = self.starts_at, self.ends_at
        for j in f.before[i]:
            if ends_at[j] > t:
                return False
        for j in f.later[i]:
            if starts_at[j] != NOWHERE and starts_at[j] < end:
                return False
        for j in f.co_speaker_list[i]:
            if starts_at[j] < end and ends_at[j] > t:
                return False
        if f.plenary_list[i]:
            if ((self.start < end) & (self.end > t)).any():
                return False
        else:
            for lo, hi in self.plenary_spans.values():
                if lo < end and hi > t:
                    return False
        for p in f.pairs[i]:
            if self.slack[p, t:end].min() <= 0:
                return False
        gap_end = end + f.changeover
        return all(not self.occupied[o, t:gap_end].any() for o in f.overflow[i])

    def room_free(self, i: int, t: int, r: int) -> bool:
        """Room r is open for the session and holds nothing from t to its end plus the changeover."""
        f = self.facts
        end = t + f.dur[i]
        return f.room_open(r, t, end) and not self.occupied[r, t : end + f.changeover].any()

    def free_rooms(self, i: int, t: int) -> np.ndarray:
        """The suitable rooms open and free for session i from t, smallest first."""
        f = self.facts
        rooms = f.rooms[i]
        if not len(rooms):
            return rooms
        end = t + f.dur[i]
        free = ~self.occupied[rooms, t : end + f.changeover].any(axis=1)
        if f.closed_upto is not None:
            free &= f.rooms_open(rooms, t, end)
        return rooms[free]

    def blockers(self, i: int, t: int, r: int) -> set[int] | None:
        """The placed sessions that keep unplaced session i from starting at t in room r: holders of the room or
        of i's overflow rooms, sessions of i's speakers, plenaries (or anything, for a plenary), sessions using an
        interpreter pair that has no team left, and `after` partners in the way. None when t or r is not allowed
        at all. Taking them all out makes the place fit."""
        f = self.facts
        end = t + f.dur[i]
        if t not in f.start_sets[i] or not f.room_ok[i, r] or not f.room_open(r, t, end):
            return None
        gap = f.changeover
        overlapping = (self.start < end) & (self.end > t)
        found: set[int] = set()
        rooms = [r, *f.overflow[i]]
        if any(self.occupied[k, t : end + gap].any() for k in rooms):
            near = np.flatnonzero((self.start < end + gap) & (self.end + gap > t))
            for j in near:
                if int(self.room[j]) in rooms or any(o in rooms for o in f.overflow[j]):
                    found.add(int(j))
        found.update(j for j in f.co_speaker_list[i] if self.starts_at[j] < end and self.ends_at[j] > t)
        if f.plenary_list[i]:
            found.update(int(j) for j in np.flatnonzero(overlapping))
        else:
            found.update(j for j, (lo, hi) in self.plenary_spans.items() if lo < end and hi > t)
        for p in f.pairs[i]:
            if self.slack[p, t:end].min() <= 0:
                found.update(int(j) for j in np.flatnonzero(overlapping) if p in f.pairs[j])
        found.update(j for j in f.before[i] if self.ends_at[j] > t)
        found.update(j for j in f.later[i] if self.starts_at[j] != NOWHERE and self.starts_at[j] < end)
        return found

    # -----------------------------------------------------------------------------------------------------------
    # Where a session could go

    def start_costs(self, i: int, coverage: bool = True) -> np.ndarray:
        """The room-independent cost of unplaced session i at each allowed start (clashes, speakers'
        preferences and, with a gap table, language coverage), against the sessions placed now. Building a
        timetable leaves coverage out: while most instants are still empty, every start looks like a gap."""
        f = self.facts
        starts = f.starts[i]
        nb = f.neighbours[i]
        costs = np.zeros(len(starts), dtype=np.int64)
        if len(nb):
            ends = starts + f.dur[i]
            hit = (self.start[nb][None, :] < ends[:, None]) & (self.end[nb][None, :] > starts[:, None])
            costs += hit @ f.pair_weight[i]
        pref = f.preference[i]
        if pref is not None:
            costs += f.w_preference * np.array([pref[int(t)] for t in starts], dtype=np.int64)
        if coverage and GUIDE_COVERAGE and f.gap_table is not None and f.n_groups and f.w_coverage:
            # Gaps the session would close or open at every instant, summed over each start's instants.
            table, heard = f.gap_table, self.heard_array
            change = table[heard | f.heard_mask[i]] - table[heard] * (self.busy_array > 0)
            total = np.concatenate(([0], np.cumsum(change)))
            costs += f.w_coverage * (total[f.instant_index[starts + f.dur[i]]] - total[f.instant_index[starts]])
        return costs

    def best_room(self, i: int, t: int) -> int | None:
        """The free suitable room for session i from t that costs least (where the reference had it, the
        track's rooms, then the smallest), or None when a rule forbids starting it then."""
        f = self.facts
        if not self.fits_time(i, t):
            return None
        free = self.free_rooms(i, t)
        if not len(free):
            return None
        if f.ref_room[i] >= 0 and f.ref_start[i] == t and f.ref_room[i] in free:
            return int(f.ref_room[i])
        tr = f.track_list[i]
        if tr >= 0 and self.track_count[tr] > 0:
            used = free[self.track_rooms[tr, free] > 0]
            if len(used):
                return int(used[0])
        return int(free[0])

    def cheapest_place(
        self, rng: np.random.Generator, i: int, avoid: int | None = None, tries: int = 6
    ) -> tuple[int, int] | None:
        """For unplaced session i, the cheapest start by clashes (of the `tries` cheapest, ties broken at
        random) that has a free room, with that room; None if none of them has one."""
        starts = self.facts.starts[i]
        if not len(starts):
            return None
        costs = self.start_costs(i) + rng.integers(0, 3, size=len(starts))
        for k in np.argsort(costs, kind="stable")[: tries + (avoid is not None)]:
            t = int(starts[k])
            if t == avoid:
                continue
            r = self.best_room(i, t)
            if r is not None:
                return t, r
        return None

    # -----------------------------------------------------------------------------------------------------------
    # Costs: each is exact against the current state, with session i unplaced

    def overlap_cost(self, i: int, t: int) -> int:
        """Weighted attendee and track clashes of session i running from t against the placed sessions."""
        nb = self.facts.neighbours[i]
        if not len(nb):
            return 0
        end = t + self.facts.dur[i]
        mask = (self.start[nb] < end) & (self.end[nb] > t)
        return int(self.facts.pair_weight[i][mask].sum())

    def gaps(self, heard: int) -> int:
        """How many language groups hear none of their languages when `heard` (a bitmask) is heard."""
        n = self._gaps.get(heard)
        if n is None:
            n = self._gaps[heard] = sum(1 for g in self.facts.group_masks if not g & heard)
        return n

    def coverage_cost(self, i: int, t: int) -> int:
        """Change in (group, instant) gaps if session i ran from t: where nothing ran, groups that cannot follow
        it gain a gap; where something ran, groups it serves lose theirs."""
        f = self.facts
        lo, hi = f.instant_pos[t], f.instant_pos[t + f.dur[i]]
        if hi <= lo or not f.n_groups:
            return 0
        mine = f.heard_mask[i]
        heard, busy, gaps = self.heard, self.busy, self.gaps
        change = 0
        for u in range(lo, hi):
            h = heard[u]
            change += gaps(h | mine) - (gaps(h) if busy[u] else 0)
        return change

    def room_cost(self, i: int, t: int, r: int) -> int:
        """Weighted track-room and moved terms of session i in room r from t (its only room-dependent goals)."""
        f = self.facts
        cost = 0
        tr = f.track_list[i]
        if tr >= 0 and self.track_count[tr] > 0 and self.track_rooms[tr, r] == 0:
            cost += f.w_track_room
        if f.ref_start[i] != NOWHERE and (f.ref_start[i] != t or f.ref_room[i] != r):
            cost += f.w_moved
        return cost

    def time_cost(self, i: int, t: int) -> int:
        """Weighted cost of session i starting at t that does not depend on the room."""
        f = self.facts
        cost = self.overlap_cost(i, t) + f.w_coverage * self.coverage_cost(i, t)
        pref = f.preference[i]
        if pref is not None:
            cost += f.w_preference * pref.get(t, 0)
        return cost

    def insert_cost(self, i: int, t: int, r: int) -> int:
        """The objective's change if unplaced session i were placed at t in room r."""
        return self.time_cost(i, t) + self.room_cost(i, t, r) - self.facts.unplaced_cost[i]

    # -----------------------------------------------------------------------------------------------------------
    # The two steps every move is made of

    def insert(self, i: int, t: int, r: int, cost: int | None = None) -> int:
        """Place unplaced session i at t in room r (the caller has checked `fits`); returns the cost change.
        `cost`, when the caller already knows it (undoing a step), saves computing it again."""
        delta = self.insert_cost(i, t, r) if cost is None else cost
        self._write(i, t, r, +1)
        self.objective += delta
        return delta

    def remove(self, i: int, cost: int | None = None) -> int:
        """Take placed session i out; returns the cost change (the opposite of inserting it back)."""
        t, r = self.starts_at[i], int(self.room[i])
        self._write(i, t, r, -1)
        delta = -self.insert_cost(i, t, r) if cost is None else cost
        self.objective += delta
        return delta

    def _write(self, i: int, t: int, r: int, sign: int) -> None:
        f = self.facts
        end = t + f.dur[i]
        gap_end = end + f.changeover
        self.occupied[r, t:gap_end] += sign
        for o in f.overflow[i]:
            self.occupied[o, t:gap_end] += sign
        if f.plenary_list[i]:
            if sign > 0:
                self.plenary_spans[i] = (t, end)
            else:
                del self.plenary_spans[i]
        for p in f.pairs[i]:
            self.slack[p, t:end] -= sign
        lo, hi = f.instant_pos[t], f.instant_pos[end]
        if hi > lo and f.n_groups:
            busy, speaking, heard = self.busy, self.speaking, self.heard
            languages = f.heard[i]
            for u in range(lo, hi):
                busy[u] += sign
                counts = speaking[u]
                for k in languages:
                    counts[k] += sign
                    if counts[k] == 0:
                        heard[u] &= ~(1 << k)
                    elif sign > 0 and counts[k] == 1:
                        heard[u] |= 1 << k
            self.heard_array[lo:hi] = heard[lo:hi]
            self.busy_array[lo:hi] += sign
        tr = f.track_list[i]
        if tr >= 0:
            self.track_rooms[tr, r] += sign
            self.track_count[tr] += sign
        if sign > 0:
            self.start[i], self.end[i], self.room[i], self.placed[i] = t, end, r, True
            self.starts_at[i], self.ends_at[i] = t, end
            self.n_unplaced -= 1
        else:
            self.start[i], self.end[i], self.room[i], self.placed[i] = NOWHERE, NOWHERE, -1, False
            self.starts_at[i], self.ends_at[i] = NOWHERE, NOWHERE
            self.n_unplaced += 1
