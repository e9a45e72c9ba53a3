"""frab / c3voc `schedule.xml` and `schedule.json`: export a timetable, import a published schedule.

Export. The format conference apps (Giggity, EventFahrplan, ConfClerk), the C3 recording tools and pretalx
read. Both files are built from one list of day records, computed once (as pretalx's exporters do), and
validate against the c3voc XSD and JSON schema (../shared/formats/). Identifiers must survive re-solves,
because apps key favourites and alarms on them:
- `guid`: uuid5 in a namespace of `Conference.identity` (its slug), of the session id (rooms and persons
  likewise); numeric ids and the acronym derive from it too, so correcting the name changes none of them.
- `id` (a positive integer in the format): a session id that is a positive integer keeps its number; any
  other id gets a number hashed from it (collisions resolved in id order), never a position in a list.
- `code` (pretalx's six-character submission code): written when a session id has that form.
So a schedule imported from frab or pretalx comes back with the ids its owners know.

Import. `read_frab` reads a frab XML or JSON schedule (pretalx's JSON export is the same format; see
`scheduler.pretalx` for its conventions) into a `Conference` and the published times as a reference
`Timetable`, checking only what we need rather than the strict XSD, which many real files fail. What the
format does not say is filled in as follows:
- session id: the event's `code`, else its `id`; speaker id: the person's `code`, else `id`, else `guid`. A
  person given by name alone (a bare string in JSON, a `<person>` without attributes) gets an id made from the
  name (its slug, else `speaker`; `-2`, `-3`... when taken), one per distinct name. Speakers sharing a name but
  not an id stay apart.
- days: one per schedule day, open from its earliest start to its latest end.
- granularity: the gcd of the start minutes (of the day) and 1440, within 5..60 minutes.
- room ids: a slug of the room name; capacity from the data (a whole number, or text such as "120"), else
  `DEFAULT_ROOM_CAPACITY`.
- expected audience 0; speaker languages unknown; languages: those the sessions are held in.
- time zone: `time_zone_name`, else UTC (instants are kept either way), unless the caller names one.
The XML parser reads the file's bytes, so an encoding its declaration names (ISO-8859-1, say) is honoured; JSON
must be UTF-8. Nothing is dropped or merged silently: what cannot be imported as the file says (an `<event>`
outside a day's `<room>`, a capacity that is no number of seats, one person id under two names, a person with
neither name nor id) is a problem. Problems are reported all at once as `InputError`, naming the file and the
element or field.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import math
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.domain import SLUG_PATTERN, Assignment, Conference, Day, Room, Session, Speaker, Timetable, Window
from scheduler.errors import InputError, Problem

# Fixed forever: changing it would change every guid we ever published.
FRAB_NAMESPACE = uuid.UUID("ca7b9933-0eff-4c1d-9e52-96d1be7c06ed")
GENERATOR = "agenda"
JSON_SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
# Rooms whose capacity the schedule does not give get this many seats; edit rooms.csv to the real figures.
DEFAULT_ROOM_CAPACITY = 100
_MAX_ID = 2**31 - 1  # apps keep event ids in 32-bit ints
_PRETALX_CODE = re.compile(r"[0-9A-Z]{6}")
_POSITIVE_INT = re.compile(r"[1-9][0-9]{0,9}")
_LIST_BREAKERS = re.compile(r"[;,]")
_ROOM_SLUG = re.compile(r"[a-z0-9_-]*[a-z0-9]")
_SEATS = re.compile(r"\s*[0-9]+\s*")
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The JSON schema's pattern for time_zone_name; other zones are left out of the JSON rather than invalid.
_JSON_ZONE = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")


# ---------------------------------------------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------------------------------------------


def conference_namespace(identity: str) -> uuid.UUID:
    return uuid.uuid5(FRAB_NAMESPACE, identity)


def event_guid(identity: str, session_id: str) -> str:
    """The stable UUID of a session's event (`identity`: `Conference.identity`): the same across re-solves."""
    return str(uuid.uuid5(conference_namespace(identity), f"session:{session_id}"))


def numeric_ids(ids: Iterable[str], salt: str) -> dict[str, int]:
    """A stable positive 32-bit integer per id: its own value when it is one, else a number hashed from it."""
    keys = sorted(set(ids))
    numbers = {k: int(k) for k in keys if _POSITIVE_INT.fullmatch(k) and int(k) <= _MAX_ID}
    taken = set(numbers.values())
    for key in keys:
        if key in numbers:
            continue
        number = int(hashlib.sha256(f"{salt}\n{key}".encode()).hexdigest()[:8], 16) % _MAX_ID + 1
        while number in taken:
            number = number % _MAX_ID + 1
        numbers[key] = number
        taken.add(number)
    return numbers


