"""iCalendar (RFC 5545 / RFC 7986) feeds of a conference, written with the `icalendar` library.

Feeds: the whole conference, one speaker, one room, one track, one language (held in or interpreted into), or
a personal agenda of chosen sessions: one `build_calendar` and a selector for each.

What calendar clients (Google, Apple, Outlook, Thunderbird) need and why it is done so here:
- One stable UID per session (session id @ `Conference.identity`, its slug), so a re-solve updates events
  instead of adding, and a corrected conference name changes nothing when the conference has a slug.
- SEQUENCE and LAST-MODIFIED from `scheduler.revisions`: they move only when what attendees see changes.
- A withdrawn session stays as STATUS:CANCELLED with its last time and room; silence would leave it in place.
- DTSTAMP is when the schedule last changed, never "now", and events are sorted by UID: an unchanged schedule
  gives byte-identical output, so ETag/304 work.
- Local times carry TZID of the conference zone with an RRULE-based VTIMEZONE (`scheduler.vtimezone`); only
  an instant in the hour a fall-back repeats is written in UTC, because clients disagree on which it means.
- METHOD:PUBLISH and no ORGANIZER/ATTENDEE, so no client offers to send invitations or replies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, is_utc, vDuration, vText

from scheduler.domain import Conference, Timetable
from scheduler.revisions import PublishedVersion, SessionRevision, VisibleState, feed_stamp, history
from scheduler.vtimezone import vtimezone

ICAL_CONTENT_TYPE = "text/calendar; charset=utf-8"
# Stable across releases: clients use PRODID together with UID to recognise a feed's events.
PRODID = "-//agenda//conference scheduling engine//EN"
# How often clients should poll; Google ignores it and polls every 8-24 hours on its own schedule.
DEFAULT_REFRESH = timedelta(hours=1)

# A selector picks the sessions of a feed from what was last published of each.
Selector = Callable[[VisibleState], bool]

# Control characters other than tab and newline are invalid in iCalendar text and break some parsers.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def build_calendar(
    conference: Conference,
    versions: Sequence[PublishedVersion],
    *,
    name: str,
    select: Selector | None = None,
    session_url: Callable[[str], str] | None = None,
    source_url: str | None = None,
    refresh: timedelta = DEFAULT_REFRESH,
) -> bytes:
    """The feed `name` of the sessions `select` picks (all when None): those it picks in the latest version, and
    cancelled events for those it picked in an earlier version and does not now (withdrawn, moved to another
    room, a speaker taken off). `conference` is the conference as it is now (it names the zone and the UID
    domain). `session_url(session_id)` gives each event's URL; `source_url` is where the feed itself is
    served."""
    chosen = list(history(versions, select).values())
    calendar = _calendar(name, source_url, refresh)
    zone_component = _vtimezone(conference, [state for _, state in chosen])
    if zone_component is not None:
        calendar.add_component(zone_component)
    # The feed's own last change: a change elsewhere in the conference leaves this feed byte-identical.
    stamp = max((revision.last_modified for revision, _ in chosen), default=feed_stamp(versions))
    for revision, state in sorted(chosen, key=lambda pair: session_uid(conference, pair[1].session_id)):
        calendar.add_component(_event(conference, state, revision, stamp, session_url))
    return calendar.to_ical()


def calendar_for_timetable(
    conference: Conference,
    timetable: Timetable,
    *,
    published_at: datetime,
    name: str,
    select: Selector | None = None,
    session_url: Callable[[str], str] | None = None,
    source_url: str | None = None,
) -> bytes:
    """The simple case without history: `timetable` as the only version, published at `published_at`."""
    version = PublishedVersion(1, published_at, conference, timetable)
    return build_calendar(
        conference, [version], name=name, select=select, session_url=session_url, source_url=source_url
    )


def for_speaker(speaker_id: str) -> Selector:
    """Sessions the speaker speaks in (in each version: one the speaker was taken off leaves their feed)."""
    return lambda state: speaker_id in state.speaker_ids


def for_room(room_id: str) -> Selector:
    """Sessions held in the room, or relayed into it as an overflow room (it is busy with them meanwhile)."""
    return lambda state: state.room_id == room_id or room_id in state.overflow_rooms


def for_track(name: str) -> Selector:
    return lambda state: state.track == name


def for_language(code: str) -> Selector:
    """Sessions someone speaking `code` can follow: held in it, or interpreted into it."""
    return lambda state: state.language == code or code in state.interpretation


def for_sessions(session_ids: Iterable[str]) -> Selector:
    """A personal agenda: exactly the listed sessions."""
    wanted = frozenset(session_ids)
    return lambda state: state.session_id in wanted


def session_uid(conference: Conference, session_id: str) -> str:
    """The UID of a session's event: the same across re-solves and versions of the conference."""
    return f"{session_id}@{conference.identity}"


