"""frab schedule.xml / schedule.json: valid against the c3voc XSD and JSON schema, stable identifiers, and an
import that gives back what the export wrote."""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jsonschema
import pytest
import xmlschema
from factories import make_day, make_room, make_session, make_speaker

from scheduler.cli import main
from scheduler.domain import Assignment, Conference, Day, Timetable, Window
from scheduler.errors import InputError
from scheduler.frab import (
    DEFAULT_ROOM_CAPACITY,
    event_guid,
    numeric_ids,
    read_frab,
    schedule_json,
    schedule_xml,
)
from scheduler.loader import load_conference
from scheduler.tables import write_conference_folder
from scheduler.timetable_io import read_timetable

FORMATS = Path(__file__).resolve().parents[1].parent / "shared" / "formats"
ROME = ZoneInfo("Europe/Rome")
SATURDAY, SUNDAY = date(2023, 10, 28), date(2023, 10, 29)


def schema_file(name: str) -> Path:
    path = FORMATS / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: the c3voc schemas live in ../shared/formats/ beside the repository root "
                    "(see ../shared/formats/SOURCE.md for where to get them)")
    return path


@pytest.fixture(scope="module")
def xsd() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(schema_file("schedule.xml.xsd"))


def strict_formats() -> jsonschema.FormatChecker:
    """jsonschema checks date-time, uuid and uri only with optional packages; these stand in for them."""
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def date_time(value: object) -> bool:
        return not isinstance(value, str) or ("T" in value and datetime.fromisoformat(value).tzinfo is not None)

    @checker.checks("date", raises=ValueError)
    def date_only(value: object) -> bool:
        return not isinstance(value, str) or bool(date.fromisoformat(value))

    @checker.checks("uuid", raises=ValueError)
    def uuid_text(value: object) -> bool:
        return not isinstance(value, str) or str(uuid.UUID(value)) == value.lower()

    @checker.checks("uri")
    def absolute_uri(value: object) -> bool:
        return not isinstance(value, str) or bool(urlsplit(value).scheme)

    return checker


