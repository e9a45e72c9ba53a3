"""Synthetic conferences of any size, written in the ordinary conference folder format (docs/format.md).

Three profiles mirror the conferences the engine must serve, chosen by size unless named: `peace` (up to 80
sessions: a multilingual peace conference, seven languages, most sessions interpreted), `congress` (up to 400: a
hackers' congress in English and German with late-night blocks past midnight) and `science` (a large scientific
meeting, mostly English, many small parallel symposia).

Every instance is drawn around a hidden timetable, so every instance has a timetable that breaks no hard rule:
1. rooms (skewed capacities, booths, features), sessions (kind, duration, track, language, interpretation,
   needs, a Zipf-like popularity) and speakers (each in 1 to 3 sessions);
2. the hidden timetable: sessions placed greedily on the grid, most constrained first, respecting rooms with
   changeover, speakers, open periods, room suitability and (so the planted optimum is clean) tracks;
3. attendee languages, then interpretation added (or a session's language switched where no group loses by it)
   until every language group can follow something at every grid instant of the hidden timetable; a group that
   cannot be served that way also understands the lingua franca, which is made audible everywhere;
4. interpreter teams sized to the hidden timetable's peak demand per pair and day; speaker availability windows
   and preferred windows that contain the speakers' hidden sessions;
5. attendee interests drawn by popularity (with favourite tracks), never beyond the hidden room's capacity;
   the expected audience of a session is the number of attendees who want it.

With `planted=True` interests are drawn only among sessions that do not overlap in the hidden timetable, so the
hidden timetable (written as `planted-timetable.csv`) has zero attendee conflicts, zero track_parallel, zero
language_coverage and zero speaker_preference: the optimum of those goals is known. Without it, interests are
drawn freely and the instance is only known to be feasible.

Everything is drawn from numpy generators seeded by (seed, stream), one stream per step, so the same seed gives
byte-identical files, and a planted and an unplanted instance of the same seed share rooms, sessions, speakers
and the hidden timetable (they differ from the interests on). Sets are always sorted before they are iterated
so Python's per-process string hashing never changes the output.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import numpy as np

from scheduler.domain import (
    Assignment,
    Attendee,
    Conference,
    Day,
    InterpreterTeam,
    Room,
    Session,
    Speaker,
    Timetable,
    Window,
    language_pair,
)
from scheduler.folder import write_folder
from scheduler.timetable_io import write_timetable

PLANTED_FILE = "planted-timetable.csv"
# Every file this module may write: regenerating into a folder removes the ones a new instance does not have
# (a stale planted-timetable.csv beside an unplanted instance would lie).
GENERATED_FILES = (
    "conference.toml",
    "rooms.csv",
    "speakers.csv",
    "sessions.csv",
    "availability.csv",
    "attendees.csv",
    "interpreters.csv",
    PLANTED_FILE,
)

T = TypeVar("T")

MAX_SESSIONS_PER_SPEAKER = 3

# One numpy stream per step: a change to one step leaves the draws of the others alone.
_ROOMS, _SESSIONS, _SPEAKERS, _PLACE, _LANGUAGES, _TEAMS, _AVAILABILITY, _INTERESTS, _TITLES = range(9)


class GenerationError(ValueError):
    """The requested instance cannot be drawn (e.g. too few rooms or days for the sessions)."""


@dataclass(frozen=True)
class Kind:
    """A kind of session: how often it occurs, its durations, how many speakers it has and what room it needs."""

    name: str
    share: float
    durations: tuple[tuple[int, float], ...]  # (minutes, weight)
    speakers: tuple[int, int]  # inclusive range
    needs: frozenset[str] = frozenset()
    tracked: bool = True  # keynotes belong to no track


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    timezone: str
    first_day: date  # chosen so the default number of days crosses no daylight-saving change
    periods: tuple[str, ...]  # open periods of every day ("22:00-00:30" ends the next day)
    changeover_min: int
    session_languages: tuple[tuple[str, float], ...]  # first is the lingua franca
    attendee_languages: tuple[tuple[str, float], ...]  # primary language of an attendee
    also_lingua_franca_p: float  # chance an attendee whose first language is another also understands it
    third_language_p: float
    interpretation_p: float
    max_targets: int
    booth_room_share: float  # the largest rooms have booths
    max_booths: int
    kinds: tuple[Kind, ...]
    tracks: tuple[str, ...]
    track_size: int  # sessions per track on average
    interests_mean: float
    zipf_s: float
    topics: tuple[str, ...]
    granularity_min: int = 15

    @property
    def lingua_franca(self) -> str:
        return self.session_languages[0][0]

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang, _ in self.session_languages)


_STAGE = frozenset({"stage", "streaming"})
_WORKSHOP = frozenset({"workshop"})

PROFILES: dict[str, Profile] = {
    "peace": Profile(
        name="peace",
        label="Peace Conference",
        timezone="Europe/Rome",
        first_day=date(2025, 10, 13),
        periods=("09:30-11:00", "11:30-13:00", "14:30-16:00", "16:30-18:30"),
        changeover_min=10,
        session_languages=(
            ("en", 0.3),
            ("it", 0.3),
            ("ru", 0.1),
            ("uk", 0.1),
            ("de", 0.08),
            ("es", 0.06),
            ("fr", 0.06),
        ),
        attendee_languages=(
            ("it", 0.35),
            ("en", 0.2),
            ("ru", 0.1),
            ("uk", 0.1),
            ("de", 0.1),
            ("es", 0.08),
            ("fr", 0.07),
        ),
        also_lingua_franca_p=0.55,
        third_language_p=0.25,
        interpretation_p=0.65,
        max_targets=3,
        booth_room_share=1.0,
        max_booths=6,
        kinds=(
            Kind("panel", 0.45, ((60, 0.3), (90, 0.7)), (3, 4)),
            Kind("talk", 0.35, ((30, 0.3), (45, 0.4), (60, 0.3)), (1, 1)),
            Kind("testimony", 0.12, ((30, 0.5), (45, 0.5)), (1, 2)),
            Kind("workshop", 0.06, ((90, 1.0),), (1, 2), _WORKSHOP),
            Kind("keynote", 0.02, ((60, 1.0),), (1, 1), _STAGE, tracked=False),
        ),
        tracks=("war-zone", "humanitarian", "diplomacy", "reconstruction", "interfaith", "youth", "media", "justice"),
        track_size=9,
        interests_mean=5.0,
        zipf_s=0.8,
        topics=(
            "ceasefire",
            "refugees",
            "dialogue",
            "memory",
            "children",
            "water",
            "hospitals",
            "prisoners",
            "mediation",
            "schools",
            "mines",
            "elections",
            "truth commissions",
            "sanctions",
            "famine",
        ),
    ),
    "congress": Profile(
        name="congress",
        label="Hackers' Congress",
        timezone="Europe/Berlin",
        first_day=date(2025, 12, 27),
        periods=("11:00-12:30", "13:00-14:30", "15:00-16:30", "17:00-18:30", "20:00-21:30", "22:00-00:30"),
        changeover_min=15,
        session_languages=(("en", 0.7), ("de", 0.3)),
        attendee_languages=(("de", 0.5), ("en", 0.5)),
        also_lingua_franca_p=0.75,
        third_language_p=0.0,
        interpretation_p=0.4,
        max_targets=1,
        booth_room_share=0.4,
        max_booths=2,
        kinds=(
            Kind("talk", 0.7, ((30, 0.25), (45, 0.35), (60, 0.4)), (1, 2)),
            Kind("panel", 0.08, ((60, 0.5), (90, 0.5)), (3, 3)),
            Kind("workshop", 0.17, ((90, 1.0),), (1, 2), _WORKSHOP),
            Kind("keynote", 0.05, ((60, 1.0),), (1, 1), _STAGE, tracked=False),
        ),
        tracks=(
            "Security",
            "Hardware & Making",
            "Ethics, Society & Politics",
            "Science",
            "Art & Culture",
            "Entertainment",
            "CCC",
            "Resilience & Sustainability",
        ),
        track_size=16,
        interests_mean=8.0,
        zipf_s=0.9,
        topics=(
            "firmware",
            "satellites",
            "voting machines",
            "lockpicking",
            "radio",
            "surveillance",
            "e-bikes",
            "smart meters",
            "open hardware",
            "cryptography",
            "trains",
            "phones",
            "FPGAs",
            "privacy",
            "drones",
        ),
    ),
    "science": Profile(
        name="science",
        label="Scientific Meeting",
        timezone="America/Chicago",
        first_day=date(2026, 6, 8),
        periods=("08:30-10:00", "10:30-12:00", "13:30-15:00", "15:30-17:00", "17:15-18:45"),
        changeover_min=10,
        session_languages=(("en", 0.9), ("es", 0.04), ("fr", 0.02), ("de", 0.02), ("zh", 0.02)),
        attendee_languages=(("en", 0.6), ("es", 0.12), ("fr", 0.08), ("de", 0.1), ("zh", 0.1)),
        also_lingua_franca_p=0.9,
        third_language_p=0.1,
        interpretation_p=0.1,
        max_targets=2,
        booth_room_share=0.15,
        max_booths=3,
        kinds=(
            Kind("talk", 0.5, ((30, 0.2), (45, 0.3), (60, 0.5)), (1, 2)),
            Kind("symposium", 0.25, ((90, 1.0),), (3, 4)),
            Kind("panel", 0.12, ((60, 0.5), (90, 0.5)), (3, 3)),
            Kind("workshop", 0.1, ((90, 1.0),), (1, 2), _WORKSHOP),
            Kind("keynote", 0.03, ((60, 1.0),), (1, 1), _STAGE, tracked=False),
        ),
        tracks=(
            "Climate dynamics",
            "Neuroscience",
            "Genomics",
            "Materials",
            "Epidemiology",
            "Astrophysics",
            "Ecology",
            "Machine learning",
            "Oceanography",
            "Immunology",
            "Quantum devices",
            "Soil science",
            "Public health",
            "Catalysis",
            "Seismology",
            "Microbiology",
            "Photonics",
            "Hydrology",
        ),
        track_size=12,
        interests_mean=8.0,
        zipf_s=0.9,
        topics=(
            "uncertainty",
            "field data",
            "models",
            "scaling",
            "benchmarks",
            "sensors",
            "long-term trends",
            "replication",
            "imaging",
            "theory",
            "open data",
            "variability",
            "simulation",
            "mechanisms",
        ),
    ),
}

_FIRST_NAMES = (
    "Anna",
    "Marco",
    "Olena",
    "Dmytro",
    "Sofia",
    "Lukas",
    "Amira",
    "Chen",
    "Fatima",
    "Jonas",
    "Irina",
    "Mateo",
    "Giulia",
    "Kwame",
    "Elif",
    "Pierre",
    "Hana",
    "Tomás",
    "Leila",
    "Sven",
    "Nadia",
    "Ravi",
    "Marta",
    "Yusuf",
    "Aiko",
    "Pavel",
    "Lucía",
    "Oluwaseun",
    "Ingrid",
    "Karim",
    "Mei",
    "Diego",
)
_LAST_NAMES = (
    "Rossi",
    "Kovalenko",
    "Müller",
    "Ivanova",
    "García",
    "Dubois",
    "Haddad",
    "Wang",
    "Okafor",
    "Nowak",
    "Bianchi",
    "Shevchenko",
    "Schmidt",
    "Petrov",
    "López",
    "Martin",
    "Yilmaz",
    "Sato",
    "Nielsen",
    "Mensah",
    "Costa",
    "Kaur",
    "Horvat",
    "Ferrari",
    "Novak",
    "Larsen",
    "Silva",
    "Kim",
    "Moreau",
)
_COUNTRIES = ("IT", "UA", "DE", "RU", "ES", "FR", "US", "GB", "NG", "CN", "JP", "BR", "IN", "TR", "PL", "KE")
_FRAMES = (
    "{topic} after {other}",
    "What {topic} teaches us about {other}",
    "{topic}: lessons from the field",
    "Rethinking {topic}",
    "{topic} and {other}",
    "Beyond {topic}",
    "A decade of {topic}",
    "Open questions in {topic}",
)


@dataclass(frozen=True)
class GenerateOptions:
    """What to generate. Unset sizes scale with `sessions` (1,000 sessions: 10,000 attendees, 80 rooms, 4 days)."""

    sessions: int
    seed: int = 0
    planted: bool = False
    attendees: int | None = None
    rooms: int | None = None
    days: int | None = None
    profile: str | None = None  # a key of PROFILES; None chooses by size

    @property
    def profile_name(self) -> str:
        if self.profile is not None:
            return self.profile
        return "peace" if self.sessions <= 80 else "congress" if self.sessions <= 400 else "science"

    @property
    def n_attendees(self) -> int:
        return self.attendees if self.attendees is not None else 10 * self.sessions

    @property
    def n_rooms(self) -> int:
        return self.rooms if self.rooms is not None else max(5, math.ceil(0.08 * self.sessions))

    @property
    def n_days(self) -> int:
        if self.days is not None:
            return self.days
        return 3 if self.sessions <= 80 else 4 if self.sessions <= 1500 else 5


@dataclass(frozen=True)
class Generated:
    """A drawn conference and, for planted instances, the hidden timetable that proves its optimum."""

    conference: Conference
    planted: Timetable | None
    hidden: Timetable  # the hidden timetable, also for unplanted instances (it proves feasibility)
    profile: str


# ---------------------------------------------------------------------------------------------------------------
# Time: whole minutes elapsed since the first day's local midnight (so a daylight-saving change costs nothing).


@dataclass
class _Clock:
    zone: ZoneInfo
    origin: datetime  # UTC instant of the first day's local midnight
    step_min: int
    periods: list[tuple[int, int]]  # open periods in minutes, time order
    period_day: list[int]  # day index of each period
    days: tuple[Day, ...]

    def at(self, minute: int) -> datetime:
        return (self.origin + timedelta(minutes=minute)).astimezone(self.zone)

    def minute(self, moment: datetime) -> int:
        return int((moment.astimezone(UTC) - self.origin).total_seconds() // 60)

    @property
    def n_steps(self) -> int:
        # Room for the changeover padding after the last period.
        return self.periods[-1][1] // self.step_min + 8

    def period_of_step(self) -> np.ndarray:
        pid = np.full(self.n_steps, -1, dtype=np.int32)
        for k, (start, end) in enumerate(self.periods):
            pid[start // self.step_min : end // self.step_min] = k
        return pid

    def instants(self) -> list[int]:
        """Grid instants inside open periods (where language coverage is sampled)."""
        return [u for start, end in self.periods for u in range(start, end, self.step_min)]

    def day_span(self, day: int) -> tuple[int, int]:
        spans = [p for p, d in zip(self.periods, self.period_day, strict=True) if d == day]
        return spans[0][0], spans[-1][1]


def _clock(profile: Profile, n_days: int) -> _Clock:
    zone = ZoneInfo(profile.timezone)
    origin = datetime.combine(profile.first_day, time(0), tzinfo=zone).astimezone(UTC)
    days, minutes, period_day = [], [], []
    for d in range(n_days):
        day = profile.first_day + timedelta(days=d)
        windows = []
        for text in profile.periods:
            a, b = (time.fromisoformat(t) for t in text.split("-"))
            start = datetime.combine(day, a, tzinfo=zone)
            end = datetime.combine(day + timedelta(days=1 if b <= a else 0), b, tzinfo=zone)
            windows.append(Window(start, end))
        days.append(Day(day, tuple(windows)))
    clock = _Clock(zone, origin, profile.granularity_min, [], [], tuple(days))
    for d, day in enumerate(days):
        for w in day.periods:
            minutes.append((clock.minute(w.start), clock.minute(w.end)))
            period_day.append(d)
    clock.periods, clock.period_day = minutes, period_day
    return clock


# ---------------------------------------------------------------------------------------------------------------
# Drafts: mutable while the instance is drawn, frozen into domain objects at the end.


@dataclass
class _Draft:
    index: int
    session_id: str
    kind: Kind
    duration_min: int
    track: str
    language: str
    targets: set[str]
    weight: float  # popularity (Zipf-like)
    estimate: float  # expected number of interested attendees, before interests are drawn
    speakers: list[int] = field(default_factory=list)
    room: int = -1  # hidden timetable
    start: int = -1  # minutes

    @property
    def end(self) -> int:
        return self.start + self.duration_min


@dataclass
class _Person:
    speaker_id: str
    name: str
    country: str
    sessions: list[int] = field(default_factory=list)


def _pick(rng: np.random.Generator, weighted: tuple[tuple[T, float], ...]) -> T:
    cum = np.cumsum([w for _, w in weighted])
    return weighted[int(np.searchsorted(cum, rng.random() * cum[-1], side="right"))][0]


def _one(rng: np.random.Generator, values: tuple[T, ...] | list[T]) -> T:
    return values[int(rng.integers(len(values)))]


def _width(n: int) -> int:
    return max(2, len(str(n)))


def _draw_rooms(rng: np.random.Generator, profile: Profile, n_rooms: int, n_attendees: int) -> list[Room]:
    """A few large halls and many small rooms: capacity falls off as a power of the rank. The largest hall seats
    a third of the attendees, more in small conferences so that all rooms together seat everyone."""
    falloff = [(rank + 1) ** -0.8 for rank in range(n_rooms)]
    largest = max(60.0, n_attendees * max(0.35, 1.2 / sum(falloff)))
    with_booths = max(1, round(profile.booth_room_share * n_rooms))
    with_stage = max(1, math.ceil(0.2 * n_rooms))
    workshops = max(1, math.ceil(0.3 * n_rooms))
    rooms = []
    w = _width(n_rooms)
    for rank in range(n_rooms):
        jitter = rng.uniform(0.85, 1.15)
        capacity = max(20, int(round(largest * falloff[rank] * jitter / 10.0)) * 10)
        booths = max(1, profile.max_booths - (rank * profile.max_booths) // with_booths) if rank < with_booths else 0
        features = {"projector"}
        if rank < with_stage:
            features |= _STAGE
        if rank >= n_rooms - workshops:
            features |= _WORKSHOP
        name = f"Hall {chr(ord('A') + rank)}" if rank < min(with_stage, 26) else f"Room {rank + 1}"
        rooms.append(Room(f"R{rank + 1:0{w}d}", name, capacity, booths, frozenset(features)))
    return rooms


def _draw_sessions(
    rng: np.random.Generator, profile: Profile, n: int, n_attendees: int, rooms: list[Room]
) -> list[_Draft]:
    shares = np.array([k.share for k in profile.kinds])
    drawn = [profile.kinds[k] for k in rng.choice(len(shares), size=n, p=shares / shares.sum())]
    tracked = sum(1 for k in drawn if k.tracked)
    n_tracks = max(1, round(tracked / profile.track_size))
    base = len(profile.tracks)
    names = [profile.tracks[t % base] + ("" if t < base else f" {t // base + 1}") for t in range(n_tracks)]
    # Popularity: keynotes take the top ranks, the rest in random order; weight = rank^-s.
    order = sorted(range(n), key=lambda i: (drawn[i].name != "keynote", rng.random()))
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)
    weights = (rank + 1.0) ** -profile.zipf_s
    share = weights / weights.sum()
    w = _width(n)
    drafts = []
    for i, kind in enumerate(drawn):
        duration = _pick(rng, kind.durations)
        track = _one(rng, names) if kind.tracked else ""
        language = _pick(rng, profile.session_languages)
        targets: set[str] = set()
        # Never more targets than some room with the features the kind needs has booths.
        booths = max((r.booths for r in rooms if kind.needs <= r.features), default=0)
        if rng.random() < profile.interpretation_p and booths:
            pool = [lang for lang in profile.languages if lang != language]
            k = min(int(rng.integers(1, min(profile.max_targets, len(pool)) + 1)), booths)
            # The lingua franca is the usual first target of a session held in another language.
            first = [profile.lingua_franca] if language != profile.lingua_franca else []
            rest = [pool[j] for j in rng.permutation(len(pool)) if pool[j] not in first]
            targets = set((first + rest)[:k])
        estimate = float(n_attendees * profile.interests_mean * share[i])
        drafts.append(
            _Draft(i, f"S{i + 1:0{w}d}", kind, duration, track, language, targets, float(weights[i]), estimate)
        )
    return drafts


def _draw_speakers(rng: np.random.Generator, drafts: list[_Draft]) -> list[_Person]:
    """Each session gets its kind's number of speakers; a speaker returns (up to 3 sessions) a quarter of the time."""
    people: list[_Person] = []
    open_people: list[int] = []  # speakers with fewer than MAX_SESSIONS_PER_SPEAKER sessions
    for d in drafts:
        low, high = d.kind.speakers
        for _ in range(int(rng.integers(low, high + 1))):
            person = _one(rng, open_people) if open_people and rng.random() < 0.25 else -1
            if person < 0 or person in d.speakers:
                person = len(people)
                people.append(_Person("", "", ""))
                open_people.append(person)
            d.speakers.append(person)
            people[person].sessions.append(d.index)
            if len(people[person].sessions) == MAX_SESSIONS_PER_SPEAKER:
                open_people.remove(person)
    w = _width(len(people))
    for k, p in enumerate(people):
        p.speaker_id = f"P{k + 1:0{w}d}"
        p.name = f"{_one(rng, _FIRST_NAMES)} {_one(rng, _LAST_NAMES)}"
        p.country = _one(rng, _COUNTRIES)
    return people


