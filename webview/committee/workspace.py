"""The committee's edits as plain functions on domain objects, and what the checker says about them.

Every edit returns the new conference and draft timetable with a one-line summary (kept in the draft history and
shown to a colleague whose save conflicts). `preview` runs the independent checker on the draft before and after
the edit: the hard violations the edit causes or clears, and each soft goal's change, shown before anything is
saved. No Flask and no database here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from markupsafe import Markup, escape

from scheduler.checker import SOFT_GOALS, CheckReport, Violation, check
from scheduler.domain import Assignment, Conference, Session, Timetable, Window
from scheduler.loader import parse_datetime
from scheduler.wording import OUTSIDE, outside_all


class EditError(ValueError):
    """The edit makes no sense for this conference (unknown id, a time outside the conference...)."""


@dataclass(frozen=True)
class Edit:
    conference: Conference
    timetable: Timetable | None
    summary: str


# ---------------------------------------------------------------------------------------------------------------
# Edits


def _session(conference: Conference, session_id: str) -> Session:
    session = conference.session_by_id.get(session_id)
    if session is None:
        raise EditError(f"no session '{session_id}'")
    return session


def _room(conference: Conference, room_id: str) -> None:
    if room_id not in conference.room_by_id:
        raise EditError(f"no room '{room_id}'")


def _with_sessions(conference: Conference, sessions: Iterable[Session]) -> Conference:
    return replace(conference, sessions=tuple(sessions))


def _place(timetable: Timetable | None, session_id: str, room_id: str, start: datetime, duration_min: int
           ) -> Timetable:
    end = datetime.fromtimestamp(start.timestamp() + duration_min * 60, start.tzinfo)
    others = tuple(a for a in (timetable.assignments if timetable else ()) if a.session_id != session_id)
    unplaced = tuple(s for s in (timetable.unplaced if timetable else ()) if s != session_id)
    return Timetable(others + (Assignment(session_id, room_id, start, end),), unplaced).sorted()


def pin_session(conference: Conference, timetable: Timetable | None, session_id: str, start: datetime | None,
                room_id: str | None) -> Edit:
    """Pin a session's start and/or room (None unpins that part) and move it there in the draft timetable, so the
    draft keeps agreeing with its pins where it can."""
    session = _session(conference, session_id)
    if room_id is not None:
        _room(conference, room_id)
    pinned = replace(session, fixed_start=start, fixed_room=room_id)
    new_conference = _with_sessions(conference, (pinned if s.session_id == session_id else s
                                                 for s in conference.sessions))
    placed = timetable.by_session.get(session_id) if timetable else None
    new_timetable = timetable
    target_start = start or (placed.start if placed else None)
    target_room = room_id or (placed.room_id if placed else None)
    if target_start is not None and target_room is not None:
        new_timetable = _place(timetable, session_id, target_room, target_start, session.duration_min)
    parts = []
    if start is not None:
        parts.append(f"start {start:%a %d %b %H:%M}")
    if room_id is not None:
        parts.append(f"room {conference.room_by_id[room_id].name}")
    summary = (f"pinned '{session.title}' to {' and '.join(parts)}" if parts
               else f"unpinned '{session.title}'")
    return Edit(new_conference, new_timetable, summary)


def move_session(conference: Conference, timetable: Timetable | None, session_id: str, start: datetime,
                 room_id: str) -> Edit:
    """Move a session by hand in the draft timetable (no pin: a later solve may move it again)."""
    session = _session(conference, session_id)
    _room(conference, room_id)
    return Edit(conference, _place(timetable, session_id, room_id, start, session.duration_min),
                f"moved '{session.title}' to {start:%a %d %b %H:%M} in {conference.room_by_id[room_id].name}")


def withdraw_session(conference: Conference, timetable: Timetable | None, session_id: str) -> Edit:
    """Take a session out of the programme (the feeds then show it as cancelled once published). Other sessions'
    `after` lists and attendees' interests forget it, as the input format requires."""
    session = _session(conference, session_id)
    sessions = (replace(s, after=tuple(a for a in s.after if a != session_id))
                for s in conference.sessions if s.session_id != session_id)
    attendees = tuple(replace(a, interests=tuple(i for i in a.interests if i != session_id))
                      for a in conference.attendees)
    new_conference = replace(_with_sessions(conference, sessions), attendees=attendees)
    new_timetable = None
    if timetable is not None:
        new_timetable = Timetable(tuple(a for a in timetable.assignments if a.session_id != session_id),
                                  tuple(s for s in timetable.unplaced if s != session_id))
    return Edit(new_conference, new_timetable, f"withdrew '{session.title}'")