def acronym(name: str) -> str:
    """A lowercase acronym both schemas accept (letters, digits, underscores, at least four)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_")
    return slug if len(slug) >= 4 else f"conf_{conference_namespace(name).hex[:8]}"


def _slug(text: str, limit: int = 50) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text)[:limit].strip("-")


# ---------------------------------------------------------------------------------------------------------------
# Export: the schedule computed once, rendered as JSON and as XML
# ---------------------------------------------------------------------------------------------------------------


def schedule_json(
    conference: Conference,
    timetable: Timetable,
    *,
    session_url: Callable[[str], str] | None = None,
    base_url: str | None = None,
    version: str | None = None,
) -> bytes:
    """`schedule.json` (c3voc JSON schema) of the placed sessions of `timetable`."""
    days = schedule_days(conference, timetable, session_url=session_url)
    schedule: dict[str, Any] = {"version": version or _content_version(days)}
    if base_url:
        schedule["base_url"] = base_url
    schedule["conference"] = _conference_record(conference, days) | {
        "rooms": [_room_record(conference, room) for room in conference.rooms],
        "days": days,
    }
    document = {"$schema": JSON_SCHEMA_URL, "generator": {"name": GENERATOR}, "schedule": schedule}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def schedule_xml(
    conference: Conference,
    timetable: Timetable,
    *,
    session_url: Callable[[str], str] | None = None,
    base_url: str | None = None,
    version: str | None = None,
) -> bytes:
    """`schedule.xml` (c3voc XSD) of the placed sessions of `timetable`."""
    days = schedule_days(conference, timetable, session_url=session_url)
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=GENERATOR)
    _text_element(root, "version", version or _content_version(days))
    root.append(_conference_element(conference, days, base_url))
    for day in days:
        root.append(_day_element(conference, day))
    _strip_invalid(root)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def schedule_days(
    conference: Conference, timetable: Timetable, *, session_url: Callable[[str], str] | None = None
) -> list[dict[str, Any]]:
    """The days of the schedule as JSON-schema records: every conference day (and any other date a session is
    placed on), each with every room (in conference order) and its events in start order."""
    placed = sorted(
        (a for a in timetable.assignments if a.session_id in conference.session_by_id),
        key=lambda a: (a.start.timestamp(), a.session_id),
    )
    speaker_ids = {sp for s in conference.sessions for sp in s.speakers} | conference.speaker_by_id.keys()
    ids = _Ids(
        numeric_ids(conference.session_by_id, f"{conference.identity}/sessions"),
        numeric_ids(speaker_ids, f"{conference.identity}/speakers"),
        session_url,
    )
    by_date: dict[date, list[Assignment]] = {d.date: [] for d in conference.days}
    for assignment in placed:
        by_date.setdefault(_day_of(conference, assignment), []).append(assignment)
    return [
        _day_record(conference, index, day_date, by_date[day_date], ids)
        for index, day_date in enumerate(sorted(by_date), start=1)
    ]


@dataclass(frozen=True)
class _Ids:
    """The numbers and links events carry, computed once per export."""

    sessions: Mapping[str, int]
    persons: Mapping[str, int]
    session_url: Callable[[str], str] | None


def _day_of(conference: Conference, placed: Assignment) -> date:
    """The conference day whose open period holds the start (a 01:00 session of a night that began the day
    before belongs to that day), else the local date of the start."""
    for day in conference.days:
        if any(p.start <= placed.start < p.end for p in day.periods):
            return day.date
    return placed.start.astimezone(conference.tz).date()


def _day_record(
    conference: Conference, index: int, day_date: date, placed: list[Assignment], ids: _Ids
) -> dict[str, Any]:
    start, end = _day_bounds(
        next((d for d in conference.days if d.date == day_date), None), placed, day_date, conference.tz
    )
    return {
        "index": index,
        "date": day_date.isoformat(),
        "day_start": start.isoformat(),
        "day_end": end.isoformat(),
        "rooms": {
            name: [_event_record(conference, a, ids) for a in placed if _room_name(conference, a.room_id) == name]
            for name in _room_names(conference, placed)
        },
    }


def _day_bounds(day: Day | None, placed: list[Assignment], day_date: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    starts = [p.start for p in day.periods] if day and day.periods else []
    ends = [p.end for p in day.periods] if day and day.periods else []
    starts += [a.start for a in placed]
    ends += [a.end for a in placed]
    if not starts:
        midnight = datetime.combine(day_date, time(0), tzinfo=zone)
        return midnight, midnight
    return min(starts).astimezone(zone), max(ends).astimezone(zone)


def _room_names(conference: Conference, placed: list[Assignment]) -> list[str]:
    names = [r.name for r in conference.rooms]
    extra = [_room_name(conference, a.room_id) for a in placed]
    return list(dict.fromkeys(names + extra))


def _room_name(conference: Conference, room_id: str) -> str:
    room = conference.room_by_id.get(room_id)
    return room.name if room else room_id


def _event_record(conference: Conference, placed: Assignment, ids: _Ids) -> dict[str, Any]:
    session = conference.session_by_id[placed.session_id]
    start = placed.start.astimezone(conference.tz)
    guid = event_guid(conference.identity, session.session_id)
    number = ids.sessions[session.session_id]
    record: dict[str, Any] = {"guid": guid, "id": number}
    if _PRETALX_CODE.fullmatch(session.session_id):
        record["code"] = session.session_id
    minutes = round((placed.end.timestamp() - placed.start.timestamp()) / 60)
    return record | {
        "date": start.isoformat(),
        "start": start.strftime("%H:%M"),
        "end": placed.end.astimezone(conference.tz).isoformat(),
        "duration": f"{minutes // 60:02d}:{minutes % 60:02d}",
        "room": _room_name(conference, placed.room_id),
        "slug": _event_slug(conference, session, number),
        # The JSON schema requires a URL; without a session page, the event's own URN names it.
        "url": ids.session_url(session.session_id) if ids.session_url else f"urn:uuid:{guid}",
        "title": session.title,
        "subtitle": "",
        "track": session.track or None,
        "type": session.kind,
        "language": session.language or None,
        "abstract": session.abstract,
        "persons": [_person_record(conference, s, ids.persons) for s in session.speakers],
        "links": [],
    }


def _event_slug(conference: Conference, session: Session, number: int) -> str:
    """`acronym-number-title`: unique (the number is), and matching both schemas' slug patterns."""
    tail = "-".join(p for p in (str(number), _slug(session.title)) if p)
    return f"{acronym(conference.identity)}-{tail if len(tail) >= 4 else f'event-{tail}'}"


