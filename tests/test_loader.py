"""The conference loader: the format of docs/format.md, and every kind of input problem located and explained.

Each problem test edits one cell (or line) of a copy of tests/data/tiny and asserts the exact location
(file, row, column) and the gist of the message; most also assert it is the only problem, so a mistake is
reported once, not as a cascade.
"""

from __future__ import annotations

import shutil
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest

from scheduler.domain import Window
from scheduler.errors import InputError, Problem
from scheduler.folder import write_folder
from scheduler.loader import load_conference

TINY = Path(__file__).parent / "data" / "tiny"
ROME = ZoneInfo("Europe/Rome")
SAMPLE = Path(__file__).parent.parent / "data" / "rome-2023"


# --- helpers ----------------------------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A private copy of the tiny conference to break."""
    return Path(shutil.copytree(TINY, tmp_path / "conf"))


def read(folder: Path, file: str) -> pd.DataFrame:
    return pd.read_csv(folder / file, dtype=str, keep_default_na=False)


def set_cell(folder: Path, file: str, row: int, column: str, value: str) -> None:
    """Set a cell by its spreadsheet row number (header is row 1)."""
    frame = read(folder, file)
    frame.loc[row - 2, column] = value
    frame.to_csv(folder / file, index=False)


def append_row(folder: Path, file: str, **cells: str) -> None:
    frame = read(folder, file)
    frame = pd.concat([frame, pd.DataFrame([cells])], ignore_index=True).fillna("")
    frame.to_csv(folder / file, index=False)


def drop_column(folder: Path, file: str, column: str) -> None:
    read(folder, file).drop(columns=[column]).to_csv(folder / file, index=False)


def edit_toml(folder: Path, old: str, new: str) -> None:
    path = folder / "conference.toml"
    text = path.read_text()
    assert old in text, f"fixture changed: {old!r} not in conference.toml"
    path.write_text(text.replace(old, new))


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(InputError) as info:
        load_conference(path)
    return info.value.problems


def only_problem(path: Path) -> Problem:
    problems = problems_of(path)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def assert_at(problem: Problem, file: str, row: int | None, column: str | None, *fragments: str) -> None:
    assert (problem.file, problem.row, problem.column) == (file, row, column), str(problem)
    for fragment in fragments:
        assert fragment in problem.message, str(problem)


def folder_to_workbook(folder: Path, path: Path) -> Path:
    """Write the folder's conference as one workbook, the way a committee would lay it out (all cells text)."""
    settings = tomllib.loads((folder / "conference.toml").read_text())
    rows = [(k, ";".join(v) if isinstance(v, list) else str(v)) for k, v in settings.items()
            if k not in ("days", "weights")]
    rows += [(f"weight.{k}", str(v)) for k, v in settings.get("weights", {}).items()]
    days = [(d["date"], ";".join(d["open"])) for d in settings["days"]]
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame(rows, columns=["key", "value"]).to_excel(writer, sheet_name="conference", index=False)
        pd.DataFrame(days, columns=["date", "open"]).to_excel(writer, sheet_name="days", index=False)
        for csv in sorted(folder.glob("*.csv")):
            read(folder, csv.name).to_excel(writer, sheet_name=csv.stem, index=False)
    return path


# --- loading what is right --------------------------------------------------------------------------------------


def test_tiny_conference_loads_every_file_into_domain_objects():
    conference = load_conference(TINY)
    assert conference.name == "Tiny Test Conference"
    assert conference.languages == ("it", "en", "ru")
    assert (conference.granularity_min, conference.changeover_min) == (15, 10)
    assert [r.room_id for r in conference.rooms] == ["aula", "sala1", "sala2"]
    assert conference.room_by_id["aula"].features == {"stage", "streaming"}
    assert conference.room_by_id["sala2"].booths == 0  # empty optional cell -> default
    opening = conference.session_by_id["open"]
    assert opening.plenary and opening.fixed_room == "aula" and opening.overflow_rooms == ("sala1",)
    assert opening.fixed_start == datetime(2023, 10, 13, 9, 30, tzinfo=ROME)
    assert opening.interpretation == {"en", "ru"} and opening.priority == 5
    assert conference.session_by_id["s3"].after == ("s1", "s2")
    assert conference.weights.attendee_conflict == 12 and conference.weights.moved == 150
    assert conference.weights.track_parallel == 30  # not given: default kept


def test_period_ending_before_it_starts_ends_the_next_day():
    conference = load_conference(TINY)
    evening = conference.days[1].periods[1]
    assert evening == Window(datetime(2023, 10, 14, 20, 0, tzinfo=ROME), datetime(2023, 10, 15, 1, 0, tzinfo=ROME))


def test_availability_and_preferred_windows_with_offsets_converted_to_the_conference_zone():
    speakers = load_conference(TINY).speaker_by_id
    assert speakers["sp2"].availability == (
        Window(datetime(2023, 10, 13, 14, 30, tzinfo=ROME), datetime(2023, 10, 13, 19, 0, tzinfo=ROME)),
        Window(datetime(2023, 10, 14, 9, 0, tzinfo=ROME), datetime(2023, 10, 14, 12, 0, tzinfo=ROME)),
    )
    assert speakers["sp2"].preferred[0].end == datetime(2023, 10, 13, 16, 0, tzinfo=ROME)
    # sp3 has only a preferred row ("Z" = UTC): still available throughout, preferring 10:00-13:00 local.
    assert speakers["sp3"].availability == ()
    (preferred,) = speakers["sp3"].preferred
    assert (preferred.start.hour, preferred.start.tzinfo) == (10, ROME)
    assert speakers["sp4"].availability == () and speakers["sp4"].preferred == ()


def test_interpreter_teams_have_canonical_pairs_and_their_windows():
    conference = load_conference(TINY)
    assert conference.interpreters_limited
    teams = {t.team_id: t for t in conference.interpreters}
    assert teams["t1"].languages == ("en", "it") and teams["t1"].windows == ()
    assert teams["t2"].languages == ("it", "ru")  # rows say ru-it and it-ru: one pair
    assert [w.start.hour for w in teams["t2"].windows] == [9, 14]


