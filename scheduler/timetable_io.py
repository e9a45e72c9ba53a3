"""The timetable CSV: `session_id,room_id,start,end`, one row per placed session (docs/format.md, Output).

Times are ISO 8601 local datetimes with their UTC offset (`2023-10-13T09:30:00+02:00`), so a file is readable
by people in the conference's zone and unambiguous across a daylight-saving change. Rows are sorted by start
instant, room and session, so two versions of a timetable diff line by line.

Reading follows the loader's conventions (text cells, stripped, UTF-8 with or without BOM, spreadsheet row
numbers) and reports every problem at once. It only checks that the file is a well-formed timetable of this
conference; whether the timetable obeys the rules is the checker's job, and sessions absent from the file are
left for the checker to judge too (so `Timetable.unplaced` stays empty).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from scheduler.domain import Assignment, Conference, Timetable
from scheduler.errors import InputError, Problem
from scheduler.loader import parse_datetime, read_csv_table

COLUMNS = ("session_id", "room_id", "start", "end")


def timetable_frame(timetable: Timetable) -> pd.DataFrame:
    """The timetable as a table in file order: `session_id`, `room_id` (text), `start`, `end` (aware datetimes).

    Sorted by start instant (not wall clock, which repeats an hour in autumn), then room, then session.
    """
    ordered = sorted(timetable.assignments, key=lambda a: (a.start.timestamp(), a.room_id, a.session_id))
    rows = [(a.session_id, a.room_id, a.start, a.end) for a in ordered]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def write_timetable(timetable: Timetable, path: str | Path) -> None:
    """Write the timetable CSV; unplaced sessions have no row (the solve report lists them)."""
    frame = timetable_frame(timetable)
    for column in ("start", "end"):
        frame[column] = frame[column].map(lambda t: t.isoformat())
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


@dataclass(frozen=True)
class _Row:
    """One row being read; problems go to the shared list."""

    cells: dict[str, str]
    number: int
    label: str
    problems: list[Problem]

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.label, message, self.number, column))

    def required(self, column: str) -> str:
        value = self.cells.get(column, "")
        if not value:
            self.problem(column, f"empty required cell: every row needs a {column}")
        return value


def _check_ids(row: _Row, conference: Conference, seen: dict[str, int], earlier: bool) -> None:
    """The session and room exist (unless the timetable is an `earlier` one), and the session has no earlier
    row."""
    session_id, room_id = row.required("session_id"), row.required("room_id")
    if session_id and session_id not in conference.session_by_id and not earlier:
        row.problem("session_id", f"unknown session id '{session_id}' (not a session of {conference.name})")
    elif session_id in seen:
        row.problem(
            "session_id", f"session '{session_id}' already has a row (row {seen[session_id]}); a session is placed once"
        )
    elif session_id:
        seen[session_id] = row.number
    if room_id and room_id not in conference.room_by_id and not earlier:
        row.problem("room_id", f"unknown room id '{room_id}' (not a room of {conference.name})")


def _read_times(row: _Row, conference: Conference) -> tuple[datetime | None, datetime | None]:
    times: list[datetime | None] = []
    for column in ("start", "end"):
        text = row.required(column)
        try:
            times.append(parse_datetime(text, conference.tz) if text else None)
        except ValueError as err:
            row.problem(column, str(err))
            times.append(None)
    start, end = times
    if start and end and end.timestamp() <= start.timestamp():
        row.problem("end", f"end {end.isoformat()} is not after start {start.isoformat()}")
    return start, end


def _read_row(row: _Row, conference: Conference, seen: dict[str, int], earlier: bool) -> Assignment | None:
    """One row as an assignment, or None after recording everything wrong with it."""
    before = len(row.problems)
    _check_ids(row, conference, seen, earlier)
    start, end = _read_times(row, conference)
    if len(row.problems) > before or start is None or end is None:
        return None
    return Assignment(row.cells["session_id"], row.cells["room_id"], start, end)


def read_timetable(path: str | Path, conference: Conference, *, earlier: bool = False,
                   label: str | None = None) -> Timetable:
    """Read a timetable CSV of `conference`, as aware datetimes in its zone.

    Problems name the file by `label`, else by the path as the caller gave it: two timetables compared (a
    re-solve's reference, `plot --before`) are often both called timetable.csv, in different folders.

    Raises `InputError` with every problem: a missing file or column, unknown session or room ids, a session
    with two rows, unreadable datetimes, an end not after its start. An `earlier` timetable (a reference to stay
    close to, or to compare with) may name sessions and rooms the conference no longer has: withdrawn since, or
    a room closed, which is what a re-solve after a change is for.
    """
    path = Path(path)
    label = label or str(path)
    if not path.is_file():
        raise InputError([Problem(label, f"timetable file not found: {path}")])
    problems: list[Problem] = []
    table = read_csv_table(path, label, problems)
    if table is not None:
        for column in COLUMNS:
            if column not in table.columns:
                problems.append(
                    Problem(label, f"missing column '{column}' (required: {', '.join(COLUMNS)})", 1, column)
                )
    if problems or table is None:
        raise InputError(problems)
    seen: dict[str, int] = {}
    assignments = [_read_row(_Row(dict(r.cells), r.number, label, problems), conference, seen, earlier)
                   for r in table.rows]
    if problems:
        raise InputError(problems)
    return Timetable(tuple(a for a in assignments if a is not None))