def _person_record(conference: Conference, speaker_id: str, person_ids: Mapping[str, int]) -> dict[str, Any]:
    speaker = conference.speaker_by_id.get(speaker_id)
    record: dict[str, Any] = {
        "id": person_ids[speaker_id],
        "guid": str(uuid.uuid5(conference_namespace(conference.identity), f"speaker:{speaker_id}")),
        "public_name": speaker.name if speaker else speaker_id,
    }
    if _PRETALX_CODE.fullmatch(speaker_id):
        record["code"] = speaker_id
    return record


def _room_record(conference: Conference, room: Room) -> dict[str, Any]:
    record: dict[str, Any] = {"name": room.name, "guid": _room_guid(conference, room.room_id)}
    # The room id travels as the slug when it fits the schema's pattern, so an import gets it back.
    if _ROOM_SLUG.fullmatch(room.room_id):
        record["slug"] = room.room_id
    return record | {"capacity": room.capacity}


def _room_guid(conference: Conference, room_id: str) -> str:
    return str(uuid.uuid5(conference_namespace(conference.identity), f"room:{room_id}"))


def _conference_record(conference: Conference, days: list[dict[str, Any]]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "acronym": acronym(conference.identity),
        "title": conference.name,
        "start": days[0]["date"] if days else "",
        "end": days[-1]["date"] if days else "",
        "daysCount": len(days),
        "timeslot_duration": f"{conference.granularity_min // 60:02d}:{conference.granularity_min % 60:02d}",
    }
    if _JSON_ZONE.search(conference.timezone):
        record["time_zone_name"] = conference.timezone
    tracks = sorted({s.track for s in conference.sessions if s.track})
    if tracks:
        record["tracks"] = [{"name": t} for t in tracks]
    return record


def _content_version(days: list[dict[str, Any]]) -> str:
    """A version string that changes exactly when the schedule does (apps compare it to decide to reload)."""
    return hashlib.sha256(json.dumps(days, sort_keys=True).encode()).hexdigest()[:12]


