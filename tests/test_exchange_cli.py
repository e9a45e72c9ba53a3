"""`agenda export` and `agenda import` end to end through `scheduler.cli.main`: files written, exit codes, and
bad input reported as `FILE: what is wrong` with exit code 2, never a traceback."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import openpyxl
import pandas as pd
import pytest

import scheduler.cli
from scheduler.cli import main
from scheduler.errors import InputError, Problem
from scheduler.ical import session_uid
from scheduler.loader import load_conference
from scheduler.timetable_io import read_timetable

DEMOCON = Path(__file__).resolve().parents[1].parent / "shared" / "formats" / "pretalx-democon.json"


@pytest.fixture(autouse=True)
def only_these_commands(monkeypatch):
    """The real `agenda` entry point (its error reporting and exit codes), with only the commands under test, so
    these tests do not depend on every other command module importing."""
    monkeypatch.setattr(scheduler.cli, "COMMAND_MODULES", ["scheduler.exchange_cli"])


@pytest.fixture()
def democon(tmp_path) -> Path:
    """The pretalx fixture imported through the command line, in Europe/Berlin."""
    if not DEMOCON.is_file():
        pytest.fail(f"{DEMOCON} is missing (see ../shared/formats/SOURCE.md)")
    folder = tmp_path / "democon"
    assert main(["import", "pretalx", str(DEMOCON), "--out", str(folder), "--timezone", "Europe/Berlin"]) == 0
    return folder


def export(folder: Path, fmt: str, out: Path, *options: str) -> int:
    return main(["export", str(folder), "--timetable", str(folder / "reference-timetable.csv"), "--format", fmt,
                 "--out", str(out), *options])


def test_import_writes_a_folder_that_loads(democon, capsys):
    assert {p.name for p in democon.iterdir()} == {"conference.toml", "rooms.csv", "speakers.csv", "sessions.csv",
                                                    "reference-timetable.csv"}
    conference = load_conference(democon)
    assert len(conference.sessions) == 36
    assert len(read_timetable(democon / "reference-timetable.csv", conference).assignments) == 36


def test_import_prints_the_offset_note_when_the_zone_disagrees(tmp_path, capsys):
    assert main(["import", "frab", str(DEMOCON), "--out", str(tmp_path / "utc")]) == 0
    assert "note: times in the file carry UTC offset(s) +01:00" in capsys.readouterr().err


def test_import_refuses_to_overwrite_a_conference(democon, capsys):
    assert main(["import", "pretalx", str(DEMOCON), "--out", str(democon)]) == 2
    assert f"{democon}: already holds a conference" in capsys.readouterr().err


def test_import_of_a_broken_file_exits_2_naming_file_and_line(tmp_path, capsys):
    broken = tmp_path / "schedule.xml"
    broken.write_text("<schedule><day></schedule>", encoding="utf-8")
    assert main(["import", "frab", str(broken), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "schedule.xml:1: is not well-formed XML" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_export_ics_of_everything(democon, tmp_path):
    out = tmp_path / "all.ics"
    assert export(democon, "ics", out, "--published-at", "2020-12-01T12:00:00+01:00",
                  "--session-url", "https://democon.example.org/talk/{session_id}/") == 0
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    events = calendar.walk("VEVENT")
    assert len(events) == 36
    assert str(calendar["NAME"]) == "DemoCon"
    assert {e.decoded("DTSTAMP") for e in events} == {datetime(2020, 12, 1, 11, 0, tzinfo=UTC)}
    urls = {str(e["URL"]) for e in events}
    assert "https://democon.example.org/talk/G9JGWY/" in urls


def test_export_ics_defaults_to_the_timetable_files_time_and_is_repeatable(democon, tmp_path):
    stamp = datetime(2020, 12, 2, 8, 30, tzinfo=UTC).timestamp()
    os.utime(democon / "reference-timetable.csv", (stamp, stamp))
    first, second = tmp_path / "1.ics", tmp_path / "2.ics"
    assert export(democon, "ics", first) == export(democon, "ics", second) == 0
    assert first.read_bytes() == second.read_bytes()
    assert b"DTSTAMP:20201202T083000Z" in first.read_bytes()


@pytest.mark.parametrize("option, value, label", [
    ("--speaker", "NQTF8Y", "Brian Robinson"),
    ("--room", "tan-room", "Tan Room"),
    ("--track", "Phased", "track Phased"),
    ("--language", "en", "language en"),
    ("--sessions", "G9JGWY;3NEFSQ", "my agenda"),
])
def test_export_ics_selections(democon, tmp_path, option, value, label):
    conference = load_conference(democon)
    timetable = read_timetable(democon / "reference-timetable.csv", conference)
    wanted = {
        "--speaker": lambda s, a: value in s.speakers,
        "--room": lambda s, a: a.room_id == value,
        "--track": lambda s, a: s.track == value,
        "--language": lambda s, a: value in s.audible_languages,
        "--sessions": lambda s, a: s.session_id in value.split(";"),
    }[option]
    expected = {session_uid(conference, a.session_id) for a in timetable.assignments
                if wanted(conference.session_by_id[a.session_id], a)}
    out = tmp_path / "feed.ics"
    assert export(democon, "ics", out, option, value) == 0
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    assert {str(e["UID"]) for e in calendar.walk("VEVENT")} == expected
    assert str(calendar["X-WR-CALNAME"]) == f"DemoCon – {label}"


def test_export_frab_formats_and_selection(democon, tmp_path):
    assert export(democon, "frab-json", tmp_path / "schedule.json", "--room", "tan-room") == 0
    days = json.loads((tmp_path / "schedule.json").read_text())["schedule"]["conference"]["days"]
    rooms = {name for day in days for name, events in day["rooms"].items() if events}
    assert rooms == {"Tan Room"}
    assert export(democon, "frab-xml", tmp_path / "schedule.xml") == 0
    assert (tmp_path / "schedule.xml").read_bytes().count(b"<event ") == 36


def test_export_tables(democon, tmp_path):
    assert export(democon, "csv", tmp_path / "timetable.csv", "--track", "Horizontal") == 0
    rows = pd.read_csv(tmp_path / "timetable.csv", dtype=str)
    conference = load_conference(democon)
    assert list(rows.columns) == ["session_id", "room_id", "start", "end"]
    assert {conference.session_by_id[s].track for s in rows["session_id"]} == {"Horizontal"}
    assert export(democon, "grid-csv", tmp_path / "grid.csv") == 0
    assert list(pd.read_csv(tmp_path / "grid.csv").columns) == ["date", "time", "Gray Room", "Tan Room"]
    assert export(democon, "xlsx", tmp_path / "timetable.xlsx") == 0
    assert openpyxl.load_workbook(tmp_path / "timetable.xlsx").sheetnames == ["2020-12-14", "2020-12-15",
                                                                             "2020-12-16"]


@pytest.mark.parametrize("options, message", [
    (["--speaker", "NOBODY"], "--speaker: unknown speaker 'NOBODY' (known: 7HN7KY, "),
    (["--room", "kitchen"], "--room: unknown room 'kitchen' (known: gray-room, tan-room)"),
    (["--track", "Vertical"], "--track: unknown track 'Vertical' (known: Horizontal, Phased)"),
    (["--language", "xx"], "--language: unknown language 'xx' (known: en)"),
    (["--sessions", "G9JGWY;NOPE"], "--sessions: unknown session 'NOPE'"),
    (["--sessions", ";"], "--sessions: no session ids given"),
    (["--published-at", "yesterday"], "--published-at: 'yesterday' is not an ISO 8601 date-time"),
    (["--published-at", "2020-12-01T12:00:00"], "--published-at: '2020-12-01T12:00:00' is not an ISO 8601"),
    (["--session-url", "https://x.org/talk/"], "--session-url: 'https://x.org/talk/' has no {session_id}"),
])
def test_export_bad_options_exit_2_with_a_message(democon, tmp_path, capsys, options, message):
    assert export(democon, "ics", tmp_path / "feed.ics", *options) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "feed.ics").exists()


def test_export_with_a_timetable_of_another_conference_exits_2(democon, tmp_path, capsys):
    other = tmp_path / "other.csv"
    other.write_text("session_id,room_id,start,end\nXX,gray-room,2020-12-14T09:00:00+01:00,2020-12-14T09:30:00+01:00\n",
                     encoding="utf-8")
    assert main(["export", str(democon), "--timetable", str(other), "--format", "ics", "--out",
                 str(tmp_path / "x.ics")]) == 2
    assert "other.csv:2:session_id: unknown session id 'XX'" in capsys.readouterr().err


def test_import_refuses_a_folder_holding_anything_and_leaves_it_as_it_was(tmp_path, capsys):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "rooms.csv").write_text("mine\n", encoding="utf-8")
    assert main(["import", "pretalx", str(DEMOCON), "--out", str(folder)]) == 2
    assert f"{folder}: already holds files; give a new or empty folder" in capsys.readouterr().err
    assert [(p.name, p.read_text()) for p in folder.iterdir()] == [("rooms.csv", "mine\n")]


def test_import_into_an_empty_folder_fills_it(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    assert main(["import", "pretalx", str(DEMOCON), "--out", str(folder), "--timezone", "Europe/Berlin"]) == 0
    assert len(load_conference(folder).sessions) == 36
    assert [p.name for p in tmp_path.iterdir()] == ["empty"]


def test_import_into_the_empty_current_folder_fills_it_in_place(tmp_path, monkeypatch):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    inode = os.stat(".").st_ino
    assert main(["import", "pretalx", str(DEMOCON), "--out", ".", "--timezone", "Europe/Berlin"]) == 0
    assert os.stat(".").st_ino == inode  # the shell's folder itself, not a new one under its name
    assert len(load_conference(here).sessions) == 36
    assert [p.name for p in tmp_path.iterdir()] == ["here"]


@pytest.mark.parametrize("failing", ["scheduler.exchange_cli.load_conference", "scheduler.tables.write_timetable"])
def test_a_failed_import_leaves_no_folder_behind(tmp_path, capsys, monkeypatch, failing):
    """Whether writing or reading the folder back fails, nothing appears: not the folder, its missing parents, nor
    the temporary folder beside it."""
    def fail(*args, **kwargs):
        raise InputError([Problem("rooms.csv", "broken on purpose", 2)])

    monkeypatch.setattr(failing, fail)
    assert main(["import", "pretalx", str(DEMOCON), "--out", str(tmp_path / "new" / "democon")]) == 2
    assert "rooms.csv:2: broken on purpose" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
