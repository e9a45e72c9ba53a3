"""Data access for the web view: where a published schedule comes from, and a read-only view of it for pages.

Views never load files or call the solver: they ask `current_programme()` for a `Programme`, which wraps one
snapshot (the conference plus its published versions) and computes the lookups, filters, search and day grids
the pages need, once per snapshot. The snapshot comes from a `ScheduleSource`, chosen by configuration
(`SCHEDULE_SOURCE`), so a database-backed store can replace the folder of files without touching a view.
"""

from __future__ import annotations

import logging
import math
import threading
import unicodedata
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol, TypeVar

from flask import Flask, current_app, g

from scheduler.domain import Assignment, Conference, Room, Session, Speaker, Timetable
from scheduler.errors import InputError
from scheduler.loader import load_conference
from scheduler.revisions import PublishedVersion
from scheduler.timetable_io import read_timetable

log = logging.getLogger(__name__)
T = TypeVar("T")
MEMO_LIMIT = 1024  # derived documents (feed bodies) kept per snapshot

EXTENSION_KEY = "agenda.schedule"


# --------------------------------------------------------------------------- sources


class ScheduleSource(Protocol):
    """Where published schedules come from (a folder of files today, a database later)."""

    def fingerprint(self) -> Hashable:
        """A cheap value that changes whenever `load()` would return something different."""

    def load(self) -> tuple[Conference, tuple[PublishedVersion, ...]]:
        """The conference and its published versions, oldest first (empty when nothing is published yet)."""


class FolderSource:
    """A conference folder (or workbook) and one timetable CSV, presented as a single published version.

    Without a timetable file the conference is shown as not yet published. The published time is the latest
    modification time of the timetable and the conference's files, so feeds' Last-Modified moves when the
    committee writes a new timetable and also when it corrects a title or a room name: a client revalidating with
    If-Modified-Since alone would otherwise keep the old text.
    """

    def __init__(self, conference_path: str | Path, timetable_csv: str | Path | None = None):
        self.conference_path = Path(conference_path)
        self.timetable_csv = Path(timetable_csv) if timetable_csv else None

    def _watched(self) -> list[Path]:
        # Every file of the folder, not only the ones the loader reads today: a new optional file
        # (attendees.csv, interpreters.csv) changes the conference too.
        files = [self.conference_path] if self.conference_path.is_file() else sorted(
            p for p in self.conference_path.iterdir() if p.is_file())
        if self.timetable_csv is not None:
            files.append(self.timetable_csv)
        return files

    def fingerprint(self) -> Hashable:
        stamps = []
        for path in self._watched():
            try:
                st = path.stat()
            except FileNotFoundError:
                stamps.append((str(path), None))
            else:
                stamps.append((str(path), st.st_mtime_ns, st.st_size))
        return tuple(stamps)

    def load(self) -> tuple[Conference, tuple[PublishedVersion, ...]]:
        conference = load_conference(self.conference_path)
        if self.timetable_csv is None:
            return conference, ()
        timetable = read_timetable(self.timetable_csv, conference)
        published_at = datetime.fromtimestamp(max(path.stat().st_mtime for path in self._watched()), tz=UTC)
        return conference, (PublishedVersion(1, published_at.replace(microsecond=0), conference, timetable),)


class StaticSource:
    """A schedule held in memory (tests, benchmarks, and the future store's fixtures)."""

    def __init__(self, conference: Conference, versions: Sequence[PublishedVersion] = ()):
        self.conference = conference
        self.versions = tuple(versions)

    def fingerprint(self) -> Hashable:
        return id(self.conference), tuple(id(v) for v in self.versions)

    def load(self) -> tuple[Conference, tuple[PublishedVersion, ...]]:
        return self.conference, self.versions