def _text_element(parent: ET.Element, tag: str, text: str | None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text or ""
    return element


def _strip_invalid(root: ET.Element) -> None:
    """XML 1.0 cannot carry most control characters, even escaped: a stray one in a title would break the file."""
    for element in root.iter():
        if element.text:
            element.text = _XML_INVALID.sub("", element.text)
        for key, value in element.attrib.items():
            element.set(key, _XML_INVALID.sub("", value))


def _conference_element(conference: Conference, days: list[dict[str, Any]], base_url: str | None) -> ET.Element:
    record = _conference_record(conference, days)
    element = ET.Element("conference")
    for tag in ("title", "acronym", "start", "end"):
        _text_element(element, tag, str(record[tag]))
    _text_element(element, "days", str(record["daysCount"]))
    _text_element(element, "timeslot_duration", record["timeslot_duration"])
    if base_url:
        _text_element(element, "base_url", base_url)
    _text_element(element, "time_zone_name", conference.timezone)
    for track in record.get("tracks", []):
        ET.SubElement(element, "track", name=track["name"])
    return element


def _day_element(conference: Conference, day: dict[str, Any]) -> ET.Element:
    element = ET.Element("day", date=day["date"], start=day["day_start"], end=day["day_end"], index=str(day["index"]))
    rooms = {r.name: r.room_id for r in conference.rooms}
    for name, events in day["rooms"].items():
        room = ET.SubElement(element, "room", name=name)
        if name in rooms:
            room.set("guid", _room_guid(conference, rooms[name]))
        for event in events:
            room.append(_event_element(event))
    return element


def _event_element(event: dict[str, Any]) -> ET.Element:
    attributes = {"id": str(event["id"]), "guid": event["guid"]}
    if "code" in event:
        attributes["code"] = event["code"]
    element = ET.Element("event", attributes)
    for tag in (
        "date",
        "start",
        "duration",
        "room",
        "slug",
        "title",
        "subtitle",
        "track",
        "type",
        "language",
        "abstract",
    ):
        if tag != "language" or event[tag]:
            _text_element(element, tag, event[tag])
    persons = ET.SubElement(element, "persons")
    for person in event["persons"]:
        _text_element(persons, "person", person["public_name"], id=str(person["id"]), guid=person["guid"])
    if event["url"].startswith(("http://", "https://")):
        _text_element(element, "url", event["url"])
    return element


# ---------------------------------------------------------------------------------------------------------------
# Import: frab XML or JSON -> raw events -> Conference + reference Timetable
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedSchedule:
    """A published schedule as our conference, with its published times as a reference timetable."""

    conference: Conference
    reference: Timetable
    notes: tuple[str, ...] = ()  # what the committee should know about the conversion (not errors)


@dataclass(frozen=True)
class RawPerson:
    speaker_id: str  # "" when the file names the person only: an id is made from the name (`_with_speaker_ids`)
    name: str
    bio: str = ""


@dataclass(frozen=True)
class RawEvent:
    """One event as read from the file, before it becomes a session; `where` locates it for messages."""

    where: str
    day_date: date | None
    session_id: str
    title: str
    room: str
    start: datetime | None  # aware, or naive when the file gave no offset
    duration_min: int | None
    kind: str = ""
    track: str = ""
    language: str = ""
    abstract: str = ""
    persons: tuple[RawPerson, ...] = ()


@dataclass(frozen=True)
class RawRoom:
    name: str
    capacity: int | None = None
    slug: str = ""  # our export writes the room id here (JSON only)


@dataclass(frozen=True)
class RawSchedule:
    title: str
    timezone: str
    events: tuple[RawEvent, ...]
    rooms: tuple[RawRoom, ...]  # every room the file names, events or not, in order of appearance
    acronym: str = ""


# Picks the session id of a JSON event record; pretalx supplies its own (see scheduler.pretalx).
SessionKey = Callable[[Mapping[str, Any]], str]


def read_frab(
    path: str | Path, *, timezone: str | None = None, session_key: SessionKey | None = None
) -> ImportedSchedule:
    """Read a frab `schedule.xml` or `schedule.json` (told apart by content) into a conference; `timezone`
    overrides the file's, `session_key` how a JSON event's session id is chosen."""
    path = Path(path)
    data = _read_bytes(path)
    if data.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"<"):
        return to_conference(parse_frab_xml(data, path.name), path.name, timezone)
    return to_conference(parse_frab_json(_utf8(data, path.name), path.name, session_key), path.name, timezone)


def _read_bytes(path: Path) -> bytes:
    # Bytes, not text: an XML file names its own encoding, which only the XML parser should read.
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError([Problem(path.name, f"file not found: {path}")]) from None
    except OSError as err:
        raise InputError([Problem(path.name, f"cannot be read: {err.strerror}")]) from None


def _utf8(data: bytes, label: str) -> str:
    """JSON has no encoding declaration: it is UTF-8 (RFC 8259), with a byte-order mark tolerated."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        message = f"is not UTF-8 text (byte {err.start}: {err.reason}); save it as UTF-8"
        raise InputError([Problem(label, message, data.count(b"\n", 0, err.start) + 1)]) from None


class _Collector:
    """Problems of one file, each located by element/field path."""

    def __init__(self, label: str, separator: str = "/"):
        self.label = label
        self.separator = separator  # "/" for XML element paths, "." for JSON field paths
        self.problems: list[Problem] = []

    def add(self, where: str, message: str, row: int | None = None) -> None:
        self.problems.append(Problem(self.label, message, row, where or None))

    def field(self, where: str, name: str) -> str:
        return f"{where}{self.separator}{name}"

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)


def parse_frab_xml(text: str | bytes, label: str) -> RawSchedule:
    """The events of a frab `schedule.xml` (bytes in the encoding its declaration names, UTF-8 if none);
    InputError for malformed XML, an unreadable encoding, missing required elements or an event outside a room."""
    problems = _Collector(label)
    root = _xml_root(text, label)
    if root.tag != "schedule":
        raise InputError(
            [
                Problem(
                    label, f"the root element is <{root.tag}>, not <schedule>: not a frab schedule.xml", None, root.tag
                )
            ]
        )
    conference = root.find("conference")
    if conference is None:
        problems.add("schedule/conference", "missing element <conference>")
    events = []
    days = root.findall("day")
    if not days:
        problems.add("schedule/day", "no <day> elements: the schedule has no days")
    for day_number, day in enumerate(days, start=1):
        day_date = _parse_date(day.get("date"), f"schedule/day[{day_number}]/@date", problems, required=False)
        for room in day.findall("room"):
            room_name = room.get("name", "").strip()
            for event_number, event in enumerate(room.findall("event"), start=1):
                where = f"schedule/day[{day_number}]/room[@name='{room_name}']/event[{event_number}]"
                events.append(_xml_event(event, where, day_date, room_name, problems))
    _check_events_in_rooms(root, problems)
    problems.raise_if_any()
    title = (conference.findtext("title") or "").strip() if conference is not None else ""
    zone = (conference.findtext("time_zone_name") or "").strip() if conference is not None else ""
    short = (conference.findtext("acronym") or "").strip() if conference is not None else ""
    names = dict.fromkeys(r.get("name", "").strip() for r in root.findall("day/room"))
    return RawSchedule(title or label, zone, tuple(events), tuple(RawRoom(n) for n in names if n), short)


def _check_events_in_rooms(root: ET.Element, problems: _Collector) -> None:
    """An <event> anywhere but in a day's <room> has no room the format gives it: reported, never dropped."""
    in_rooms = set(root.findall("day/room/event"))
    stray = [event for event in root.iter("event") if event not in in_rooms]
    parents = {child: parent for parent in root.iter() for child in parent} if stray else {}
    for event in stray:
        title = (event.findtext("title") or "").strip()
        problems.add(
            _xml_path(event, parents),
            f"the <event>{f' {title!r}' if title else ''} is not inside a <room> of a <day>, so it has no room "
            "to be imported into; move it into the <room> of its day",
        )