def set_availability(conference: Conference, timetable: Timetable | None, speaker_id: str,
                     availability: tuple[Window, ...], preferred: tuple[Window, ...]) -> Edit:
    """Replace a speaker's availability (empty: available throughout) and preferred windows."""
    speaker = conference.speaker_by_id.get(speaker_id)
    if speaker is None:
        raise EditError(f"no speaker '{speaker_id}'")
    changed = replace(speaker, availability=availability, preferred=preferred)
    speakers = tuple(changed if s.speaker_id == speaker_id else s for s in conference.speakers)
    what = (f"available only {describe_windows(availability, conference)}" if availability
            else "available throughout")
    return Edit(replace(conference, speakers=speakers), timetable, f"{speaker.name} is now {what}")


def withdraw_speaker(conference: Conference, timetable: Timetable | None, speaker_id: str) -> Edit:
    """A speaker cancels: they leave the conference and every session they were in (the sessions stay)."""
    speaker = conference.speaker_by_id.get(speaker_id)
    if speaker is None:
        raise EditError(f"no speaker '{speaker_id}'")
    sessions = (replace(s, speakers=tuple(p for p in s.speakers if p != speaker_id)) for s in conference.sessions)
    new_conference = replace(_with_sessions(conference, sessions),
                             speakers=tuple(s for s in conference.speakers if s.speaker_id != speaker_id))
    return Edit(new_conference, timetable, f"{speaker.name} withdrew from the conference")


def set_room_availability(conference: Conference, timetable: Timetable | None, room_id: str,
                          windows: tuple[Window, ...]) -> Edit:
    """Replace the times a room is open (empty: open throughout). Sessions placed or relayed there stay where they
    are: the checker then flags those now outside the room's windows, as it does after a speaker's change."""
    _room(conference, room_id)
    room = conference.room_by_id[room_id]
    rooms = tuple(replace(r, availability=windows) if r.room_id == room_id else r for r in conference.rooms)
    what = f"open only {describe_windows(windows, conference)}" if windows else "open throughout"
    return Edit(replace(conference, rooms=rooms), timetable, f"room {room.name} is now {what}")


def remove_room(conference: Conference, timetable: Timetable | None, room_id: str) -> Edit:
    """A room is lost: it leaves the conference; pins to it and relays into it are dropped (the summary says
    which), and sessions placed in it keep their place in the draft until a re-solve moves them."""
    _room(conference, room_id)
    room = conference.room_by_id[room_id]
    unpinned = [s.title for s in conference.sessions if s.fixed_room == room_id]
    sessions = (replace(s, fixed_room=None if s.fixed_room == room_id else s.fixed_room,
                        overflow_rooms=tuple(r for r in s.overflow_rooms if r != room_id))
                for s in conference.sessions)
    new_conference = replace(_with_sessions(conference, sessions),
                             rooms=tuple(r for r in conference.rooms if r.room_id != room_id))
    summary = f"room {room.name} is no longer available"
    if unpinned:
        summary += "; unpinned from it: " + ", ".join(f"'{t}'" for t in unpinned)
    return Edit(new_conference, timetable, summary)


# ---------------------------------------------------------------------------------------------------------------
# Windows as the committee types them


_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?")


def parse_moment(text: str, conference: Conference) -> datetime:
    """A local time typed in a form ("2023-10-13T09:30" or "2023-10-13 09:30"); raises EditError."""
    try:
        return parse_datetime(text.strip().replace(" ", "T", 1), conference.tz)
    except ValueError as err:
        raise EditError(str(err)) from None


def parse_windows(text: str, conference: Conference) -> tuple[Window, ...]:
    """One window per line, two local times each (as `window_example`); raises EditError naming every bad
    line."""
    windows, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        moments = _MOMENT.findall(line)
        if len(moments) != 2:
            problems.append(f"line {number}: write a start and an end, e.g. {window_example(conference)}")
            continue
        try:
            start, end = (parse_moment(m, conference) for m in moments)
        except EditError as err:
            problems.append(f"line {number}: {err}")
            continue
        if end.timestamp() <= start.timestamp():
            problems.append(f"line {number}: the end must come after the start")
            continue
        windows.append(Window(start, end))
    if problems:
        raise EditError("; ".join(problems))
    return tuple(sorted(windows, key=lambda w: w.start.timestamp()))


def window_example(conference: Conference) -> str:
    """The conference's first open period, written as the window fields read it: an example in its own dates."""
    first = min(conference.periods, key=lambda w: w.start.timestamp(), default=None)
    return format_windows([first], conference) if first else "2023-10-13 09:00 - 2023-10-13 13:00"


def format_windows(windows: Iterable[Window], conference: Conference) -> str:
    zone = conference.tz
    return "\n".join(f"{w.start.astimezone(zone):%Y-%m-%d %H:%M} - {w.end.astimezone(zone):%Y-%m-%d %H:%M}"
                     for w in windows)