# ---------------------------------------------------------------------------------------------------------------
# The hidden timetable.


def _free(busy: np.ndarray, length: int) -> np.ndarray:
    """free[..., i]: no busy step in [i, i + length) along the last axis (False where the window runs off the end)."""
    n = busy.shape[-1]
    sums = np.concatenate([np.zeros(busy.shape[:-1] + (1,), dtype=np.int32), np.cumsum(busy, axis=-1)], axis=-1)
    out = np.zeros(busy.shape, dtype=bool)
    out[..., : n - length + 1] = (sums[..., length:] - sums[..., : n + 1 - length]) == 0
    return out


def _suits(room: Room, d: _Draft) -> bool:
    return len(d.targets) <= room.booths and d.kind.needs <= room.features


def _room_order(d: _Draft, rooms: list[Room], suitable: list[int], track_rooms: list[int]) -> list[int]:
    """Rooms the track already uses first (tracks tend to keep a room), then the smallest rooms big enough for
    the estimated audience, then the largest of those too small. `suitable` is sorted by capacity."""
    big = [r for r in suitable if rooms[r].capacity >= d.estimate]
    small = [r for r in reversed(suitable) if rooms[r].capacity < d.estimate]
    usual = [r for r in track_rooms if _suits(rooms[r], d)]
    return usual + [r for r in big + small if r not in usual]  # a track uses a handful of rooms: a list is fine