def _xml_path(element: ET.Element, parents: Mapping[ET.Element, ET.Element]) -> str:
    """`schedule/day[1]/event[2]`: each step numbered among its parent's children of the same tag."""
    steps = []
    while element in parents:
        parent = parents[element]
        number = [c for c in parent if c.tag == element.tag].index(element) + 1
        steps.append(f"{element.tag}[{number}]")
        element = parent
    return "/".join([element.tag, *reversed(steps)])


def _xml_root(text: str | bytes, label: str) -> ET.Element:
    try:
        return ET.fromstring(text)
    except ET.ParseError as err:
        line, column = err.position
        message = f"is not well-formed XML (line {line}, column {column}): {err.msg}"
        if isinstance(text, bytes) and not _is_utf8(text):
            message += (
                "; the file is not UTF-8, so if it is in another encoding its XML declaration must name it, "
                'e.g. <?xml version="1.0" encoding="ISO-8859-1"?>'
            )
        raise InputError([Problem(label, message, line)]) from None
    except (LookupError, ValueError) as err:
        # The parser reads single-byte encodings besides the UTF ones: an unknown or multi-byte one ends here.
        raise InputError(
            [Problem(label, f"declares an encoding the XML parser cannot read ({err}); save it as UTF-8", 1)]
        ) from None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _xml_event(event: ET.Element, where: str, day_date: date | None, room_name: str, problems: _Collector) -> RawEvent:
    def text(tag: str) -> str:
        return (event.findtext(tag) or "").strip()

    session_id = event.get("code") or event.get("id") or ""
    if not session_id:
        problems.add(f"{where}/@id", "the event has no id (attribute id or code)")
    persons = tuple(
        person
        for number, p in enumerate(event.findall("persons/person"), start=1)
        if (person := _person(_identifier(p.get), p.text or "", "", f"{where}/persons/person[{number}]", problems))
    )
    return RawEvent(
        where=where,
        day_date=day_date,
        session_id=session_id,
        title=_required(text("title"), f"{where}/title", problems),
        room=text("room") or room_name,
        start=_event_start(text("date"), text("start"), day_date, where, problems),
        duration_min=_parse_duration(text("duration"), f"{where}/duration", problems),
        kind=text("type"),
        track=text("track"),
        language=text("language"),
        abstract=text("abstract") or text("description"),
        persons=persons,
    )


def parse_frab_json(text: str, label: str, session_key: SessionKey | None = None) -> RawSchedule:
    """The events of a frab/pretalx `schedule.json`; InputError for malformed JSON or missing required fields."""
    problems = _Collector(label, ".")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(
            [Problem(label, f"is not valid JSON (line {err.lineno}, column {err.colno}): {err.msg}", err.lineno)]
        ) from None
    conference = _dig(document, ("schedule", "conference"), problems)
    problems.raise_if_any()
    days = conference.get("days")
    if not isinstance(days, list) or not days:
        problems.add("schedule.conference.days", "missing or empty: the schedule has no days")
        problems.raise_if_any()
    key = session_key or _frab_session_key
    events = [
        event
        for number, day in enumerate(days)
        for event in _json_day(day, f"schedule.conference.days[{number}]", key, problems)
    ]
    rooms = _json_rooms(conference.get("rooms"), days, problems)
    problems.raise_if_any()
    return RawSchedule(
        title=str(conference.get("title") or label),
        timezone=str(conference.get("time_zone_name") or ""),
        events=tuple(events),
        rooms=rooms,
        acronym=str(conference.get("acronym") or ""),
    )


def _json_day(day: Any, where: str, key: SessionKey, problems: _Collector) -> list[RawEvent]:
    if not isinstance(day, dict) or not isinstance(day.get("rooms"), dict):
        problems.add(f"{where}.rooms", "missing: each day needs an object of rooms, each a list of events")
        return []
    day_date = _parse_date(day.get("date"), f"{where}.date", problems, required=False)
    events = []
    for room_name, room_events in day["rooms"].items():
        where_room = f"{where}.rooms[{room_name!r}]"
        if not isinstance(room_events, list):
            problems.add(where_room, "must be a list of events")
            continue
        for number, event in enumerate(room_events):
            if isinstance(event, dict):
                events.append(_json_event(event, f"{where_room}[{number}]", day_date, room_name, key, problems))
            else:
                problems.add(f"{where_room}[{number}]", "an event must be an object")
    return events


