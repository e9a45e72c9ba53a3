"""Independent checker: verifies a timetable against every hard rule and counts every soft goal.

Every solver result passes through here before anyone sees it, so this module deliberately shares no code with
the CP-SAT model (no `scheduler.model`, `scheduler.timegrid`, `scheduler.solve`, no OR-Tools): it is plain Python
written straight from the rule definitions in docs/architecture.md. A bug in the model's encoding then shows up
as a disagreement instead of being repeated here.

All time arithmetic is done on integer seconds since the Unix epoch, never on wall-clock datetimes: Python
compares and subtracts two datetimes that share a tzinfo by their wall-clock fields, which is wrong across a
daylight-saving change (the night of the last Sunday of October has 25 hours in Europe/Rome).
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.domain import Conference, Session, Timetable, Window, language_pair

HARD_RULES: tuple[str, ...] = (
    "placed_once",
    "on_grid",
    "in_open_period",
    "room_suits_session",
    "no_room_overlap",
    "room_availability",
    "speaker_one_place",
    "speaker_availability",
    "pinned",
    "plenary_alone",
    "after_order",
    "interpreter_teams",
)
SOFT_GOALS: tuple[str, ...] = (
    "attendee_conflict",
    "track_parallel",
    "language_coverage",
    "speaker_preference",
    "track_room_stability",
    "moved",
    "unplaced",
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Violation:
    """One broken hard rule, in plain words with ids and local times."""

    rule: str  # the rule name from docs/architecture.md, e.g. "no_room_overlap"
    message: str
    sessions: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckReport:
    """What the checker found: hard violations, the raw count of each soft goal and the weighted objective."""

    violations: tuple[Violation, ...]
    soft: dict[str, int]  # raw count per soft goal name; every goal is present
    objective: int  # sum of conference.weights.<goal> * count

    @property
    def ok(self) -> bool:
        """True when no hard rule is broken (soft goals never make a timetable invalid)."""
        return not self.violations

    def by_rule(self) -> dict[str, tuple[Violation, ...]]:
        """Violations grouped by rule name, rules in the order of docs/architecture.md."""
        grouped: dict[str, list[Violation]] = defaultdict(list)
        for violation in self.violations:
            grouped[violation.rule].append(violation)
        order = {rule: i for i, rule in enumerate(HARD_RULES)}
        return {rule: tuple(grouped[rule]) for rule in sorted(grouped, key=lambda r: (order.get(r, len(order)), r))}


# ---------------------------------------------------------------------------------------------------------------
# Time in integer seconds


def _seconds(moment: datetime, zone: ZoneInfo) -> int:
    """Seconds since the epoch; a naive datetime is read as conference local time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return (moment - _EPOCH) // _SECOND


