"""Domain types of a conference: facts (rooms, people, time) kept apart from the decision (a timetable).

All datetimes are timezone-aware, in the conference's IANA zone. Durations carry their unit in the name.
The types are frozen: the solver, the checker, the importers and the web view share them read-only.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property, lru_cache
from itertools import combinations
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Window:
    """A half-open stretch of time [start, end)."""

    start: datetime
    end: datetime

    def contains(self, start: datetime, end: datetime) -> bool:
        return self.start.timestamp() <= start.timestamp() and end.timestamp() <= self.end.timestamp()

    @property
    def duration_min(self) -> int:
        # timestamps, not datetime subtraction: aware datetimes sharing a tzinfo subtract as wall-clock times
        return int((self.end.timestamp() - self.start.timestamp()) // 60)


@dataclass(frozen=True)
class Day:
    """A conference day and its open periods: the windows sessions may occupy (a session never spans a break)."""

    date: date
    periods: tuple[Window, ...]


@dataclass(frozen=True)
class Room:
    room_id: str
    name: str
    capacity: int
    booths: int = 0  # interpretation channels the room can carry at once
    features: frozenset[str] = frozenset()
    # When the room can be used; empty means open throughout the conference. A session (and its relay into an
    # overflow room) must lie inside one window; the changeover after it need not.
    availability: tuple[Window, ...] = ()


@dataclass(frozen=True)
class Speaker:
    speaker_id: str
    name: str
    languages: frozenset[str] = frozenset()
    country: str = ""
    bio: str = ""
    # Empty means available throughout the conference.
    availability: tuple[Window, ...] = ()
    # Windows the speaker would rather present in (a soft wish, within availability); empty means no wish.
    preferred: tuple[Window, ...] = ()


@dataclass(frozen=True)
class Session:
    session_id: str
    title: str
    duration_min: int
    speakers: tuple[str, ...] = ()
    language: str = ""
    interpretation: frozenset[str] = frozenset()  # target languages of simultaneous interpretation
    track: str = ""
    kind: str = ""
    expected_audience: int = 0
    needs: frozenset[str] = frozenset()  # room features required
    fixed_start: datetime | None = None
    fixed_room: str | None = None
    plenary: bool = False  # nothing else runs at the same time
    after: tuple[str, ...] = ()  # sessions that must end before this one starts
    overflow_rooms: tuple[str, ...] = ()  # rooms relaying this session live, busy meanwhile
    priority: int = 0  # with --allow-unplaced, lower priority is left out first
    abstract: str = ""

    def followable_in(self, languages: frozenset[str] | set[str]) -> bool:
        """Whether someone who understands `languages` can follow it, natively or through interpretation."""
        return self.language in languages or bool(self.interpretation & set(languages))

    @property
    def audible_languages(self) -> frozenset[str]:
        return frozenset({self.language} | self.interpretation) - {""}


@dataclass(frozen=True)
class Attendee:
    attendee_id: str
    languages: frozenset[str] = frozenset()
    interests: tuple[str, ...] = ()  # session ids they want to attend


@dataclass(frozen=True)
class InterpreterTeam:
    """A booth team that interprets between two languages (both directions)."""

    team_id: str
    languages: tuple[str, str]  # sorted pair, e.g. ("it", "ru")
    windows: tuple[Window, ...] = ()  # empty means available throughout


def language_pair(a: str, b: str) -> tuple[str, str]:
    """The canonical (sorted) form of an interpretation pair."""
    return (a, b) if a <= b else (b, a)


@lru_cache(maxsize=4)
def co_interest(attendees: tuple[Attendee, ...]) -> dict[tuple[str, str], int]:
    """How many attendees want each pair of sessions (pairs sorted); cached, as every neighbourhood needs it."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for a in attendees:
        for i, j in combinations(sorted(set(a.interests)), 2):
            counts[(i, j)] += 1
    return counts


@dataclass(frozen=True)
class Weights:
    """Weights of the soft goals; every unit of a term costs its weight in the objective."""

    attendee_conflict: int = 10  # per attendee per pair of wanted sessions running at the same time
    track_parallel: int = 30  # per pair of same-track sessions running at the same time
    language_coverage: int = 5  # per language group and grid step with sessions running but none it can follow
    speaker_preference: int = 20  # per session held outside its speakers' preferred windows
    track_room_stability: int = 15  # per extra room a track is spread over
    moved: int = 1000  # per session moved from the reference timetable (minimal-change re-solve)
    unplaced: int = 100_000  # per session left out (times 1 + priority) with --allow-unplaced


def name_slug(name: str) -> str:
    """A lowercase ASCII slug of a conference name ("Rome Peace Conference 2023" -> "rome-peace-conference-2023").
    A name with no ASCII letter ("Мирная конференция 2024") gets "conference-" and a hash of the whole name: its
    digits alone ("2024") would give two such conferences the same UIDs."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:64].strip("-")
    if re.search(r"[a-z]", slug):
        return slug
    return f"conference-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


# A conference slug goes unchanged into every calendar UID's domain part.
SLUG_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")


@dataclass(frozen=True)
class Conference:
    name: str
    timezone: str
    granularity_min: int
    days: tuple[Day, ...]
    rooms: tuple[Room, ...]
    speakers: tuple[Speaker, ...]
    sessions: tuple[Session, ...]
    languages: tuple[str, ...] = ()
    attendees: tuple[Attendee, ...] = ()
    interpreters: tuple[InterpreterTeam, ...] = ()
    changeover_min: int = 0  # minimum gap between two sessions in the same room
    weights: Weights = field(default_factory=Weights)
    # True when interpreters.csv was given: then teams are a limited resource; otherwise only booths count.
    interpreters_limited: bool = False
    # What calendar clients and frab consumers know the conference by (event UIDs, guids). Empty: derived from
    # the name, so a typo fixed in the name would change every UID and subscribers would see every event twice.
    slug: str = ""

    @property
    def identity(self) -> str:
        """What exported identifiers (calendar UIDs, frab guids and ids) derive from: the slug when set, else a
        slug of the name."""
        return self.slug or name_slug(self.name)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def room_by_id(self) -> dict[str, Room]:
        return {r.room_id: r for r in self.rooms}

    @cached_property
    def speaker_by_id(self) -> dict[str, Speaker]:
        return {s.speaker_id: s for s in self.speakers}

    @cached_property
    def session_by_id(self) -> dict[str, Session]:
        return {s.session_id: s for s in self.sessions}

    def only(self, session_ids: Iterable[str]) -> Conference:
        """The conference with only these sessions (`after` orders between them kept, the others dropped) and no
        attendees: the hard rules of part of a conference, to solve or check on its own."""
        keep = set(session_ids)
        sessions = tuple(replace(s, after=tuple(a for a in s.after if a in keep))
                         for s in self.sessions if s.session_id in keep)
        return replace(self, sessions=sessions, attendees=())

    @property
    def periods(self) -> tuple[Window, ...]:
        return tuple(p for d in self.days for p in d.periods)


@dataclass(frozen=True)
class Assignment:
    session_id: str
    room_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Timetable:
    """The decision: where and when each placed session runs; `unplaced` lists sessions left out."""

    assignments: tuple[Assignment, ...]
    unplaced: tuple[str, ...] = ()

    @cached_property
    def by_session(self) -> dict[str, Assignment]:
        return {a.session_id: a for a in self.assignments}

    def sorted(self) -> Timetable:
        return Timetable(
            tuple(sorted(self.assignments, key=lambda a: (a.start, a.room_id, a.session_id))),
            tuple(sorted(self.unplaced)),
        )