def _place(
    rng: np.random.Generator,
    drafts: list[_Draft],
    rooms: list[Room],
    people: list[_Person],
    clock: _Clock,
    changeover_min: int,
) -> None:
    """Place every session greedily, most constrained first, on free grid starts (starts packed after a session
    or at a period start are preferred, as a committee would pack a block)."""
    step = clock.step_min
    n_steps = clock.n_steps
    pid = clock.period_of_step()
    period_start = np.zeros(n_steps, dtype=bool)
    period_start[[start // step for start, _ in clock.periods]] = True
    room_busy = np.zeros((len(rooms), n_steps), dtype=bool)
    speaker_busy = np.zeros((len(people), n_steps), dtype=bool)
    track_busy: dict[str, np.ndarray] = {}
    track_rooms: dict[str, list[int]] = {}
    valid: dict[int, np.ndarray] = {}
    room_free: dict[int, np.ndarray] = {}  # padded length -> free starts per room, updated on every placement
    suitable: dict[tuple[frozenset[str], int], list[int]] = {}  # (needs, targets) -> rooms by capacity
    for d in sorted(
        drafts, key=lambda d: (-len(d.kind.needs), -len(d.targets), -len(d.speakers), -d.estimate, d.index)
    ):
        length = math.ceil(d.duration_min / step)
        padded = math.ceil((d.duration_min + changeover_min) / step)  # the next session in the room waits
        if length not in valid:
            ok = np.zeros(n_steps, dtype=bool)
            ok[: n_steps - length + 1] = (pid[: n_steps - length + 1] >= 0) & (
                pid[: n_steps - length + 1] == pid[length - 1 :]
            )
            valid[length] = ok
        if padded not in room_free:
            room_free[padded] = _free(room_busy, padded)
        people_free = _free(speaker_busy[d.speakers].any(axis=0), length)
        key = (d.kind.needs, len(d.targets))
        if key not in suitable:
            suitable[key] = sorted(
                (r for r, room in enumerate(rooms) if _suits(room, d)), key=lambda r: (rooms[r].capacity, r)
            )
        chosen = None
        for with_track in (True, False) if d.track else (False,):
            when = valid[length] & people_free
            if with_track:
                when &= _free(track_busy.setdefault(d.track, np.zeros(n_steps, dtype=bool)), length)
            preference = _room_order(d, rooms, suitable[key], track_rooms.get(d.track, []))
            fits = room_free[padded][preference] & when[None, :]
            usable = np.flatnonzero(fits.any(axis=1))
            if usable.size:
                r = preference[usable[0]]
                starts = np.flatnonzero(fits[usable[0]])
                packed = starts[period_start[starts] | room_busy[r, np.maximum(starts - 1, 0)]]
                pool = packed if packed.size else starts
                chosen = (r, int(pool[int(rng.integers(pool.size))]))
                break
            # A track longer than the conference can hold: this session leaves the track rather than the instance.
            d.track = ""
        if chosen is None:
            raise GenerationError(
                f"cannot place session {d.session_id} ({d.duration_min} min, "
                f"{len(d.targets)} interpretation targets, needs {sorted(d.kind.needs)}): "
                "too few rooms or days for this many sessions; raise --rooms or --days"
            )
        r, i = chosen
        d.room, d.start = r, i * step
        room_busy[r, i : i + padded] = True
        for length_, free in room_free.items():
            free[r] = _free(room_busy[r], length_)
        speaker_busy[d.speakers, i : i + length] = True
        if d.track:
            track_busy[d.track][i : i + length] = True
            if r not in track_rooms.setdefault(d.track, []):
                track_rooms[d.track].append(r)


# ---------------------------------------------------------------------------------------------------------------
# Languages: attendee groups, and interpretation until every group can follow something at every instant.


def _draw_attendee_languages(rng: np.random.Generator, profile: Profile, n: int) -> list[frozenset[str]]:
    names = [lang for lang, _ in profile.attendee_languages]
    shares = np.array([share for _, share in profile.attendee_languages])
    first = rng.choice(len(names), size=n, p=shares / shares.sum())
    also = rng.random(n) < profile.also_lingua_franca_p
    third = np.where(rng.random(n) < profile.third_language_p, rng.integers(len(names), size=n), -1)
    languages = []
    for a in range(n):
        known = {names[first[a]]}
        if also[a]:
            known.add(profile.lingua_franca)
        if third[a] >= 0:
            known.add(names[third[a]])
        languages.append(frozenset(known))
    return languages


class _Audible:
    """Per grid instant of the hidden timetable: the sessions running and how many of them each language can be
    heard in (natively or through interpretation). Every change to a session's languages goes through here so
    the counts stay true."""

    def __init__(self, drafts: list[_Draft], clock: _Clock):
        self.drafts = drafts
        starts = np.array([d.start for d in drafts])
        ends = np.array([d.end for d in drafts])
        self.running: list[list[_Draft]] = []
        self.instants_of: dict[int, list[int]] = {d.index: [] for d in drafts}
        for u in clock.instants():
            here = np.flatnonzero((starts <= u) & (u < ends))
            if here.size:  # instants with nothing running count for no one
                for k in here:
                    self.instants_of[int(k)].append(len(self.running))
                self.running.append([drafts[k] for k in here])
        self.counts = [Counter(lang for d in here for lang in [d.language, *d.targets]) for here in self.running]

    def save(self) -> tuple[list[tuple[str, set[str]]], list[Counter[str]]]:
        return [(d.language, set(d.targets)) for d in self.drafts], [c.copy() for c in self.counts]

    def restore(self, saved: tuple[list[tuple[str, set[str]]], list[Counter[str]]]) -> None:
        languages, self.counts = saved
        for d, (language, targets) in zip(self.drafts, languages, strict=True):
            d.language, d.targets = language, targets

    def served(self, at: int, group: frozenset[str]) -> bool:
        return any(self.counts[at][lang] > 0 for lang in group)

    def add_target(self, d: _Draft, lang: str) -> None:
        d.targets.add(lang)
        for at in self.instants_of[d.index]:
            self.counts[at][lang] += 1

    def switch(self, d: _Draft, lang: str) -> None:
        for at in self.instants_of[d.index]:
            self.counts[at][d.language] -= 1
            if lang not in d.targets:
                self.counts[at][lang] += 1
        d.targets.discard(lang)
        d.language = lang

    def switch_is_safe(self, d: _Draft, lang: str, groups: list[frozenset[str]]) -> bool:
        """Whether `d` can be held in `lang` without any group losing the only session it could follow."""
        old = d.language
        for at in self.instants_of[d.index]:
            if self.counts[at][old] > 1:
                continue
            for g in groups:
                if old in g and lang not in g and not any(self.counts[at][x] > 0 for x in g - {old}):
                    return False
        return True


def _cover_languages(
    rng: np.random.Generator,
    profile: Profile,
    drafts: list[_Draft],
    rooms: list[Room],
    groups: list[frozenset[str]],
    clock: _Clock,
) -> dict[frozenset[str], frozenset[str]]:
    """Make the hidden timetable's language_coverage zero; return how each attendee language set must change.

    First the lingua franca is made audible at every instant: interpretation into it where a booth is spare,
    else a running session switches to it. Then, group by group, wherever a group can follow nothing: a spare
    booth interprets into one of its languages, else a running session switches to one of its languages if no
    group loses the only session it could follow there. A group still unserved somewhere learns the lingua
    franca (audible everywhere), and what was done for it is undone to leave the booths to others. Only the first
    step may take a language away from someone; every later step keeps what each group can follow, so none
    undoes another.
    """
    franca = profile.lingua_franca
    audible = _Audible(drafts, clock)
    distinct = sorted(set(groups) | {frozenset({franca})}, key=sorted)

    def spare(d: _Draft) -> int:
        return rooms[d.room].booths - len(d.targets)

    changed = {}
    lingua_franca = frozenset({franca})
    size = Counter(groups)
    others = sorted((g for g in distinct if franca not in g), key=lambda g: (-size[g], sorted(g)))
    for group in [lingua_franca, *others]:  # the largest groups have the first claim on booths
        saved = audible.save()
        unserved = False
        for at, here in enumerate(audible.running):
            if audible.served(at, group):
                continue
            roomy = [d for d in here if spare(d) > 0]
            if roomy:
                d = max(roomy, key=lambda d: (spare(d), -d.index))
                audible.add_target(d, _one(rng, sorted(group - {d.language})))
                continue
            # The lingua franca must be audible everywhere (the fallback of every group), whoever else loses.
            switch = next(
                (
                    (d, lang)
                    for d in here
                    for lang in sorted(group)
                    if group == lingua_franca or audible.switch_is_safe(d, lang, distinct)
                ),
                None,
            )
            if switch is not None:
                audible.switch(*switch)
            else:
                unserved = True
        if unserved:
            audible.restore(saved)  # what was done for a group that learns the lingua franca anyway is wasted
            changed[group] = group | {franca}
    return changed


def _teams(rng: np.random.Generator, drafts: list[_Draft], clock: _Clock) -> list[InterpreterTeam]:
    """Per pair, as many teams as the hidden timetable's peak demand on the busiest day (sometimes one spare);
    a team needed only on some days is available only on those days."""
    demand: dict[tuple[str, str], list[list[tuple[int, int]]]] = {}
    n_days = len(clock.days)
    for d in drafts:
        day = next(k for k, (s, e) in zip(clock.period_day, clock.periods, strict=True) if s <= d.start < e)
        for target in sorted(d.targets):
            demand.setdefault(language_pair(d.language, target), [[] for _ in range(n_days)])[day].append(
                (d.start, d.end)
            )
    teams = []
    w = 2
    for pair in sorted(demand):
        per_day = [_peak(intervals) for intervals in demand[pair]]
        spare = int(rng.random() < 0.5)
        for k in range(max(per_day) + spare):
            on = [day for day in range(n_days) if k < per_day[day] + spare]
            windows = (
                ()
                if len(on) == n_days
                else tuple(Window(clock.at(clock.day_span(day)[0]), clock.at(clock.day_span(day)[1])) for day in on)
            )
            teams.append(InterpreterTeam(f"T{len(teams) + 1:0{w}d}", pair, windows))
    return teams


def _peak(intervals: list[tuple[int, int]]) -> int:
    """Most half-open intervals running at once."""
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])  # ends sort before starts
    peak = now = 0
    for _, delta in events:
        now += delta
        peak = max(peak, now)
    return peak


