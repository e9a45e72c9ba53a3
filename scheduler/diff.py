"""What changed for attendees between two timetables, in a form a programme committee can read aloud.

Only what an attendee would notice counts: a session that starts at another time, moves to another room, appears
or disappears. Everything is compared in absolute time, so a change of clock offset alone is not a move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from scheduler.domain import Assignment, Conference, Timetable

MOVED = "moved"
ROOM = "room"
ADDED = "added"
REMOVED = "removed"
KINDS = (MOVED, ROOM, ADDED, REMOVED)

# Fixed English names so the wording does not depend on the machine's locale.
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Change:
    """One attendee-visible change of one session.

    kind is "moved" (its time changed, whatever the room), "room" (same time, other room), "added" (placed only
    in the new timetable) or "removed" (placed only in the old one).
    """

    session_id: str
    kind: str
    before: Assignment | None
    after: Assignment | None


def _utc(moment: datetime) -> datetime:
    # Aware datetimes sharing a tzinfo compare by wall clock in Python; UTC makes equality mean "same instant".
    return moment.astimezone(UTC)


def _same_time(a: Assignment, b: Assignment) -> bool:
    return _utc(a.start) == _utc(b.start) and _utc(a.end) == _utc(b.end)


def diff_timetables(old: Timetable, new: Timetable) -> list[Change]:
    """The attendee-visible changes from `old` to `new`, sorted by session id.

    A session whose start (or, after a duration edit, end) differs is "moved" even if its room changed too;
    one that keeps its time but not its room is "room". Sessions identical in both are left out.
    """
    before, after = old.by_session, new.by_session
    changes: list[Change] = []
    for session_id in sorted(before.keys() | after.keys()):
        a, b = before.get(session_id), after.get(session_id)
        if a is None:
            changes.append(Change(session_id, ADDED, None, b))
        elif b is None:
            changes.append(Change(session_id, REMOVED, a, None))
        elif not _same_time(a, b):
            changes.append(Change(session_id, MOVED, a, b))
        elif a.room_id != b.room_id:
            changes.append(Change(session_id, ROOM, a, b))
    return changes


def format_day(day: date) -> str:
    """A date as a committee writes it: "Fri 13 Oct"."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


def format_moment(moment: datetime, conference: Conference) -> str:
    """A local time as a committee writes it: "Fri 13 Oct 09:30"."""
    local = moment.astimezone(conference.tz)
    return f"{format_day(local.date())} {local:%H:%M}"


def _title(session_id: str, conferences: tuple[Conference, ...]) -> str:
    for conference in conferences:
        session = conference.session_by_id.get(session_id)
        if session is not None:
            return session.title
    return session_id  # a session withdrawn from every conference given is still named


def _room_name(room_id: str, conferences: tuple[Conference, ...]) -> str:
    for conference in conferences:
        room = conference.room_by_id.get(room_id)
        if room is not None:
            return room.name
    return room_id  # a room no longer in the conference (lost) keeps its id


def describe(change: Change, conference: Conference, previous: Conference | None = None) -> str:
    """The change in plain words, e.g. "'Title' moved from Fri 13 Oct 09:30 (Sala A) to Sat 14 Oct 11:00 (Sala B)".

    Titles and room names come from `conference`, then from `previous` (the conference before the change, which
    still knows withdrawn sessions and lost rooms), then fall back to the ids.
    """
    sources = (conference,) if previous is None else (conference, previous)
    title = f"'{_title(change.session_id, sources)}'"

    def where(a: Assignment) -> str:
        return f"{format_moment(a.start, conference)} ({_room_name(a.room_id, sources)})"

    if change.kind == MOVED and change.before and change.after:
        return f"{title} moved from {where(change.before)} to {where(change.after)}"
    if change.kind == ROOM and change.before and change.after:
        return (
            f"{title} changes room from {_room_name(change.before.room_id, sources)} to "
            f"{_room_name(change.after.room_id, sources)} ({format_moment(change.after.start, conference)})"
        )
    if change.kind == ADDED and change.after:
        return f"{title} added on {where(change.after)}"
    if change.kind == REMOVED and change.before:
        before = change.before
        return f"{title} removed (was {format_moment(before.start, conference)}, {_room_name(before.room_id, sources)})"
    raise ValueError(f"inconsistent change {change!r}")