def _calendar(name: str, source_url: str | None, refresh: timedelta) -> Calendar:
    calendar = Calendar.new(
        prodid=PRODID,
        method="PUBLISH",
        calscale="GREGORIAN",
        refresh_interval=refresh,
        source=source_url,
    )
    # Calendar.new(name=...) stores both names unescaped (vUnknown): a comma cuts the name short in vobject
    # and a newline makes to_ical() fail. They are TEXT, escaped like SUMMARY, and on one line: a name is a
    # title in the client's list of calendars (and ical.js shows NAME's escapes as they are).
    for key in ("NAME", "X-WR-CALNAME"):
        calendar.add(key, vText(" ".join(_text(name).split())))
    # A calendar UID would be invented at random each time; the feed is identified by its URL instead.
    calendar.pop("UID")
    # RFC 7986 requires the parameter, and icalendar leaves it out.
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
    calendar.add("X-PUBLISHED-TTL", vDuration(refresh))
    return calendar


def _vtimezone(conference: Conference, states: list[VisibleState]):
    """The VTIMEZONE of the conference zone over the feed's dates; None when events are written in UTC."""
    if not states:
        return None
    starts = [s.start.astimezone(conference.tz) for s in states]
    ends = [s.end.astimezone(conference.tz) for s in states]
    if is_utc(starts[0]):
        return None
    return vtimezone(conference.timezone, min(starts).date(), max(ends).date())


def _event(
    conference: Conference,
    state: VisibleState,
    revision: SessionRevision,
    stamp: datetime,
    session_url: Callable[[str], str] | None,
) -> Event:
    return Event.new(
        uid=session_uid(conference, state.session_id),
        stamp=stamp,
        start=_in_zone(state.start, conference),
        end=_in_zone(state.end, conference),
        summary=_text(state.title),
        location=_text(state.room_name),
        description=_description(state),
        url=session_url(state.session_id) if session_url else None,
        sequence=revision.sequence,
        last_modified=revision.last_modified,
        status="CANCELLED" if revision.cancelled else "CONFIRMED",
    )


def _in_zone(moment: datetime, conference: Conference) -> datetime:
    """Local time in the conference zone (a timetable read from CSV may carry bare UTC offsets instead), except
    in the hour a fall-back repeats: RFC 5545 reads such a TZID time as its first occurrence, ical.js (Thunderbird)
    as its second, so those instants are written in UTC, which every client reads alike."""
    # Through UTC: astimezone() to a datetime's own zone would keep a wall time that zone skips.
    local = moment.astimezone(UTC).astimezone(conference.tz)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local


def _description(state: VisibleState) -> str:
    """Abstract, then one line each for speakers, language and interpretation (those that are known)."""
    facts = [
        ("Speakers", ", ".join(state.speakers)),
        ("Language", state.language),
        ("Interpretation", ", ".join(state.interpretation)),
    ]
    lines = [f"{label}: {value}" for label, value in facts if value]
    parts = [_text(state.abstract).strip(), _text("\n".join(lines))]
    return "\n\n".join(p for p in parts if p)


def _text(value: str) -> str:
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