# ---------------------------------------------------------------------------------------------------------------
# Speakers' availability and preferences, consistent with the hidden timetable.


def _availability(
    rng: np.random.Generator, people: list[_Person], drafts: list[_Draft], clock: _Clock
) -> dict[int, tuple[list[Window], list[Window]]]:
    """(available, preferred) windows per speaker. About 40% are available only part of the time: on the days of
    their sessions (and sometimes another), from a period start before their first session to a period end
    after their last. About 15% prefer the periods their sessions are in."""
    n_days = len(clock.days)
    result = {}
    for k, person in enumerate(people):
        mine = [drafts[i] for i in person.sessions]
        periods = sorted({next(p for p, (s, e) in enumerate(clock.periods) if s <= d.start < e) for d in mine})
        available: list[Window] = []
        preferred: list[Window] = []
        if rng.random() < 0.4:
            days_on = {clock.period_day[p] for p in periods}
            days_on |= {day for day in range(n_days) if rng.random() < 0.25}
            for day in sorted(days_on):
                day_periods = [p for p in range(len(clock.periods)) if clock.period_day[p] == day]
                busy = [p for p in periods if clock.period_day[p] == day]
                first_ok = day_periods[: day_periods.index(busy[0]) + 1] if busy else day_periods
                last_ok = day_periods[day_periods.index(busy[-1]) :] if busy else day_periods
                a = _one(rng, first_ok)
                b = _one(rng, [p for p in last_ok if p >= a])
                available.append(Window(clock.at(clock.periods[a][0]), clock.at(clock.periods[b][1])))
        if rng.random() < 0.15:
            preferred = [Window(clock.at(clock.periods[p][0]), clock.at(clock.periods[p][1])) for p in periods]
        result[k] = (available, preferred)
    return result