def test_without_interpreters_file_teams_are_not_limited(folder: Path):
    (folder / "interpreters.csv").unlink()
    conference = load_conference(folder)
    assert not conference.interpreters_limited and conference.interpreters == ()


def test_optional_files_may_be_absent(folder: Path):
    for name in ("availability.csv", "attendees.csv", "interpreters.csv"):
        (folder / name).unlink()
    conference = load_conference(folder)
    assert conference.attendees == () and all(s.availability == () for s in conference.speakers)


def test_whitespace_and_byte_order_mark_are_ignored(folder: Path):
    frame = read(folder, "sessions.csv")
    frame.columns = [f" {c} " for c in frame.columns]
    padded = frame.map(lambda v: f"  {v.replace(';', ' ; ')}\t" if v else v)
    padded.to_csv(folder / "sessions.csv", index=False, encoding="utf-8-sig")
    assert (folder / "sessions.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert load_conference(folder) == load_conference(TINY)


def test_booleans_accept_yes_no_and_any_case(folder: Path):
    set_cell(folder, "sessions.csv", 2, "plenary", "TRUE")
    set_cell(folder, "sessions.csv", 3, "plenary", "Yes")
    sessions = load_conference(folder).session_by_id
    assert sessions["open"].plenary and sessions["s1"].plenary and not sessions["s2"].plenary


def test_blank_lines_are_skipped_but_still_counted_in_row_numbers(folder: Path):
    lines = (folder / "rooms.csv").read_text().splitlines()
    (folder / "rooms.csv").write_text("\n".join([*lines[:2], "", *lines[2:]]) + "\n")
    assert [r.room_id for r in load_conference(folder).rooms] == ["aula", "sala1", "sala2"]
    (folder / "rooms.csv").write_text("\n".join([*lines[:2], "", *lines[2:]]).replace(",40,", ",many,") + "\n")
    assert_at(only_problem(folder), "rooms.csv", 5, "capacity", "'many' is not a whole number")


def test_row_longer_than_the_header_is_located_not_shifted(folder: Path):
    path = folder / "speakers.csv"
    path.write_text(path.read_text().replace("sp3,John Smith,en,UK,", "sp3,John Smith,en,London, UK,"))
    assert_at(only_problem(folder), "speakers.csv", 4, None, "has 6 cells but the header has 5", "double quotes")


# --- the workbook -----------------------------------------------------------------------------------------------


def test_workbook_loads_the_same_conference_as_the_folder(tmp_path: Path):
    workbook = folder_to_workbook(TINY, tmp_path / "tiny.xlsx")
    assert load_conference(workbook) == load_conference(TINY)


def test_workbook_with_typed_cells_loads_the_same_conference(tmp_path: Path):
    """Committees type numbers, dates and booleans into Excel; they must mean what the text would mean."""
    workbook = folder_to_workbook(TINY, tmp_path / "typed.xlsx")
    book = openpyxl.load_workbook(workbook)
    rooms, sessions, days, conference = book["rooms"], book["sessions"], book["days"], book["conference"]
    for row in range(2, rooms.max_row + 1):
        rooms[f"C{row}"] = int(rooms[f"C{row}"].value)
    sessions["C2"] = 60
    sessions["K2"] = datetime(2023, 10, 13, 9, 30)
    sessions["M2"] = True
    sessions["M3"] = False
    days["A2"] = date(2023, 10, 13)
    conference["B4"] = 15  # granularity_min
    book.save(workbook)
    assert load_conference(workbook) == load_conference(TINY)


def test_unreadable_workbook_is_one_problem(tmp_path: Path):
    (tmp_path / "broken.xlsx").write_text("not a zip")
    assert_at(only_problem(tmp_path / "broken.xlsx"), "broken.xlsx", None, None, "cannot be read as an .xlsx")


def test_workbook_without_days_sheet_is_reported_once(tmp_path: Path):
    workbook = folder_to_workbook(TINY, tmp_path / "tiny.xlsx")
    book = openpyxl.load_workbook(workbook)
    del book["days"]
    book.save(workbook)
    assert_at(only_problem(workbook), "days", None, None, "missing required sheet 'days'")


def test_workbook_problems_name_the_sheet(folder: Path, tmp_path: Path):
    set_cell(folder, "rooms.csv", 3, "capacity", "eighty")
    workbook = folder_to_workbook(folder, tmp_path / "bad.xlsx")
    assert_at(only_problem(workbook), "rooms", 3, "capacity", "'eighty' is not a whole number")


def test_workbook_missing_sheet_and_bad_setting_are_reported(folder: Path, tmp_path: Path):
    (folder / "speakers.csv").unlink()
    edit_toml(folder, 'timezone = "Europe/Rome"', 'timezone = "Mars/Olympus"')
    workbook = folder_to_workbook(folder, tmp_path / "bad.xlsx")
    problems = problems_of(workbook)
    assert {(p.file, p.row, p.column) for p in problems} == {("speakers", None, None), ("conference", 3, "value")}
    assert any("missing required sheet 'speakers'" in p.message for p in problems)


def test_workbook_unknown_weight_is_reported(folder: Path, tmp_path: Path):
    edit_toml(folder, "moved = 150", "moved = 150\nspeed = 3")
    workbook = folder_to_workbook(folder, tmp_path / "bad.xlsx")
    # Rows of sheet conference: header, name, timezone, granularity_min, languages, changeover_min, 2 weights.
    assert_at(only_problem(workbook), "conference", 9, "key", "unknown weight 'speed'")


def test_workbook_value_under_a_column_without_header_is_reported(tmp_path: Path):
    workbook = folder_to_workbook(TINY, tmp_path / "tiny.xlsx")
    book = openpyxl.load_workbook(workbook)
    book["rooms"]["G3"] = "stage"  # two columns right of the last header: a shifted row, not a note to ignore
    book.save(workbook)
    assert_at(only_problem(workbook), "rooms", 3, "#7", "'stage' is in column 7, which has no header")


def test_workbook_cells_merged_down_rows_give_every_row_the_value(tmp_path: Path):
    """A committee merges a track over its sessions, or the same open hours over days: each row means it."""
    workbook = folder_to_workbook(TINY, tmp_path / "tiny.xlsx")
    book = openpyxl.load_workbook(workbook)
    book["sessions"]["G2"] = "peace"
    book["sessions"].merge_cells("G2:G5")  # track, all four sessions
    book["days"]["B2"] = "09:00-12:00"
    book["days"].merge_cells("B2:B3")  # open, both days
    book.save(workbook)
    conference = load_conference(workbook)
    assert [s.track for s in conference.sessions] == ["peace"] * 4
    assert [[(p.start.hour, p.end.hour) for p in d.periods] for d in conference.days] == [[(9, 12)], [(9, 12)]]


@pytest.mark.parametrize(("merged", "row", "column", "fragment"), [
    ("G3:H3", 3, "track", "merged across columns"),  # track over kind: which column holds 'war-zone'?
    ("G1:G3", 1, "track", "join the header to the cells below"),
])
def test_workbook_cells_merged_across_columns_or_with_the_header_are_reported(
    tmp_path: Path, merged: str, row: int, column: str, fragment: str
):
    workbook = folder_to_workbook(TINY, tmp_path / "tiny.xlsx")
    book = openpyxl.load_workbook(workbook)
    book["sessions"].merge_cells(merged)
    book.save(workbook)
    assert_at(only_problem(workbook), "sessions", row, column, f"cells {merged}", fragment, "unmerge")


def test_workbook_cells_merged_over_extra_columns_only_are_left_alone(tmp_path: Path):
    workbook = folder_to_workbook(TINY, tmp_path / "tiny.xlsx")
    book = openpyxl.load_workbook(workbook)
    sessions = book["sessions"]
    sessions["R1"], sessions["S1"], sessions["R2"] = "notes", "more notes", "ask the chair"
    sessions.merge_cells("R2:S2")
    book.save(workbook)
    assert load_conference(workbook) == load_conference(TINY)


def test_not_a_folder_or_workbook_is_one_clear_problem(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("hello")
    problem = only_problem(tmp_path / "notes.txt")
    assert "neither a conference folder nor an .xlsx workbook" in problem.message
    assert "does not exist" in only_problem(tmp_path / "nowhere").message


# --- time zones and daylight saving -----------------------------------------------------------------------------


def write_dst_conference(folder: Path, sessions: str) -> Path:
    """A conference around the end of summer time in Rome (Sunday 29 October 2023, 03:00 -> 02:00)."""
    folder.mkdir()
    (folder / "conference.toml").write_text(
        'name = "DST"\ntimezone = "Europe/Rome"\ngranularity_min = 15\nlanguages = ["en"]\n'
        '[[days]]\ndate = "2023-10-28"\nopen = ["22:00-01:00"]\n'
        '[[days]]\ndate = 2023-10-29\nopen = ["01:30-05:00", "09:00-13:00"]\n')
    (folder / "rooms.csv").write_text("room_id,name,capacity\nr1,Room,10\n")
    (folder / "speakers.csv").write_text("speaker_id,name\n")
    (folder / "sessions.csv").write_text("session_id,title,duration_min,speakers,fixed_start\n" + sessions)
    return folder


def test_last_sunday_of_october_gives_correct_aware_datetimes(tmp_path: Path):
    conference = load_conference(write_dst_conference(tmp_path / "dst", "a,A,60,,2023-10-29T08:00:00Z\n"))
    saturday, sunday = conference.days
    (late,) = saturday.periods
    night, morning = sunday.periods
    assert late.end.date() == date(2023, 10, 29)  # crosses midnight
    assert late.start.utcoffset() == late.end.utcoffset() == timedelta(hours=2)
    assert night.start.utcoffset() == timedelta(hours=2) and night.end.utcoffset() == timedelta(hours=1)
    assert (night.end.timestamp() - night.start.timestamp()) / 60 == 270  # 01:30 -> 05:00 is 4.5 real hours
    assert morning.start.utcoffset() == timedelta(hours=1)
    # 08:00 UTC is 09:00 in Rome once summer time is over.
    assert conference.session_by_id["a"].fixed_start == datetime(2023, 10, 29, 9, 0, tzinfo=ROME)


def test_session_lengths_and_pins_are_measured_in_elapsed_time_across_dst(tmp_path: Path):
    # 255 min fits the 270 real minutes of 01:30-05:00 although the clock only shows 3.5 hours.
    fits = write_dst_conference(tmp_path / "fits", "a,A,255,,2023-10-29T01:30\n")
    assert load_conference(fits).session_by_id["a"].duration_min == 255
    too_long = write_dst_conference(tmp_path / "long", "a,A,285,,\n")
    assert_at(only_problem(too_long), "sessions.csv", 2, "duration_min", "longest open period is 270 min")


def test_local_time_skipped_by_spring_forward_is_a_problem(folder: Path):
    edit_toml(folder, 'date = "2023-10-14"\nopen = ["09:00-12:00", "20:00-01:00"]',
              'date = "2024-03-31"\nopen = ["02:30-05:00"]')
    assert_at(only_problem(folder), "conference.toml", None, "days[2].open", "does not exist in Europe/Rome")


# --- one test per problem kind ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rooms.csv", "speakers.csv", "sessions.csv", "conference.toml"])
def test_missing_required_file(folder: Path, name: str):
    (folder / name).unlink()
    assert_at(only_problem(folder), name, None, None, "missing required file")


def test_missing_required_column(folder: Path):
    drop_column(folder, "rooms.csv", "capacity")
    assert_at(only_problem(folder), "rooms.csv", 1, "capacity", "missing column 'capacity'")


def test_semicolon_separated_csv_gets_a_hint(folder: Path):
    read(folder, "rooms.csv").to_csv(folder / "rooms.csv", index=False, sep=";")
    problems = problems_of(folder)
    assert {p.column for p in problems} == {"room_id", "name", "capacity"}
    assert all("separated by ';'" in p.message for p in problems)


@pytest.mark.parametrize(("file", "row", "column"), [
    ("sessions.csv", 3, "title"),
    ("rooms.csv", 4, "name"),
    ("speakers.csv", 5, "name"),
    ("availability.csv", 3, "end"),
    ("interpreters.csv", 2, "team_id"),
])
def test_empty_required_cell(folder: Path, file: str, row: int, column: str):
    set_cell(folder, file, row, column, "")
    assert_at(only_problem(folder), file, row, column, "empty required cell")


@pytest.mark.parametrize(("file", "row", "column", "value", "fragment"), [
    ("rooms.csv", 2, "capacity", "lots", "'lots' is not a whole number"),
    ("rooms.csv", 3, "capacity", "0", "must be at least 1"),
    ("rooms.csv", 3, "booths", "-1", "must be at least 0"),
    ("sessions.csv", 4, "duration_min", "0", "must be at least 1"),
    ("sessions.csv", 4, "duration_min", "1.5", "'1.5' is not a whole number"),
    ("sessions.csv", 3, "expected_audience", "-5", "must be at least 0"),
    ("sessions.csv", 5, "priority", "high", "'high' is not a whole number"),
])
def test_bad_integer(folder: Path, file: str, row: int, column: str, value: str, fragment: str):
    set_cell(folder, file, row, column, value)
    assert_at(only_problem(folder), file, row, column, fragment)


@pytest.mark.parametrize(("setting", "column", "fragment"), [
    ("granularity_min = 15", "granularity_min", "does not divide 1440"),
    ("changeover_min = 10", "changeover_min", "must be at least 0"),
])
def test_bad_integer_setting(folder: Path, setting: str, column: str, fragment: str):
    edit_toml(folder, setting, setting.split("=")[0] + ("= -5" if "changeover" in setting else "= 7"))
    assert_at(only_problem(folder), "conference.toml", None, column, fragment)


def test_slug_is_read_and_defaults_to_none(folder: Path, tmp_path: Path):
    assert load_conference(folder).slug == ""
    edit_toml(folder, "changeover_min = 10", 'changeover_min = 10\nslug = "tiny-2023"')
    assert load_conference(folder).slug == "tiny-2023"
    assert load_conference(folder_to_workbook(folder, tmp_path / "tiny.xlsx")).slug == "tiny-2023"


@pytest.mark.parametrize("slug", ["Tiny 2023", "tiny_2023", "-tiny", "tiny-", "é-2023", "x" * 65])
def test_bad_slug(folder: Path, slug: str):
    edit_toml(folder, "changeover_min = 10", f'changeover_min = 10\nslug = "{slug}"')
    assert_at(only_problem(folder), "conference.toml", None, "slug", "lowercase letters a-z, digits")


@pytest.mark.parametrize(("file", "row", "column", "value", "fragment"), [
    ("sessions.csv", 2, "fixed_start", "2023-13-45T09:00", "not an ISO datetime"),
    ("sessions.csv", 2, "fixed_start", "2023-10-13", "has no time of day"),
    ("availability.csv", 2, "start", "tomorrow", "not an ISO datetime"),
    ("interpreters.csv", 3, "end", "13h", "not an ISO datetime"),
])
def test_bad_datetime_cell(folder: Path, file: str, row: int, column: str, value: str, fragment: str):
    set_cell(folder, file, row, column, value)
    assert_at(only_problem(folder), file, row, column, fragment)


@pytest.mark.parametrize(("old", "new", "column", "fragment"), [
    ('date = "2023-10-13"', 'date = "2023-10-32"', "days[1].date", "is not a date; write it as YYYY-MM-DD"),
    ('"09:30-13:00"', '"9h30-13:00"', "days[1].open", "is not a period; write HH:MM-HH:MM"),
    ('"09:30-13:00"', '"09:30"', "days[1].open", "is not a period"),
    ('"09:30-13:00"', '"09:30-09:30"', "days[1].open", "is empty"),
    ('"09:30-13:00"', '"09:30-25:00"', "days[1].open", "is not a period"),
])
def test_bad_date_or_period(folder: Path, old: str, new: str, column: str, fragment: str):
    edit_toml(folder, old, new)
    assert_at(only_problem(folder), "conference.toml", None, column, fragment)


def test_unknown_time_zone_suggests_the_near_miss(folder: Path):
    edit_toml(folder, '"Europe/Rome"', '"Europe/Roma"')
    assert_at(only_problem(folder), "conference.toml", None, "timezone", "unknown time zone 'Europe/Roma'",
              "did you mean 'Europe/Rome'?")


@pytest.mark.parametrize(("value", "fragment"), [("7", "does not divide 1440"), ("0", "must be at least 1")])
def test_granularity_must_divide_a_day(folder: Path, value: str, fragment: str):
    edit_toml(folder, "granularity_min = 15", f"granularity_min = {value}")
    assert_at(only_problem(folder), "conference.toml", None, "granularity_min", fragment)


@pytest.mark.parametrize(("file", "cells", "row", "column", "what"), [
    ("rooms.csv", {"room_id": "sala1", "name": "Copy", "capacity": "5"}, 5, "room_id", "room id 'sala1'"),
    ("speakers.csv", {"speaker_id": "sp2", "name": "Twin"}, 6, "speaker_id", "speaker id 'sp2'"),
    ("sessions.csv", {"session_id": "s2", "title": "Again", "duration_min": "30"}, 6, "session_id",
     "session id 's2'"),
    ("attendees.csv", {"attendee_id": "a1"}, 5, "attendee_id", "attendee id 'a1'"),
    ("interpreters.csv", {"team_id": "t1", "languages": "it-ru"}, 5, "languages", "team id 't1'"),
])
def test_duplicate_id(folder: Path, file: str, cells: dict[str, str], row: int, column: str, what: str):
    append_row(folder, file, **cells)
    assert_at(only_problem(folder), file, row, column, f"duplicate {what}")


def test_team_available_throughout_cannot_also_have_windows(folder: Path):
    append_row(folder, "interpreters.csv", team_id="t1", languages="en-it", start="2023-10-13T09:00",
               end="2023-10-13T12:00")
    assert_at(only_problem(folder), "interpreters.csv", 5, "team_id", "duplicate team id 't1'",
              "available throughout")


def test_unknown_speaker_message_names_file_row_column_and_the_fix(folder: Path):
    set_cell(folder, "sessions.csv", 3, "speakers", "sp2;sp99")
    problem = only_problem(folder)
    assert str(problem) == "sessions.csv:3:speakers: unknown speaker id 'sp99' (not in speakers.csv)"


@pytest.mark.parametrize(("file", "row", "column", "value", "fragment"), [
    ("sessions.csv", 2, "fixed_room", "aula9", "unknown room id 'aula9' (not in rooms.csv)"),
    ("sessions.csv", 2, "overflow_rooms", "sala1;attic", "unknown room id 'attic' (not in rooms.csv)"),
    ("sessions.csv", 5, "after", "s1;s7", "unknown session id 's7' (not in sessions.csv)"),
    ("availability.csv", 4, "speaker_id", "sp9", "unknown speaker id 'sp9' (not in speakers.csv)"),
    ("attendees.csv", 3, "interests", "s1;talk", "unknown session id 'talk' (not in sessions.csv)"),
    ("sessions.csv", 4, "language", "de", "unknown language 'de' (conference languages: it, en, ru)"),
    ("sessions.csv", 3, "interpretation", "de", "unknown language 'de'"),
    ("speakers.csv", 3, "languages", "ru;ua", "unknown language 'ua'"),
    ("attendees.csv", 2, "languages", "it;EN", "unknown language 'EN'"),
    ("interpreters.csv", 2, "languages", "it-de", "unknown language 'de' in pair 'it-de'"),
    ("interpreters.csv", 2, "languages", "it", "is not a language pair"),
])
def test_unknown_reference(folder: Path, file: str, row: int, column: str, value: str, fragment: str):
    set_cell(folder, file, row, column, value)
    assert_at(only_problem(folder), file, row, column, fragment)


def test_list_item_given_twice(folder: Path):
    set_cell(folder, "sessions.csv", 2, "speakers", "sp1;sp3;sp1")
    assert_at(only_problem(folder), "sessions.csv", 2, "speakers", "'sp1' is listed twice")


def test_availability_end_not_after_start(folder: Path):
    set_cell(folder, "availability.csv", 3, "end", "2023-10-14T09:00:00+02:00")
    assert_at(only_problem(folder), "availability.csv", 3, "end", "is not after start")


def test_session_longer_than_every_open_period(folder: Path):
    set_cell(folder, "sessions.csv", 5, "duration_min", "301")
    assert_at(only_problem(folder), "sessions.csv", 5, "duration_min", "lasts 301 min",
              "longest open period is 300 min")


def test_pin_off_the_grid_names_the_nearest_grid_starts(folder: Path):
    set_cell(folder, "sessions.csv", 2, "fixed_start", "2023-10-13T09:40")
    assert_at(only_problem(folder), "sessions.csv", 2, "fixed_start", "not on the 15-minute grid",
              "09:30 and 09:45")


@pytest.mark.parametrize("start", ["2023-10-13T12:30", "2023-10-13T13:00", "2023-10-15T10:00"])
def test_pin_not_inside_one_open_period(folder: Path, start: str):
    set_cell(folder, "sessions.csv", 2, "fixed_start", start)
    assert_at(only_problem(folder), "sessions.csv", 2, "fixed_start", "not inside one open period")


def test_cycle_in_after_names_its_members(folder: Path):
    set_cell(folder, "sessions.csv", 3, "after", "open;s3")  # s3 is already after s1
    assert_at(only_problem(folder), "sessions.csv", 3, "after", "cycle in after: s1 -> s3 -> s1")


def test_every_disjoint_cycle_is_reported(folder: Path):
    set_cell(folder, "sessions.csv", 2, "after", "open")
    set_cell(folder, "sessions.csv", 3, "after", "s3")
    messages = sorted(p.message for p in problems_of(folder))
    assert len(messages) == 2
    assert "open -> open" in messages[0] and "s1 -> s3 -> s1" in messages[1]


def test_fixed_room_among_overflow_rooms(folder: Path):
    set_cell(folder, "sessions.csv", 2, "overflow_rooms", "sala1;aula")
    assert_at(only_problem(folder), "sessions.csv", 2, "overflow_rooms", "'aula' is the session's fixed_room")


def test_interpretation_into_the_session_language(folder: Path):
    set_cell(folder, "sessions.csv", 3, "interpretation", "it;ru")
    assert_at(only_problem(folder), "sessions.csv", 3, "interpretation", "'ru' is the session's own language")


def test_interpretation_without_session_language(folder: Path):
    set_cell(folder, "sessions.csv", 4, "language", "")
    set_cell(folder, "sessions.csv", 4, "interpretation", "it")
    assert_at(only_problem(folder), "sessions.csv", 4, "interpretation", "fill in language")


def test_interpretation_pair_without_any_team(folder: Path):
    set_cell(folder, "sessions.csv", 4, "interpretation", "ru")
    assert_at(only_problem(folder), "sessions.csv", 4, "interpretation", "no interpreter team for en-ru",
              "en-it, it-ru")


def test_interpretation_pair_needs_no_team_when_interpreters_are_not_given(folder: Path):
    set_cell(folder, "sessions.csv", 4, "interpretation", "ru")
    (folder / "interpreters.csv").unlink()
    assert load_conference(folder).session_by_id["s2"].interpretation == {"ru"}


def test_unparsable_boolean(folder: Path):
    set_cell(folder, "sessions.csv", 3, "plenary", "maybe")
    assert_at(only_problem(folder), "sessions.csv", 3, "plenary", "'maybe' is not a boolean")


def test_unknown_weight_name(folder: Path):
    edit_toml(folder, "moved = 150", "moved = 150\nattendee_conflicts = 3")
    assert_at(only_problem(folder), "conference.toml", None, "weights.attendee_conflicts",
              "unknown weight 'attendee_conflicts'", "attendee_conflict")


def test_unknown_setting_is_not_silently_ignored(folder: Path):
    edit_toml(folder, "changeover_min = 10", "changeover = 10")
    assert_at(only_problem(folder), "conference.toml", None, "changeover", "unknown setting 'changeover'")


def test_missing_required_setting(folder: Path):
    edit_toml(folder, 'languages = ["it", "en", "ru"]\n', "")
    assert_at(only_problem(folder), "conference.toml", None, "languages", "missing required setting 'languages'")


def test_overlapping_open_periods(folder: Path):
    edit_toml(folder, '"09:00-12:00", "20:00-01:00"', '"09:00-12:00", "11:00-13:00"')
    assert_at(only_problem(folder), "conference.toml", None, "days[2].open", "overlaps")


def test_invalid_toml_is_one_problem(folder: Path):
    edit_toml(folder, "granularity_min = 15", "granularity_min = ")
    assert_at(only_problem(folder), "conference.toml", None, None, "is not valid TOML")


def test_problems_in_different_files_are_all_reported_together(folder: Path):
    edit_toml(folder, '"Europe/Rome"', '"Europe/Rom"')
    set_cell(folder, "rooms.csv", 2, "capacity", "big")
    append_row(folder, "speakers.csv", speaker_id="sp1", name="Again")
    set_cell(folder, "sessions.csv", 3, "speakers", "sp42")
    set_cell(folder, "attendees.csv", 4, "interests", "s99")
    set_cell(folder, "interpreters.csv", 4, "start", "")
    found = {(p.file, p.row, p.column) for p in problems_of(folder)}
    assert found == {("conference.toml", None, "timezone"), ("rooms.csv", 2, "capacity"),
                     ("speakers.csv", 6, "speaker_id"), ("sessions.csv", 3, "speakers"),
                     ("attendees.csv", 4, "interests"), ("interpreters.csv", 4, "start")}


def test_problems_are_listed_top_to_bottom_within_a_file(folder: Path):
    set_cell(folder, "sessions.csv", 3, "duration_min", "abc")  # found while reading the rows
    set_cell(folder, "sessions.csv", 2, "after", "s3")  # a cycle, found once every row is read
    assert [(p.row, p.column) for p in problems_of(folder)] == [(2, "after"), (3, "duration_min")]


def test_non_utf8_file_is_a_problem_not_a_traceback(folder: Path):
    (folder / "speakers.csv").write_bytes("speaker_id,name\nsp1,Jos\xe9\n".encode("latin-1"))
    problems = problems_of(folder)
    assert any(p.file == "speakers.csv" and "not UTF-8" in p.message for p in problems)


def test_latin1_file_names_the_row_and_the_character(folder: Path):
    path = folder / "speakers.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))  # 'Ana López' is on row 5
    assert_at(only_problem(folder), "speakers.csv", 5, None, "not UTF-8", "0xF3", "'ó'", "save the file as CSV UTF-8")


def test_latin1_conference_toml_names_the_line_and_the_character(folder: Path):
    path = folder / "conference.toml"
    path.write_bytes(path.read_text(encoding="utf-8").replace("Tiny Test", "Tiny Tést").encode("latin-1"))
    line = 1 + path.read_bytes().split(b"\xe9")[0].count(b"\n")
    assert_at(only_problem(folder), "conference.toml", line, None, "not UTF-8", "0xE9", "'é'", "save the file as UTF-8")


def test_utf16_file_is_named_as_such(folder: Path):
    path = folder / "speakers.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    assert_at(only_problem(folder), "speakers.csv", None, None, "UTF-16", "save it as CSV UTF-8")


def test_unterminated_quote_names_its_row_counting_the_header_as_row_1(folder: Path):
    path = folder / "speakers.csv"
    path.write_text(path.read_text().replace('"Historian, Rome"', '"Historian, Rome'))
    assert_at(only_problem(folder), "speakers.csv", 2, None, "double quote", "never closed")


@pytest.mark.parametrize(("cell", "row"), [('"Historian" in Rome', 2), ('"Rome" "Italy"', 2)])
def test_text_after_a_closing_quote_is_a_problem_not_lost_quotes(folder: Path, cell: str, row: int):
    path = folder / "speakers.csv"
    path.write_text(path.read_text().replace('"Historian, Rome"', cell))
    assert_at(only_problem(folder), "speakers.csv", row, None, "goes on after the closing one",
              '"""Peace"" in our time"')


def test_quotes_inside_an_unquoted_or_a_well_quoted_cell_are_kept(folder: Path):
    path = folder / "speakers.csv"
    path.write_text(path.read_text().replace('"Historian, Rome"', '"Historian, ""Sapienza"" Rome"')
                    .replace("Maria Rossi", 'Maria "Mia" Rossi'))
    speaker = load_conference(folder).speaker_by_id["sp1"]
    assert (speaker.name, speaker.bio) == ('Maria "Mia" Rossi', 'Historian, "Sapienza" Rome')


def test_rows_below_a_cell_with_line_breaks_also_name_the_text_editors_line(folder: Path):
    path = folder / "sessions.csv"
    text = path.read_text().replace('"Welcome, in three languages"', '"Welcome,\nin three\nlanguages"')
    path.write_text(text.replace("s2,Refugees", '"s2,Refugees'))
    assert_at(only_problem(folder), "sessions.csv", 4, None, "never closed", "line 6 in a text editor")
    path.write_text(text.replace("s2,Refugees", "s2,Refugees,extra"))
    assert_at(only_problem(folder), "sessions.csv", 4, None, "has 18 cells", "line 6 in a text editor")


# --- lists written with ',' instead of ';' ----------------------------------------------------------------------


@pytest.mark.parametrize(("file", "row", "column", "value", "fixed"), [
    ("speakers.csv", 2, "languages", "it, en", "it;en"),
    ("rooms.csv", 2, "features", "stage,streaming", "stage;streaming"),
    ("sessions.csv", 2, "speakers", "sp1, sp3", "sp1;sp3"),
    ("sessions.csv", 2, "interpretation", "en, ru", "en;ru"),
    ("sessions.csv", 5, "after", "s1 , s2", "s1;s2"),
    ("attendees.csv", 2, "interests", "open;s1, s2", "open;s1;s2"),
])
def test_list_written_with_commas_is_one_problem_naming_the_separator(
    folder: Path, file: str, row: int, column: str, value: str, fixed: str
):
    set_cell(folder, file, row, column, value)
    assert_at(only_problem(folder), file, row, column, f"'{value}' has ','", "separated by ';'", f"write {fixed}")


def test_items_of_a_list_written_with_commas_are_still_checked_one_by_one(folder: Path):
    set_cell(folder, "speakers.csv", 2, "languages", "it, xx")
    assert [p.message.split(" (")[0] for p in problems_of(folder)] == [
        "'it, xx' has ',' between its items, but lists are separated by ';': write it;xx", "unknown language 'xx'"]


def test_the_same_comma_mistake_in_300_rows_is_listed_once_per_row(folder: Path):
    lines = ["attendee_id,languages,interests", *(f'a{i},"it, en",open' for i in range(300))]
    (folder / "attendees.csv").write_text("\n".join(lines) + "\n")
    problems = problems_of(folder)
    assert [(p.file, p.row, p.column) for p in problems] == [("attendees.csv", r, "languages") for r in range(2, 302)]
    assert {p.message for p in problems} == {"'it, en' has ',' between its items, but lists are separated by ';': "
                                             "write it;en"}


@pytest.mark.parametrize(("old", "new", "column", "fragment"), [
    ('languages = ["it", "en", "ru"]', 'languages = "it, en, ru"', "languages", "write it;en;ru"),
    ('languages = ["it", "en", "ru"]', 'languages = ["it, en", "ru"]', "languages", '["it", "en"]'),
    ('open = ["09:30-13:00", "14:30-19:00"]', 'open = "09:30-13:00, 14:30-19:00"', "days[1].open",
     "write 09:30-13:00;14:30-19:00"),
])
def test_conference_list_written_with_commas_is_one_problem_not_one_per_cell(
    folder: Path, old: str, new: str, column: str, fragment: str
):
    edit_toml(folder, old, new)
    assert_at(only_problem(folder), "conference.toml", None, column, "','", fragment)


def test_workbook_languages_written_with_commas_is_one_problem(folder: Path, tmp_path: Path):
    workbook = folder_to_workbook(folder, tmp_path / "tiny.xlsx")
    book = openpyxl.load_workbook(workbook)
    book["conference"]["B5"] = "it, en, ru"  # languages
    book.save(workbook)
    assert_at(only_problem(workbook), "conference", 5, "value", "separated by ';'", "write it;en;ru")


# --- the sample conference --------------------------------------------------------------------------------------


def test_sample_conference_loads():
    if not (SAMPLE / "conference.toml").is_file():
        pytest.fail(f"the sample conference {SAMPLE} is missing")
    conference = load_conference(SAMPLE)
    assert conference.sessions and conference.rooms and conference.days


# --- files and headers written another way -----------------------------------------------------------------------


def _rename_header(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    header, rest = path.read_text().split("\n", 1)
    assert old in header.split(","), f"fixture changed: {old!r} not in {file}'s header"
    path.write_text(",".join(new if c == old else c for c in header.split(",")) + "\n" + rest)


def test_headers_written_in_capitals_or_with_spaces_are_the_formats_columns(folder):
    _rename_header(folder, "sessions.csv", "fixed_start", "Fixed Start")
    _rename_header(folder, "availability.csv", "preferred", " PREFERRED")
    renamed = load_conference(folder)
    original = load_conference(TINY)
    assert renamed.session_by_id["open"].fixed_start == original.session_by_id["open"].fixed_start is not None
    # Read under the wrong name, a preferred window would have become a hard limit on the speaker.
    assert renamed.speaker_by_id["sp3"].availability == original.speaker_by_id["sp3"].availability == ()
    assert renamed.speaker_by_id["sp3"].preferred == original.speaker_by_id["sp3"].preferred != ()


def test_a_misspelt_header_is_reported_not_read_as_an_extra_column(folder):
    _rename_header(folder, "sessions.csv", "fixed_start", "fixd_start")
    assert_at(only_problem(folder), "sessions.csv", 1, "fixd_start", "unknown column 'fixd_start'",
              "did you mean 'fixed_start'?")


def test_a_notes_column_of_the_committee_is_still_allowed(folder):
    append_row(folder, "rooms.csv", room_id="extra", name="Extra", capacity="10")
    frame = read(folder, "rooms.csv")
    frame["committee notes"] = "ask the caretaker"
    frame.to_csv(folder / "rooms.csv", index=False)
    assert "extra" in load_conference(folder).room_by_id


@pytest.mark.parametrize("misnamed", ["Availability.csv", "availability (1).csv", "availabilty.csv"])
def test_an_optional_file_under_another_name_is_reported_not_skipped(folder, misnamed):
    (folder / "availability.csv").rename(folder / misnamed)
    assert_at(only_problem(folder), misnamed, None, None, "not read", "rename this file to availability.csv")


def test_a_backup_beside_the_real_file_is_left_alone(folder):
    shutil.copy(folder / "availability.csv", folder / "availability-old.csv")
    preferred = load_conference(TINY).speaker_by_id["sp3"].preferred
    assert load_conference(folder).speaker_by_id["sp3"].preferred == preferred != ()


def test_a_workbook_header_written_another_way_is_read_too(folder, tmp_path):
    _rename_header(folder, "sessions.csv", "fixed_start", "Fixed_Start")
    conference = load_conference(folder_to_workbook(folder, tmp_path / "conf.xlsx"))
    assert conference.session_by_id["open"].fixed_start == load_conference(TINY).session_by_id["open"].fixed_start


# --- rooms open only at some times (room_availability.csv) ------------------------------------------------------


def write_room_availability(folder: Path, *rows: str) -> None:
    (folder / "room_availability.csv").write_text("room_id,start,end\n" + "".join(f"{row}\n" for row in rows))


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2023, 10, day, hour, minute, tzinfo=ROME)


OPEN_ROWS = ("sala1,2023-10-14T09:00,2023-10-14T12:00",
             "sala1,2023-10-13T12:30:00Z,2023-10-13T17:00:00Z",  # 14:30-19:00 in Rome
             "sala2,2023-10-13T09:30,2023-10-13T13:00")


def test_room_availability_windows_are_read_onto_their_room_sorted_by_start(folder: Path):
    write_room_availability(folder, *OPEN_ROWS)
    rooms = load_conference(folder).room_by_id
    assert rooms["sala1"].availability == (Window(local(13, 14, 30), local(13, 19)),
                                           Window(local(14, 9), local(14, 12)))
    assert rooms["sala2"].availability == (Window(local(13, 9, 30), local(13, 13)),)
    assert rooms["aula"].availability == ()  # no row: open throughout
    assert rooms["sala1"].availability[0].start.tzinfo == ROME


def test_without_room_availability_file_every_room_is_open_throughout():
    assert all(r.availability == () for r in load_conference(TINY).rooms)


def test_workbook_sheet_room_availability_gives_the_same_windows(folder: Path, tmp_path: Path):
    write_room_availability(folder, *OPEN_ROWS)
    workbook = folder_to_workbook(folder, tmp_path / "tiny.xlsx")
    assert "room_availability" in openpyxl.load_workbook(workbook).sheetnames
    from_workbook = load_conference(workbook)
    assert from_workbook.room_by_id["sala1"].availability != ()
    assert from_workbook == load_conference(folder)


@pytest.mark.parametrize(("row", "column", "fragment"), [
    ("attic,2023-10-13T09:00,2023-10-13T12:00", "room_id", "unknown room id 'attic' (not in rooms.csv)"),
    ("sala1,2023-10-13 nine,2023-10-13T12:00", "start", "'2023-10-13 nine' is not an ISO datetime"),
    ("sala1,2023-10-13,2023-10-13T12:00", "start", "has no time of day"),
    ("sala1,2023-10-13T12:00,2023-10-13T09:00", "end", "end 2023-10-13 09:00 is not after start 2023-10-13 12:00"),
    ("sala1,2023-10-13T12:00,2023-10-13T12:00", "end", "is not after start"),
    ("sala1,,2023-10-13T12:00", "start", "empty required cell"),
    (",2023-10-13T09:00,2023-10-13T12:00", "room_id", "empty required cell"),
])
def test_room_availability_problem_names_file_row_and_column(folder: Path, row: str, column: str, fragment: str):
    write_room_availability(folder, OPEN_ROWS[0], row)
    assert_at(only_problem(folder), "room_availability.csv", 3, column, fragment)


def test_room_availability_row_without_start_and_end_is_reported_not_read_as_open_throughout(folder: Path):
    # A room open throughout has no row; a row without times has probably lost them.
    write_room_availability(folder, "sala1,,")
    assert {(p.file, p.row, p.column) for p in problems_of(folder)} == {("room_availability.csv", 2, "start"),
                                                                       ("room_availability.csv", 2, "end")}


def test_room_availability_problem_in_a_workbook_names_the_sheet(folder: Path, tmp_path: Path):
    write_room_availability(folder, *OPEN_ROWS, "sala9,2023-10-13T09:00,2023-10-13T12:00")
    workbook = folder_to_workbook(folder, tmp_path / "tiny.xlsx")
    assert_at(only_problem(workbook), "room_availability", 5, "room_id", "unknown room id 'sala9' (not in sheet rooms)")


def test_room_availability_header_written_another_way_is_read_too(folder: Path):
    (folder / "room_availability.csv").write_text("Room ID,Start,END\nsala2,2023-10-13T09:30,2023-10-13T13:00\n")
    assert load_conference(folder).room_by_id["sala2"].availability == (Window(local(13, 9, 30), local(13, 13)),)


@pytest.mark.parametrize("misnamed", ["Room_availability.csv", "room availability.csv", "room_availabilty.csv"])
def test_room_availability_file_under_another_name_is_reported_not_skipped(folder: Path, misnamed: str):
    write_room_availability(folder, *OPEN_ROWS)
    (folder / "room_availability.csv").rename(folder / misnamed)
    assert_at(only_problem(folder), misnamed, None, None, "not read", "rename this file to room_availability.csv")


def test_room_availability_survives_writing_the_folder_and_reading_it_again(folder: Path, tmp_path: Path):
    write_room_availability(folder, *OPEN_ROWS)
    original = load_conference(folder)
    written = write_folder(original, tmp_path / "again")
    assert read(written, "room_availability.csv")["room_id"].tolist() == ["sala1", "sala1", "sala2"]
    assert load_conference(written) == original


def test_a_folder_whose_rooms_are_open_throughout_gets_no_room_availability_file(tmp_path: Path):
    written = write_folder(load_conference(TINY), tmp_path / "again")
    assert not (written / "room_availability.csv").exists()
    assert load_conference(written) == load_conference(TINY)
