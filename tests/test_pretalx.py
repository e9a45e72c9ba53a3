"""pretalx import: the c3voc fixture `pretalx-democon.json` (a real pretalx export) becomes a conference folder
that loads, with the counts, codes and times of the file, and goes back out to pretalx under the same codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from scheduler.domain import Conference
from scheduler.errors import InputError
from scheduler.frab import schedule_json, schedule_xml
from scheduler.loader import load_conference
from scheduler.pretalx import read_pretalx, submission_code
from scheduler.tables import write_conference_folder
from scheduler.timetable_io import read_timetable

FORMATS = Path(__file__).resolve().parents[1].parent / "shared" / "formats"


def fixture_file(name: str) -> Path:
    path = FORMATS / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: it lives in ../shared/formats/ beside the repository root "
                    "(see ../shared/formats/SOURCE.md for its upstream location)")
    return path


@pytest.fixture(scope="module")
def democon() -> dict:
    return json.loads(fixture_file("pretalx-democon.json").read_text(encoding="utf-8"))


def events_of(document: dict) -> list[dict]:
    days = document["schedule"]["conference"]["days"]
    return [e for day in days for events in day["rooms"].values() for e in events]


def test_democon_becomes_a_folder_that_loads_with_the_files_counts(democon, tmp_path):
    imported = read_pretalx(fixture_file("pretalx-democon.json"))
    write_conference_folder(imported.conference, tmp_path / "democon", imported.reference)
    conference = load_conference(tmp_path / "democon")
    events = events_of(democon)
    assert len(conference.sessions) == len(events)
    assert len(conference.speakers) == len({p["code"] for e in events for p in e["persons"]})
    assert [r.name for r in conference.rooms] == [r["name"] for r in democon["schedule"]["conference"]["rooms"]]
    assert len(conference.days) == democon["schedule"]["conference"]["daysCount"]
    assert conference.name == democon["schedule"]["conference"]["title"]
    assert conference.slug == democon["schedule"]["conference"]["acronym"] == "democon"  # our UIDs: SESSION@democon
    reference = read_timetable(tmp_path / "democon" / "reference-timetable.csv", conference)
    assert len(reference.assignments) == len(events)


def test_sessions_and_speakers_are_known_by_their_pretalx_codes(democon):
    conference = read_pretalx(fixture_file("pretalx-democon.json")).conference
    for event in events_of(democon):
        code = event["url"].rstrip("/").rsplit("/", 1)[-1]
        session = conference.session_by_id[code]
        assert session.title == event["title"]
        assert session.speakers == tuple(p["code"] for p in event["persons"])
        assert (session.track, session.kind, session.language) == (event["track"], event["type"], event["language"])
        assert session.abstract == event["abstract"]
        hours, minutes = map(int, event["duration"].split(":"))
        assert session.duration_min == hours * 60 + minutes
    names = {p["code"]: p["public_name"] for e in events_of(democon) for p in e["persons"]}
    assert {s.speaker_id: s.name for s in conference.speakers} == names


def test_published_times_become_the_reference_at_the_same_instants(democon):
    imported = read_pretalx(fixture_file("pretalx-democon.json"))
    by_session = imported.reference.by_session
    room_ids = {r.name: r.room_id for r in imported.conference.rooms}
    for event in events_of(democon):
        placed = by_session[submission_code(event)]
        start = datetime.fromisoformat(event["date"])
        assert placed.start == start and placed.room_id == room_ids[event["room"]]
        duration = imported.conference.session_by_id[placed.session_id].duration_min
        assert placed.end - placed.start == timedelta(minutes=duration)


def test_the_files_zone_disagreeing_with_its_offsets_gives_a_note_and_an_override_fixes_it():
    path = fixture_file("pretalx-democon.json")
    as_declared = read_pretalx(path)  # time_zone_name UTC, times at +01:00
    assert as_declared.conference.timezone == "UTC"
    assert any("+01:00" in note and "--timezone" in note for note in as_declared.notes)
    berlin = read_pretalx(path, timezone="Europe/Berlin")
    assert berlin.notes == ()
    assert berlin.conference.days[0].periods[0].start.hour == 9
    assert {a.start.astimezone(UTC) for a in berlin.reference.assignments} == \
        {a.start.astimezone(UTC) for a in as_declared.reference.assignments}


def test_a_solved_timetable_goes_back_to_pretalx_under_the_same_codes(democon):
    """Import, then export as schedule.json: valid, and each event carries its original submission code."""
    imported = read_pretalx(fixture_file("pretalx-democon.json"), timezone="Europe/Berlin")
    data = json.loads(schedule_json(imported.conference, imported.reference))
    schema = json.loads(fixture_file("schema.json").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft6Validator(schema).iter_errors(data)) == []
    codes = {e["code"]: e for e in events_of(data)}
    assert set(codes) == {submission_code(e) for e in events_of(democon)}
    for original in events_of(democon):
        back = codes[submission_code(original)]
        assert datetime.fromisoformat(back["date"]) == datetime.fromisoformat(original["date"])
        assert (back["title"], back["room"], back["duration"]) == (original["title"], original["room"],
                                                                    original["duration"])
        assert [p["code"] for p in back["persons"]] == [p["code"] for p in original["persons"]]


def test_a_pretalx_schedule_xml_reads_too(tmp_path):
    imported = read_pretalx(fixture_file("pretalx-democon.json"), timezone="Europe/Berlin")
    path = tmp_path / "schedule.xml"
    path.write_bytes(schedule_xml(imported.conference, imported.reference))
    again = read_pretalx(path)
    assert set(again.conference.session_by_id) == set(imported.conference.session_by_id)
    assert again.reference == imported.reference


@pytest.mark.parametrize("event, code", [
    ({"code": "ABC123", "url": "https://x/democon/talk/ZZZZZZ/", "id": 4}, "ABC123"),
    ({"url": "https://pretalx.example.org/democon/talk/G9JGWY/", "id": 4}, "G9JGWY"),
    ({"url": "https://example.org/elsewhere", "id": 4}, "4"),
])
def test_submission_code_prefers_code_then_the_talk_url_then_the_id(event, code):
    assert submission_code(event) == code


def test_a_broken_pretalx_file_names_file_and_field(democon, tmp_path):
    document = json.loads(json.dumps(democon))
    document["schedule"]["conference"]["days"][1]["rooms"]["Tan Room"][0]["date"] = "tomorrow"
    path = tmp_path / "democon.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_pretalx(path)
    assert [str(p) for p in caught.value.problems] == [
        "democon.json:schedule.conference.days[1].rooms['Tan Room'][0].date: 'tomorrow' is not an ISO date-time "
        "such as 2023-10-13T09:30:00+02:00"
    ]


def import_edited(democon: dict, tmp_path: Path, edit) -> Conference | list[str]:
    """The fixture with `edit` applied to a copy, imported: the conference, or the problems as text."""
    document = json.loads(json.dumps(democon))
    edit(document)
    path = tmp_path / "democon.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    try:
        return read_pretalx(path).conference
    except InputError as err:
        return [str(p) for p in err.problems]


def test_a_person_given_as_a_bare_name_becomes_a_speaker(democon, tmp_path):
    def edit(document):
        first, second = events_of(document)[:2]
        first["persons"] = ["Jane Doe"]
        second["persons"].append("Jane Doe")

    conference = import_edited(democon, tmp_path, edit)
    first, second = events_of(democon)[:2]
    assert conference.speaker_by_id["jane-doe"].name == "Jane Doe"
    assert conference.session_by_id[submission_code(first)].speakers == ("jane-doe",)
    assert conference.session_by_id[submission_code(second)].speakers == (*(p["code"] for p in second["persons"]),
                                                                          "jane-doe")


def test_two_speakers_sharing_a_name_stay_two_speakers(democon, tmp_path):
    def edit(document):
        for event, code in zip(events_of(document)[:2], ("AAAAAA", "BBBBBB"), strict=True):
            event["persons"] = [{"code": code, "public_name": "Jane Doe", "biography": code}]

    conference = import_edited(democon, tmp_path, edit)
    assert {(s.speaker_id, s.bio) for s in conference.speakers if s.name == "Jane Doe"} == {("AAAAAA", "AAAAAA"),
                                                                                            ("BBBBBB", "BBBBBB")}


@pytest.mark.parametrize("capacity, seats", [("120", 120), (" 80 ", 80), (45, 45), (300.0, 300), (None, 100)])
def test_a_room_capacity_given_as_a_number_or_numeric_text_is_read(democon, tmp_path, capacity, seats):
    def edit(document):
        document["schedule"]["conference"]["rooms"][0]["capacity"] = capacity

    conference = import_edited(democon, tmp_path, edit)
    assert conference.rooms[0].capacity == seats


@pytest.mark.parametrize("capacity", ["lots", "12.5", 0, -3, 12.5, True, [120]])
def test_a_room_capacity_that_is_no_number_of_seats_is_reported(democon, tmp_path, capacity):
    def edit(document):
        document["schedule"]["conference"]["rooms"][1]["capacity"] = capacity

    assert import_edited(democon, tmp_path, edit) == [
        f"democon.json:schedule.conference.rooms[1].capacity: {json.dumps(capacity)} is not a number of seats "
        "(a whole number, at least 1)"]


def test_persons_and_rooms_that_cannot_be_read_are_reported(democon, tmp_path):
    def edit(document):
        first, second = events_of(document)[:2]
        first["persons"] = [42, {"biography": "nobody"}]
        second["persons"] = "Jane Doe"
        document["schedule"]["conference"]["rooms"].append({"capacity": 10})

    day0 = "democon.json:schedule.conference.days[0].rooms['Gray Room']"
    assert import_edited(democon, tmp_path, edit) == [
        f"{day0}[0].persons[0]: 42 is not a person: give an object with code, id or name, or a name",
        f"{day0}[0].persons[1]: the person has neither a name nor a code, id or guid",
        f"{day0}[1].persons: must be a list of persons",
        "democon.json:schedule.conference.rooms[2].name: missing: each room needs a name",
    ]