# ---------------------------------------------------------------------------------------------------------------
# Attendees' interests.


def _interests(
    rng: np.random.Generator, profile: Profile, drafts: list[_Draft], rooms: list[Room], n: int, planted: bool
) -> list[list[int]]:
    """Each attendee wants 1 + Poisson(mean - 1) sessions (at most 20): about half drawn from one or two favourite
    tracks, the rest from the whole programme, both by popularity. A session is never wanted by more people than
    its hidden room seats; in a planted instance an attendee never wants two sessions that overlap in the hidden
    timetable (so the hidden timetable has no attendee conflict).

    Candidates (four per wanted session) are drawn for everyone at once; only accepting them is a Python loop.
    """
    weights = np.array([d.weight for d in drafts])
    wants = np.minimum(20, 1 + rng.poisson(profile.interests_mean - 1, size=n))
    tries = 4 * wants
    owner = np.repeat(np.arange(n), tries)
    candidates = np.searchsorted(np.cumsum(weights), rng.random(owner.size) * weights.sum(), side="right")
    tracks = sorted({d.track for d in drafts if d.track})
    if tracks:
        # All tracks' members laid end to end, so one searchsorted draws inside whichever track each try targets.
        members = np.array([d.index for t in tracks for d in drafts if d.track == t])
        member_cum = np.cumsum(weights[members])
        sizes = np.array([sum(1 for d in drafts if d.track == t) for t in tracks])
        hi = np.cumsum(sizes)
        track_total = np.diff(np.concatenate([[0.0], member_cum[hi - 1]]))
        before = member_cum[hi - 1] - track_total
        track_cum = np.cumsum(track_total)
        favourites = np.searchsorted(track_cum, rng.random((n, 2)) * track_cum[-1], side="right")
        second = rng.random(n) < 0.5  # some attendees follow two tracks
        pick_second = second[owner] & (rng.random(owner.size) < 0.5)
        track = np.where(pick_second, favourites[owner, 1], favourites[owner, 0])
        from_track = rng.random(owner.size) < 0.5
        target = before[track] + rng.random(owner.size) * track_total[track]
        in_track = np.minimum(np.searchsorted(member_cum, target, side="right"), hi[track] - 1)
        candidates = np.where(from_track, members[in_track], candidates)
    candidates = np.minimum(candidates, len(drafts) - 1).tolist()
    capacity = [rooms[d.room].capacity for d in drafts]
    by_popularity = sorted(range(len(drafts)), key=lambda j: (-weights[j], j))
    count = [0] * len(drafts)
    starts = [d.start for d in drafts]
    ends = [d.end for d in drafts]
    result = []
    offset = 0
    for a in range(n):
        k, chosen = int(wants[a]), []
        for j in candidates[offset : offset + int(tries[a])]:
            if len(chosen) == k:
                break
            if j in chosen or count[j] >= capacity[j]:
                continue
            if planted and any(starts[j] < ends[o] and starts[o] < ends[j] for o in chosen):
                continue
            chosen.append(j)
            count[j] += 1
        if not chosen:
            # Everything drawn was full: this attendee settles for the most popular session with a seat left.
            seat = next((j for j in by_popularity if count[j] < capacity[j]), None)
            if seat is not None:
                chosen.append(seat)
                count[seat] += 1
        offset += int(tries[a])
        result.append(sorted(chosen))
    return result