def _local(seconds: int, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(seconds, zone)


def _local_midnight(day: date, zone: ZoneInfo) -> int:
    """The first instant of `day` in the zone (fold=0 picks the earlier reading when midnight is ambiguous)."""
    return _seconds(datetime.combine(day, time(0), tzinfo=zone), zone)


def _window_seconds(window: Window, zone: ZoneInfo) -> tuple[int, int]:
    return _seconds(window.start, zone), _seconds(window.end, zone)


def _grid_instants(period: tuple[int, int], granularity_s: int, zone: ZoneInfo) -> Iterator[int]:
    """Grid instants u with start <= u < end: local midnight of u's own date + k * granularity (elapsed time).

    Each local date has its own grid anchored at its midnight, so a period crossing midnight (or a 23/25-hour
    day) follows the grid of each date it touches, exactly as `on_grid` judges a start.
    """
    start, end = period
    if end <= start:
        return
    day = _local(start, zone).date()
    last_day = _local(end, zone).date()
    while day <= last_day:
        midnight, next_midnight = _local_midnight(day, zone), _local_midnight(day + timedelta(days=1), zone)
        steps = max(0, -(-(start - midnight) // granularity_s))  # ceiling division: first step at or after start
        instant = midnight + steps * granularity_s
        while instant < min(end, next_midnight):
            yield instant
            instant += granularity_s
        day += timedelta(days=1)


# ---------------------------------------------------------------------------------------------------------------
# The placed sessions, in seconds


@dataclass(frozen=True, slots=True)
class _Placed:
    session: Session
    room_id: str
    start: int
    end: int

    @property
    def sid(self) -> str:
        return self.session.session_id

    def runs_at(self, instant: int) -> bool:
        return self.start <= instant < self.end


def _placements(conference: Conference, timetable: Timetable) -> dict[str, _Placed]:
    """The first assignment of each known session; duplicates and unknown ids are `placed_once` violations."""
    placed: dict[str, _Placed] = {}
    for a in timetable.assignments:
        session = conference.session_by_id.get(a.session_id)
        if session is not None and a.session_id not in placed:
            zone = conference.tz
            placed[a.session_id] = _Placed(session, a.room_id, _seconds(a.start, zone), _seconds(a.end, zone))
    return placed


def _overlapping_pairs(items: Iterable[_Placed], pad_s: int = 0) -> Iterator[tuple[_Placed, _Placed]]:
    """Unordered pairs whose [start, end + pad) intervals intersect, in O(n log n + pairs).

    Sorted by start, the inner scan stops at the first later start that is past the current end, so only pairs
    that really overlap are visited (never all n^2 pairs). With pad = changeover the same test finds gaps that
    are too short.
    """
    ordered = sorted(items, key=lambda p: (p.start, p.end, p.sid))
    for i, first in enumerate(ordered):
        for j in range(i + 1, len(ordered)):
            second = ordered[j]
            if second.start >= first.end + pad_s:
                break
            if first.start < second.end + pad_s:
                yield first, second


@dataclass(frozen=True)
class _Context:
    """Everything a rule needs, computed once."""

    conference: Conference
    timetable: Timetable
    reference: Timetable | None
    allow_unplaced: bool
    by_id: dict[str, _Placed]

    @property
    def placed(self) -> Iterable[_Placed]:
        return self.by_id.values()

    @property
    def zone(self) -> ZoneInfo:
        return self.conference.tz

    def clock(self, seconds: int) -> str:
        return _local(seconds, self.zone).strftime("%H:%M")

    def day(self, seconds: int) -> str:
        return _local(seconds, self.zone).date().isoformat()

    def span(self, p: _Placed) -> str:
        """'S1 (09:00-10:00)': a session with its local times, as every message shows it."""
        return f"{p.sid} ({self.clock(p.start)}-{self.clock(p.end)})"


_Found = tuple[str, tuple[str, ...]]  # (message, session ids) of one violation


# ---------------------------------------------------------------------------------------------------------------
# Hard rules: each yields (message, session ids); the registry below attaches the rule name.


def _placed_once(ctx: _Context) -> Iterator[_Found]:
    conference, timetable = ctx.conference, ctx.timetable
    times_placed = Counter(a.session_id for a in timetable.assignments)
    for a in timetable.assignments:
        if a.session_id not in conference.session_by_id:
            yield f"the timetable places unknown session {a.session_id}", (a.session_id,)
        if a.room_id not in conference.room_by_id:
            yield f"{a.session_id} is placed in unknown room {a.room_id}", (a.session_id,)
    for sid, count in times_placed.items():
        if count > 1 and sid in conference.session_by_id:
            yield f"{sid} is placed {count} times", (sid,)
    times_left_out = Counter(timetable.unplaced)
    for sid, count in times_left_out.items():
        if sid not in conference.session_by_id:
            yield f"the timetable leaves out unknown session {sid}", (sid,)
        elif sid in times_placed:
            yield f"{sid} is both placed and listed as left out", (sid,)
        elif not ctx.allow_unplaced:
            yield f"{sid} is left out, but leaving sessions out was not allowed", (sid,)
        elif count > 1:
            yield f"{sid} is listed {count} times as left out", (sid,)
    for session in conference.sessions:
        sid = session.session_id
        if sid not in times_placed and sid not in times_left_out:
            yield f"{sid} is not placed", (sid,)


def _on_grid(ctx: _Context) -> Iterator[_Found]:
    step_s = ctx.conference.granularity_min * 60
    for p in ctx.placed:
        local_start = _local(p.start, ctx.zone)
        # Elapsed (not wall-clock) time since midnight: on a 25-hour day 03:00 is 4 hours after midnight.
        past = (p.start - _local_midnight(local_start.date(), ctx.zone)) % step_s
        if past:
            yield (
                (
                    f"{p.sid} starts at {ctx.clock(p.start)} on {ctx.day(p.start)}, {past // 60} min past a step "
                    f"of the {ctx.conference.granularity_min}-minute grid"
                ),
                (p.sid,),
            )


def _in_open_period(ctx: _Context) -> Iterator[_Found]:
    periods = [_window_seconds(w, ctx.zone) for w in ctx.conference.periods]
    for p in ctx.placed:
        lasts_s = p.end - p.start
        if lasts_s != p.session.duration_min * 60:
            yield (
                (
                    f"{ctx.span(p)} on {ctx.day(p.start)} runs {lasts_s / 60:g} min but lasts "
                    f"{p.session.duration_min} min"
                ),
                (p.sid,),
            )
        if not any(start <= p.start and p.end <= end for start, end in periods):
            yield f"{ctx.span(p)} on {ctx.day(p.start)} does not lie inside one open period", (p.sid,)


def _room_suits_session(ctx: _Context) -> Iterator[_Found]:
    for p in ctx.placed:
        room = ctx.conference.room_by_id.get(p.room_id)
        if room is None:
            continue  # an unknown room is a placed_once violation
        session = p.session
        if room.capacity < session.expected_audience:
            yield (
                f"room {room.room_id} seats {room.capacity} but {p.sid} expects {session.expected_audience}",
                (p.sid,),
            )
        missing = session.needs - room.features
        if missing:
            yield f"room {room.room_id} lacks {', '.join(sorted(missing))} needed by {p.sid}", (p.sid,)
        targets = len(session.interpretation)
        if room.booths < targets:
            yield (
                (
                    f"room {room.room_id} has {room.booths} booth(s) but {p.sid} is interpreted into "
                    f"{targets} language(s)"
                ),
                (p.sid,),
            )


def _rooms_occupied(p: _Placed) -> list[str]:
    """Main room first, then overflow rooms, each once: all are busy while the session runs."""
    return list(dict.fromkeys((p.room_id, *p.session.overflow_rooms)))


def _no_room_overlap(ctx: _Context) -> Iterator[_Found]:
    occupancy: dict[str, list[_Placed]] = defaultdict(list)
    for p in ctx.placed:
        if p.room_id in p.session.overflow_rooms:
            yield f"{p.sid} uses room {p.room_id} both as its main room and as an overflow room", (p.sid,)
        for room_id in _rooms_occupied(p):
            occupancy[room_id].append(p)
    changeover_s = ctx.conference.changeover_min * 60
    for room_id in sorted(occupancy):
        for first, second in _overlapping_pairs(occupancy[room_id], changeover_s):
            yield _room_clash(ctx, room_id, first, second), (first.sid, second.sid)


def _room_clash(ctx: _Context, room_id: str, first: _Placed, second: _Placed) -> str:
    def shown(p: _Placed) -> str:
        relay = "" if p.room_id == room_id else f", relayed from {p.room_id}"
        return f"{p.sid} ({ctx.clock(p.start)}-{ctx.clock(p.end)}{relay})"

    both = f"on {ctx.day(first.start)}, room {room_id} holds {shown(first)} and {shown(second)}"
    if first.start < second.end and second.start < first.end:
        return f"{both} at once"
    gap_min = (max(first.start, second.start) - min(first.end, second.end)) / 60
    return f"{both} only {gap_min:g} min apart (changeover needs {ctx.conference.changeover_min} min)"


def _speaker_one_place(ctx: _Context) -> Iterator[_Found]:
    by_speaker: dict[str, list[_Placed]] = defaultdict(list)
    for p in ctx.placed:
        for speaker_id in dict.fromkeys(p.session.speakers):
            by_speaker[speaker_id].append(p)
    for speaker_id in sorted(by_speaker):
        for first, second in _overlapping_pairs(by_speaker[speaker_id]):
            yield (
                (
                    f"on {ctx.day(first.start)}, speaker {speaker_id} is in {ctx.span(first)} in room "
                    f"{first.room_id} and {ctx.span(second)} in room {second.room_id} at once"
                ),
                (first.sid, second.sid),
            )


def _inside_one(windows: Iterable[tuple[int, int]], p: _Placed) -> bool:
    return any(start <= p.start and p.end <= end for start, end in windows)


def _speaker_availability(ctx: _Context) -> Iterator[_Found]:
    for p in ctx.placed:
        for speaker_id in dict.fromkeys(p.session.speakers):
            speaker = ctx.conference.speaker_by_id.get(speaker_id)
            if speaker is None or not speaker.availability:
                continue  # no availability rows: available throughout
            windows = [_window_seconds(w, ctx.zone) for w in speaker.availability]
            if not _inside_one(windows, p):
                yield (
                    (f"speaker {speaker_id} is not available for the whole of {ctx.span(p)} on {ctx.day(p.start)}"),
                    (p.sid,),
                )


def _room_availability(ctx: _Context) -> Iterator[_Found]:
    """A session lies inside one of its room's open windows, and inside one of each overflow room's, since it is
    relayed there live. The changeover after it may run past the window: nothing is held in the room then."""
    for p in ctx.placed:
        for room_id in dict.fromkeys((p.room_id, *p.session.overflow_rooms)):
            room = ctx.conference.room_by_id.get(room_id)
            if room is None or not room.availability:
                continue  # an unknown room is room_suits_session's business; no windows: open throughout
            if not _inside_one([_window_seconds(w, ctx.zone) for w in room.availability], p):
                relayed = "" if room_id == p.room_id else " (relayed there as an overflow room)"
                message = f"room {room_id} is not open for the whole of {ctx.span(p)} on {ctx.day(p.start)}{relayed}"
                yield message, (p.sid,)


def _pinned(ctx: _Context) -> Iterator[_Found]:
    for p in ctx.placed:
        session = p.session
        if session.fixed_start is not None:
            pin = _seconds(session.fixed_start, ctx.zone)
            if pin != p.start:
                yield (
                    (
                        f"{p.sid} is pinned to start at {ctx.clock(pin)} on {ctx.day(pin)} but starts at "
                        f"{ctx.clock(p.start)} on {ctx.day(p.start)}"
                    ),
                    (p.sid,),
                )
        if session.fixed_room is not None and session.fixed_room != p.room_id:
            yield f"{p.sid} is pinned to room {session.fixed_room} but is in room {p.room_id}", (p.sid,)


def _plenary_alone(ctx: _Context) -> Iterator[_Found]:
    for first, second in _overlapping_pairs(ctx.placed):
        if first.session.plenary or second.session.plenary:
            plenary, other = (first, second) if first.session.plenary else (second, first)
            yield (
                (
                    f"on {ctx.day(plenary.start)}, plenary {ctx.span(plenary)} runs at the same time as "
                    f"{ctx.span(other)}"
                ),
                (first.sid, second.sid),
            )


def _after_order(ctx: _Context) -> Iterator[_Found]:
    for p in ctx.placed:
        for before_id in dict.fromkeys(p.session.after):
            before = ctx.by_id.get(before_id)
            # A predecessor that is not placed cannot be out of order; its absence is placed_once's business.
            if before is not None and before.end > p.start:
                yield (
                    (
                        f"{p.sid} must start after {before_id} ends, but {ctx.span(before)} on "
                        f"{ctx.day(before.start)} ends after {ctx.span(p)} on {ctx.day(p.start)} starts"
                    ),
                    (before_id, p.sid),
                )


def _interpreter_teams(ctx: _Context) -> Iterator[_Found]:
    if not ctx.conference.interpreters_limited:
        return
    needing: dict[tuple[str, str], list[_Placed]] = defaultdict(list)
    for p in ctx.placed:
        if p.end <= p.start:
            continue  # a session that never runs needs nobody (its times are in_open_period's business)
        for target in sorted(p.session.interpretation):
            needing[language_pair(p.session.language, target)].append(p)
    teams = _team_windows(ctx)
    for pair in sorted(needing):
        yield from _pair_shortages(ctx, pair, needing[pair], teams.get(pair, {}))


def _team_windows(ctx: _Context) -> dict[tuple[str, str], dict[str, list[tuple[int, int]] | None]]:
    """Per language pair, each team's windows in seconds; None means available throughout."""
    teams: dict[tuple[str, str], dict[str, list[tuple[int, int]] | None]] = defaultdict(dict)
    for team in ctx.conference.interpreters:
        pair = language_pair(*team.languages)
        known = teams[pair].get(team.team_id, [])
        if known is None or not team.windows:
            teams[pair][team.team_id] = None  # rows of one team merge; an always-available row wins
        else:
            teams[pair][team.team_id] = known + [_window_seconds(w, ctx.zone) for w in team.windows]
    return teams


def _pair_shortages(
    ctx: _Context, pair: tuple[str, str], sessions: list[_Placed], teams: dict[str, list[tuple[int, int]] | None]
) -> Iterator[_Found]:
    """Demand only rises at a session start and supply only changes at a window boundary, so checking those
    instants checks every instant."""
    starts = sorted(p.start for p in sessions)
    ends = sorted(p.end for p in sessions)
    boundaries = {edge for windows in teams.values() if windows for window in windows for edge in window}
    reported: set[frozenset[str]] = set()
    for instant in sorted(set(starts) | boundaries):
        running = bisect_right(starts, instant) - bisect_right(ends, instant)
        available = sum(1 for w in teams.values() if w is None or any(s <= instant < e for s, e in w))
        if running <= available:
            continue
        ids = tuple(sorted(p.sid for p in sessions if p.runs_at(instant)))
        if frozenset(ids) in reported:
            continue  # the same shortage seen at a later boundary
        reported.add(frozenset(ids))
        yield (
            (
                f"at {ctx.clock(instant)} on {ctx.day(instant)}, {running} session(s) need {pair[0]}-{pair[1]} "
                f"interpretation ({', '.join(ids)}) but {available} team(s) are available"
            ),
            ids,
        )


_HARD_CHECKS: tuple[tuple[str, Callable[[_Context], Iterable[_Found]]], ...] = (
    ("placed_once", _placed_once),
    ("on_grid", _on_grid),
    ("in_open_period", _in_open_period),
    ("room_suits_session", _room_suits_session),
    ("no_room_overlap", _no_room_overlap),
    ("room_availability", _room_availability),
    ("speaker_one_place", _speaker_one_place),
    ("speaker_availability", _speaker_availability),
    ("pinned", _pinned),
    ("plenary_alone", _plenary_alone),
    ("after_order", _after_order),
    ("interpreter_teams", _interpreter_teams),
)


# ---------------------------------------------------------------------------------------------------------------
# Soft goals: raw counts


def _attendee_conflict(ctx: _Context) -> int:
    """Per attendee, sweep only their own wanted sessions: O(interests log interests) each, never all pairs."""
    total = 0
    for attendee in ctx.conference.attendees:
        wanted = sorted((p.start, p.end) for sid in set(attendee.interests) if (p := ctx.by_id.get(sid)))
        for i, (start, end) in enumerate(wanted):
            for j in range(i + 1, len(wanted)):
                other_start, other_end = wanted[j]
                if other_start >= end:
                    break
                if start < other_end:
                    total += 1
    return total


def _track_parallel(ctx: _Context) -> int:
    by_track: dict[str, list[_Placed]] = defaultdict(list)
    for p in ctx.placed:
        if p.session.track:
            by_track[p.session.track].append(p)
    return sum(sum(1 for _ in _overlapping_pairs(sessions)) for sessions in by_track.values())


def _language_coverage(ctx: _Context) -> int:
    """Sweep the grid instants in time order, keeping a multiset of the languages audible in running sessions."""
    groups = {frozenset(a.languages) for a in ctx.conference.attendees if a.languages}
    if not groups:
        return 0
    step_s = ctx.conference.granularity_min * 60
    instants = sorted(
        {u for w in ctx.conference.periods for u in _grid_instants(_window_seconds(w, ctx.zone), step_s, ctx.zone)}
    )
    pending = sorted(ctx.placed, key=lambda p: p.start)
    running: list[tuple[int, int]] = []  # heap of (end, index into pending)
    audible: Counter[str] = Counter()
    nxt = total = 0
    for instant in instants:
        while nxt < len(pending) and pending[nxt].start <= instant:
            heapq.heappush(running, (pending[nxt].end, nxt))
            audible.update(_heard(pending[nxt].session))
            nxt += 1
        while running and running[0][0] <= instant:
            audible.subtract(_heard(pending[heapq.heappop(running)[1]].session))
        if running:
            heard = {language for language, n in audible.items() if n > 0}
            total += sum(1 for group in groups if not group & heard)
    return total


def _heard(session: Session) -> set[str]:
    """The languages in which `session.followable_in` says it can be followed: its own and its targets."""
    return {session.language} | set(session.interpretation)


def _speaker_preference(ctx: _Context) -> int:
    total = 0
    for p in ctx.placed:
        for speaker_id in dict.fromkeys(p.session.speakers):
            speaker = ctx.conference.speaker_by_id.get(speaker_id)
            if speaker is not None and speaker.preferred:
                windows = [_window_seconds(w, ctx.zone) for w in speaker.preferred]
                total += not _inside_one(windows, p)
    return total


def _track_room_stability(ctx: _Context) -> int:
    rooms: dict[str, set[str]] = defaultdict(set)
    for p in ctx.placed:
        if p.session.track:
            rooms[p.session.track].add(p.room_id)
    return sum(len(used) - 1 for used in rooms.values())


def _moved(ctx: _Context) -> int:
    if ctx.reference is None:
        return 0
    before = _placements(ctx.conference, ctx.reference)
    return sum(
        1
        for sid, p in ctx.by_id.items()
        if sid in before and (before[sid].start != p.start or before[sid].room_id != p.room_id)
    )


def _unplaced(ctx: _Context) -> int:
    if not ctx.allow_unplaced:
        return 0
    left_out = dict.fromkeys(sid for sid in ctx.timetable.unplaced if sid not in ctx.by_id)
    sessions = ctx.conference.session_by_id
    return sum(1 + sessions[sid].priority for sid in left_out if sid in sessions)


_SOFT_COUNTS: tuple[tuple[str, Callable[[_Context], int]], ...] = (
    ("attendee_conflict", _attendee_conflict),
    ("track_parallel", _track_parallel),
    ("language_coverage", _language_coverage),
    ("speaker_preference", _speaker_preference),
    ("track_room_stability", _track_room_stability),
    ("moved", _moved),
    ("unplaced", _unplaced),
)


# ---------------------------------------------------------------------------------------------------------------
# Public API


def check(
    conference: Conference, timetable: Timetable, reference: Timetable | None = None, allow_unplaced: bool = False
) -> CheckReport:
    """Check `timetable` against every hard rule and count every soft goal of docs/architecture.md.

    `reference` (a previous timetable) enables the `moved` count; `allow_unplaced` lets sessions listed in
    `timetable.unplaced` be left out, each costing 1 + priority in the `unplaced` count.
    """
    ctx = _Context(conference, timetable, reference, allow_unplaced, _placements(conference, timetable))
    violations = tuple(
        Violation(rule, message, sessions) for rule, find in _HARD_CHECKS for message, sessions in find(ctx)
    )
    soft = {goal: count(ctx) for goal, count in _SOFT_COUNTS}
    objective = sum(getattr(conference.weights, goal) * n for goal, n in soft.items())
    return CheckReport(violations, soft, objective)


def format_report(report: CheckReport, conference: Conference) -> str:
    """Plain text for the committee: violations grouped by rule, then each soft goal's count, weight and cost."""
    lines = [
        f"Check of {conference.name}: "
        + ("all hard rules hold" if report.ok else f"{len(report.violations)} hard rule violation(s)")
    ]
    for rule, violations in report.by_rule().items():
        lines.append(f"{rule} ({len(violations)}):")
        lines.extend(f"  - {v.message}" for v in violations)
    width = max(len(goal) for goal in report.soft)
    lines.append("Soft goals (count x weight = cost):")
    for goal, count in report.soft.items():
        weight = getattr(conference.weights, goal)
        lines.append(f"  {goal:<{width}} {count:>7} x {weight:>7} = {count * weight:>10}")
    lines.append(f"  {'objective':<{width}} {'':>7}   {'':>7}   {report.objective:>10}")
    return "\n".join(lines)
