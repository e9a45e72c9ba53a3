"""A valid timetable for a sample conference without the solver: a greedy placement that errs on the strict side
of every hard rule, confirmed by the independent checker. It takes milliseconds, where a solve of the Rome sample
takes tens of seconds on a shared machine, and it is the same timetable every run."""

from __future__ import annotations

import heapq
from datetime import datetime, timedelta

from scheduler.checker import check
from scheduler.domain import Assignment, Conference, Room, Session, Timetable, language_pair

Span = tuple[datetime, datetime]


def _overlaps(a: Span, b: Span, gap: timedelta = timedelta(0)) -> bool:
    return a[0] < b[1] + gap and b[0] < a[1] + gap


def _suits(room: Room, session: Session) -> bool:
    return (room.capacity >= session.expected_audience and session.needs <= room.features
            and room.booths >= len(session.interpretation))


class _NoPlace(Exception):
    def __init__(self, session_id: str):
        super().__init__(f"the greedy placement found no place for {session_id}")
        self.session_id = session_id


def _order(conference: Conference, boost: dict[str, int]) -> list[Session]:
    """Sessions after those they come `after`; among ready ones the boosted, plenaries, pinned and hard-to-fit
    first."""
    sessions = conference.session_by_id
    waiting = {s.session_id: {a for a in s.after if a in sessions} for s in conference.sessions}

    def key(s: Session) -> tuple:
        rooms = sum(_suits(r, s) for r in conference.rooms)
        return (-boost.get(s.session_id, 0), not s.plenary, s.fixed_start is None, rooms, -s.duration_min,
                s.session_id)

    ready = [key(s) for s in conference.sessions if not waiting[s.session_id]]
    heapq.heapify(ready)
    order = []
    while ready:
        session = sessions[heapq.heappop(ready)[-1]]
        order.append(session)
        for other, before in waiting.items():
            if session.session_id in before:
                before.discard(session.session_id)
                if not before:
                    heapq.heappush(ready, key(sessions[other]))
    return order


def greedy_timetable(conference: Conference, attempts: int = 50) -> Timetable:
    """Each session at its first start and room that breaks no hard rule given the ones placed before it. When
    one finds no place, it and the sessions it comes after go earlier in the order, and placement starts over."""
    boost: dict[str, int] = {}
    for _ in range(attempts):
        try:
            timetable = _place(conference, _order(conference, boost))
        except _NoPlace as stuck:
            for session_id in _with_predecessors(conference, stuck.session_id):
                boost[session_id] = boost.get(session_id, 0) + 1
            continue
        report = check(conference, timetable)
        assert report.ok, [str(v) for v in report.violations]
        return timetable
    raise AssertionError(f"no greedy placement in {attempts} attempts (last stuck: {sorted(boost)})")


def _with_predecessors(conference: Conference, session_id: str) -> set[str]:
    found, todo = set(), [session_id]
    while todo:
        current = todo.pop()
        if current not in found and current in conference.session_by_id:
            found.add(current)
            todo.extend(conference.session_by_id[current].after)
    return found


def _place(conference: Conference, order: list[Session]) -> Timetable:
    step = timedelta(minutes=conference.granularity_min)
    changeover = timedelta(minutes=conference.changeover_min)
    placed: dict[str, Assignment] = {}
    room_busy: dict[str, list[Span]] = {r.room_id: [] for r in conference.rooms}

    def speakers_free(session: Session, span: Span) -> bool:
        for speaker_id in session.speakers:
            speaker = conference.speaker_by_id[speaker_id]
            if speaker.availability and not any(w.contains(*span) for w in speaker.availability):
                return False
            for other in placed.values():
                if speaker_id in conference.session_by_id[other.session_id].speakers and \
                        _overlaps(span, (other.start, other.end)):
                    return False
        return True

    def alone_enough(session: Session, span: Span) -> bool:
        for other in placed.values():
            if _overlaps(span, (other.start, other.end)) and (
                    session.plenary or conference.session_by_id[other.session_id].plenary):
                return False
        return True

    def needs(session: Session) -> set[tuple[str, str]]:
        return {language_pair(session.language, t) for t in session.interpretation}

    def interpreters_enough(session: Session, span: Span) -> bool:
        if not conference.interpreters_limited:
            return True
        for target in session.interpretation:
            pair = language_pair(session.language, target)
            teams = sum(1 for t in conference.interpreters if t.languages == pair
                        and (not t.windows or any(w.contains(*span) for w in t.windows)))
            busy = sum(1 for other in placed.values() if _overlaps(span, (other.start, other.end))
                       and pair in needs(conference.session_by_id[other.session_id]))
            if busy + 1 > teams:
                return False
        return True

    def room_free(room_id: str, span: Span) -> bool:
        return not any(_overlaps(span, busy, changeover) for busy in room_busy[room_id])

    for session in order:
        duration = timedelta(minutes=session.duration_min)
        earliest = max((placed[a].end for a in session.after if a in placed), default=None)
        rooms = [r for r in conference.rooms if _suits(r, session)
                 and (session.fixed_room is None or r.room_id == session.fixed_room)
                 and r.room_id not in session.overflow_rooms]
        found = None
        for period in conference.periods:
            start = period.start
            while found is None and start + duration <= period.end:
                span = (start, start + duration)
                if (session.fixed_start in (None, start) and (earliest is None or start >= earliest)
                        and speakers_free(session, span) and alone_enough(session, span)
                        and interpreters_enough(session, span)
                        and all(room_free(r, span) for r in session.overflow_rooms)):
                    found = next(((r.room_id, span) for r in rooms if room_free(r.room_id, span)), None)
                start += step
            if found:
                break
        if found is None:
            raise _NoPlace(session.session_id)
        room_id, span = found
        placed[session.session_id] = Assignment(session.session_id, room_id, *span)
        for r in (room_id, *session.overflow_rooms):
            room_busy[r].append(span)
    return Timetable(tuple(placed.values())).sorted()
