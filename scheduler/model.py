"""The CP-SAT model: one `add_<rule>` function per hard family, one `<goal>_penalty` function per soft goal.

Decision variables (the primer's rooms example, time-indexed):
- `x[s][t]`: session s starts at grid minute t (exactly one per placed session),
- `y[s][r]`: session s is held in room r (exactly one per placed session),
- an interval per session, and an optional interval per (session, room) inside that room's `add_no_overlap`.

Soft-goal auxiliaries (overlap, coverage) are bounded only from the side the objective pushes against: a
non-optimal solution may over-count them, never under-count, and an optimal one counts exactly. Channelling them
both ways doubled the time to a first timetable on the sample, so the solver reports the checker's exact counts.

Every hard family asks `ctx.guard(key, text)` for its enforcement literals. In a normal solve the guard is empty
and the constraint is unconditional; when explaining infeasibility each guard is an assumption literal named
after its rule and subject, so a minimised core reads as a list of requirements in plain words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from ortools.sat.python import cp_model

from scheduler.domain import Assignment, Conference, Room, Session, Timetable, Window, co_interest, language_pair
from scheduler.timegrid import Grid
from scheduler.wording import describe_windows, hhmm, session_label


@dataclass(frozen=True)
class ModelOptions:
    allow_unplaced: bool = False
    explain: bool = False  # guard every relaxable requirement with an assumption literal
    reference: Timetable | None = None  # minimal-change re-solve
    # Large-neighbourhood search (`lns`) re-optimises a few sessions of a large timetable: the others in the
    # neighbourhood are held where they are, the free ones may start only at `allowed_starts`, and rooms a track
    # uses outside the neighbourhood count as already used.
    fixed: Mapping[str, Assignment] = field(default_factory=dict)
    allowed_starts: Mapping[str, frozenset[int]] = field(default_factory=dict)
    allowed_rooms: Mapping[str, frozenset[str]] = field(default_factory=dict)
    track_rooms_elsewhere: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class Guards:
    """Assumption literals, one per relaxable requirement, with the requirement in words."""

    model: cp_model.CpModel
    enabled: bool
    literals: dict[str, cp_model.IntVar] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)  # literal index -> words

    def __call__(self, key: str, text: str) -> list[cp_model.IntVar]:
        if not self.enabled:
            return []
        if key not in self.literals:
            lit = self.model.new_bool_var(key)
            self.literals[key] = lit
            self.texts[lit.index] = text
        return [self.literals[key]]


@dataclass
class Built:
    """The model with its variables, so the solver can read a timetable back and explain failures."""

    conference: Conference
    grid: Grid
    model: cp_model.CpModel
    guards: Guards
    options: ModelOptions
    x: dict[str, dict[int, cp_model.IntVar]] = field(default_factory=dict)
    y: dict[str, dict[str, cp_model.IntVar]] = field(default_factory=dict)
    start: dict[str, cp_model.IntVar] = field(default_factory=dict)
    placed: dict[str, cp_model.IntVar | int] = field(default_factory=dict)  # 1 when placing is compulsory
    interval: dict[str, cp_model.IntervalVar] = field(default_factory=dict)
    terms: dict[str, cp_model.LinearExprT] = field(default_factory=dict)  # soft goal -> raw count expression
    # grid instant -> (session, start literal) pairs that make the session run at that instant
    covering: dict[int, list[tuple[str, cp_model.IntVar]]] = field(default_factory=lambda: defaultdict(list))
    busy: dict[int, cp_model.IntVar] = field(default_factory=dict)  # grid instant -> "something runs" (coverage)

    def when_placed(self, *sids: str) -> list[cp_model.IntVar]:
        """Enforcement literals for "these sessions are placed" (none when placing is compulsory)."""
        return [self.placed[sid] for sid in sids if not isinstance(self.placed[sid], int)]


# ---------------------------------------------------------------------------------------------------------------
# Variables and the placement rule


def room_suits(room: Room, s: Session) -> bool:
    return room.capacity >= s.expected_audience and s.needs <= room.features and room.booths >= len(s.interpretation)


def room_needs(s: Session) -> list[tuple[str, Callable[[Room], bool]]]:
    """What a session asks of its room, each in words with the test a room must pass (together: `room_suits`)."""
    needs: list[tuple[str, Callable[[Room], bool]]] = []
    if s.expected_audience:
        needs.append((f"{s.expected_audience} seats", lambda r: r.capacity >= s.expected_audience))
    needs += [(f"feature '{f}'", lambda r, f=f: f in r.features) for f in sorted(s.needs)]
    if s.interpretation:
        needs.append((f"{len(s.interpretation)} interpretation booth(s)", lambda r: r.booths >= len(s.interpretation)))
    return needs


def candidate_starts(b: Built, s: Session) -> tuple[int, ...]:
    fixed = b.options.fixed.get(s.session_id)
    if fixed:
        return (b.grid.minute(fixed.start),)
    allowed = b.options.allowed_starts.get(s.session_id)
    starts = b.grid.starts(s)
    return starts if allowed is None else tuple(t for t in starts if t in allowed)


def candidate_rooms(b: Built, s: Session) -> tuple[str, ...]:
    """Rooms the session may use. Unsuitable rooms exist as variables only when explaining, where
    `add_room_suits_session` guards them; otherwise leaving them out is the cheapest way to forbid them."""
    fixed = b.options.fixed.get(s.session_id)
    if fixed:
        return (fixed.room_id,)
    rooms = b.conference.rooms if b.options.explain else [r for r in b.conference.rooms if room_suits(r, s)]
    allowed = b.options.allowed_rooms.get(s.session_id)
    return tuple(
        r.room_id for r in rooms if r.room_id not in s.overflow_rooms and (allowed is None or r.room_id in allowed)
    )


def add_placed_once(b: Built) -> None:
    """Every session is placed exactly once: one start on the grid inside an open period, one room."""
    for s in b.conference.sessions:
        sid = s.session_id
        starts = candidate_starts(b, s)
        b.x[sid] = {t: b.model.new_bool_var(f"x[{sid},{t}]") for t in starts}
        b.y[sid] = {rid: b.model.new_bool_var(f"y[{sid},{rid}]") for rid in candidate_rooms(b, s)}
        placed: cp_model.IntVar | int = 1
        if (b.options.allow_unplaced and sid not in b.options.fixed) or b.options.explain:
            placed = b.model.new_bool_var(f"placed[{sid}]")
            for must in b.guards(f"placed:{sid}", placed_text(s)):
                b.model.add_implication(must, placed)
        b.placed[sid] = placed
        b.model.add_exactly_one(b.x[sid].values()) if isinstance(placed, int) else b.model.add(
            sum(b.x[sid].values()) == placed
        )
        b.model.add(sum(b.y[sid].values()) == placed)
        lo, hi = (min(starts), max(starts)) if starts else (0, 0)
        start = b.model.new_int_var(lo, hi, f"start[{sid}]")
        b.model.add(start == sum(t * lit for t, lit in b.x[sid].items())).only_enforce_if(b.when_placed(sid))
        b.start[sid] = start
        b.interval[sid] = (
            b.model.new_fixed_size_interval_var(start, s.duration_min, f"iv[{sid}]")
            if isinstance(placed, int)
            else b.model.new_optional_fixed_size_interval_var(start, s.duration_min, placed, f"iv[{sid}]")
        )
        for t, lit in b.x[sid].items():
            for u in b.grid.instants_in(t, t + s.duration_min):
                b.covering[u].append((sid, lit))


# ---------------------------------------------------------------------------------------------------------------
# Requirements in words, for explanations (here and in `periods`, whose master model states them in aggregate)


def placed_text(s: Session) -> str:
    return f"{session_label(s)} must be in the programme"


def room_text(conference: Conference, rid: str) -> str:
    gap = conference.changeover_min
    between = f", with at least {gap} min between two sessions (changeover_min)" if gap else ""
    return f"room {conference.room_by_id[rid].name} ({rid}) holds one session at a time" + between


def room_open_text(conference: Conference, room: Room) -> str:
    return f"room {room.name} ({room.room_id}) is open only {describe_windows(room.availability, conference.periods)}"


def speaker_text(conference: Conference, speaker_id: str, sids: list[str]) -> str:
    speaker = conference.speaker_by_id.get(speaker_id)
    talks = " and ".join(session_label(conference.session_by_id[sid]) for sid in sids)
    return f"speaker {speaker.name if speaker else speaker_id} ({speaker_id}) is in one place at a time, and " \
        f"presents {talks}"


def plenary_text(s: Session) -> str:
    return f"{session_label(s)} is a plenary: nothing else runs meanwhile"


def after_text(before: Session, s: Session) -> str:
    return f"{session_label(before)} must end before {session_label(s)} starts"


def interpreters_text(pair: tuple[str, str], teams: list, sids: list[str], periods: Sequence[Window] = ()) -> str:
    when = "; ".join(f"{t.team_id}: {describe_windows(t.windows, periods) or 'throughout'}" for t in teams)
    text = f"only {len(teams)} interpreter team(s) for {pair[0]}-{pair[1]}" + (f" ({when})" if teams else "")
    return text + f", and {_some(sids)} need {pair[0]}-{pair[1]} interpretation"


# ---------------------------------------------------------------------------------------------------------------
# Hard families


def add_room_suits_session(b: Built) -> None:
    """A session is held only in a room with enough seats, the features it needs and a booth per interpretation."""
    for s in b.conference.sessions:
        unsuitable = [rid for rid in b.y[s.session_id] if not room_suits(b.conference.room_by_id[rid], s)]
        if not unsuitable:
            continue
        text = f"{session_label(s)} needs a room with {', '.join(what for what, _ in room_needs(s))}"
        enforce = b.guards(f"room_suits:{s.session_id}", text)
        for rid in unsuitable:
            b.model.add(b.y[s.session_id][rid] == 0).only_enforce_if(enforce)


def add_no_room_overlap(b: Built) -> None:
    """No room holds two sessions at once, its overflow sessions included, with a changeover gap between them."""
    gap = b.conference.changeover_min
    per_room: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
    for s in b.conference.sessions:
        sid = s.session_id
        for rid, lit in b.y[sid].items():
            present = _in_room(b, rid, [lit], f"{sid},{rid}")
            per_room[rid].append(
                b.model.new_optional_fixed_size_interval_var(
                    b.start[sid], s.duration_min + gap, present, f"ir[{sid},{rid}]"
                )
            )
        for rid in s.overflow_rooms:
            conditions = b.when_placed(sid) + _relay_guard(b, s) + _room_guard(b, rid)
            size = s.duration_min + gap
            if not conditions:
                per_room[rid].append(b.model.new_fixed_size_interval_var(b.start[sid], size, f"io[{sid},{rid}]"))
                continue
            present = b.model.new_bool_var(f"overflow[{sid},{rid}]")
            b.model.add_bool_and(conditions).only_enforce_if(present)
            b.model.add_bool_or([~c for c in conditions] + [present])
            per_room[rid].append(
                b.model.new_optional_fixed_size_interval_var(b.start[sid], size, present, f"io[{sid},{rid}]")
            )
    for intervals in per_room.values():
        b.model.add_no_overlap(intervals)


def _room_guard(b: Built, rid: str) -> list[cp_model.IntVar]:
    """When explaining, a room's one-session-at-a-time rule is an assumption too, so a conflict names the room
    (and the changeover, which makes back-to-back sessions clash though their times do not overlap)."""
    return b.guards(f"room:{rid}", room_text(b.conference, rid))


def _in_room(b: Built, rid: str, conditions: list[cp_model.IntVar], name: str) -> cp_model.IntVar:
    """The presence of a session's interval in room `rid`'s no-overlap: `conditions`, and the room's rule when it
    is an assumption (a no-overlap takes no enforcement literal, so the guard joins each interval's presence)."""
    enforce = _room_guard(b, rid)
    if not enforce:
        return conditions[0]
    present = b.model.new_bool_var(f"in_room[{name}]")
    b.model.add_bool_and(conditions + enforce).only_enforce_if(present)
    b.model.add_bool_or([present, *(c.Not() for c in conditions + enforce)])
    return present


def _relay_guard(b: Built, s: Session) -> list[cp_model.IntVar]:
    return b.guards(
        f"overflow:{s.session_id}", f"{session_label(s)} is relayed live into {', '.join(s.overflow_rooms)}"
    )


def add_speaker_one_place(b: Built) -> None:
    """A speaker is in one place at a time."""
    by_speaker: dict[str, list[str]] = defaultdict(list)
    for s in b.conference.sessions:
        for sp in s.speakers:
            by_speaker[sp].append(s.session_id)
    for speaker_id, sessions in by_speaker.items():
        if len(sessions) < 2:
            continue
        if not b.guards.enabled:
            b.model.add_no_overlap([b.interval[sid] for sid in sessions])
            continue
        enforce = b.guards(f"speaker_one_place:{speaker_id}", speaker_text(b.conference, speaker_id, sessions))
        # A no-overlap takes no enforcement literal, so when explaining each talk joins the speaker's no-overlap
        # through its own interval, present when the talk is placed and the rule is assumed.
        intervals = []
        for sid in sessions:
            present = b.model.new_bool_var(f"one_place[{speaker_id},{sid}]")
            b.model.add_bool_or([present, *(lit.Not() for lit in enforce + b.when_placed(sid))])
            for placed in b.when_placed(sid):
                b.model.add_implication(present, placed)
            duration = b.conference.session_by_id[sid].duration_min
            intervals.append(b.model.new_optional_fixed_size_interval_var(
                b.start[sid], duration, present, f"iv[{speaker_id},{sid}]"))
        b.model.add_no_overlap(intervals)


def add_room_availability(b: Built) -> None:
    """A room holds a session only while it is open: the session lies inside one of the room's windows, and
    inside one of each overflow room's, where it is relayed live."""
    for room in b.conference.rooms:
        if not room.availability:
            continue
        rid = room.room_id
        enforce = b.guards(f"room_open:{rid}", room_open_text(b.conference, room))
        closed_starts: dict[int, frozenset[int]] = {}  # duration -> grid starts it would run past a closing
        for s in b.conference.sessions:
            sid = s.session_id
            held, relayed = b.y[sid].get(rid), rid in s.overflow_rooms
            if held is None and not relayed:
                continue
            if s.duration_min not in closed_starts:
                closed_starts[s.duration_min] = frozenset(
                    t for t in b.grid.starts(s) if not b.grid.inside_any(t, t + s.duration_min, room.availability))
            closed = [lit for t, lit in b.x[sid].items() if t in closed_starts[s.duration_min]]
            if not closed:
                continue
            if held is not None:  # one row rather than a clause per start: a tighter relaxation, as cheap
                b.model.add(sum(closed) + held <= 1).only_enforce_if(enforce)
            if relayed:
                b.model.add_bool_and([lit.Not() for lit in closed]).only_enforce_if(enforce + _relay_guard(b, s))


def add_speaker_availability(b: Built) -> None:
    """A session runs only while every one of its speakers is available, inside one of their windows."""
    for sp in b.conference.speakers:
        if not sp.availability:
            continue
        sessions = [s for s in b.conference.sessions if sp.speaker_id in s.speakers]
        if not sessions:
            continue
        talks = " and ".join(f"{session_label(s)} ({s.duration_min} min)" for s in sessions)
        windows = describe_windows(sp.availability, b.conference.periods)
        text = f"speaker {sp.name} ({sp.speaker_id}) is available only {windows}, and presents {talks}"
        enforce = b.guards(f"availability:{sp.speaker_id}", text)
        for s in sessions:
            for t, lit in b.x[s.session_id].items():
                if not b.grid.inside_any(t, t + s.duration_min, sp.availability):
                    b.model.add(lit == 0).only_enforce_if(enforce)


def add_pinned(b: Built) -> None:
    """A pinned session starts at its pinned time and is held in its pinned room."""
    for s in b.conference.sessions:
        sid = s.session_id
        if s.fixed_start is not None:
            t = b.grid.minute(s.fixed_start)
            enforce = b.guards(f"pin_start:{sid}", f"{session_label(s)} is pinned to start {hhmm(s.fixed_start)}")
            enforce += b.when_placed(sid)
            if t in b.x[sid]:
                b.model.add(b.x[sid][t] == 1).only_enforce_if(enforce)
            else:  # the loader reports such pins; here it only keeps the model honest
                b.model.add_bool_or([]).only_enforce_if(enforce)
        if s.fixed_room is not None:
            enforce = b.guards(f"pin_room:{sid}", f"{session_label(s)} is pinned to room {s.fixed_room}")
            pinned = b.y[sid].get(s.fixed_room)
            if pinned is None:  # the room does not suit the session (or it is held elsewhere)
                b.model.add_bool_or([]).only_enforce_if(enforce + b.when_placed(sid))
            else:
                b.model.add(pinned == 1).only_enforce_if(enforce + b.when_placed(sid))


def rooms_taken(conference: Conference, s: Session) -> int:
    """The rooms' worth of the conference a session takes while it runs: all of them for a plenary, else its own
    room and its overflow relays."""
    return len(conference.rooms) if s.plenary else 1 + len(s.overflow_rooms)


def add_plenary_alone(b: Built) -> None:
    """Nothing else runs while a plenary runs: a plenary takes every room's share of the conference at once.

    The same cumulative also states that no more sessions run at once than there are rooms (overflow relays
    count as rooms), which helps the solver prune even without plenaries.
    """
    if b.guards.enabled:
        _plenary_alone_explained(b)
        return
    sessions = b.conference.sessions
    b.model.add_cumulative(
        [b.interval[s.session_id] for s in sessions], [rooms_taken(b.conference, s) for s in sessions],
        len(b.conference.rooms),
    )


def _plenary_alone_explained(b: Built) -> None:
    """When explaining: each plenary is its own assumption, a no-overlap between it and every other session; the
    count of rooms (no more sessions at once than rooms) holds only while every room's rule is assumed, since the
    rooms' no-overlaps are what it summarises (otherwise a conflict of room time could name no room at all)."""
    sessions = b.conference.sessions
    for p in sessions:
        if not p.plenary:
            continue
        sid = p.session_id
        conditions = b.guards(f"plenary:{sid}", plenary_text(p))
        conditions += b.when_placed(sid)
        present = b.model.new_bool_var(f"plenary_alone[{sid}]")
        b.model.add_bool_and(conditions).only_enforce_if(present)
        b.model.add_bool_or([present, *(c.Not() for c in conditions)])
        alone = b.model.new_optional_fixed_size_interval_var(b.start[sid], p.duration_min, present, f"ip[{sid}]")
        others = [b.interval[o.session_id] for o in sessions if o is not p]
        # the plenary takes all the room there is, each other session a share: the others may overlap each other
        b.model.add_cumulative([alone, *others], [len(others), *([1] * len(others))], max(1, len(others)))
    demands = [1 + len(s.overflow_rooms) * _relay_guard(b, s)[0] if s.overflow_rooms else 1 for s in sessions]
    n_rooms = len(b.conference.rooms)
    rooms_at_once = b.model.new_int_var(n_rooms, max(n_rooms, sum(1 + len(s.overflow_rooms) for s in sessions)),
                                        "rooms_at_once")
    b.model.add(rooms_at_once == n_rooms).only_enforce_if(
        [g for r in b.conference.rooms for g in _room_guard(b, r.room_id)])
    b.model.add_cumulative([b.interval[s.session_id] for s in sessions], demands, rooms_at_once)


def add_after_order(b: Built) -> None:
    """A session starts only after every session it is listed `after` has ended."""
    for s in b.conference.sessions:
        for before_id in s.after:
            before = b.conference.session_by_id[before_id]
            enforce = b.guards(f"after:{before_id}->{s.session_id}", after_text(before, s))
            b.model.add(b.start[before_id] + before.duration_min <= b.start[s.session_id]).only_enforce_if(
                enforce + b.when_placed(s.session_id, before_id)
            )


def add_interpreter_teams(b: Built) -> None:
    """Never more sessions interpreted between two languages at once than teams for that pair are available."""
    if not b.conference.interpreters_limited:
        return
    teams_by_pair = defaultdict(list)
    for team in b.conference.interpreters:
        teams_by_pair[team.languages].append(team)
    sessions_by_pair = defaultdict(list)
    for s in b.conference.sessions:
        for target in s.interpretation:
            sessions_by_pair[language_pair(s.language, target)].append(s.session_id)
    for pair, sids in sorted(sessions_by_pair.items()):
        teams = teams_by_pair.get(pair, [])
        intervals = [b.interval[sid] for sid in sids]
        demands = [1] * len(sids)
        for team in teams:
            for lo, hi in _gaps(b, team.windows):
                intervals.append(b.model.new_fixed_size_interval_var(lo, hi - lo, f"off[{team.team_id},{lo}]"))
                demands.append(1)
        text = interpreters_text(pair, teams, sids, b.conference.periods)
        enforce = b.guards(f"interpreters:{pair[0]}-{pair[1]}", text)
        if enforce:
            capacity = b.model.new_int_var(len(teams), len(teams) + len(sids), f"teams[{pair}]")
            b.model.add(capacity == len(teams)).only_enforce_if(enforce)
        else:
            capacity = len(teams)
        b.model.add_cumulative(intervals, demands, capacity)


def _some(sids: list[str], most: int = 8) -> str:
    """'session(s) A, B and C', or the first `most` and how many more."""
    shown = ", ".join(sids[:most]) + (f" and {len(sids) - most} more" if len(sids) > most else "")
    return f"session(s) {shown}"


def _gaps(b: Built, windows) -> list[tuple[int, int]]:
    """The stretches of the conference horizon outside the given windows (empty when there are no windows)."""
    if not windows:
        return []
    spans = sorted((max(0, b.grid.minute(w.start)), min(b.grid.horizon, b.grid.minute(w.end))) for w in windows)
    gaps, cursor = [], 0
    for lo, hi in spans:
        if lo > cursor:
            gaps.append((cursor, lo))
        cursor = max(cursor, hi)
    if cursor < b.grid.horizon:
        gaps.append((cursor, b.grid.horizon))
    return gaps


HARD_FAMILIES: list[Callable[[Built], None]] = [
    add_room_suits_session,
    add_no_room_overlap,
    add_room_availability,
    add_speaker_one_place,
    add_speaker_availability,
    add_pinned,
    add_plenary_alone,
    add_after_order,
    add_interpreter_teams,
]


# ---------------------------------------------------------------------------------------------------------------
# Soft goals: each returns its raw count as a linear expression


def _overlap_literals(b: Built) -> dict[tuple[str, str], cp_model.IntVar]:
    """One literal per pair of sessions that some goal cares about; true whenever the two overlap."""
    if "_overlap" in b.__dict__:
        return b.__dict__["_overlap"]
    wanted = [p for p in co_interest(b.conference.attendees) if p[0] in b.x and p[1] in b.x]
    tracks = defaultdict(list)
    for s in b.conference.sessions:
        if s.track:
            tracks[s.track].append(s.session_id)
    pairs = set(wanted)
    for sids in tracks.values():
        pairs.update(tuple(sorted(p)) for p in combinations(sids, 2))
    literals = {}
    fixed = b.options.fixed
    for i, j in sorted(pairs):
        if (i in fixed and j in fixed) or not _may_overlap(b, i, j):
            continue  # a constant of this model, or impossible
        o = b.model.new_bool_var(f"o[{i},{j}]")
        first = b.model.new_bool_var(f"first[{i},{j}]")
        di = b.conference.session_by_id[i].duration_min
        dj = b.conference.session_by_id[j].duration_min
        placed = b.when_placed(i, j)
        b.model.add(b.start[i] + di <= b.start[j]).only_enforce_if([~o, first, *placed])
        b.model.add(b.start[j] + dj <= b.start[i]).only_enforce_if([~o, ~first, *placed])
        literals[(i, j)] = o
    b.__dict__["_overlap"] = literals
    return literals


def _may_overlap(b: Built, i: str, j: str) -> bool:
    si, sj = b.x[i], b.x[j]
    if not si or not sj:
        return False
    di = b.conference.session_by_id[i].duration_min
    dj = b.conference.session_by_id[j].duration_min
    return min(si) < max(sj) + dj and min(sj) < max(si) + di


def attendee_conflict_penalty(b: Built) -> cp_model.LinearExprT:
    """Attendees lose nothing to clashes: two sessions one attendee wants should not run at the same time."""
    overlap = _overlap_literals(b)
    return sum(n * overlap[p] for p, n in co_interest(b.conference.attendees).items() if p in overlap)


def track_parallel_penalty(b: Built) -> cp_model.LinearExprT:
    """Sessions of the same track should not run in parallel."""
    overlap = _overlap_literals(b)
    by_id = b.conference.session_by_id
    return sum(o for (i, j), o in overlap.items() if by_id[i].track and by_id[i].track == by_id[j].track)


def language_coverage_penalty(b: Built) -> cp_model.LinearExprT:
    """Whenever sessions run, every language group of attendees has one it can follow, natively or interpreted."""
    groups = sorted({a.languages for a in b.conference.attendees if a.languages}, key=sorted)
    if not groups:
        return 0
    fixed = b.options.fixed
    penalty = []
    for u, contributions in sorted(b.covering.items()):
        if all(sid in fixed for sid, _ in contributions):
            continue  # a constant: nothing free can run here
        active: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for sid, lit in contributions:
            active[sid].append(lit)
        busy = b.model.new_bool_var(f"busy[{u}]")
        b.busy[u] = busy
        for lits in active.values():
            b.model.add(busy >= sum(lits))
        for g, group in enumerate(groups):
            followable = [sid for sid in active if b.conference.session_by_id[sid].followable_in(group)]
            if len(followable) == len(active):
                continue  # whatever runs, this group can follow it
            covered = b.model.new_bool_var(f"covered[{g},{u}]")
            b.model.add(covered <= sum(lit for sid in followable for lit in active[sid]))
            gap = b.model.new_bool_var(f"gap[{g},{u}]")
            b.model.add(gap >= busy - covered)
            penalty.append(gap)
    return sum(penalty)


def speaker_preference_penalty(b: Built) -> cp_model.LinearExprT:
    """A session runs inside the preferred windows of each of its speakers who has some."""
    terms = []
    for s in b.conference.sessions:
        for sp_id in s.speakers:
            sp = b.conference.speaker_by_id[sp_id]
            if not sp.preferred:
                continue
            terms += [
                lit
                for t, lit in b.x[s.session_id].items()
                if not b.grid.inside_any(t, t + s.duration_min, sp.preferred)
            ]
    return sum(terms)


def track_room_stability_penalty(b: Built) -> cp_model.LinearExprT:
    """A track stays in one room: every further room a track's sessions use costs."""
    tracks = defaultdict(list)
    for s in b.conference.sessions:
        if s.track:
            tracks[s.track].append(s.session_id)
    terms = []
    for track, sids in sorted(tracks.items()):
        elsewhere = b.options.track_rooms_elsewhere.get(track, frozenset())
        rooms = sorted({rid for sid in sids for rid in b.y[sid]} - elsewhere)
        if not rooms and not elsewhere:
            continue  # none of its sessions can be placed at all
        used: list[cp_model.LinearExprT] = []
        for rid in rooms:
            lits = [b.y[sid][rid] for sid in sids if rid in b.y[sid]]
            u = b.model.new_bool_var(f"track_room[{track},{rid}]")
            b.model.add_max_equality(u, lits)
            used.append(u)
        if elsewhere:
            terms.append(sum(used) + len(elsewhere) - 1)
            continue
        has = b.model.new_bool_var(f"track_has[{track}]")
        b.model.add_max_equality(has, used)
        terms.append(sum(used) - has)
    return sum(terms)


def moved_penalty(b: Built) -> cp_model.LinearExprT:
    """After a change, sessions stay where the reference timetable had them."""
    ref = b.options.reference
    if ref is None:
        return 0
    terms = []
    for a in ref.assignments:
        if a.session_id not in b.x:
            continue
        sid = a.session_id
        t = b.grid.minute(a.start)
        moved = b.model.new_bool_var(f"moved[{sid}]")
        stay_time = b.x[sid].get(t)
        stay_room = b.y[sid].get(a.room_id)
        when = b.when_placed(sid)
        if stay_time is None or stay_room is None:
            b.model.add(moved == 1).only_enforce_if(when)
        else:
            b.model.add_bool_or([moved, stay_time]).only_enforce_if(when)
            b.model.add_bool_or([moved, stay_room]).only_enforce_if(when)
            b.model.add_bool_or([~moved, ~stay_time, ~stay_room])
        if when:  # a session left out is counted by `unplaced`, not as moved
            b.model.add(moved == 0).only_enforce_if(~when[0])
        terms.append(moved)
    return sum(terms)


def unplaced_penalty(b: Built) -> cp_model.LinearExprT:
    """As few sessions as possible are left out, lowest priority first."""
    if not b.options.allow_unplaced:
        return 0
    return sum((1 + s.priority) * (1 - b.placed[s.session_id]) for s in b.conference.sessions)


SOFT_GOALS: dict[str, Callable[[Built], cp_model.LinearExprT]] = {
    "attendee_conflict": attendee_conflict_penalty,
    "track_parallel": track_parallel_penalty,
    "language_coverage": language_coverage_penalty,
    "speaker_preference": speaker_preference_penalty,
    "track_room_stability": track_room_stability_penalty,
    "moved": moved_penalty,
    "unplaced": unplaced_penalty,
}


def build_model(conference: Conference, options: ModelOptions = ModelOptions(), soft: bool = True) -> Built:
    """The whole model: variables, every hard family, and (unless explaining, or `soft` is off) the soft goals."""
    model = cp_model.CpModel()
    b = Built(conference, Grid(conference), model, Guards(model, options.explain), options)
    add_placed_once(b)
    for family in HARD_FAMILIES:
        family(b)
    if soft and not options.explain:
        for name, goal in SOFT_GOALS.items():
            b.terms[name] = goal(b)
        model.minimize(sum(getattr(conference.weights, name) * expr for name, expr in b.terms.items()))
    return b