# ---------------------------------------------------------------------------------------------------------------
# Assembly.


def _title(rng: np.random.Generator, profile: Profile, d: _Draft) -> str:
    topics = profile.topics
    text = _one(rng, _FRAMES).format(topic=_one(rng, topics), other=_one(rng, topics))
    prefix = {"panel": "Panel: ", "workshop": "Workshop: ", "keynote": "Keynote: ", "symposium": "Symposium: "}
    return prefix.get(d.kind.name, "") + text[0].upper() + text[1:]


def generate(options: GenerateOptions) -> Generated:
    """Draw a conference (and its hidden timetable) for the options; deterministic for `options.seed`."""
    if options.sessions < 1:
        raise GenerationError("--sessions must be at least 1")
    if options.profile_name not in PROFILES:
        raise GenerationError(f"unknown profile {options.profile_name!r}; choose from {', '.join(PROFILES)}")
    for name, value in (("rooms", options.n_rooms), ("days", options.n_days), ("attendees", options.n_attendees)):
        if value < (0 if name == "attendees" else 1):
            raise GenerationError(f"--{name} must be at least {0 if name == 'attendees' else 1}")
    profile = PROFILES[options.profile_name]

    def stream(k: int) -> np.random.Generator:
        return np.random.default_rng([options.seed, k])

    clock = _clock(profile, options.n_days)
    rooms = _draw_rooms(stream(_ROOMS), profile, options.n_rooms, options.n_attendees)
    drafts = _draw_sessions(stream(_SESSIONS), profile, options.sessions, options.n_attendees, rooms)
    people = _draw_speakers(stream(_SPEAKERS), drafts)
    _place(stream(_PLACE), drafts, rooms, people, clock, profile.changeover_min)
    lang_rng = stream(_LANGUAGES)
    attendee_languages = _draw_attendee_languages(lang_rng, profile, options.n_attendees)
    widened = _cover_languages(lang_rng, profile, drafts, rooms, attendee_languages, clock)
    attendee_languages = [widened.get(g, g) for g in attendee_languages]
    teams = _teams(stream(_TEAMS), drafts, clock)
    windows = _availability(stream(_AVAILABILITY), people, drafts, clock)
    wanted = _interests(stream(_INTERESTS), profile, drafts, rooms, options.n_attendees, options.planted)

    audience = [0] * len(drafts)
    for interests in wanted:
        for j in interests:
            audience[j] += 1
    title_rng = stream(_TITLES)
    sessions = tuple(
        Session(
            session_id=d.session_id,
            title=_title(title_rng, profile, d),
            duration_min=d.duration_min,
            speakers=tuple(people[p].speaker_id for p in d.speakers),
            language=d.language,
            interpretation=frozenset(d.targets),
            track=d.track,
            kind=d.kind.name,
            expected_audience=audience[d.index],
            needs=d.kind.needs,
        )
        for d in drafts
    )
    speakers = []
    for k, person in enumerate(people):
        spoken = {drafts[i].language for i in person.sessions} | {profile.lingua_franca}
        available, preferred = windows[k]
        speakers.append(
            Speaker(
                person.speaker_id,
                person.name,
                frozenset(spoken),
                person.country,
                availability=tuple(available),
                preferred=tuple(preferred),
            )
        )
    w = _width(options.n_attendees)
    attendees = tuple(
        Attendee(f"A{a + 1:0{w}d}", attendee_languages[a], tuple(drafts[j].session_id for j in wanted[a]))
        for a in range(options.n_attendees)
    )
    conference = Conference(
        name=f"Synthetic {profile.label} ({options.sessions} sessions, seed {options.seed}"
        f"{', planted' if options.planted else ''})",
        timezone=profile.timezone,
        granularity_min=profile.granularity_min,
        days=clock.days,
        rooms=tuple(rooms),
        speakers=tuple(speakers),
        sessions=sessions,
        languages=profile.languages,
        attendees=attendees,
        interpreters=tuple(teams),
        changeover_min=profile.changeover_min,
        interpreters_limited=bool(teams),
    )
    hidden = Timetable(
        tuple(Assignment(d.session_id, rooms[d.room].room_id, clock.at(d.start), clock.at(d.end)) for d in drafts)
    ).sorted()
    return Generated(conference, hidden if options.planted else None, hidden, profile.name)


# ---------------------------------------------------------------------------------------------------------------
# Writing the folder (docs/format.md).


def write_conference(generated: Generated, out: str | Path) -> list[Path]:
    """Write the conference folder (and `planted-timetable.csv` when planted); return the files written.

    Files this module writes that the new instance lacks (say interpreters.csv) are removed from `out`; any other
    file there is left alone. The folder itself is written by `scheduler.folder`, the one writer of the format.
    """
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name in GENERATED_FILES:  # a stale planted-timetable.csv beside an unplanted instance would lie
        (folder / name).unlink(missing_ok=True)
    write_folder(generated.conference, folder)
    if generated.planted is not None:
        write_timetable(generated.planted, folder / PLANTED_FILE)
    return [folder / name for name in GENERATED_FILES if (folder / name).exists()]


def generate_folder(out: str | Path, options: GenerateOptions) -> Generated:
    """Draw an instance and write it to `out` in one step."""
    generated = generate(options)
    write_conference(generated, out)
    return generated