def _dig(document: Any, keys: tuple[str, ...], problems: _Collector) -> dict[str, Any]:
    value = document
    for depth, key in enumerate(keys):
        if not isinstance(value, dict) or not isinstance(value.get(key), dict):
            problems.add(".".join(keys[: depth + 1]), f"missing object '{key}': not a frab/pretalx schedule.json")
            return {}
        value = value[key]
    return value


def _frab_session_key(event: Mapping[str, Any]) -> str:
    return _identifier(event.get)


def _identifier(get: Callable[[str], Any]) -> str:
    """An event's or person's id: its pretalx `code` (what pretalx users know), else `id`, else `guid`."""
    for field in ("code", "id", "guid"):
        value = get(field)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _json_event(
    event: Mapping[str, Any], where: str, day_date: date | None, room_name: str, key: SessionKey, problems: _Collector
) -> RawEvent:
    def text(field: str) -> str:
        value = event.get(field)
        return str(value).strip() if value is not None else ""

    session_id = key(event)
    if not session_id:
        problems.add(f"{where}.id", "the event has no id, code or guid")
    return RawEvent(
        where=where,
        day_date=day_date,
        session_id=session_id,
        title=_required(text("title"), f"{where}.title", problems),
        room=text("room") or room_name,
        start=_event_start(text("date"), text("start"), day_date, where, problems),
        duration_min=_json_duration(event, where, problems),
        kind=text("type"),
        track=text("track"),
        language=text("language"),
        abstract=text("abstract") or text("description"),
        persons=_json_persons(event.get("persons"), f"{where}.persons", problems),
    )


def _json_duration(event: Mapping[str, Any], where: str, problems: _Collector) -> int | None:
    if event.get("duration") or not event.get("end"):
        return _parse_duration(str(event.get("duration") or ""), f"{where}.duration", problems)
    start, end = _iso(str(event.get("date") or "")), _iso(str(event["end"]))
    if start is None or end is None or end <= start:
        problems.add(f"{where}.end", f"'{event['end']}' is not a date-time after the event's date")
        return None
    return round((end - start).total_seconds() / 60)


def _json_persons(persons: Any, where: str, problems: _Collector) -> tuple[RawPerson, ...]:
    """The persons of an event: objects with an id and a name, or (as some exports write them) bare names."""
    if not persons:
        return ()
    if not isinstance(persons, list):
        problems.add(where, "must be a list of persons")
        return ()
    found = []
    for number, person in enumerate(persons):
        at = f"{where}[{number}]"
        if isinstance(person, str):
            found.append(_person("", person, "", at, problems))
        elif isinstance(person, dict):
            name = str(person.get("name") or person.get("public_name") or "")
            found.append(_person(_identifier(person.get), name, str(person.get("biography") or ""), at, problems))
        else:
            problems.add(at, f"{json.dumps(person)} is not a person: give an object with code, id or name, or a name")
    return tuple(p for p in found if p)


def _person(speaker_id: str, name: str, bio: str, where: str, problems: _Collector) -> RawPerson | None:
    if not speaker_id and not name.strip():
        problems.add(where, "the person has neither a name nor a code, id or guid")
        return None
    return RawPerson(speaker_id, name.strip(), bio.strip())


def _json_rooms(rooms: Any, days: list[Any], problems: _Collector) -> tuple[RawRoom, ...]:
    """The conference's room list (with capacities and slugs, where given), then rooms only the days name."""
    where = "schedule.conference.rooms"
    if rooms is not None and not isinstance(rooms, list):
        problems.add(where, "must be a list of rooms")
    found: dict[str, RawRoom] = {}
    for number, room in enumerate(rooms if isinstance(rooms, list) else []):
        if not isinstance(room, dict) or not str(room.get("name") or "").strip():
            problems.add(f"{where}[{number}].name", "missing: each room needs a name")
            continue
        name = str(room["name"])
        capacity = _capacity(room.get("capacity"), f"{where}[{number}].capacity", problems)
        found[name] = RawRoom(name, capacity, str(room.get("slug") or ""))
    for day in days:
        if isinstance(day, dict) and isinstance(day.get("rooms"), dict):
            for name in day["rooms"]:
                found.setdefault(str(name), RawRoom(str(name)))
    return tuple(found.values())


def _capacity(value: Any, where: str, problems: _Collector) -> int | None:
    """A number of seats: a whole number of at least one, written as a number or as text ("120"); none if absent."""
    if value is None or value == "":
        return None
    whole = (
        isinstance(value, int)
        or (isinstance(value, float) and value.is_integer())
        or (isinstance(value, str) and _SEATS.fullmatch(value) is not None)
    )
    # JSON `true` is a bool, which Python counts as an int: it is no number of seats.
    seats = int(value) if whole and not isinstance(value, bool) else None
    if seats is None or seats < 1:
        problems.add(where, f"{json.dumps(value)} is not a number of seats (a whole number, at least 1)")
        return None
    return seats


def _required(value: str, where: str, problems: _Collector) -> str:
    if not value:
        problems.add(where, "missing or empty")
    return value


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _parse_date(text: str | None, where: str, problems: _Collector, *, required: bool) -> date | None:
    if not text:
        if required:
            problems.add(where, "missing date")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.add(where, f"'{text}' is not a date (YYYY-MM-DD)")
        return None