def describe_windows(windows: Iterable[Window], conference: Conference) -> str:
    """"Fri 13 Oct 09:00-13:00, Sat 14 Oct 09:00-Sun 15 Oct 17:00": the end's day is named when it is not the
    start's (a speaker's window often spans days)."""
    zone, periods = conference.tz, conference.periods
    parts = []
    for w in windows:
        start, end = w.start.astimezone(zone), w.end.astimezone(zone)
        if periods and outside_all(w, periods):  # most often a mistyped date: the year shows it
            parts.append(f"{start:%a %d %b %Y %H:%M}-{end:%a %d %b %Y %H:%M} ({OUTSIDE})")
        else:
            parts.append(f"{start:%a %d %b %H:%M}-{end:%H:%M}" if end.date() == start.date()
                         else f"{start:%a %d %b %H:%M}-{end:%a %d %b %H:%M}")
    return ", ".join(parts)


def local_input(moment: datetime | None, conference: Conference) -> str:
    """A datetime as an <input type=datetime-local> value."""
    return f"{moment.astimezone(conference.tz):%Y-%m-%dT%H:%M}" if moment else ""


def grid_starts(conference: Conference) -> list[datetime]:
    """Every start on the grid inside an open period, for the time choices of the move and pin forms."""
    starts = []
    for period in conference.periods:
        t = period.start.timestamp()
        while t < period.end.timestamp():
            starts.append(datetime.fromtimestamp(t, conference.tz))
            t += conference.granularity_min * 60
    return starts


# ---------------------------------------------------------------------------------------------------------------
# The checker's verdict on an edit


@dataclass(frozen=True)
class SoftChange:
    goal: str
    before: int
    after: int
    weight: int

    @property
    def cost_delta(self) -> int:
        return (self.after - self.before) * self.weight


@dataclass(frozen=True)
class Preview:
    """What an edit does to the draft timetable, according to the checker."""

    after: CheckReport | None
    new_violations: tuple[Violation, ...]
    cleared_violations: tuple[Violation, ...]
    soft: tuple[SoftChange, ...]
    objective_before: int | None
    objective_after: int | None

    @property
    def ok(self) -> bool:
        return self.after is not None and self.after.ok


def check_draft(conference: Conference, timetable: Timetable | None, reference: Timetable | None = None
                ) -> CheckReport | None:
    """The checker on a draft (None without a timetable); sessions the timetable lists as unplaced are allowed."""
    if timetable is None:
        return None
    return check(conference, timetable, reference=reference, allow_unplaced=bool(timetable.unplaced))


def preview(before: Edit | tuple[Conference, Timetable | None], after: Edit, reference: Timetable | None = None
            ) -> Preview:
    """The checker before and after: violations caused and cleared, and every soft goal's change. `reference` (the
    latest published timetable) makes `moved` count the sessions attendees would see move."""
    conf_before, tt_before = (before.conference, before.timetable) if isinstance(before, Edit) else before
    report_before = check_draft(conf_before, tt_before, reference)
    report_after = check_draft(after.conference, after.timetable, reference)
    if report_after is None:
        return Preview(None, (), (), (), None, None)
    before_keys = {(v.rule, v.message) for v in (report_before.violations if report_before else ())}
    after_keys = {(v.rule, v.message) for v in report_after.violations}
    new = tuple(v for v in report_after.violations if (v.rule, v.message) not in before_keys)
    cleared = tuple(v for v in (report_before.violations if report_before else ())
                    if (v.rule, v.message) not in after_keys)
    soft = tuple(SoftChange(goal, report_before.soft[goal] if report_before else 0, report_after.soft[goal],
                            getattr(after.conference.weights, goal)) for goal in SOFT_GOALS)
    return Preview(report_after, new, cleared, soft, report_before.objective if report_before else None,
                   report_after.objective)


# ---------------------------------------------------------------------------------------------------------------
# Links in explanations


def linkify(line: str, conference: Conference, url_for_id) -> Markup:
    """`line` (plain text from the solver or checker) as HTML in which every session, speaker and room id is a link.

    `url_for_id(kind, id)` gives the link of a "session", "speaker" or "room". Ids are matched whole (not inside
    a longer id), longest first, so "WS-1" never links inside "WS-10".
    """
    kinds = {}
    for room_id in conference.room_by_id:
        kinds[room_id] = "room"
    for speaker_id in conference.speaker_by_id:
        kinds[speaker_id] = "speaker"
    for session_id in conference.session_by_id:
        kinds[session_id] = "session"
    if not kinds:
        return escape(line)
    alternatives = "|".join(re.escape(i) for i in sorted(kinds, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w/-])({alternatives})(?![\w/-])")
    out, last = [], 0
    for match in pattern.finditer(line):
        out.append(escape(line[last:match.start()]))
        ident = match.group(1)
        out.append(Markup('<a href="{}" class="ref {}">{}</a>').format(url_for_id(kinds[ident], ident),
                                                                       kinds[ident], ident))
        last = match.end()
    out.append(escape(line[last:]))
    return Markup("").join(out)
