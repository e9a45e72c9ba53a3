"""Per-session revision history across published versions of a timetable: what drives SEQUENCE, LAST-MODIFIED
and STATUS:CANCELLED in the iCalendar feeds.

Calendar clients decide whether an event they already hold has changed by its SEQUENCE and LAST-MODIFIED, so
those must move when, and only when, something an attendee sees of that session changes: its time, room,
title, abstract, speakers, language, interpretation, or its cancellation. A re-solve that leaves a session
alone must leave its event byte for byte alone, or every subscriber's calendar churns. A session once published
and later withdrawn (or left unplaced) must stay in the feeds as cancelled, or clients silently keep the stale
event. Pure Python, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from scheduler.domain import Conference, Timetable


@dataclass(frozen=True)
class PublishedVersion:
    """A timetable as it was published at `published_at` (aware; compared as UTC)."""

    number: int
    published_at: datetime
    conference: Conference
    timetable: Timetable


@dataclass(frozen=True)
class SessionRevision:
    """How many times the session changed since first published, when it last did, and whether it is withdrawn."""

    sequence: int
    last_modified: datetime
    cancelled: bool


@dataclass(frozen=True)
class VisibleState:
    """Everything an attendee sees of a placed session; the feeds render exactly this, so a change here (and only
    here) is a revision. Kept for withdrawn sessions too: a cancelled event still shows its last time and room."""

    session_id: str
    title: str
    start: datetime
    end: datetime
    room_id: str
    room_name: str
    abstract: str
    speakers: tuple[str, ...]  # display names, in the session's order
    language: str
    interpretation: tuple[str, ...]  # sorted target languages
    cancelled: bool = False
    # For choosing the sessions of a feed only; not shown, so a change in them is not a revision.
    speaker_ids: tuple[str, ...] = field(default=(), compare=False)
    overflow_rooms: tuple[str, ...] = field(default=(), compare=False)
    track: str = field(default="", compare=False)


def visible_state(conference: Conference, timetable: Timetable, session_id: str) -> VisibleState | None:
    """The attendee-visible state of `session_id` in one version, or None when it is not placed there."""
    session = conference.session_by_id.get(session_id)
    placed = timetable.by_session.get(session_id)
    if session is None or placed is None:
        return None
    room = conference.room_by_id.get(placed.room_id)
    speakers = tuple(conference.speaker_by_id[s].name if s in conference.speaker_by_id else s for s in session.speakers)
    return VisibleState(
        session_id=session_id,
        title=session.title,
        start=placed.start,
        end=placed.end,
        room_id=placed.room_id,
        room_name=room.name if room else placed.room_id,
        abstract=session.abstract,
        speakers=speakers,
        language=session.language,
        interpretation=tuple(sorted(session.interpretation)),
        speaker_ids=session.speakers,
        overflow_rooms=session.overflow_rooms,
        track=session.track,
    )


def history(
    versions: Sequence[PublishedVersion], select: Callable[[VisibleState], bool] | None = None
) -> dict[str, tuple[SessionRevision, VisibleState]]:
    """`session_revisions` and `last_seen` together, from one walk through the versions.

    With `select`, the history of one feed (a room's, a speaker's): each version holds only the sessions it
    selects there, so a session that leaves the selection (moved to another room, a speaker taken off it) is
    withdrawn from that feed, cancelled with its last state in it, and one that comes back is reinstated. The
    feed's subscribers would otherwise keep the event where it no longer is."""
    return {session_id: (revision, state) for session_id, revision, state in _history(versions, select)}


def session_revisions(versions: Sequence[PublishedVersion]) -> dict[str, SessionRevision]:
    """The revision of every session that was ever published, after walking `versions` in number order.

    First appearance: sequence 0, last_modified its version's published_at. Every later version in which the
    visible state differs from the previous one (moved, renamed, re-roomed, cancelled, reinstated...) adds one.
    A session absent from the latest version is cancelled, with its last known time and room (`last_seen`).
    """
    return {session_id: revision for session_id, revision, _ in _history(versions)}


def last_seen(versions: Sequence[PublishedVersion]) -> dict[str, VisibleState]:
    """The state attendees last saw of every session ever published; `cancelled` set for withdrawn ones."""
    return {session_id: state for session_id, _, state in _history(versions)}


def feed_stamp(versions: Sequence[PublishedVersion]) -> datetime:
    """When the schedule last changed, for DTSTAMP: the latest published_at at which some session's visible state
    changed (the first version's when none ever did). Never "now", and not moved by re-publishing an unchanged
    timetable, so an unchanged schedule yields byte-identical feeds and HTTP caches (ETag, 304) hit."""
    first = min(_utc(v.published_at) for v in _checked(versions))
    return max((r.last_modified for r in session_revisions(versions).values()), default=first)


def _history(
    versions: Sequence[PublishedVersion], select: Callable[[VisibleState], bool] | None = None
) -> Iterator[tuple[str, SessionRevision, VisibleState]]:
    """Walk the versions once, yielding (session id, revision, last visible state) for every session seen (and
    selected, with `select`, in some version)."""
    revisions: dict[str, SessionRevision] = {}
    states: dict[str, VisibleState] = {}
    for version in sorted(_checked(versions), key=lambda v: v.number):
        stamp = _utc(version.published_at)
        current = _states(version)
        if select is not None:
            current = {session_id: state for session_id, state in current.items() if select(state)}
        for session_id in current.keys() | states.keys():
            # Absent now but seen before: the last known state, marked cancelled.
            state = current.get(session_id) or replace(states[session_id], cancelled=True)
            previous = revisions.get(session_id)
            if previous is None:
                revisions[session_id] = SessionRevision(0, stamp, state.cancelled)
            elif state != states[session_id]:
                revisions[session_id] = SessionRevision(previous.sequence + 1, stamp, state.cancelled)
            states[session_id] = state
    for session_id in sorted(revisions):
        yield session_id, revisions[session_id], states[session_id]


def _states(version: PublishedVersion) -> dict[str, VisibleState]:
    states = (visible_state(version.conference, version.timetable, a.session_id) for a in version.timetable.assignments)
    return {s.session_id: s for s in states if s is not None}


def _checked(versions: Sequence[PublishedVersion]) -> Sequence[PublishedVersion]:
    if not versions:
        raise ValueError("at least one published version is needed")
    numbers = [v.number for v in versions]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"version numbers repeat: {sorted(numbers)}")
    return versions


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"published_at {moment.isoformat()} has no time zone")
    return moment.astimezone(UTC)