def _event_start(
    date_text: str, start_text: str, day_date: date | None, where: str, problems: _Collector
) -> datetime | None:
    """The event's `date` (a date-time); older files give only `start` (HH:MM) on the day's date."""
    if date_text:
        start = _iso(date_text)
        if start is None:
            problems.add(
                problems.field(where, "date"),
                f"'{date_text}' is not an ISO date-time such as 2023-10-13T09:30:00+02:00",
            )
        return start
    if start_text and day_date:
        try:
            return datetime.combine(day_date, time.fromisoformat(start_text))
        except ValueError:
            problems.add(problems.field(where, "start"), f"'{start_text}' is not a time (HH:MM)")
            return None
    problems.add(problems.field(where, "date"), "missing: the event has no date-time (nor a start on a dated day)")
    return None


def _parse_duration(text: str, where: str, problems: _Collector) -> int | None:
    """`HH:MM` or `HH:MM:SS`, more than zero."""
    match = re.fullmatch(r"(\d+):([0-5]\d)(?::([0-5]\d))?", text)
    # Seconds round to the nearest minute: our durations are whole minutes.
    minutes = int(match[1]) * 60 + int(match[2]) + (int(match[3] or 0) >= 30) if match else 0
    if not match or minutes <= 0:
        problems.add(where, f"'{text}' is not a duration such as 00:30 or 01:30:00" if text else "missing duration")
        return None
    return minutes


# ---------------------------------------------------------------------------------------------------------------
# Raw events -> Conference + reference Timetable
# ---------------------------------------------------------------------------------------------------------------


def to_conference(raw: RawSchedule, label: str, timezone: str | None = None) -> ImportedSchedule:
    """Our conference and the published times, from the events of a schedule file (see the module docstring)."""
    problems = _Collector(label)
    zone = _zone(timezone or raw.timezone or "UTC", "--timezone" if timezone else "time_zone_name", problems)
    _check_unique_sessions(raw.events, problems)
    _check_one_name_per_person(raw.events, problems)
    _check_ids_fit_lists(raw.events, problems)
    if not raw.events:
        problems.add("", "the schedule has no events to import")
    problems.raise_if_any()
    events = [_localized(e, zone) for e in _with_speaker_ids(raw.events)]
    named = {r.name: r for r in raw.rooms}
    for event in events:
        named.setdefault(event.room, RawRoom(event.room))
    room_ids = _room_ids(named.values())
    rooms = tuple(Room(room_ids[r.name], r.name, r.capacity or DEFAULT_ROOM_CAPACITY) for r in named.values())
    speakers = _speakers(events)
    sessions = tuple(_session(e) for e in events)
    reference = Timetable(
        tuple(Assignment(e.session_id, room_ids[e.room], e.start, _after(e.start, e.duration_min)) for e in events)
    )
    conference = Conference(
        name=raw.title,
        timezone=zone.key,
        granularity_min=_granularity(e.start for e in events),
        days=_days(events),
        rooms=rooms,
        speakers=speakers,
        sessions=sessions,
        languages=tuple(sorted({e.language for e in events if e.language})),
        slug=_slug_of_acronym(raw.acronym),
    )
    return ImportedSchedule(conference, reference.sorted(), _offset_notes(raw.events, zone))


def _slug_of_acronym(text: str) -> str:
    """The file's acronym as the conference slug ("democon", "rome_peace_2023" -> "rome-peace-2023"), so the
    schedule's owners and our feeds know the conference by one name; none when it cannot be one."""
    slug = _slug(text, limit=64)
    return slug if SLUG_PATTERN.fullmatch(slug) else ""


def _offset_notes(events: Iterable[RawEvent], zone: ZoneInfo) -> tuple[str, ...]:
    """A note when the file's times carry offsets its time zone does not have: the instants are kept, but the
    local times (and days) follow the zone, which may not be the one the committee means."""
    odd = sorted(
        {
            _offset_text(e.start)
            for e in events
            if e.start is not None
            and e.start.tzinfo is not None
            and e.start.utcoffset() != e.start.astimezone(zone).utcoffset()
        }
    )
    if not odd:
        return ()
    return (
        f"times in the file carry UTC offset(s) {', '.join(odd)} that time zone {zone.key} does not have "
        "then; instants are kept and local times follow " + zone.key + " (give --timezone to choose the "
        "conference's zone)",
    )


def _offset_text(moment: datetime) -> str:
    minutes = round((moment.utcoffset() or timedelta(0)).total_seconds() / 60)
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone(name: str, where: str, problems: _Collector) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        problems.add(where, f"unknown time zone '{name}': an IANA zone such as Europe/Rome is needed")
        return ZoneInfo("UTC")


def _check_unique_sessions(events: tuple[RawEvent, ...], problems: _Collector) -> None:
    first: dict[str, str] = {}
    for event in events:
        if event.session_id in first:
            problems.add(
                event.where,
                f"event id '{event.session_id}' is used again (first at {first[event.session_id]}"
                "); each session can be scheduled only once",
            )
        first.setdefault(event.session_id, event.where)