@pytest.fixture(scope="module")
def json_validator() -> jsonschema.Draft6Validator:
    schema = json.loads(schema_file("schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft6Validator(schema, format_checker=strict_formats())


def local(day: date, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME)


def rome() -> Conference:
    """Ids of three shapes: positive integers and pretalx codes survive a round trip, others get numbers."""
    sessions = (
        make_session("101", 60, ("7",), title="Peace, justice; & <reconciliation>", language="it", track="dialogue",
                     kind="panel", abstract="Truth & <commissions>."),
        make_session("G9JGWY", 90, ("7", "NQTF8Y"), title="Мир 🕊️ و سلام", language="uk", track="war-zone",
                     kind="talk", abstract="Переговори."),
        make_session("closing-plenary", 45, ("sp-anna",), title="Closing plenary", language="en", kind="plenary"),
        make_session("5", 30, (), title="Café ☕"),
    )
    return Conference(
        name="Rome Peace Conference 2023",
        timezone="Europe/Rome",
        granularity_min=15,
        days=(make_day("09:00-13:00", "14:30-19:00", day=SATURDAY), make_day("09:00-13:00", day=SUNDAY)),
        rooms=(make_room("aula", capacity=400, name="Aula Magna"), make_room("sala-2", capacity=80, name="Sala 2"),
               make_room("empty", capacity=20, name="Quiet room")),
        speakers=(make_speaker("7", name="Anna Rossi"), make_speaker("NQTF8Y", name="Олена Коваленко"),
                  make_speaker("sp-anna", name="محمد علي")),
        sessions=sessions,
        languages=("en", "it", "uk"),
    )


def solve_one(conference: Conference) -> Timetable:
    return Timetable((
        _placed(conference, "101", "aula", SATURDAY, "09:00"),
        _placed(conference, "G9JGWY", "sala-2", SATURDAY, "09:15"),
        _placed(conference, "closing-plenary", "aula", SUNDAY, "11:45"),
        _placed(conference, "5", "sala-2", SUNDAY, "09:00"),
    ))


def solve_two(conference: Conference) -> Timetable:
    """A re-solve: two sessions moved."""
    return Timetable((
        _placed(conference, "101", "sala-2", SATURDAY, "14:30"),
        _placed(conference, "G9JGWY", "sala-2", SATURDAY, "09:15"),
        _placed(conference, "closing-plenary", "aula", SUNDAY, "10:00"),
        _placed(conference, "5", "sala-2", SUNDAY, "09:00"),
    ))


def _placed(conference: Conference, session_id: str, room: str, day: date, hhmm: str) -> Assignment:
    start = local(day, hhmm)
    minutes = conference.session_by_id[session_id].duration_min
    return Assignment(session_id, room, start, (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(ROME))


def xml_events(data: bytes) -> dict[str, ET.Element]:
    return {e.get("guid"): e for e in ET.fromstring(data).iter("event")}


def json_events(data: bytes) -> dict[str, dict]:
    days = json.loads(data)["schedule"]["conference"]["days"]
    return {e["guid"]: e for day in days for events in day["rooms"].values() for e in events}


# ---------------------------------------------------------------------------------------------------------------
# Export: schema-valid, complete, stable
# ---------------------------------------------------------------------------------------------------------------


def test_schedule_xml_is_valid_against_the_c3voc_xsd(xsd):
    data = schedule_xml(rome(), solve_one(rome()), session_url=lambda sid: f"https://rome.example.org/s/{sid}")
    xsd.validate(data.decode())


def test_schedule_json_is_valid_against_the_c3voc_schema(json_validator):
    data = schedule_json(rome(), solve_one(rome()), base_url="https://rome.example.org/")
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in json_validator.iter_errors(json.loads(data))]
    assert errors == []


def test_control_characters_cannot_break_the_xml(xsd):
    conference = rome()
    sessions = tuple(replace(s, title="Bell\x07 ring", abstract="\x00nul") if s.session_id == "5" else s
                     for s in conference.sessions)
    rooms = (replace(conference.rooms[0], name="Aula\x1b Magna"), *conference.rooms[1:])
    data = schedule_xml(replace(conference, sessions=sessions, rooms=rooms), solve_one(conference))
    xsd.validate(data.decode())
    titles = {e.findtext("title") for e in ET.fromstring(data).iter("event")}
    assert "Bell ring" in titles
    assert [r.get("name") for r in ET.fromstring(data).find("day").findall("room")][0] == "Aula Magna"


def test_the_validators_do_reject_a_broken_schedule(xsd, json_validator):
    """The schema checks above can fail: a guid that is not a UUID is refused by both."""
    data = schedule_xml(rome(), solve_one(rome()))
    guid = next(iter(xml_events(data)))
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        xsd.validate(data.decode().replace(guid, "not-a-uuid"))
    document = json.loads(schedule_json(rome(), solve_one(rome())))
    del document["schedule"]["conference"]["acronym"]
    assert list(json_validator.iter_errors(document))
    document = json.loads(schedule_json(rome(), solve_one(rome())))
    document["schedule"]["conference"]["days"][0]["rooms"]["Aula Magna"][0]["date"] = "2023-10-28 09:00"
    assert [e.validator for e in json_validator.iter_errors(document)] == ["format"]


@pytest.mark.parametrize("render, events_of", [(schedule_xml, xml_events), (schedule_json, json_events)])
def test_guids_are_stable_uuid5_across_two_solves(render, events_of):
    conference = rome()
    first = events_of(render(conference, solve_one(conference)))
    second = events_of(render(conference, solve_two(conference)))
    assert set(first) == set(second)
    assert len(first) == len(conference.sessions)
    assert {uuid.UUID(g).version for g in first} == {5}
    assert set(first) == {event_guid(conference.identity, s.session_id) for s in conference.sessions}
    assert event_guid("Another conference", "101") not in first


@pytest.mark.parametrize("render, events_of", [(schedule_xml, xml_events), (schedule_json, json_events)])
def test_a_renamed_conference_with_a_slug_keeps_every_identifier(render, events_of):
    conference = replace(rome(), slug="rome-peace-2023")
    timetable = solve_one(conference)
    renamed = replace(conference, name="Rome Peace Conference 2023 (corrected)")
    before, after = render(conference, timetable), render(renamed, timetable)
    assert before != after  # the title changed...
    # ...and nothing apps key favourites on: guids, numeric ids, slugs, the acronym
    assert after.replace(b"Rome Peace Conference 2023 (corrected)", b"Rome Peace Conference 2023") == before
    assert set(events_of(before)) == {event_guid("rome-peace-2023", s.session_id) for s in conference.sessions}


def test_the_files_acronym_becomes_the_slug_and_comes_back_from_our_export(tmp_path):
    conference = replace(rome(), slug="rome-peace-2023")
    path = tmp_path / "schedule.xml"
    path.write_bytes(schedule_xml(conference, solve_one(conference)))
    imported = read_frab(path).conference
    assert imported.slug == "rome-peace-2023"
    write_conference_folder(imported, tmp_path / "again")
    assert load_conference(tmp_path / "again").slug == "rome-peace-2023"


def test_xml_events_carry_what_the_conference_says():
    conference = rome()
    timetable = solve_one(conference)
    root = ET.fromstring(schedule_xml(conference, timetable))
    assert [d.get("date") for d in root.iter("day")] == ["2023-10-28", "2023-10-29"]
    assert root.findtext("conference/time_zone_name") == "Europe/Rome"
    assert root.findtext("conference/timeslot_duration") == "00:15"
    # Every room on every day, even one with nothing in it.
    assert [r.get("name") for r in root.find("day").findall("room")] == ["Aula Magna", "Sala 2", "Quiet room"]
    events = xml_events(schedule_xml(conference, timetable))
    for placed in timetable.assignments:
        session = conference.session_by_id[placed.session_id]
        event = events[event_guid(conference.identity, session.session_id)]
        minutes = int((placed.end - placed.start).total_seconds() // 60)
        assert datetime.fromisoformat(event.findtext("date")) == placed.start
        assert event.findtext("start") == placed.start.strftime("%H:%M")
        assert event.findtext("duration") == f"{minutes // 60:02d}:{minutes % 60:02d}"
        assert event.findtext("room") == conference.room_by_id[placed.room_id].name
        assert (event.findtext("title"), event.findtext("abstract")) == (session.title, session.abstract)
        assert (event.findtext("track"), event.findtext("type")) == (session.track, session.kind)
        assert (event.findtext("language") or "") == session.language
        assert [p.text for p in event.iter("person")] == [conference.speaker_by_id[s].name for s in session.speakers]


def test_the_day_after_the_dst_change_carries_the_winter_offset():
    conference = rome()
    events = json_events(schedule_json(conference, solve_one(conference)))
    dates = {e["title"]: e["date"] for e in events.values()}
    assert dates["Peace, justice; & <reconciliation>"] == "2023-10-28T09:00:00+02:00"
    assert dates["Café ☕"] == "2023-10-29T09:00:00+01:00"


def test_ids_integers_keep_their_number_codes_travel_as_code_others_get_a_stable_number():
    conference = rome()
    events = {e["title"]: e for e in json_events(schedule_json(conference, solve_one(conference))).values()}
    assert events["Café ☕"]["id"] == 5 and events["Peace, justice; & <reconciliation>"]["id"] == 101
    assert events["Мир 🕊️ و سلام"]["code"] == "G9JGWY"
    plenary = events["Closing plenary"]["id"]
    again = {e["title"]: e for e in json_events(schedule_json(conference, solve_two(conference))).values()}
    assert again["Closing plenary"]["id"] == plenary


def test_numeric_ids_are_unique_positive_32_bit_and_independent_of_the_other_ids():
    ids = [f"session-{i}" for i in range(2000)] + ["17", "0042", "99999999999"]
    numbers = numeric_ids(ids, "conf")
    assert len(set(numbers.values())) == len(ids)
    assert all(1 <= n < 2**31 for n in numbers.values())
    assert numbers["17"] == 17 and numbers["0042"] != 42  # "0042" would come back as "42"
    assert numeric_ids(["session-5", "x"], "conf")["session-5"] == numbers["session-5"]


def test_numeric_ids_resolve_a_collision_with_an_integer_id():
    hashed = numeric_ids(["talk"], "conf")["talk"]
    both = numeric_ids(["talk", str(hashed)], "conf")
    assert both[str(hashed)] == hashed and both["talk"] != hashed


# ---------------------------------------------------------------------------------------------------------------
# Import: our own export comes back the same; errors name file and element
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("render, name", [(schedule_xml, "schedule.xml"), (schedule_json, "schedule.json")])
def test_round_trip_gives_back_sessions_rooms_and_the_timetable(render, name, tmp_path):
    conference = rome()
    timetable = solve_one(conference)
    path = tmp_path / name
    path.write_bytes(render(conference, timetable))
    imported = read_frab(path)
    back = imported.conference
    numbers = numeric_ids(conference.session_by_id, f"{conference.identity}/sessions")
    # Integer ids and pretalx codes come back as they were; other ids as the number the export gave them.
    new_id = {sid: sid if sid in ("101", "5", "G9JGWY") else str(numbers[sid]) for sid in conference.session_by_id}
    assert set(back.session_by_id) == set(new_id.values())
    speaker_name = {**conference.speaker_by_id, **back.speaker_by_id}
    for sid, session in conference.session_by_id.items():
        got = back.session_by_id[new_id[sid]]
        assert (got.title, got.duration_min, got.language, got.track, got.kind, got.abstract) == (
            session.title, session.duration_min, session.language, session.track, session.kind, session.abstract)
        assert [speaker_name[s].name for s in got.speakers] == [speaker_name[s].name for s in session.speakers]
    assert [r.name for r in back.rooms] == [r.name for r in conference.rooms]
    assert (back.name, back.timezone, back.languages) == (conference.name, conference.timezone, conference.languages)
    room_name = {r.room_id: r.name for r in (*conference.rooms, *back.rooms)}
    exported = {(new_id[a.session_id], room_name[a.room_id], a.start, a.end) for a in timetable.assignments}
    assert {(a.session_id, room_name[a.room_id], a.start, a.end) for a in imported.reference.assignments} == exported


def test_json_round_trip_keeps_room_ids_and_capacities(tmp_path):
    path = tmp_path / "schedule.json"
    path.write_bytes(schedule_json(rome(), solve_one(rome())))
    rooms = read_frab(path).conference.rooms
    assert [(r.room_id, r.capacity) for r in rooms] == [(r.room_id, r.capacity) for r in rome().rooms]


def test_xml_has_no_capacities_so_rooms_get_the_documented_default(tmp_path):
    path = tmp_path / "schedule.xml"
    path.write_bytes(schedule_xml(rome(), solve_one(rome())))
    assert {r.capacity for r in read_frab(path).conference.rooms} == {DEFAULT_ROOM_CAPACITY}


def test_imported_days_granularity_and_audience_are_derived_from_the_published_times(tmp_path):
    path = tmp_path / "schedule.xml"
    path.write_bytes(schedule_xml(rome(), solve_one(rome())))
    conference = read_frab(path).conference
    assert [(d.date, [(p.start, p.end) for p in d.periods]) for d in conference.days] == [
        (SATURDAY, [(local(SATURDAY, "09:00"), local(SATURDAY, "10:45"))]),
        (SUNDAY, [(local(SUNDAY, "09:00"), local(SUNDAY, "12:30"))]),
    ]
    assert conference.granularity_min == 15  # starts at :00, :15 and :45
    assert {s.expected_audience for s in conference.sessions} == {0}


def test_imported_folder_loads_and_its_reference_timetable_reads_back(tmp_path):
    source = tmp_path / "schedule.xml"
    source.write_bytes(schedule_xml(rome(), solve_one(rome())))
    imported = read_frab(source)
    write_conference_folder(imported.conference, tmp_path / "conf", imported.reference)
    loaded = load_conference(tmp_path / "conf")
    assert loaded == imported.conference
    assert read_timetable(tmp_path / "conf" / "reference-timetable.csv", loaded).sorted() == imported.reference


def frab_xml(events: str, zone: str = "Europe/Berlin") -> str:
    return f"""<?xml version="1.0"?>
<schedule><version>1</version>
  <conference><title>Congress</title><time_zone_name>{zone}</time_zone_name></conference>
  <day date="2023-12-27" index="1" start="2023-12-27T10:00:00+01:00" end="2023-12-28T04:00:00+01:00">
    <room name="Saal 1">{events}</room>
  </day>
</schedule>"""


def frab_event(event_id: str, start: str, duration: str, title: str = "Talk", date_: str = "2023-12-27") -> str:
    return (f'<event id="{event_id}" guid="{uuid.uuid4()}"><date>{date_}T{start}:00+01:00</date><start>{start}</start>'
            f"<duration>{duration}</duration><room>Saal 1</room><title>{title}</title><type>talk</type>"
            f'<language>de</language><track>CCC</track><abstract/><persons><person id="3">Alice</person></persons>'
            "</event>")


def test_a_night_session_across_midnight_gives_a_day_ending_the_next_morning(tmp_path):
    events = frab_event("1", "20:00", "01:00") + frab_event("2", "23:30", "01:30", date_="2023-12-27")
    path = tmp_path / "schedule.xml"
    path.write_text(frab_xml(events), encoding="utf-8")
    imported = read_frab(path)
    write_conference_folder(imported.conference, tmp_path / "conf", imported.reference)
    assert 'open = [\n    "20:00-01:00",\n]' in (tmp_path / "conf" / "conference.toml").read_text()
    loaded = load_conference(tmp_path / "conf")
    (period,) = loaded.days[0].periods
    assert period.end == datetime(2023, 12, 28, 1, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def test_a_night_running_past_midnight_stays_one_day_through_export_and_import(tmp_path):
    night = Day(SUNDAY, (Window(local(SUNDAY, "20:00"), local(date(2023, 10, 30), "02:00")),))
    conference = replace(rome(), days=(night,))
    timetable = Timetable((_placed(conference, "101", "aula", SUNDAY, "20:00"),
                           _placed(conference, "5", "aula", date(2023, 10, 30), "01:00")))
    root = ET.fromstring(schedule_xml(conference, timetable))
    assert [(d.get("date"), len(list(d.iter("event")))) for d in root.iter("day")] == [("2023-10-29", 2)]
    path = tmp_path / "schedule.xml"
    path.write_bytes(schedule_xml(conference, timetable))
    imported = read_frab(path)
    write_conference_folder(imported.conference, tmp_path / "conf", imported.reference)
    (day,) = load_conference(tmp_path / "conf").days
    assert (day.date, day.periods) == (SUNDAY, (Window(local(SUNDAY, "20:00"), local(date(2023, 10, 30), "01:30")),))


@pytest.mark.parametrize("starts, granularity", [
    (("09:00", "09:20", "10:40"), 20),
    (("09:00", "11:00"), 60),
    (("09:00", "10:30"), 45),  # gcd 90: the largest step of at most 60 minutes that divides it
    (("09:02", "10:00"), 5),  # too fine a step is capped: such a start is simply off the grid
    (("09:00", "10:45"), 15),
])
def test_granularity_is_the_gcd_of_start_minutes_within_5_to_60(starts, granularity, tmp_path):
    events = "".join(frab_event(str(i), s, "00:15") for i, s in enumerate(starts, start=1))
    path = tmp_path / "schedule.xml"
    path.write_text(frab_xml(events), encoding="utf-8")
    assert read_frab(path).conference.granularity_min == granularity


def test_timezone_override_and_missing_zone(tmp_path):
    path = tmp_path / "schedule.xml"
    path.write_text(frab_xml(frab_event("1", "10:00", "00:30"), zone=""), encoding="utf-8")
    assert read_frab(path).conference.timezone == "UTC"
    assert read_frab(path).reference.assignments[0].start.hour == 9
    berlin = read_frab(path, timezone="Europe/Berlin")
    assert (berlin.conference.timezone, berlin.reference.assignments[0].start.hour) == ("Europe/Berlin", 10)


def problems_of(path: Path, **kwargs) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_frab(path, **kwargs)
    return [str(p) for p in caught.value.problems]


def test_malformed_xml_names_the_file_and_line(tmp_path):
    path = tmp_path / "schedule.xml"
    path.write_text("<schedule>\n<day>\n</schedule>", encoding="utf-8")
    (problem,) = problems_of(path)
    assert problem.startswith("schedule.xml:3: is not well-formed XML")


def test_malformed_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "schedule.json"
    path.write_text('{"schedule": {\n  "conference": ,\n}}', encoding="utf-8")
    (problem,) = problems_of(path)
    assert problem.startswith("schedule.json:2: is not valid JSON")


def test_missing_and_bad_fields_are_all_named_with_their_element(tmp_path):
    events = (frab_event("1", "10:00", "1h").replace("<title>Talk</title>", "")
              + frab_event("2", "11:00", "00:30").replace("2023-12-27T11:00:00+01:00", "soon"))
    path = tmp_path / "schedule.xml"
    path.write_text(frab_xml(events), encoding="utf-8")
    problems = problems_of(path)
    where = "schedule.xml:schedule/day[1]/room[@name='Saal 1']"
    assert f"{where}/event[1]/title: missing or empty" in problems
    assert any(p.startswith(f"{where}/event[1]/duration: '1h' is not a duration") for p in problems)
    assert any(p.startswith(f"{where}/event[2]/date: 'soon' is not an ISO date-time") for p in problems)
    assert len(problems) == 3


def test_json_missing_fields_are_named_with_their_path(tmp_path):
    document = json.loads(schedule_json(rome(), solve_one(rome())))
    first = document["schedule"]["conference"]["days"][0]["rooms"]["Aula Magna"][0]
    del first["duration"], first["end"], first["title"]
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    problems = problems_of(path)
    where = "schedule.json:schedule.conference.days[0].rooms['Aula Magna'][0]"
    assert set(problems) == {f"{where}.title: missing or empty", f"{where}.duration: missing duration"}


def test_json_without_duration_takes_it_from_end(tmp_path):
    document = json.loads(schedule_json(rome(), solve_one(rome())))
    first = document["schedule"]["conference"]["days"][0]["rooms"]["Aula Magna"][0]
    del first["duration"]
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert read_frab(path).conference.session_by_id["101"].duration_min == 60


@pytest.mark.parametrize("text, expected", [
    ('{"schedule": {}}', "schedule.json:schedule.conference: missing object 'conference'"),
    ('{"schedule": {"conference": {"days": []}}}', "schedule.json:schedule.conference.days: missing or empty"),
    ("<calendar/>", "schedule.json:calendar: the root element is <calendar>, not <schedule>"),
])
def test_files_that_are_not_schedules_are_refused(text, expected, tmp_path):
    path = tmp_path / "schedule.json"
    path.write_text(text, encoding="utf-8")
    (problem,) = problems_of(path)
    assert problem.startswith(expected)


def test_duplicate_event_ids_and_unknown_zone_are_refused(tmp_path):
    path = tmp_path / "schedule.xml"
    path.write_text(frab_xml(frab_event("1", "10:00", "00:30") + frab_event("1", "11:00", "00:30"), zone="Mars/Base"),
                    encoding="utf-8")
    problems = problems_of(path)
    assert any("time_zone_name: unknown time zone 'Mars/Base'" in p for p in problems)
    assert any("event[2]: event id '1' is used again" in p for p in problems)


def test_a_missing_file_is_an_input_error(tmp_path):
    (problem,) = problems_of(tmp_path / "nothing.xml")
    assert problem.startswith("nothing.xml: file not found")


def test_selection_of_sessions_exports_only_those(tmp_path):
    conference = rome()
    timetable = solve_one(conference)
    only = Timetable(tuple(a for a in timetable.assignments if a.session_id == "101"))
    events = xml_events(schedule_xml(conference, only))
    assert list(events) == [event_guid(conference.identity, "101")]
    # A renamed conference is another conference: all its guids differ.
    renamed = replace(conference, name="Rome Peace Conference 2024")
    assert not set(xml_events(schedule_xml(renamed, timetable))) & set(xml_events(schedule_xml(conference, timetable)))


# ---------------------------------------------------------------------------------------------------------------
# Import: nothing is dropped or merged silently; files in other encodings
# ---------------------------------------------------------------------------------------------------------------

LATIN1 = Path(__file__).parent / "data" / "import-latin1.xml"


def test_an_event_outside_any_room_is_reported_not_dropped(tmp_path):
    path = tmp_path / "schedule.xml"
    stray = frab_event("2", "11:00", "00:30", title="Stray")
    path.write_text(frab_xml(frab_event("1", "10:00", "00:30")).replace("</day>", f"{stray}</day>"), encoding="utf-8")
    assert problems_of(path) == [
        "schedule.xml:schedule/day[1]/event[1]: the <event> 'Stray' is not inside a <room> of a <day>, so it has no "
        "room to be imported into; move it into the <room> of its day"
    ]


def test_speakers_sharing_a_name_stay_apart_by_their_codes(tmp_path):
    """pretalx's XML names a person by code; two people called Jane Doe are two speakers."""
    events = (frab_event("1", "10:00", "00:30").replace('<person id="3">Alice', '<person code="AAAAAA">Jane Doe')
              + frab_event("2", "11:00", "00:30").replace('<person id="3">Alice', '<person code="BBBBBB">Jane Doe'))
    path = tmp_path / "schedule.xml"
    path.write_text(frab_xml(events), encoding="utf-8")
    conference = read_frab(path).conference
    assert [(s.speaker_id, s.name) for s in conference.speakers] == [("AAAAAA", "Jane Doe"), ("BBBBBB", "Jane Doe")]
    assert [s.speakers for s in conference.sessions] == [("AAAAAA",), ("BBBBBB",)]


def test_speakers_known_only_by_name_get_one_id_per_name(tmp_path):
    """Names whose slugs are empty or taken by another speaker's id still give distinct speakers."""
    def with_person(event_id: str, start: str, person: str) -> str:
        return frab_event(event_id, start, "00:30").replace('<person id="3">Alice</person>', person)

    events = (with_person("1", "10:00", "<person>محمد علي</person>")
              + with_person("2", "11:00", "<person>Олена</person>")
              + with_person("3", "12:00", '<person id="anna">Anna Rossi</person><person>Anna</person>')
              + with_person("4", "13:00", "<person>Олена</person>"))
    path = tmp_path / "schedule.xml"
    path.write_text(frab_xml(events), encoding="utf-8")
    conference = read_frab(path).conference
    assert [(s.speaker_id, s.name) for s in conference.speakers] == [
        ("speaker", "محمد علي"), ("speaker-2", "Олена"), ("anna", "Anna Rossi"), ("anna-2", "Anna")]
    assert [s.speakers for s in conference.sessions] == [("speaker",), ("speaker-2",), ("anna", "anna-2"),
                                                         ("speaker-2",)]


def test_one_person_id_under_two_names_is_reported(tmp_path):
    events = frab_event("1", "10:00", "00:30") + frab_event("2", "11:00", "00:30").replace(">Alice<", ">Bob<")
    path = tmp_path / "schedule.xml"
    path.write_text(frab_xml(events), encoding="utf-8")
    where = "schedule.xml:schedule/day[1]/room[@name='Saal 1']/event"
    assert problems_of(path) == [
        f"{where}[2]: person '3' is named 'Bob' here but 'Alice' at schedule/day[1]/room[@name='Saal 1']/event[1]; "
        "one id is one speaker"
    ]


@pytest.mark.parametrize(("old", "new", "what"), [
    ('<person id="3">', '<person id="3;4">', "person id '3;4'"),
    ('<person id="3">', '<person id="3,4">', "person id '3,4'"),
])
def test_an_id_that_would_split_in_a_list_is_reported_at_its_event(tmp_path, capsys, old, new, what):
    path = tmp_path / "schedule.xml"
    path.write_text(frab_xml(frab_event("1", "10:00", "00:30").replace(old, new)), encoding="utf-8")
    assert problems_of(path) == [
        f"schedule.xml:schedule/day[1]/room[@name='Saal 1']/event[1]: the {what} holds ';' or ',', which separate "
        "items of lists in the conference folder; give it an id without them"
    ]
    assert main(["import", "frab", str(path), "--out", str(tmp_path / "conf")]) == 2
    assert "sessions.csv" not in capsys.readouterr().err and not (tmp_path / "conf").exists()


def test_a_person_without_name_or_id_is_reported(tmp_path):
    path = tmp_path / "schedule.xml"
    path.write_text(frab_xml(frab_event("1", "10:00", "00:30").replace('<person id="3">Alice', "<person>")),
                    encoding="utf-8")
    assert problems_of(path) == [
        "schedule.xml:schedule/day[1]/room[@name='Saal 1']/event[1]/persons/person[1]: the person has neither a name "
        "nor a code, id or guid"
    ]


def test_a_latin1_file_that_declares_its_encoding_is_read():
    conference = read_frab(LATIN1).conference
    (session,) = conference.sessions
    assert (conference.name, session.title, session.abstract) == ("Bürgerkonferenz Köln", "Begrüßung",
                                                                   "Grüße aus Köln - à bientôt.")
    assert [(s.speaker_id, s.name) for s in conference.speakers] == [("7", "Jürgen Müller")]
    assert [r.name for r in conference.rooms] == ["Saal Übersee"]


def test_a_file_neither_utf8_nor_declaring_its_encoding_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "schedule.xml"
    path.write_bytes(LATIN1.read_bytes().replace(b' encoding="ISO-8859-1"', b""))
    (problem,) = problems_of(path)
    assert problem.startswith("schedule.xml:5: is not well-formed XML (line 5, column ")
    assert problem.endswith('the file is not UTF-8, so if it is in another encoding its XML declaration must name '
                            'it, e.g. <?xml version="1.0" encoding="ISO-8859-1"?>')


@pytest.mark.parametrize("encoding, reason", [("klingon", "unknown encoding: klingon"),
                                              ("Shift_JIS", "multi-byte encodings are not supported")])
def test_an_encoding_the_parser_cannot_read_is_refused(encoding, reason, tmp_path):
    path = tmp_path / "schedule.xml"
    path.write_bytes(LATIN1.read_bytes().replace(b"ISO-8859-1", encoding.encode()))
    assert problems_of(path) == [
        f"schedule.xml:1: declares an encoding the XML parser cannot read ({reason}); save it as UTF-8"]


def test_a_json_file_that_is_not_utf8_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "schedule.json"
    path.write_bytes('{"schedule":\n {"conference": {"title": "Köln"}}}'.encode("latin-1"))
    assert problems_of(path) == [
        "schedule.json:2: is not UTF-8 text (byte 41: invalid start byte); save it as UTF-8"]