class ScheduleCache:
    """The app's current `Programme`, rebuilt when the source's fingerprint changes.

    A reload that fails (a file saved half-way, a typo in a CSV) keeps the last good programme and logs the
    problems, so the public site never goes down while the committee edits; the first load must succeed.
    The source is made on first use, so an app can be created (e.g. to list its routes) without any data.
    """

    def __init__(self, make_source: Callable[[], ScheduleSource]):
        self._make_source = make_source
        self._source: ScheduleSource | None = None
        self._lock = threading.Lock()
        self._fingerprint: Hashable = object()
        self._programme: Programme | None = None
        self.last_error: InputError | None = None

    @property
    def source(self) -> ScheduleSource:
        if self._source is None:
            self._source = self._make_source()
        return self._source

    def get(self) -> Programme:
        fingerprint = self.source.fingerprint()
        if self._programme is not None and fingerprint == self._fingerprint:
            return self._programme
        with self._lock:
            if self._programme is None or fingerprint != self._fingerprint:
                try:
                    conference, versions = self.source.load()
                except InputError as err:
                    if self._programme is None:
                        raise
                    self.last_error = err
                    log.error("schedule reload failed, still serving the previous one:\n%s", err)
                else:
                    self._programme = Programme(conference, versions)
                    self.last_error = None
                # Remember the fingerprint even after a failure: retrying a broken file on every request is
                # wasted work, and the next save changes the fingerprint again.
                self._fingerprint = fingerprint
            return self._programme


def source_from_config(app: Flask) -> ScheduleSource:
    """The source named by the app's configuration.

    `SCHEDULE_SOURCE` may be a ready source or a factory taking the app (the future SQLite store plugs in
    here); otherwise `CONFERENCE_PATH` and the optional `TIMETABLE_CSV` make a `FolderSource`.
    """
    configured = app.config.get("SCHEDULE_SOURCE")
    if configured is not None:
        return configured if hasattr(configured, "load") else configured(app)
    path = app.config.get("CONFERENCE_PATH")
    if not path:
        raise RuntimeError("configure CONFERENCE_PATH (a conference folder) or SCHEDULE_SOURCE")
    return FolderSource(path, app.config.get("TIMETABLE_CSV"))


def init_app(app: Flask) -> None:
    """Attach the schedule cache to the app."""
    app.extensions[EXTENSION_KEY] = ScheduleCache(lambda: source_from_config(app))


def schedule_cache(app: Flask | None = None) -> ScheduleCache:
    """The app's schedule cache."""
    return (app or current_app).extensions[EXTENSION_KEY]


def current_programme() -> Programme:
    """The programme for this request; one request sees one snapshot even if the files change meanwhile."""
    if "programme" not in g:
        g.programme = schedule_cache().get()
    return g.programme


# --------------------------------------------------------------------------- the programme


def fold(text: str) -> str:
    """Lower-case, accent-free form for matching ("Città" finds "citta"); webview/static/agenda.js does the same."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass(frozen=True)
class Slot:
    """A session with its place in the latest published timetable (assignment None when not placed)."""

    session: Session
    assignment: Assignment | None
    day: date | None

    @property
    def session_id(self) -> str:
        return self.session.session_id

    @property
    def start(self) -> datetime | None:
        return self.assignment.start if self.assignment else None

    @property
    def end(self) -> datetime | None:
        return self.assignment.end if self.assignment else None


@dataclass(frozen=True)
class Filters:
    """What a visitor narrowed the timetable to; empty fields do not filter.

    `language`: held in that language; `follow`: followable in it, natively or through interpretation;
    `speaker`: part of a speaker's name; `q`: words that must all appear in title, abstract, speakers or track.
    """

    language: str = ""
    follow: str = ""
    track: str = ""
    room: str = ""
    kind: str = ""
    speaker: str = ""
    q: str = ""

    FIELDS = ("language", "follow", "track", "room", "kind", "speaker", "q")

    @classmethod
    def from_args(cls, args: dict | object) -> Filters:
        get = args.get  # a dict or werkzeug's MultiDict
        return cls(**{name: (get(name) or "").strip()[:200] for name in cls.FIELDS})

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in self.FIELDS)

    def as_args(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.FIELDS if getattr(self, name)}


@dataclass(frozen=True)
class Clash:
    """Two starred sessions that overlap in time."""

    first: Slot
    second: Slot


@dataclass(frozen=True)
class GridItem:
    """One box of the day grid, positioned by CSS grid lines (column 1 and row 1 hold the labels)."""

    slot: Slot
    row_start: int
    row_end: int
    col_start: int
    col_end: int
    relay: bool = False  # the live relay of a session in one of its overflow rooms


@dataclass(frozen=True)
class GridMark:
    """A time label (kind "time") or a break between open periods (kind "break") occupying grid rows."""

    kind: str
    row_start: int
    row_end: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class DayGrid:
    """The layout of one day: rooms across, time down, in rows of `step_min` minutes, breaks compressed."""

    day: date
    rooms: tuple[Room, ...]
    step_min: int
    rows: int
    marks: tuple[GridMark, ...]
    items: tuple[GridItem, ...]

    def sequence(self) -> list[GridMark | GridItem]:
        """Marks and items in reading order (time, then column), which is also the list view's order."""
        def key(x: GridMark | GridItem) -> tuple:
            if isinstance(x, GridMark):
                return (x.row_start, 0, 0)
            return (x.row_start, 1 if not x.relay else 2, x.col_start)
        return sorted([*self.marks, *self.items], key=key)


