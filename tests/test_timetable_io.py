"""The timetable CSV: lossless round trip, the documented layout, and located problems when reading."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from factories import DAY1, ZONE, at, make_conference, make_day, make_room, make_session

from scheduler.domain import Assignment, Timetable
from scheduler.errors import InputError, Problem
from scheduler.timetable_io import read_timetable, timetable_frame, write_timetable

DAY2 = DAY1 + timedelta(days=1)
HEADER = "session_id,room_id,start,end"


@pytest.fixture
def conference():
    return make_conference(
        [make_session(s) for s in ("a", "b", "c", "d")],
        rooms=[make_room("R1"), make_room("R2")],
        days=[make_day("09:00-13:00"), make_day("09:00-13:00", day=DAY2)],
    )


def place(session_id: str, room_id: str, start: str, end: str, day: date = DAY1) -> Assignment:
    return Assignment(session_id, room_id, at(start, day), at(end, day))


@pytest.fixture
def timetable() -> Timetable:
    # Deliberately out of order, with two sessions starting together (the room breaks the tie).
    return Timetable((
        place("d", "R1", "09:00", "10:00", DAY2),
        place("c", "R2", "09:00", "10:00"),
        place("b", "R1", "10:00", "11:00"),
        place("a", "R1", "09:00", "10:00"),
    ))


def write_csv(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "timetable.csv"
    path.write_text("\n".join((header, *rows)) + "\n")
    return path


def problems_of(path: Path, conference) -> list[Problem]:
    with pytest.raises(InputError) as info:
        read_timetable(path, conference)
    return info.value.problems


def only_problem(path: Path, conference) -> Problem:
    problems = problems_of(path, conference)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_round_trip_is_lossless(tmp_path: Path, conference, timetable: Timetable):
    path = tmp_path / "timetable.csv"
    write_timetable(timetable, path)
    back = read_timetable(path, conference)
    assert back == timetable.sorted()
    assert all(a.start.tzinfo == ZONE for a in back.assignments)


def test_rows_are_sorted_by_start_then_room_then_session(tmp_path: Path, timetable: Timetable):
    path = tmp_path / "timetable.csv"
    write_timetable(timetable, path)
    lines = path.read_text().splitlines()
    assert lines[0] == HEADER
    assert [line.split(",")[0] for line in lines[1:]] == ["a", "c", "b", "d"]


def test_times_are_iso_8601_local_with_utc_offset(tmp_path: Path):
    path = tmp_path / "timetable.csv"
    write_timetable(Timetable((place("a", "R1", "09:30", "10:30"),)), path)
    assert path.read_text().splitlines()[1] == "a,R1,2023-10-13T09:30:00+02:00,2023-10-13T10:30:00+02:00"


def test_round_trip_keeps_the_repeated_autumn_hour_apart(tmp_path: Path):
    # 29 October 2023: 02:30 happens twice in Rome, first in summer time (+02:00), then in winter time (+01:00).
    first = datetime(2023, 10, 29, 0, 30, tzinfo=UTC).astimezone(ZONE)
    second = datetime(2023, 10, 29, 1, 30, tzinfo=UTC).astimezone(ZONE)
    conference = make_conference([make_session("a"), make_session("b")],
                                 days=[make_day("00:00-06:00", day=date(2023, 10, 29))])
    half_hour_later = [(t.astimezone(UTC) + timedelta(minutes=30)).astimezone(ZONE) for t in (first, second)]
    timetable = Timetable((Assignment("a", "R1", first, half_hour_later[0]),
                           Assignment("b", "R1", second, half_hour_later[1])))
    path = tmp_path / "timetable.csv"
    write_timetable(timetable, path)
    back = read_timetable(path, conference).by_session
    assert [back[s].start.utcoffset() for s in ("a", "b")] == [timedelta(hours=2), timedelta(hours=1)]
    assert back["b"].start.timestamp() - back["a"].start.timestamp() == 3600


def test_times_without_offset_are_conference_local_time(tmp_path: Path, conference):
    path = write_csv(tmp_path, "a,R1,2023-10-13T09:00,2023-10-13T10:00:00Z")
    (assignment,) = read_timetable(path, conference).assignments
    assert assignment.start == at("09:00") and assignment.end == at("12:00")
    assert assignment.end.tzinfo == ZONE


def test_sessions_absent_from_the_file_are_not_an_error_here(tmp_path: Path, conference):
    path = write_csv(tmp_path, "a,R1,2023-10-13T09:00,2023-10-13T10:00")
    timetable = read_timetable(path, conference)
    assert [a.session_id for a in timetable.assignments] == ["a"] and timetable.unplaced == ()


def test_frame_has_the_file_columns_and_aware_times(timetable: Timetable):
    frame = timetable_frame(timetable)
    assert list(frame.columns) == HEADER.split(",")
    assert list(frame["session_id"]) == ["a", "c", "b", "d"]
    assert frame["start"].iloc[0] == at("09:00")
    assert str(frame["start"].dt.tz) == "Europe/Rome"


def test_empty_timetable_writes_just_the_header(tmp_path: Path, conference):
    path = tmp_path / "timetable.csv"
    write_timetable(Timetable(()), path)
    assert path.read_text().strip() == HEADER
    assert read_timetable(path, conference) == Timetable(())


@pytest.mark.parametrize(("row", "column", "fragment"), [
    ("x,R1,2023-10-13T09:00,2023-10-13T10:00", "session_id", "unknown session id 'x'"),
    ("a,R9,2023-10-13T09:00,2023-10-13T10:00", "room_id", "unknown room id 'R9'"),
    ("a,R1,13/10/2023 09:00,2023-10-13T10:00", "start", "not an ISO datetime"),
    ("a,R1,2023-10-13T09:00,2023-10-13", "end", "has no time of day"),
    ("a,R1,2023-10-13T10:00,2023-10-13T10:00", "end", "is not after start"),
    ("a,R1,,2023-10-13T10:00", "start", "empty required cell"),
    (",R1,2023-10-13T09:00,2023-10-13T10:00", "session_id", "empty required cell"),
])
def test_bad_row(tmp_path: Path, conference, row: str, column: str, fragment: str):
    path = write_csv(tmp_path, "b,R2,2023-10-13T09:00,2023-10-13T10:00", row)
    problem = only_problem(path, conference)
    assert (problem.file, problem.row, problem.column) == (str(path), 3, column)
    assert fragment in problem.message


def test_duplicate_session_row(tmp_path: Path, conference):
    path = write_csv(tmp_path, "a,R1,2023-10-13T09:00,2023-10-13T10:00", "a,R2,2023-10-13T11:00,2023-10-13T12:00")
    problem = only_problem(path, conference)
    assert (problem.file, problem.row, problem.column) == (str(path), 3, "session_id")
    assert "already has a row (row 2)" in problem.message


def test_every_bad_row_is_reported(tmp_path: Path, conference):
    path = write_csv(tmp_path, "x,R1,2023-10-13T09:00,2023-10-13T10:00", "a,R7,soon,2023-10-13T10:00")
    found = {(p.row, p.column) for p in problems_of(path, conference)}
    assert found == {(2, "session_id"), (3, "room_id"), (3, "start")}


def test_missing_column(tmp_path: Path, conference):
    path = write_csv(tmp_path, "a,R1,2023-10-13T09:00", header="session_id,room_id,start")
    problem = only_problem(path, conference)
    assert (problem.file, problem.row, problem.column) == (str(path), 1, "end")


def test_missing_file(tmp_path: Path, conference):
    problem = only_problem(tmp_path / "nope.csv", conference)
    assert problem.file == str(tmp_path / "nope.csv") and "not found" in problem.message


def test_problems_name_the_file_as_given_so_two_timetable_csvs_are_told_apart(tmp_path: Path, conference,
                                                                               monkeypatch):
    monkeypatch.chdir(tmp_path)
    for version in ("v1", "v2"):
        (tmp_path / version).mkdir()
        (tmp_path / version / "timetable.csv").write_text(f"{HEADER}\nx,R1,2023-10-13T09:00,2023-10-13T10:00\n")
    assert only_problem(Path("v2/timetable.csv"), conference).file == "v2/timetable.csv"
    with pytest.raises(InputError) as info:  # a caller reading a temporary copy names what the user knows
        read_timetable(tmp_path / "v1" / "timetable.csv", conference, label="upload.zip:timetable.csv")
    assert [p.file for p in info.value.problems] == ["upload.zip:timetable.csv"]


def test_an_earlier_timetable_may_name_sessions_and_rooms_since_withdrawn(tmp_path: Path, conference):
    """A reference to stay close to was published before the change: a session withdrawn or a room closed
    since is what the re-solve is for, not bad input. Everything else is still checked."""
    path = write_csv(tmp_path, "x,R1,2023-10-13T09:00,2023-10-13T10:00", "a,R9,2023-10-13T09:00,2023-10-13T10:00")
    earlier = read_timetable(path, conference, earlier=True)
    assert [(a.session_id, a.room_id) for a in earlier.assignments] == [("x", "R1"), ("a", "R9")]
    assert {p.column for p in problems_of(path, conference)} == {"session_id", "room_id"}
    bad = write_csv(tmp_path, "a,R9,2023-10-13T09:00,2023-10-13T10:00", "a,R1,soon,2023-10-13T10:00")
    with pytest.raises(InputError) as info:
        read_timetable(bad, conference, earlier=True)
    assert {(p.row, p.column) for p in info.value.problems} == {(3, "session_id"), (3, "start")}
