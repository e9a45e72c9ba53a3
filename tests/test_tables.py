"""Printable grids (CSV and .xlsx) and conference folders written back for the loader."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from factories import make_day, make_room, make_session, make_speaker, window

from scheduler.domain import Assignment, Attendee, Conference, Day, Speaker, Timetable, Window
from scheduler.loader import load_conference
from scheduler.tables import days_of, grid_csv, grid_frame, session_label, write_conference_folder, write_workbook

ROME = ZoneInfo("Europe/Rome")
SATURDAY, SUNDAY = date(2023, 10, 28), date(2023, 10, 29)


def local(day: date, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME)


def conference() -> Conference:
    return Conference(
        name="Rome Peace Conference 2023",
        timezone="Europe/Rome",
        granularity_min=30,
        days=(make_day("09:00-12:00", day=SATURDAY), make_day("09:00-11:00", "14:00-15:00", day=SUNDAY)),
        rooms=(make_room("R1", name="Aula Magna"), make_room("R2", name="Sala Рим"), make_room("R3", name="Overflow")),
        speakers=(make_speaker("s1", name="Anna Rossi"), make_speaker("s2", name="Олена Коваленко")),
        sessions=(
            make_session("a", 90, ("s1", "s2"), title="Peace, now; \"together\"", overflow_rooms=("R3",)),
            make_session("b", 60, ("s2",), title="Мир"),
            make_session("c", 20, (), title="Short and off-grid"),
        ),
    )


def timetable() -> Timetable:
    return Timetable((
        Assignment("a", "R1", local(SATURDAY, "09:00"), local(SATURDAY, "10:30")),
        Assignment("b", "R2", local(SUNDAY, "09:00"), local(SUNDAY, "10:00")),
        Assignment("c", "R1", local(SUNDAY, "14:10"), local(SUNDAY, "14:30")),
    ))


def test_grid_rows_are_time_steps_and_columns_rooms():
    grid = grid_frame(conference(), timetable(), SATURDAY)
    assert list(grid.columns) == ["Aula Magna", "Sala Рим", "Overflow"]
    assert list(grid.index) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    label = session_label(conference(), "a")
    assert label == 'Peace, now; "together" (Anna Rossi, Олена Коваленко)'
    assert list(grid["Aula Magna"]) == [label] * 3 + [""] * 3
    assert list(grid["Overflow"]) == [f"{label} (relay)"] * 3 + [""] * 3
    assert set(grid["Sala Рим"]) == {""}


def test_an_off_grid_session_shows_in_the_step_it_overlaps():
    grid = grid_frame(conference(), timetable(), SUNDAY)
    assert grid.loc["14:00", "Aula Magna"] == "Short and off-grid"
    assert grid.loc["14:30", "Aula Magna"] == ""
    # Both open periods and the break between them are rows: a printed day reads straight down.
    assert list(grid.index)[0] == "09:00" and list(grid.index)[-1] == "14:30"


def test_the_grid_of_the_dst_day_counts_elapsed_time():
    """On 2023-10-29 Rome has 25 hours; a step after the change still lands on local :00 and :30."""
    conf = replace(conference(), days=(make_day("01:00-04:00", day=SUNDAY),))
    grid = grid_frame(conf, Timetable(()), SUNDAY)
    assert list(grid.index) == ["01:00", "01:30", "02:00", "02:30", "02:00", "02:30", "03:00", "03:30"]


def test_grid_csv_holds_every_day_and_reads_back():
    text = grid_csv(conference(), timetable())
    frame = pd.read_csv(io.StringIO(text), keep_default_na=False, dtype=str)
    assert list(frame.columns) == ["date", "time", "Aula Magna", "Sala Рим", "Overflow"]
    assert sorted(set(frame["date"])) == ["2023-10-28", "2023-10-29"]
    saturday = frame[frame["date"] == "2023-10-28"].set_index("time")
    assert list(saturday["Aula Magna"]) == list(grid_frame(conference(), timetable(), SATURDAY)["Aula Magna"])


def test_workbook_has_a_sheet_per_day_with_merged_sessions(tmp_path):
    path = tmp_path / "timetable.xlsx"
    write_workbook(conference(), timetable(), path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["2023-10-28", "2023-10-29"]
    saturday = book["2023-10-28"]
    assert [c.value for c in saturday[1]] == ["time", "Aula Magna", "Sala Рим", "Overflow"]
    merged = {str(r) for r in saturday.merged_cells.ranges}
    assert merged == {"B2:B4", "D2:D4"}  # the 90-minute session over three half-hour rows, and its relay
    assert saturday["B2"].value == session_label(conference(), "a")
    assert saturday.page_setup.orientation == "landscape"
    sunday = pd.read_excel(path, sheet_name="2023-10-29", index_col=0, dtype=str).fillna("")
    assert list(sunday.index) == list(grid_frame(conference(), timetable(), SUNDAY).index)
    # A merged range reads as its first cell: the session shows once, where it starts.
    assert list(sunday["Sala Рим"][:3]) == [session_label(conference(), "b"), "", ""]
    assert {str(r) for r in book["2023-10-29"].merged_cells.ranges} == {"C2:C3"}


def test_days_of_includes_days_without_sessions_and_dates_with_them():
    empty = Timetable(())
    assert days_of(conference(), empty) == [SATURDAY, SUNDAY]
    late = Timetable((Assignment("b", "R2", local(date(2023, 10, 30), "09:00"), local(date(2023, 10, 30), "10:00")),))
    assert days_of(conference(), late) == [SATURDAY, SUNDAY, date(2023, 10, 30)]


def rich_conference() -> Conference:
    """Everything the folder writer writes, with text that needs quoting."""
    return Conference(
        name='Rome "Peace" Conference, 2023',
        timezone="Europe/Rome",
        granularity_min=15,
        days=(make_day("09:30-13:00", "14:30-19:00", day=SATURDAY),
              Day(SUNDAY, (Window(local(SUNDAY, "20:00"), local(date(2023, 10, 30), "02:00")),))),
        rooms=(make_room("R1", 400, name="Aula Magna, main", booths=3, features=frozenset({"stage", "streaming"})),
               make_room("R2", 50, name="Sala; 2")),
        speakers=(Speaker("s1", "Anna Rossi", frozenset({"it", "en"}), "IT", "Line one\nline \"two\""),
                  Speaker("s2", "Олена Коваленко", frozenset({"uk"}), "UA", "")),
        sessions=(
            make_session("a", 60, ("s1",), title="Peace, now; \"together\"", language="it",
                         interpretation=frozenset({"en", "uk"}), track="dialogue", kind="panel",
                         expected_audience=120, needs=frozenset({"stage"}), fixed_start=local(SATURDAY, "09:30"),
                         fixed_room="R1", plenary=True, overflow_rooms=("R2",), priority=3,
                         abstract="Two\nlines, with \"quotes\"."),
            make_session("b", 45, ("s2", "s1"), title="Мир", language="uk", after=("a",)),
            make_session("c", 30, (), title="Night owls", language="en"),
        ),
        languages=("en", "it", "uk"),
        changeover_min=10,
    )


def test_a_conference_folder_loads_back_equal(tmp_path):
    original = rich_conference()
    write_conference_folder(original, tmp_path / "conf")
    assert load_conference(tmp_path / "conf") == original


def test_a_reference_timetable_is_written_beside_it(tmp_path):
    reference = Timetable((Assignment("c", "R2", local(SUNDAY, "20:00"), local(SUNDAY, "20:30")),))
    write_conference_folder(rich_conference(), tmp_path / "conf", reference)
    rows = pd.read_csv(tmp_path / "conf" / "reference-timetable.csv", dtype=str)
    assert rows.to_dict("records") == [{"session_id": "c", "room_id": "R2", "start": "2023-10-29T20:00:00+01:00",
                                        "end": "2023-10-29T20:30:00+01:00"}]


@pytest.mark.parametrize("extra", [
    {"attendees": (Attendee("x", frozenset({"en"}), ("a",)),)},
    {"speakers": (Speaker("s1", "Anna", availability=(window("09:00", "12:00"),)),
                  Speaker("s2", "Olena"))},
])
def test_the_folder_writer_keeps_attendees_and_availability(extra, tmp_path):
    rich = replace(rich_conference(), **extra)
    write_conference_folder(rich, tmp_path / "conf")
    assert load_conference(tmp_path / "conf") == rich


def test_the_grid_uses_elapsed_minutes_of_the_utc_timeline():
    # A session given in UTC shows at its Rome wall time.
    utc = Timetable((Assignment("a", "R1", datetime(2023, 10, 28, 7, 0, tzinfo=UTC),
                                datetime(2023, 10, 28, 7, 0, tzinfo=UTC) + timedelta(minutes=90)),))
    grid = grid_frame(conference(), utc, SATURDAY)
    assert grid.loc["09:00", "Aula Magna"] == session_label(conference(), "a")