@dataclass
class Programme:
    """A read-only view of one snapshot of the schedule, with everything pages look up precomputed."""

    conference: Conference
    versions: tuple[PublishedVersion, ...]
    slots: dict[str, Slot] = field(init=False)
    days: tuple[date, ...] = field(init=False)

    def __post_init__(self) -> None:
        conf = self.conference
        self.timetable: Timetable | None = self.versions[-1].timetable if self.versions else None
        by_session = self.timetable.by_session if self.timetable else {}
        self.slots = {}
        for session in conf.sessions:
            assignment = by_session.get(session.session_id)
            self.slots[session.session_id] = Slot(session, assignment, self._day_of(assignment))
        self.days = tuple(d.date for d in conf.days)
        extra_days = sorted({s.day for s in self.slots.values() if s.day and s.day not in self.days})
        self.days = tuple(sorted(self.days + tuple(extra_days)))
        self._room_order = {r.room_id: i for i, r in enumerate(conf.rooms)}
        placed = sorted((s for s in self.slots.values() if s.assignment), key=self._sort_key)
        self.placed: tuple[Slot, ...] = tuple(placed)
        self.unplaced: tuple[Slot, ...] = tuple(s for s in self.slots.values() if not s.assignment)
        self.by_day: dict[date, list[Slot]] = defaultdict(list)
        self.by_room: dict[str, list[Slot]] = defaultdict(list)
        self.relays_by_room: dict[str, list[Slot]] = defaultdict(list)
        for slot in placed:
            self.by_day[slot.day].append(slot)
            self.by_room[slot.assignment.room_id].append(slot)
            for room_id in slot.session.overflow_rooms:
                self.relays_by_room[room_id].append(slot)
        ordered = placed + list(self.unplaced)
        self.by_speaker: dict[str, list[Slot]] = defaultdict(list)
        self.by_track: dict[str, list[Slot]] = defaultdict(list)
        for slot in ordered:
            for speaker_id in slot.session.speakers:
                self.by_speaker[speaker_id].append(slot)
            if slot.session.track:
                self.by_track[slot.session.track].append(slot)
        self.tracks: tuple[str, ...] = tuple(sorted(self.by_track, key=fold))
        self.track_position: dict[str, int] = {t: i for i, t in enumerate(self.tracks)}
        self.kinds: tuple[str, ...] = tuple(sorted({s.kind for s in conf.sessions if s.kind}, key=fold))
        self.speakers: tuple[Speaker, ...] = tuple(sorted(conf.speakers, key=lambda sp: fold(sp.name)))
        self.languages: tuple[str, ...] = conf.languages or tuple(
            sorted({lang for s in conf.sessions for lang in s.audible_languages}))
        self._speaker_names = {s.session_id: fold(", ".join(self.speaker_names(s))) for s in conf.sessions}
        self._haystack = {
            s.session_id: fold(" ".join((s.title, s.abstract, s.track, s.kind))) + " " + self._speaker_names[sid]
            for sid, s in conf.session_by_id.items()
        }
        self._grids: dict[date, DayGrid] = {}
        self._memo: OrderedDict[Hashable, object] = OrderedDict()
        self._memo_lock = threading.Lock()

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """`build()` once per key for this snapshot (least recently used dropped past MEMO_LIMIT): feeds are
        polled far more often than the schedule changes, and the cache goes away with the snapshot."""
        with self._memo_lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        value = build()
        with self._memo_lock:
            self._memo[key] = value
            while len(self._memo) > MEMO_LIMIT:
                self._memo.popitem(last=False)
        return value

    # ---- lookups

    @property
    def version(self) -> PublishedVersion | None:
        return self.versions[-1] if self.versions else None

    def _day_of(self, assignment: Assignment | None) -> date | None:
        if assignment is None:
            return None
        # A session after midnight in a night period ("20:00-02:00") belongs to the day the period opened on.
        for day in self.conference.days:
            if any(p.start <= assignment.start < p.end for p in day.periods):
                return day.date
        return assignment.start.astimezone(self.conference.tz).date()

    def _sort_key(self, slot: Slot) -> tuple:
        a = slot.assignment
        return (a.start, self._room_order.get(a.room_id, len(self._room_order)), a.end, slot.session_id)

    def room(self, room_id: str) -> Room | None:
        return self.conference.room_by_id.get(room_id)

    def speaker(self, speaker_id: str) -> Speaker | None:
        return self.conference.speaker_by_id.get(speaker_id)

    def speaker_names(self, session: Session) -> list[str]:
        return [self.conference.speaker_by_id[i].name for i in session.speakers if i in self.conference.speaker_by_id]

    def slot(self, session_id: str) -> Slot | None:
        return self.slots.get(session_id)

    def published_name(self, kind: str, key: str) -> str | None:
        """The name a session (its title), speaker, room or track (`kind`) had in the latest published version
        that placed or knew it, or None when none did. A feed outlives what it follows: when a session, speaker
        or room is deleted, its subscribers must still be sent the cancellations."""
        for version in reversed(self.versions):
            conf = version.conference
            if kind == "session":
                session = conf.session_by_id.get(key)
                if session is not None and key in version.timetable.by_session:
                    return session.title
            elif kind == "speaker":
                if key in conf.speaker_by_id:
                    return conf.speaker_by_id[key].name
            elif kind == "room":
                if key in conf.room_by_id:
                    return conf.room_by_id[key].name
            elif kind == "track":
                if any(s.track == key for s in conf.sessions):
                    return key
            else:
                raise ValueError(f"unknown kind {kind!r}")
        return None

    def today(self, now: datetime | None = None) -> date | None:
        """The conference day it is now in the conference's time zone, or None outside the conference."""
        now = (now or datetime.now(UTC)).astimezone(self.conference.tz)
        return now.date() if now.date() in self.days else None

    # ---- filters and search

    def matches(self, slot: Slot, filters: Filters) -> bool:
        s = slot.session
        if filters.language and s.language != filters.language:
            return False
        if filters.follow and not s.followable_in({filters.follow}):
            return False
        if filters.track and s.track != filters.track:
            return False
        if filters.kind and s.kind != filters.kind:
            return False
        if filters.room and not (slot.assignment and (
                slot.assignment.room_id == filters.room or filters.room in s.overflow_rooms)):
            return False
        if filters.speaker and fold(filters.speaker) not in self._speaker_names[s.session_id]:
            return False
        if filters.q:
            haystack = self._haystack[s.session_id]
            return all(word in haystack for word in fold(filters.q).split())
        return True

    def select(self, filters: Filters, slots: Iterable[Slot] | None = None) -> list[Slot]:
        """The slots (all sessions, placed ones first in time order, unless given) that pass the filters."""
        pool = self.placed + self.unplaced if slots is None else slots
        return [s for s in pool if self.matches(s, filters)]

    # ---- personal agenda

    def selection(self, session_ids: Iterable[str]) -> list[Slot]:
        """Known sessions among `session_ids`, placed ones in time order, then the unplaced."""
        wanted = {i for i in session_ids if i in self.slots}
        placed = [s for s in self.placed if s.session_id in wanted]
        return placed + [s for s in self.unplaced if s.session_id in wanted]

    @staticmethod
    def clashes(slots: Sequence[Slot]) -> list[Clash]:
        """Pairs of placed slots whose [start, end) overlap, in time order (a sweep over start-sorted slots)."""
        placed = sorted((s for s in slots if s.assignment), key=lambda s: (s.start, s.end, s.session_id))
        found: list[Clash] = []
        for i, first in enumerate(placed):
            for second in placed[i + 1:]:
                if second.start >= first.end:
                    break
                found.append(Clash(first, second))
        return found

    # ---- the day grid

    def grid(self, day: date) -> DayGrid:
        """The layout of `day` (cached: the programme never changes)."""
        if day not in self._grids:
            self._grids[day] = self._build_grid(day)
        return self._grids[day]

    def _build_grid(self, day: date) -> DayGrid:
        conf = self.conference
        slots = self.by_day.get(day, [])
        used = {s.assignment.room_id for s in slots} | {r for s in slots for r in s.session.overflow_rooms}
        rooms = tuple(r for r in conf.rooms if r.room_id in used)
        column = {r.room_id: i + 2 for i, r in enumerate(rooms)}

        conf_day = next((d for d in conf.days if d.date == day), None)
        spans = [(p.start, p.end) for p in (conf_day.periods if conf_day else ())]
        spans += [(s.start, s.end) for s in slots]
        segments = _merge(spans)
        step = _step_min(conf.granularity_min, segments, slots)

        # Row lines: line 1 is the room header; each segment gets ceil(length / step) rows, and one
        # compressed row marks each break between segments.
        first_line: list[int] = []
        marks: list[GridMark] = []
        line = 2
        for i, (start, end) in enumerate(segments):
            if i:
                previous_end = segments[i - 1][1]
                marks.append(GridMark("break", line, line + 1, previous_end, start))
                line += 1
            first_line.append(line)
            n_rows = math.ceil(_minutes(end - start) / step)
            for k in range(n_rows):
                t = start + timedelta(minutes=k * step)
                local = t.astimezone(conf.tz)
                if k == 0 or step >= 30 or (local.hour * 60 + local.minute) % 30 == 0:
                    marks.append(GridMark("time", line + k, line + k + 1, t, t + timedelta(minutes=step)))
            line += n_rows

        def row_of(t: datetime, *, ceil: bool) -> int:
            for (start, end), first in zip(segments, first_line, strict=True):
                if start <= t <= end:
                    offset = _minutes(t - start) / step
                    return first + (math.ceil(offset) if ceil else math.floor(offset))
            raise ValueError(f"{t} lies in no segment")  # cannot happen: segments cover every slot

        items: list[GridItem] = []
        for slot in slots:
            r0 = row_of(slot.start, ceil=False)
            r1 = max(row_of(slot.end, ceil=True), r0 + 1)
            if slot.session.plenary and rooms:
                items.append(GridItem(slot, r0, r1, 2, len(rooms) + 2))
                continue
            c = column[slot.assignment.room_id]
            items.append(GridItem(slot, r0, r1, c, c + 1))
            for room_id in slot.session.overflow_rooms:
                c = column[room_id]
                items.append(GridItem(slot, r0, r1, c, c + 1, relay=True))
        return DayGrid(day, rooms, step, line - 1, tuple(marks), tuple(items))


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _merge(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _step_min(granularity_min: int, segments: list[tuple[datetime, datetime]], slots: list[Slot]) -> int:
    """The coarsest row height that puts every start and end on a row line, but never finer than 5 minutes:
    a 47-minute talk would otherwise make one-minute rows and a page ten times heavier."""
    step = granularity_min
    for seg_start, seg_end in segments:
        step = math.gcd(step, _minutes(seg_end - seg_start))
        for slot in slots:
            if seg_start <= slot.start <= seg_end:
                step = math.gcd(step, _minutes(slot.start - seg_start))
                step = math.gcd(step, _minutes(slot.end - seg_start))
    return max(step, 5) if step else max(granularity_min, 5)