def _check_one_name_per_person(events: tuple[RawEvent, ...], problems: _Collector) -> None:
    """One id under two names is a contradiction in the file: keeping either name would lose the other."""
    first: dict[str, tuple[str, str]] = {}
    for event in events:
        for person in event.persons:
            if person.speaker_id and person.name:
                name, where = first.setdefault(person.speaker_id, (person.name, event.where))
                if name != person.name:
                    problems.add(
                        event.where,
                        f"person '{person.speaker_id}' is named '{person.name}' here but '{name}' at {where}; "
                        "one id is one speaker",
                    )


def _check_ids_fit_lists(events: tuple[RawEvent, ...], problems: _Collector) -> None:
    """Session and speaker ids go into `;`-separated lists of the conference folder (a session's speakers, an
    attendee's interests), where a ';' or ',' inside an id would split it: reported here, at the element that
    gives it, rather than later at a file the committee never saw."""
    for event in events:
        named = [("event", event.session_id)] + [("person", p.speaker_id) for p in event.persons]
        for what, identifier in named:
            if _LIST_BREAKERS.search(identifier):
                problems.add(event.where, f"the {what} id '{identifier}' holds ';' or ',', which separate items of "
                             "lists in the conference folder; give it an id without them")


def _with_speaker_ids(events: tuple[RawEvent, ...]) -> tuple[RawEvent, ...]:
    """Persons the file names without an id get one made from the name: the same name is the same person (nothing
    else tells them apart), and an id that another person already has (or an empty slug) gets a number."""
    taken = {p.speaker_id for e in events for p in e.persons if p.speaker_id}
    by_name: dict[str, str] = {}
    for person in (p for e in events for p in e.persons if not p.speaker_id):
        if person.name not in by_name:
            by_name[person.name] = _unique(_slug(person.name) or "speaker", taken)
            taken.add(by_name[person.name])
    return tuple(
        replace(e, persons=tuple(p if p.speaker_id else replace(p, speaker_id=by_name[p.name]) for p in e.persons))
        for e in events
    )


@dataclass(frozen=True)
class _Placed:
    """An event with its start in the conference zone and the day it is listed under."""

    session_id: str
    title: str
    room: str
    start: datetime
    duration_min: int
    day: date
    event: RawEvent

    @property
    def language(self) -> str:
        return self.event.language


def _localized(event: RawEvent, zone: ZoneInfo) -> _Placed:
    assert event.start is not None and event.duration_min is not None  # parse problems were raised already
    start = event.start.replace(tzinfo=zone) if event.start.tzinfo is None else event.start.astimezone(zone)
    return _Placed(
        event.session_id, event.title, event.room, start, event.duration_min, event.day_date or start.date(), event
    )


def _after(start: datetime, minutes: int) -> datetime:
    """`minutes` of elapsed time after `start` (adding to a zoned datetime would add wall-clock time)."""
    return (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(start.tzinfo)


def _room_ids(rooms: Iterable[RawRoom]) -> dict[str, str]:
    """A readable unique id per room name: the slug the file gives (our export's room id), else one of the name."""
    ids: dict[str, str] = {}
    for room in rooms:
        name = room.name
        if name in ids:
            continue
        ids[name] = _unique(room.slug or _slug(name) or "room", ids.values())
    return ids


def _unique(base: str, taken: Collection[str]) -> str:
    """`base`, or `base-2`, `base-3`... the first not taken."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _speakers(events: list[_Placed]) -> tuple[Speaker, ...]:
    people: dict[str, RawPerson] = {}
    for event in events:
        for person in event.event.persons:
            known = people.get(person.speaker_id)
            # An event may list a speaker by id alone: the name comes from an event that gives it.
            if known is None or (not known.name and person.name):
                people[person.speaker_id] = person
    return tuple(Speaker(p.speaker_id, p.name or p.speaker_id, bio=p.bio) for p in people.values())


def _session(event: _Placed) -> Session:
    raw = event.event
    return Session(
        session_id=event.session_id,
        title=event.title,
        duration_min=event.duration_min,
        speakers=tuple(dict.fromkeys(p.speaker_id for p in raw.persons)),
        language=raw.language,
        track=raw.track,
        kind=raw.kind,
        abstract=raw.abstract,
    )


def _days(events: list[_Placed]) -> tuple[Day, ...]:
    """An open period per schedule day, from its earliest start to its latest end, filed under the local date it
    starts on (our format writes a period as times from that date on; a night may run into the next morning)."""
    by_schedule_day: dict[date, list[_Placed]] = {}
    for event in events:
        by_schedule_day.setdefault(event.day, []).append(event)
    by_date: dict[date, list[Window]] = {}
    for todays in by_schedule_day.values():
        period = Window(min(e.start for e in todays), max(_after(e.start, e.duration_min) for e in todays))
        by_date.setdefault(period.start.date(), []).append(period)
    return tuple(Day(d, tuple(sorted(periods, key=lambda p: p.start))) for d, periods in sorted(by_date.items()))


def _granularity(starts: Iterable[datetime]) -> int:
    """The largest step (5..60 minutes, dividing a day) that every start falls on, as near as the cap allows."""
    step = 1440
    for start in starts:
        step = math.gcd(step, start.hour * 60 + start.minute)
    if step > 60:
        step = max(d for d in range(1, 61) if step % d == 0)
    return max(step, 5)
