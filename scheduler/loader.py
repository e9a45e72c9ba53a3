"""Load a conference folder (or one .xlsx workbook) into a `Conference`, reporting every problem at once.

The format is docs/format.md. A committee edits these files by hand or in a spreadsheet a month before the
conference, so the loader's job is as much to explain what is wrong as to build the domain objects: it never
stops at the first problem, it locates each one as `FILE:ROW:COLUMN` (rows as a spreadsheet shows them, header
row 1), says what would be right, and raises `InputError` with all of them. Nothing is silently converted:
CSV cells and sheet cells are read as text (pandas `dtype=str`, `keep_default_na=False`, so `NA` stays a
country code and `007` an id) and parsed here.

Deliberate decisions:

- Whitespace: every header, cell and `;`-separated list item is stripped at both ends. Spreadsheets add
  invisible trailing spaces and nobody means `'sp1 '` to differ from `'sp1'`; inner whitespace is kept.
  Empty list items (`sp1;;sp2`, a trailing `;`) are ignored; an item listed twice is a problem.
- A list written with `,` (`it, en`) is one problem per cell naming `;`, not read as the one unknown item
  `it, en`; in a list setting it would otherwise make every language cell of every table unknown.
- Encoding: a UTF-8 byte-order mark (Excel's "CSV UTF-8" writes one) is dropped rather than glued to the
  first column name. Text that is not UTF-8 is a problem located at its row, not a guess.
- Workbooks: a range merged down one column gives each of its rows the top cell's value; other merged ranges
  over the format's columns are problems (openpyxl would leave all but the top-left cell silently empty).
- Blank rows (every cell empty) are skipped but still counted, so row numbers match the spreadsheet.
- The header row is read as an ordinary row, so a data row longer than the header is a located problem (a cell
  with an unquoted comma) instead of pandas silently turning the first column into an index; a value under a
  column without a header is a problem too, not ignored.
- Booleans are `true/false`, `yes/no`, `1/0` in any letter case (Excel shows `TRUE`); empty is false.
- Datetimes without offset are conference local time; with an offset (or `Z`) they are converted to the zone.
  A local time skipped by a daylight-saving jump is a problem; a repeated one (the autumn hour) means its first
  occurrence. Durations and pins are checked in elapsed time, so a 25-hour day is measured as 25 hours.
- A row of availability or room_availability needs both start and end. A speaker or room with no row is
  available throughout; a row with empty times is a problem rather than a second way to say so, since it more
  likely lost its times, and reading it as "throughout" would lift the limit the committee meant to set.
- Speaker and attendee languages must be among the conference languages, like every other language code: a
  typo (`EN`, `ua`) would otherwise quietly make someone unable to follow anything.
- Unknown keys in conference.toml / sheet `conference` are problems (a misspelt `changeover_min` would otherwise
  fall back to its default); extra columns, sheets and files are ignored as the format promises.
- A check that depends on a broken part (say, references to rooms when rooms.csv lacks a column) is skipped
  rather than reported as a flood of follow-on problems; the root problem is reported.

`read_csv_table` and `parse_datetime` are shared with `scheduler.timetable_io` so the timetable CSV follows
the same conventions.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import difflib
import graphlib
import io
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import openpyxl
import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.domain import (
    SLUG_PATTERN,
    Attendee,
    Conference,
    Day,
    InterpreterTeam,
    Room,
    Session,
    Speaker,
    Weights,
    Window,
    language_pair,
)
from scheduler.errors import InputError, Problem

T = TypeVar("T")

CONFERENCE_FILE = "conference.toml"
REQUIRED_TABLES = ("rooms", "speakers", "sessions")
OPTIONAL_TABLES = ("availability", "room_availability", "attendees", "interpreters")
KNOWN_FILES = frozenset({CONFERENCE_FILE, *(f"{name}.csv" for name in REQUIRED_TABLES + OPTIONAL_TABLES)})
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "rooms": ("room_id", "name", "capacity"),
    "speakers": ("speaker_id", "name"),
    "sessions": ("session_id", "title", "duration_min", "speakers"),
    "availability": ("speaker_id", "start", "end"),
    "room_availability": ("room_id", "start", "end"),
    "attendees": ("attendee_id", "languages", "interests"),
    "interpreters": ("team_id", "languages"),
    "conference": ("key", "value"),
    "days": ("date", "open"),
}
# Every column the format knows (docs/format.md), in the order the folder writer puts them.
KNOWN_COLUMNS: dict[str, tuple[str, ...]] = {
    "rooms": ("room_id", "name", "capacity", "booths", "features"),
    "speakers": ("speaker_id", "name", "languages", "country", "bio"),
    "sessions": ("session_id", "title", "duration_min", "speakers", "language", "interpretation", "track", "kind",
                 "expected_audience", "needs", "fixed_start", "fixed_room", "plenary", "after", "overflow_rooms",
                 "priority", "abstract"),
    "availability": ("speaker_id", "start", "end", "preferred"),
    "room_availability": ("room_id", "start", "end"),
    "attendees": ("attendee_id", "languages", "interests"),
    "interpreters": ("team_id", "languages", "start", "end"),
}
REQUIRED_SETTINGS = ("name", "timezone", "granularity_min", "languages")
OPTIONAL_SETTINGS = ("changeover_min", "slug")
WEIGHT_NAMES = tuple(f.name for f in fields(Weights))
WORKBOOK_WEIGHT_PREFIX = "weight."

_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0", ""})
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DATE_ONLY = re.compile(r"\d{4}-?\d{2}-?\d{2}")
_LIST_PARTS = re.compile(r"[;,]")  # ',' is split on too, so each item of a list written with commas is checked
_FALLBACK_ZONE = ZoneInfo("UTC")  # only so that syntax checks still run when the time zone itself is wrong


# ---------------------------------------------------------------------------------------------------------------
# Raw tables: text cells with their spreadsheet row numbers
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One non-blank data row: stripped text cells by column name, and its row number as a spreadsheet shows it."""

    number: int
    cells: Mapping[str, str]


@dataclass(frozen=True)
class Table:
    """A CSV file or sheet read as text; `label` names it in problems (`sessions.csv` or sheet `sessions`)."""

    label: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def _table_from_frame(grid: pd.DataFrame, label: str, problems: list[Problem]) -> Table:
    """A table from cells read without a header (so pandas never guesses an index column from a long row).

    The first row is the header (row 1). Headers and cells are stripped; blank rows are dropped but still counted.
    A value under a column without a header is reported, since ignoring it would lose data.
    """
    rows = [[str(v).strip() for v in values] for values in grid.fillna("").itertuples(index=False, name=None)]
    if not rows:
        return Table(label, (), ())
    header = rows[0]
    for column in sorted({c for c in header if c and header.count(c) > 1}):
        problems.append(Problem(label, f"column '{column}' appears more than once; keep one", 1, column))
    table_rows = []
    for number, values in enumerate(rows[1:], start=2):
        for position, (column, value) in enumerate(zip(header, values, strict=True), start=1):
            if value and not column:
                problems.append(
                    Problem(
                        label,
                        f"'{value}' is in column {position}, which has no header; name the column or move the value",
                        number,
                        f"#{position}",
                    )
                )
        if any(values):
            table_rows.append(Row(number, {c: v for c, v in zip(header, values, strict=True) if c}))
    return Table(label, tuple(c for c in header if c), tuple(table_rows))


# pandas numbers the row of "Expected" from 1 and the row of "EOF inside string" from 0, both in records.
_TOO_MANY_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_UNCLOSED_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def _record_lines(text: str) -> list[int]:
    """The text editor's line on which each CSV record starts (index 0: the header), as far as it parses.

    A quoted cell may hold line breaks (an abstract in paragraphs), so below it a spreadsheet's row and a text
    editor's line differ; problems count rows, and name the line too when it differs.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    starts = [1]
    try:
        for _ in reader:
            starts.append(reader.line_num + 1)
    except csv.Error:
        pass  # the records read so far still locate what comes before the damage
    return starts


def _row_problem(label: str, starts: list[int], message: str, row: int) -> Problem:
    line = starts[row - 1] if row <= len(starts) else row
    if line != row:
        message += f" (line {line} in a text editor: a cell above spans several lines)"
    return Problem(label, message, row)


def _parser_problem(label: str, text: str, err: Exception) -> Problem:
    """pandas stops at the first row it cannot split into cells; say which and why it usually happens."""
    if found := _TOO_MANY_FIELDS.search(str(err)):
        expected, row, saw = found.groups()
        message = (
            f"this row has {saw} cells but the header has {expected}; a cell containing ',' must be "
            'wrapped in double quotes ("Rome, Italy")'
        )
        return _row_problem(label, _record_lines(text), message, int(row))
    if found := _UNCLOSED_QUOTE.search(str(err)):
        message = (
            'a double quote (") opens a cell in this row and is never closed, so the rest of the file would be '
            'one cell; close it, or double a quote meant as text ("say ""hello""")'
        )
        return _row_problem(label, _record_lines(text), message, int(found.group(1)) + 1)
    return Problem(label, f"cannot be read as CSV: {err}")


def _decode_csv(data: bytes, label: str) -> str | Problem:
    """The file's text, or the problem saying where it is not UTF-8 and what it probably is instead."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        return Problem(label, 'is not UTF-8 text: it looks like UTF-16 (what Excel saves as "Unicode Text") or a '
                       "binary file; save it as CSV UTF-8")
    data = data.removeprefix(codecs.BOM_UTF8)  # Excel's "CSV UTF-8" starts with one
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        # Latin-1 keeps every byte and line break, so the damaged row is found as in the real text.
        starts = _record_lines(data.decode("latin-1"))
        row = bisect.bisect_right(starts, _line_of(data, err))
        message = f"this row is not UTF-8 text: {_what_byte(data, err)}, the encoding of a plain \"CSV\" from Excel; " \
            "save the file as CSV UTF-8"
        return _row_problem(label, starts, message, row)


def _line_of(data: bytes, err: UnicodeDecodeError) -> int:
    return data.count(b"\n", 0, err.start) + 1


def _what_byte(data: bytes, err: UnicodeDecodeError) -> str:
    """The byte that is not UTF-8, and the character it would be in the encoding it most likely is."""
    byte = data[err.start : err.start + 1]
    return f"byte 0x{byte.hex().upper()} would be '{byte.decode('cp1252', 'replace')}' in Windows-1252 (Latin-1)"


def read_csv_table(path: Path, label: str, problems: list[Problem]) -> Table | None:
    """Read a CSV file as stripped text; None (with a problem recorded) when it cannot be read at all."""
    try:
        text = _decode_csv(path.read_bytes(), label)
    except OSError as err:
        problems.append(Problem(label, f"cannot be read: {err}"))
        return None
    if isinstance(text, Problem):
        problems.append(text)
        return None
    try:
        grid = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        problems.append(Problem(label, "is empty; it needs at least a header row with the column names"))
        return None
    except pd.errors.ParserError as err:
        problems.append(_parser_problem(label, text, err))
        return None
    if (row := _text_after_closing_quote(text)) is not None:
        message = (
            'a cell here starts with a double quote and goes on after the closing one (like "Peace" in our time), '
            "so its quotes would be lost; wrap the whole cell in quotes and double the quotes inside it "
            '("""Peace"" in our time")'
        )
        problems.append(_row_problem(label, _record_lines(text), message, row))
        return None
    return _table_from_frame(grid, label, problems)


def _text_after_closing_quote(text: str) -> int | None:
    """The row (the header is 1) of the first record with a cell like `"Peace" in our time`, which pandas (and
    Excel) read as `Peace in our time`, quotes silently gone; None when there is none."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = 0
    try:
        for _ in reader:
            rows += 1
    except csv.Error as err:
        if "expected after" in str(err):
            return rows + 1
    return None


def _plain_header(column: str) -> str:
    """A header as the format spells its columns: "Fixed Start" and "fixed-start" are `fixed_start`."""
    return re.sub(r"[\s\-]+", "_", column.strip().lower())


def _known_headers(table: Table, name: str, problems: list[Problem]) -> Table:
    """`table` with headers written another way ("Fixed Start", "PREFERRED") read as the format's column, and
    a problem for an unknown header close to a known one: read as an extra column, a misspelt `fixed_start`
    would drop every pin without a word. Other extra columns (the committee's notes) stay allowed."""
    known = KNOWN_COLUMNS[name]
    renames = {}
    for column in table.columns:
        if column in known:
            continue
        plain = _plain_header(column)
        if plain in known and plain not in table.columns:
            renames[column] = plain
            continue
        close = difflib.get_close_matches(plain, known, n=1, cutoff=0.8)
        if close:
            problems.append(Problem(table.label, f"unknown column '{column}': did you mean '{close[0]}'? "
                                    f"(columns: {', '.join(known)})", 1, column))
    if not renames:
        return table
    rows = tuple(Row(row.number, {renames.get(c, c): v for c, v in row.cells.items()}) for row in table.rows)
    return Table(table.label, tuple(renames.get(c, c) for c in table.columns), rows)


def _misnamed_files(folder: Path, missing: Iterable[str], problems: list[Problem]) -> None:
    """A problem for each file that looks like a missing table's file under another name ("Availability.csv",
    "availability (1).csv"): read by nobody, its availability, opening hours or interpreter limits would silently
    vanish."""
    wanted = [f"{name}.csv" for name in missing]
    if not wanted:
        return
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.name not in KNOWN_FILES):
        close = difflib.get_close_matches(path.name.strip().lower(), wanted, n=1, cutoff=0.8)
        if close:
            problems.append(Problem(path.name, f"not read: the conference folder's files are named exactly, and "
                                    f"{close[0]} is missing; rename this file to {close[0]} if it is that table"))


def _has_columns(table: Table, required: Iterable[str], problems: list[Problem]) -> bool:
    """Report each required column the header lacks; a CSV saved with ';' separators gets a hint."""
    missing = [c for c in required if c not in table.columns]
    hint = ""
    if len(table.columns) == 1 and (";" in table.columns[0] or "\t" in table.columns[0]):
        hint = "; the header looks separated by ';' or tabs: save the file with ',' separators"
    for column in missing:
        problems.append(
            Problem(table.label, f"missing column '{column}' (required: {', '.join(required)}){hint}", 1, column)
        )
    return not missing


# ---------------------------------------------------------------------------------------------------------------
# Value parsers: text in, value out, or ValueError whose message says what is wrong and what would be right
# ---------------------------------------------------------------------------------------------------------------


def _list_parts(text: str) -> list[str]:
    return [item for part in _LIST_PARTS.split(text) if (item := part.strip())]


def _comma_separated(text: str, in_array: bool = False) -> str | None:
    """What is wrong with a list written with ',' between its items (as most people write lists), or None.

    The format has one list separator, ';'; a ',' is refused rather than read as one too, so a list means the
    same in every cell, file and tool that writes it (and `Rome, Italy` can never become two items).
    """
    if "," not in text:
        return None
    parts = _list_parts(text)
    if in_array:  # a TOML array, where each item is its own string
        quoted = ", ".join(f'"{part}"' for part in parts)
        return f"'{text}' puts several items in one string with ','; give each its own string: [{quoted}]"
    return f"'{text}' has ',' between its items, but lists are separated by ';': write {';'.join(parts)}"


def parse_int(text: str, minimum: int = 0) -> int:
    """A whole number written in digits, at least `minimum`."""
    if not _INTEGER.fullmatch(text):
        raise ValueError(f"'{text}' is not a whole number; write digits only, e.g. 60")
    value = int(text)
    if value < minimum:
        raise ValueError(f"{value} is too small: it must be at least {minimum}")
    return value


def parse_bool(text: str) -> bool:
    """true/false, yes/no, 1/0 in any case; empty is false."""
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"'{text}' is not a boolean; write true or false (also yes/no, 1/0, or leave it empty)")


def parse_date(text: str) -> date:
    """An ISO date; a spreadsheet date cell (read as `YYYY-MM-DD 00:00:00`) is accepted too."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.time() != time(0) or value.tzinfo is not None:
        raise ValueError(f"'{text}' is not a date; write it as YYYY-MM-DD, e.g. 2023-10-13")
    return value.date()


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in the zone; a time skipped by a daylight-saving jump is refused rather than shifted."""
    aware = naive.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise ValueError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {zone.key}: the clocks skip it "
            "(daylight saving); use a time outside the jump"
        )
    return aware


def parse_datetime(text: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 datetime as an aware datetime in `zone`: local time of the zone unless an offset is given."""
    example = "write e.g. 2023-10-13T09:30 (conference local time) or 2023-10-13T09:30+02:00"
    if _DATE_ONLY.fullmatch(text):
        raise ValueError(f"'{text}' has no time of day; {example}")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not an ISO datetime; {example}") from None
    if value.tzinfo is None:
        return localize(value, zone)
    return value.astimezone(zone)


def _parse_clock(text: str, period: str) -> time:
    try:
        return datetime.strptime(text.strip(), "%H:%M").time()
    except ValueError:
        raise ValueError(
            f"'{period}' is not a period; write HH:MM-HH:MM, e.g. 09:30-13:00 "
            "(an end before the start ends the next day, e.g. 20:00-02:00)"
        ) from None


def parse_period(text: str, day: date, zone: ZoneInfo) -> Window:
    """`HH:MM-HH:MM` on `day`; an end earlier than the start falls on the next day."""
    parts = text.split("-")
    if len(parts) != 2:
        _parse_clock("", text)  # raises the uniform message
    start, end = (_parse_clock(p, text) for p in parts)
    if start == end:
        raise ValueError(f"'{text}' is empty: start and end are the same time")
    end_day = day + timedelta(days=1) if end < start else day
    return Window(localize(datetime.combine(day, start), zone), localize(datetime.combine(end_day, end), zone))


def parse_zone(text: str) -> ZoneInfo:
    """An IANA time zone; a near miss gets a suggestion."""
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    by_lower = {z.lower(): z for z in available_timezones()}
    close = difflib.get_close_matches(text.lower(), list(by_lower), n=1)
    hint = f"; did you mean '{by_lower[close[0]]}'?" if close else ", e.g. Europe/Rome"
    raise ValueError(f"unknown time zone '{text}': write an IANA zone name{hint}")


def _elapsed_min(start: datetime, end: datetime) -> float:
    """Real minutes between two instants (aware subtraction in one zone would use wall-clock time)."""
    return (end.timestamp() - start.timestamp()) / 60


def _inside(window: Window, start: datetime, end: datetime) -> bool:
    return window.start.timestamp() <= start.timestamp() and end.timestamp() <= window.end.timestamp()


def _hhmm(window: Window) -> str:
    return f"{window.start:%Y-%m-%d %H:%M}-{window.end:%H:%M}"


# ---------------------------------------------------------------------------------------------------------------
# Reading one row: each accessor records its problem and returns None, so a row reports everything wrong with it
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cells:
    table: Table
    row: Row
    problems: list[Problem]

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.table.label, message, self.row.number, column))

    def text(self, column: str) -> str:
        return self.row.cells.get(column, "")

    def required(self, column: str) -> str | None:
        value = self.text(column)
        if not value:
            self.problem(column, f"empty required cell: every row needs a {column}")
            return None
        return value

    def parse(
        self, column: str, parser: Callable[[str], T], default: T | None = None, required: bool = False
    ) -> T | None:
        text = self.required(column) if required else self.text(column)
        if not text:
            return default
        try:
            return parser(text)
        except ValueError as err:
            self.problem(column, str(err))
            return None

    def items(self, column: str) -> tuple[str, ...]:
        """The `;`-separated items of a cell, stripped, empty ones dropped, each once (repeats are problems).

        A ',' used instead of ';' is one problem for the cell, and the items it separates are still checked
        one by one, so `it, en` is not also reported as the unknown language 'it, en'.
        """
        text = self.text(column)
        if (mistake := _comma_separated(text)) is not None:
            self.problem(column, mistake)
        seen: list[str] = []
        for item in _list_parts(text):
            if item in seen:
                self.problem(column, f"'{item}' is listed twice; list it once")
            else:
                seen.append(item)
        return tuple(seen)

    def known(self, column: str, values: Iterable[str], ids: Iterable[str] | None, what: str, where: str) -> None:
        """Report every value that is not among `ids` (None: the ids could not be read, so nothing is checked)."""
        if ids is None:
            return
        for value in values:
            if value not in ids:
                self.problem(column, f"unknown {what} '{value}' (not in {where})")

    def unique(self, column: str, value: str | None, seen: dict[str, int], what: str) -> None:
        if value is None:
            return
        if value in seen:
            self.problem(column, f"duplicate {what} '{value}' (first at row {seen[value]}); ids must be unique")
        else:
            seen[value] = self.row.number


def _rows(table: Table, problems: list[Problem]) -> Iterable[_Cells]:
    return (_Cells(table, row, problems) for row in table.rows)


# ---------------------------------------------------------------------------------------------------------------
# Sources: a folder or a workbook, both reduced to raw settings and text tables
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Setting:
    """A raw setting value (typed when from TOML, text when from a sheet) and where it was written."""

    value: Any
    file: str
    row: int | None
    column: str

    def problem(self, message: str) -> Problem:
        return Problem(self.file, message, self.row, self.column)


@dataclass(frozen=True)
class _RawDay:
    """One day as written: TOML `[[days]]` number `index`, or a row of sheet `days`."""

    date: _Setting | None
    open: _Setting | None
    file: str
    row: int | None = None
    index: int | None = None

    def missing(self, key: str) -> Problem:
        column = f"days[{self.index}].{key}" if self.index else key
        return Problem(self.file, f"empty required {key}: every day needs a date and open periods", self.row, column)


@dataclass(frozen=True)
class _RawSettings:
    label: str  # conference.toml or sheet conference
    keyed_by_column: bool  # sheet: a missing key is reported in column `key`; TOML: in the key itself
    values: dict[str, _Setting]
    weights: dict[str, _Setting]
    days: tuple[_RawDay, ...] | None
    days_label: str


@dataclass(frozen=True)
class _Source:
    settings: _RawSettings | None
    tables: dict[str, Table | None]  # None: absent or unusable (already reported)
    present: frozenset[str]  # optional tables that were given at all
    labels: dict[str, str]  # table -> how problems and messages name it


def _toml_days(data: Any, label: str, problems: list[Problem]) -> tuple[_RawDay, ...] | None:
    if data is None:
        return None
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        problems.append(Problem(label, "days must be a list of [[days]] tables with date and open", None, "days"))
        return ()
    days = []
    for number, table in enumerate(data, start=1):
        prefix = f"days[{number}]"
        for key in sorted(set(table) - {"date", "open"}):
            problems.append(
                Problem(label, f"unknown key '{key}' in [[days]] (known: date, open)", None, f"{prefix}.{key}")
            )
        settings = {k: _Setting(table[k], label, None, f"{prefix}.{k}") for k in ("date", "open") if k in table}
        days.append(_RawDay(settings.get("date"), settings.get("open"), label, index=number))
    return tuple(days)


def _toml_settings(path: Path, problems: list[Problem]) -> _RawSettings | None:
    label = CONFERENCE_FILE
    if not path.is_file():
        problems.append(
            Problem(
                label,
                "missing required file: every conference folder needs conference.toml "
                "(name, timezone, granularity_min, languages, [[days]])",
            )
        )
        return None
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        problems.append(Problem(label, f"this line is not UTF-8 text: {_what_byte(raw, err)}; save the file as UTF-8",
                                _line_of(raw, err)))
        return None
    except tomllib.TOMLDecodeError as err:
        problems.append(Problem(label, f"is not valid TOML: {err}"))
        return None
    weights = data.get("weights", {})
    if not isinstance(weights, dict):
        problems.append(Problem(label, "weights must be a [weights] table of name = number", None, "weights"))
        weights = {}
    return _RawSettings(
        label=label,
        keyed_by_column=False,
        values={k: _Setting(v, label, None, k) for k, v in data.items() if k not in ("days", "weights")},
        weights={k: _Setting(v, label, None, f"weights.{k}") for k, v in weights.items()},
        days=_toml_days(data.get("days"), label, problems),
        days_label=label,
    )


def _sheet_settings(conference: Table | None, days: Table | None, problems: list[Problem]) -> _RawSettings | None:
    """Sheet `conference` (key,value rows, `weight.<name>` for weights) and sheet `days` (date,open rows)."""
    if conference is None:
        return None
    values: dict[str, _Setting] = {}
    weights: dict[str, _Setting] = {}
    for cells in _rows(conference, problems):
        key = cells.required("key")
        if key is None:
            continue
        setting = _Setting(cells.text("value"), conference.label, cells.row.number, "value")
        target, name = (
            (weights, key[len(WORKBOOK_WEIGHT_PREFIX) :]) if key.startswith(WORKBOOK_WEIGHT_PREFIX) else (values, key)
        )
        if name in target:
            cells.problem("key", f"key '{key}' is given twice (first at row {target[name].row}); keep one")
        elif setting.value:  # an empty value leaves the setting out, as an absent TOML key would
            target[name] = setting
    raw_days = None
    if days is not None:
        raw_days = tuple(
            _RawDay(
                _Setting(r.cells.get("date", ""), days.label, r.number, "date"),
                _Setting(r.cells.get("open", ""), days.label, r.number, "open"),
                days.label,
                row=r.number,
            )
            for r in days.rows
        )
    return _RawSettings(conference.label, True, values, weights, raw_days, days.label if days else "days")


def _folder_source(folder: Path, problems: list[Problem]) -> _Source:
    tables: dict[str, Table | None] = {}
    present = set()
    for name in REQUIRED_TABLES + OPTIONAL_TABLES:
        path = folder / f"{name}.csv"
        if not path.is_file():
            if name in REQUIRED_TABLES:
                problems.append(
                    Problem(
                        path.name,
                        f"missing required file: the conference folder needs {path.name} "
                        f"(columns: {', '.join(REQUIRED_COLUMNS[name])})",
                    )
                )
            tables[name] = None
            continue
        present.add(name)
        table = read_csv_table(path, path.name, problems)
        table = table and _known_headers(table, name, problems)
        tables[name] = table if table and _has_columns(table, REQUIRED_COLUMNS[name], problems) else None
    _misnamed_files(folder, [name for name in tables if name not in present], problems)
    labels = {name: f"{name}.csv" for name in tables}
    return _Source(_toml_settings(folder / CONFERENCE_FILE, problems), tables, frozenset(present), labels)


def _unmerge(sheet: Worksheet, name: str, problems: list[Problem]) -> None:
    """Give every cell of a range merged down one column its top-left value; report other merged ranges.

    openpyxl (like Excel's file) keeps a merged range's value in its top-left cell only, so the other cells
    would read as empty. Merging down the rows of a column (one track, or the same open hours, for several
    rows) means "the same in each row". A range across columns, or one joining the header to the cells below,
    means nothing the format can read (which column holds the value?), so it is reported unless it lies only
    over extra columns, which the format ignores anyway.
    """
    headers = {cell.column: str(cell.value or "").strip() for cell in sheet[1]}
    known = KNOWN_COLUMNS.get(name, REQUIRED_COLUMNS[name])
    for cells in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):  # unmerging edits the set
        if cells.min_col == cells.max_col and cells.min_row > 1:
            value = sheet.cell(cells.min_row, cells.min_col).value
            sheet.unmerge_cells(cells.coord)
            for row in range(cells.min_row + 1, cells.max_row + 1):
                sheet.cell(row, cells.min_col).value = value
            continue
        columns = range(cells.min_col, cells.max_col + 1)
        if not any(_plain_header(headers.get(c, "")) in known for c in columns):
            continue
        if cells.min_col == cells.max_col:
            what = "join the header to the cells below it; unmerge them so that row 1 holds only the column name"
        else:
            what = "are merged across columns; a value belongs to one column: unmerge them and give each its own cell"
        header = headers.get(cells.min_col) or f"#{cells.min_col}"
        problems.append(Problem(name, f"cells {cells.coord} {what}", cells.min_row, header))


def _read_workbook(path: Path, problems: list[Problem]) -> dict[str, pd.DataFrame] | None:
    try:
        # Not read-only (as pandas would open it): only a full worksheet knows its merged cells.
        book = openpyxl.load_workbook(path, data_only=True, keep_links=False)
        for sheet in book.worksheets:
            if (name := _sheet_name(sheet.title)) in REQUIRED_COLUMNS:
                _unmerge(sheet, name, problems)
        sheets = pd.read_excel(book, sheet_name=None, header=None, dtype=str, keep_default_na=False, engine="openpyxl")
    except Exception as err:  # openpyxl and zipfile raise many kinds; any of them means "not a readable workbook"
        problems.append(Problem(path.name, f"cannot be read as an .xlsx workbook: {err}"))
        return None
    return {_sheet_name(name): frame for name, frame in sheets.items()}


def _sheet_name(title: object) -> str:
    """Sheet names are matched ignoring case and surrounding spaces: a tab renamed "Sessions " is still meant."""
    return str(title).strip().lower()


def _workbook_source(path: Path, problems: list[Problem]) -> _Source:
    sheets = _read_workbook(path, problems)
    if sheets is None:
        raise InputError(problems)  # nothing else can be read
    tables: dict[str, Table | None] = {}
    for name in ("conference", "days") + REQUIRED_TABLES + OPTIONAL_TABLES:
        if name not in sheets:
            if name not in OPTIONAL_TABLES:
                problems.append(
                    Problem(
                        name,
                        f"missing required sheet '{name}' in {path.name} "
                        f"(columns: {', '.join(REQUIRED_COLUMNS[name])})",
                    )
                )
            tables[name] = None
            continue
        table = _table_from_frame(sheets[name], name, problems)
        if name in KNOWN_COLUMNS:
            table = _known_headers(table, name, problems)
        tables[name] = table if _has_columns(table, REQUIRED_COLUMNS[name], problems) else None
    settings = _sheet_settings(tables.pop("conference"), tables.pop("days"), problems)
    present = frozenset(n for n in OPTIONAL_TABLES if n in sheets)
    return _Source(settings, tables, present, {name: f"sheet {name}" for name in tables})


# ---------------------------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Settings:
    name: str
    zone: ZoneInfo
    granularity_min: int | None
    languages: tuple[str, ...] | None  # None: unreadable, so language codes are not checked
    days: tuple[Day, ...]
    changeover_min: int
    weights: Weights
    complete: bool
    slug: str = ""  # zone and days are right, so checks against open periods can be trusted

    @property
    def periods(self) -> tuple[Window, ...]:
        return tuple(p for d in self.days for p in d.periods)


def _as_text(value: Any) -> str:
    """A scalar setting as text, whether TOML typed it or a sheet gave text."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | str):
        return str(value).strip()
    if isinstance(value, date):
        return value.isoformat()
    raise ValueError("expected a single value here, not a list or table")


def _as_items(value: Any) -> list[str]:
    """A list setting: a TOML array, or `;`-separated text from a sheet.

    A ',' in it is refused: read as one item, `it, en` would make every language cell of every table unknown.
    """
    in_array = isinstance(value, list)
    items = [_as_text(v) for v in value] if in_array else _as_text(value).split(";")
    for item in items:
        if (mistake := _comma_separated(item, in_array)) is not None:
            raise ValueError(mistake)
    return [item.strip() for item in items if item.strip()]


def _setting(
    raw: _RawSettings, key: str, parser: Callable[[Any], T], problems: list[Problem], example: str = ""
) -> T | None:
    setting = raw.values.get(key)
    if setting is None:
        if example:
            column = "key" if raw.keyed_by_column else key
            problems.append(Problem(raw.label, f"missing required setting '{key}', e.g. {example}", None, column))
        return None
    try:
        return parser(setting.value)
    except ValueError as err:
        problems.append(setting.problem(str(err)))
        return None


def _parse_granularity(value: Any) -> int:
    minutes = parse_int(_as_text(value), minimum=1)
    if 1440 % minutes:
        raise ValueError(f"{minutes} does not divide 1440 (the minutes in a day); use e.g. 5, 10, 15, 20, 30 or 60")
    return minutes


def _parse_languages(value: Any) -> tuple[str, ...]:
    items = _as_items(value)
    repeated = sorted({i for i in items if items.count(i) > 1})
    if repeated:
        raise ValueError(f"language(s) {', '.join(repeated)} listed twice; list each once")
    return tuple(items)


def _parse_name(value: Any) -> str:
    name = _as_text(value)
    if not name:
        raise ValueError("the conference name is empty")
    return name


def _parse_weights(raw: _RawSettings, problems: list[Problem]) -> Weights:
    values = {}
    for name, setting in raw.weights.items():
        if name not in WEIGHT_NAMES:
            problems.append(
                Problem(
                    setting.file,
                    f"unknown weight '{name}' (known: {', '.join(WEIGHT_NAMES)})",
                    setting.row,
                    "key" if raw.keyed_by_column else setting.column,
                )
            )
            continue
        try:
            values[name] = parse_int(_as_text(setting.value), minimum=0)
        except ValueError as err:
            problems.append(setting.problem(str(err)))
    return Weights(**values)


def _check_unknown_keys(raw: _RawSettings, problems: list[Problem]) -> None:
    known = REQUIRED_SETTINGS + OPTIONAL_SETTINGS
    tables = "weight.<name>" if raw.keyed_by_column else "[[days]], [weights]"
    for key, setting in raw.values.items():
        if key not in known:
            column = "key" if raw.keyed_by_column else key
            problems.append(
                Problem(
                    setting.file, f"unknown setting '{key}' (known: {', '.join(known)}, {tables})", setting.row, column
                )
            )


def _parse_day(raw: _RawDay, zone: ZoneInfo, problems: list[Problem]) -> Day | None:
    for key, setting in (("date", raw.date), ("open", raw.open)):
        if setting is None or setting.value in ("", []):
            problems.append(raw.missing(key))
            return None
    try:
        day = parse_date(_as_text(raw.date.value))
    except ValueError as err:
        problems.append(raw.date.problem(str(err)))
        return None
    periods = []
    try:
        for text in _as_items(raw.open.value):
            periods.append(parse_period(text, day, zone))
    except ValueError as err:
        problems.append(raw.open.problem(str(err)))
        return None
    return Day(day, tuple(sorted(periods, key=lambda w: w.start.timestamp())))


def _check_days(days: list[tuple[Day, _RawDay]], problems: list[Problem]) -> bool:
    """Each date once, and no two open periods overlapping (also across midnight into the next day)."""
    ok = True
    seen: set[date] = set()
    for day, raw in days:
        if day.date in seen:
            problems.append(raw.date.problem(f"day {day.date} is listed twice; list each date once"))
            ok = False
        seen.add(day.date)
    periods = sorted(((p, raw) for day, raw in days for p in day.periods), key=lambda pr: pr[0].start.timestamp())
    for (before, _), (after, raw) in zip(periods, periods[1:], strict=False):
        if after.start.timestamp() < before.end.timestamp():
            problems.append(
                raw.open.problem(f"open period {_hhmm(after)} overlaps {_hhmm(before)}; open periods must not overlap")
            )
            ok = False
    return ok


def _parse_days(raw: _RawSettings, zone: ZoneInfo, problems: list[Problem]) -> tuple[tuple[Day, ...], bool]:
    if raw.days is None and raw.keyed_by_column:
        return (), False  # the missing or unusable days sheet is already reported
    if not raw.days:
        problems.append(
            Problem(
                raw.days_label,
                "no conference days: give at least one day with a date and open "
                "periods, e.g. date 2023-10-13, open 09:30-13:00;14:30-19:00",
                None,
                None if raw.keyed_by_column else "days",
            )
        )
        return (), False
    parsed = [(day, r) for r in raw.days if (day := _parse_day(r, zone, problems)) is not None]
    ok = len(parsed) == len(raw.days) and _check_days(parsed, problems)
    return tuple(sorted((d for d, _ in parsed), key=lambda d: d.date)), ok


def _parse_slug(value: Any) -> str:
    """The conference's stable identifier in calendar UIDs and frab guids: lowercase ASCII letters, digits and
    inner hyphens, as it goes into a UID's domain part unchanged."""
    text = _as_text(value)
    if text and not SLUG_PATTERN.fullmatch(text):  # an empty cell in a workbook's conference sheet means none
        raise ValueError(
            f"slug '{text}' must be 1 to 64 lowercase letters a-z, digits and inner hyphens, e.g. rome-peace-2023"
        )
    return text


def _parse_settings(raw: _RawSettings, problems: list[Problem]) -> _Settings:
    _check_unknown_keys(raw, problems)
    name = _setting(raw, "name", _parse_name, problems, 'name = "Rome Peace Conference 2023"')
    zone = _setting(raw, "timezone", lambda v: parse_zone(_as_text(v)), problems, 'timezone = "Europe/Rome"')
    granularity = _setting(raw, "granularity_min", _parse_granularity, problems, "granularity_min = 15")
    languages = _setting(raw, "languages", _parse_languages, problems, 'languages = ["it", "en"]')
    changeover = _setting(raw, "changeover_min", lambda v: parse_int(_as_text(v), minimum=0), problems)
    slug = _setting(raw, "slug", _parse_slug, problems)
    weights = _parse_weights(raw, problems)
    days, days_ok = _parse_days(raw, zone or _FALLBACK_ZONE, problems)
    return _Settings(
        name=name or "",
        zone=zone or _FALLBACK_ZONE,
        granularity_min=granularity,
        languages=languages,
        days=days,
        changeover_min=changeover or 0,
        weights=weights,
        complete=zone is not None and days_ok,
        slug=slug or "",
    )


_UNKNOWN_SETTINGS = _Settings("", _FALLBACK_ZONE, None, None, (), 0, Weights(), complete=False)


# ---------------------------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What row readers check against: settings and the ids of tables read so far (None when unreadable)."""

    settings: _Settings
    labels: dict[str, str]
    problems: list[Problem]
    room_ids: frozenset[str] | None
    speaker_ids: frozenset[str] | None
    session_ids: frozenset[str] | None

    def check_languages(self, cells: _Cells, column: str, codes: Iterable[str]) -> None:
        known = self.settings.languages
        if known is None:
            return
        for code in codes:
            if code not in known:
                cells.problem(
                    column,
                    f"unknown language '{code}' (conference languages: {', '.join(known)}); "
                    "fix the code or add it to languages",
                )


def _read_rooms(table: Table, ctx: _Context) -> tuple[Room, ...]:
    rooms, seen = [], {}
    for cells in _rows(table, ctx.problems):
        room_id = cells.required("room_id")
        cells.unique("room_id", room_id, seen, "room id")
        name = cells.required("name")
        capacity = cells.parse("capacity", lambda t: parse_int(t, minimum=1), required=True)
        booths = cells.parse("booths", parse_int, default=0)
        features = frozenset(cells.items("features"))
        if room_id and name and capacity is not None and booths is not None:
            rooms.append(Room(room_id, name, capacity, booths, features))
    return tuple(rooms)


def _read_speakers(table: Table, ctx: _Context) -> tuple[Speaker, ...]:
    speakers, seen = [], {}
    for cells in _rows(table, ctx.problems):
        speaker_id = cells.required("speaker_id")
        cells.unique("speaker_id", speaker_id, seen, "speaker id")
        name = cells.required("name")
        languages = cells.items("languages")
        ctx.check_languages(cells, "languages", languages)
        if speaker_id and name:
            speakers.append(Speaker(speaker_id, name, frozenset(languages), cells.text("country"), cells.text("bio")))
    return tuple(speakers)


def _window(cells: _Cells, zone: ZoneInfo) -> Window | None:
    """The row's start/end as a window; end must come after start."""
    start = cells.parse("start", lambda t: parse_datetime(t, zone), required=True)
    end = cells.parse("end", lambda t: parse_datetime(t, zone), required=True)
    if start is None or end is None:
        return None
    if end.timestamp() <= start.timestamp():
        cells.problem(
            "end",
            f"end {end:%Y-%m-%d %H:%M} is not after start {start:%Y-%m-%d %H:%M}; the end must come after the start",
        )
        return None
    return Window(start, end)


def _owned_window(
    cells: _Cells, column: str, ids: frozenset[str] | None, where: str, zone: ZoneInfo
) -> tuple[str | None, Window | None]:
    """The id in `column` (which must be among `ids`, the ids of table `where`) and the row's window."""
    owner = cells.required(column)
    if owner:
        cells.known(column, [owner], ids, column.replace("_", " "), where)
    return owner, _window(cells, zone)


def _by_start(windows: Iterable[Window]) -> tuple[Window, ...]:
    return tuple(sorted(windows, key=lambda w: w.start.timestamp()))


def _read_availability(table: Table, ctx: _Context) -> dict[str, tuple[list[Window], list[Window]]]:
    """speaker_id -> (availability windows, preferred windows)."""
    windows: dict[str, tuple[list[Window], list[Window]]] = {}
    for cells in _rows(table, ctx.problems):
        speaker_id, window = _owned_window(cells, "speaker_id", ctx.speaker_ids, ctx.labels["speakers"],
                                           ctx.settings.zone)
        preferred = cells.parse("preferred", parse_bool, default=False)
        if speaker_id and window and preferred is not None:
            windows.setdefault(speaker_id, ([], []))[1 if preferred else 0].append(window)
    return windows


def _with_availability(
    speakers: tuple[Speaker, ...], windows: dict[str, tuple[list[Window], list[Window]]]
) -> tuple[Speaker, ...]:
    def with_windows(speaker: Speaker) -> Speaker:
        available, preferred = windows.get(speaker.speaker_id, ([], []))
        return replace(speaker, availability=_by_start(available), preferred=_by_start(preferred))

    return tuple(with_windows(s) for s in speakers)


def _read_room_availability(table: Table, ctx: _Context) -> dict[str, list[Window]]:
    """room_id -> the windows the room is open in."""
    windows: dict[str, list[Window]] = {}
    for cells in _rows(table, ctx.problems):
        room_id, window = _owned_window(cells, "room_id", ctx.room_ids, ctx.labels["rooms"], ctx.settings.zone)
        if room_id and window:
            windows.setdefault(room_id, []).append(window)
    return windows


def _with_room_availability(rooms: tuple[Room, ...], windows: dict[str, list[Window]]) -> tuple[Room, ...]:
    return tuple(replace(room, availability=_by_start(windows.get(room.room_id, ()))) for room in rooms)


@dataclass(frozen=True)
class _SessionRow:
    session: Session
    row: int
    duration_ok: bool  # False: the duration was unreadable, so checks against periods are skipped


def _session_languages(cells: _Cells, ctx: _Context) -> tuple[str, frozenset[str]]:
    language = cells.text("language")
    targets = cells.items("interpretation")
    if language:
        ctx.check_languages(cells, "language", [language])
    ctx.check_languages(cells, "interpretation", targets)
    if targets and not language:
        cells.problem("interpretation", "interpretation targets need the session's own language: fill in language")
    if language in targets:
        cells.problem(
            "interpretation",
            f"'{language}' is the session's own language, not an interpretation target; remove it from interpretation",
        )
    return language, frozenset(targets)


def _session_rooms(cells: _Cells, ctx: _Context) -> tuple[str | None, tuple[str, ...]]:
    fixed_room = cells.text("fixed_room") or None
    overflow = cells.items("overflow_rooms")
    where = ctx.labels["rooms"]
    cells.known("fixed_room", [fixed_room] if fixed_room else [], ctx.room_ids, "room id", where)
    cells.known("overflow_rooms", overflow, ctx.room_ids, "room id", where)
    if fixed_room in overflow:
        cells.problem(
            "overflow_rooms",
            f"'{fixed_room}' is the session's fixed_room; a session's main room cannot "
            "also be one of its overflow rooms",
        )
    return fixed_room, overflow


def _read_session(cells: _Cells, ctx: _Context) -> _SessionRow | None:
    session_id = cells.required("session_id")
    title = cells.required("title")
    duration = cells.parse("duration_min", lambda t: parse_int(t, minimum=1), required=True)
    speakers = cells.items("speakers")
    cells.known("speakers", speakers, ctx.speaker_ids, "speaker id", ctx.labels["speakers"])
    language, interpretation = _session_languages(cells, ctx)
    fixed_room, overflow = _session_rooms(cells, ctx)
    audience = cells.parse("expected_audience", parse_int, default=0)
    fixed_start = cells.parse("fixed_start", lambda t: parse_datetime(t, ctx.settings.zone))
    plenary = cells.parse("plenary", parse_bool, default=False)
    priority = cells.parse("priority", parse_int, default=0)
    if not session_id or not title:
        return None
    session = Session(
        session_id=session_id,
        title=title,
        duration_min=duration or 0,
        speakers=speakers,
        language=language,
        interpretation=interpretation,
        track=cells.text("track"),
        kind=cells.text("kind"),
        expected_audience=audience or 0,
        needs=frozenset(cells.items("needs")),
        fixed_start=fixed_start,
        fixed_room=fixed_room,
        plenary=bool(plenary),
        after=cells.items("after"),
        overflow_rooms=overflow,
        priority=priority or 0,
        abstract=cells.text("abstract"),
    )
    return _SessionRow(session, cells.row.number, duration is not None)


def _read_sessions(table: Table, ctx: _Context) -> tuple[_SessionRow, ...]:
    rows, seen = [], {}
    for cells in _rows(table, ctx.problems):
        cells.unique("session_id", cells.text("session_id") or None, seen, "session id")
        if (row := _read_session(cells, ctx)) is not None:
            rows.append(row)
    return tuple(rows)


def _read_attendees(table: Table, ctx: _Context) -> tuple[Attendee, ...]:
    attendees, seen = [], {}
    for cells in _rows(table, ctx.problems):
        attendee_id = cells.required("attendee_id")
        cells.unique("attendee_id", attendee_id, seen, "attendee id")
        languages = cells.items("languages")
        ctx.check_languages(cells, "languages", languages)
        interests = cells.items("interests")
        cells.known("interests", interests, ctx.session_ids, "session id", ctx.labels["sessions"])
        if attendee_id:
            attendees.append(Attendee(attendee_id, frozenset(languages), interests))
    return tuple(attendees)


def _parse_pair(text: str, languages: tuple[str, ...] | None) -> tuple[str, str]:
    parts = [p.strip() for p in text.split("-")]
    if len(parts) != 2 or not all(parts) or parts[0] == parts[1]:
        raise ValueError(f"'{text}' is not a language pair; write two different codes joined by '-', e.g. it-ru")
    unknown = [p for p in parts if languages is not None and p not in languages]
    if unknown:
        raise ValueError(
            f"unknown language '{unknown[0]}' in pair '{text}' (conference languages: {', '.join(languages or ())})"
        )
    return language_pair(*parts)


@dataclass(frozen=True)
class _TeamRows:
    pair: tuple[str, str]
    first_row: int
    windows: list[Window] = field(default_factory=list)
    throughout: list[int] = field(default_factory=list)  # rows without start/end


def _team_window(cells: _Cells, zone: ZoneInfo) -> tuple[Window | None, bool]:
    """(window, ok): both start and end empty means available throughout; one of them alone is a problem."""
    start, end = cells.text("start"), cells.text("end")
    if not start and not end:
        return None, True
    if not start or not end:
        missing = "start" if not start else "end"
        cells.problem(
            missing, f"empty {missing}: give both start and end, or leave both empty for 'available throughout'"
        )
        return None, False
    window = _window(cells, zone)
    return window, window is not None


def _add_team_row(
    cells: _Cells, teams: dict[str, _TeamRows], team_id: str, pair: tuple[str, str], window: Window | None
) -> None:
    team = teams.setdefault(team_id, _TeamRows(pair, cells.row.number))
    if team.pair != pair:
        cells.problem(
            "languages",
            f"duplicate team id '{team_id}': row {team.first_row} gives it the pair "
            f"{'-'.join(team.pair)}; a team interprets one pair, use another team_id",
        )
        return
    if window is None:
        team.throughout.append(cells.row.number)
    else:
        team.windows.append(window)
    if team.throughout and len(team.throughout) + len(team.windows) > 1:
        cells.problem(
            "team_id",
            f"duplicate team id '{team_id}': a row without start/end (row "
            f"{team.throughout[0]}, available throughout) cannot be combined with other rows; "
            "give every row of the team a start and end, or keep a single row",
        )


def _read_interpreters(table: Table, ctx: _Context) -> tuple[InterpreterTeam, ...]:
    teams: dict[str, _TeamRows] = {}
    for cells in _rows(table, ctx.problems):
        team_id = cells.required("team_id")
        pair = cells.parse("languages", lambda t: _parse_pair(t, ctx.settings.languages), required=True)
        window, window_ok = _team_window(cells, ctx.settings.zone)
        if team_id and pair and window_ok:
            _add_team_row(cells, teams, team_id, pair, window)
    return tuple(InterpreterTeam(team_id, team.pair, _by_start(team.windows)) for team_id, team in teams.items())


# ---------------------------------------------------------------------------------------------------------------
# Checks across sessions and settings
# ---------------------------------------------------------------------------------------------------------------


def _check_after(rows: tuple[_SessionRow, ...], ids: frozenset[str], label: str, problems: list[Problem]) -> None:
    """Unknown `after` ids (against every id in the file), then every cycle, each once from its earliest row."""
    row_of = {r.session.session_id: r.row for r in rows}
    graph: dict[str, set[str]] = {}
    for r in rows:
        for other in r.session.after:
            if other not in ids:
                problems.append(Problem(label, f"unknown session id '{other}' (not in {label})", r.row, "after"))
        graph[r.session.session_id] = {o for o in r.session.after if o in row_of}
    while True:
        try:
            graphlib.TopologicalSorter(graph).prepare()
            return
        except graphlib.CycleError as err:
            # graphlib lists the cycle as successive successors; reversed it reads "X is after Y is after ..."
            members = list(reversed(err.args[1][1:]))
            first = min(range(len(members)), key=lambda i: row_of[members[i]])
            members = members[first:] + members[:first]
            path = " -> ".join(members + [members[0]])
            problems.append(
                Problem(
                    label,
                    f"cycle in after: {path} (each must come after the next, so none can go "
                    "first); remove one of these after entries",
                    row_of[members[0]],
                    "after",
                )
            )
            for member in members:  # drop the cycle to look for other, disjoint ones
                graph.pop(member, None)
                for preds in graph.values():
                    preds.discard(member)


def _plus_min(start: datetime, minutes: float) -> datetime:
    """`minutes` of elapsed time after `start`, in its zone (adding to a zoned datetime would add wall time)."""
    return (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(start.tzinfo)


def _check_grid(row: _SessionRow, start: datetime, granularity: int, label: str, problems: list[Problem]) -> None:
    """`on_grid`: local midnight of the start's own date plus a whole number of steps, in elapsed minutes."""
    midnight = datetime.combine(start.date(), time(0), tzinfo=start.tzinfo)
    offset = _elapsed_min(midnight, start) % granularity
    if offset:
        before, after = _plus_min(start, -offset), _plus_min(start, granularity - offset)
        problems.append(
            Problem(
                label,
                f"fixed_start {start:%H:%M} is not on the {granularity}-minute grid; the "
                f"nearest grid starts are {before:%H:%M} and {after:%H:%M}",
                row.row,
                "fixed_start",
            )
        )


def _check_pin(row: _SessionRow, settings: _Settings, label: str, problems: list[Problem]) -> None:
    session = row.session
    start = session.fixed_start
    if start is None:
        return
    if settings.granularity_min:
        _check_grid(row, start, settings.granularity_min, label, problems)
    if not row.duration_ok:
        return
    end = _plus_min(start, session.duration_min)
    if not any(_inside(p, start, end) for p in settings.periods):
        same_day = [p for d in settings.days for p in d.periods if d.date == start.date()]
        listing = ", ".join(_hhmm(p) for p in same_day) or f"none on {start.date()}"
        problems.append(
            Problem(
                label,
                f"pinned to {start:%Y-%m-%d %H:%M}-{end:%H:%M} ({session.duration_min} min), "
                f"which is not inside one open period (open periods that day: {listing}); "
                "move fixed_start or shorten the session",
                row.row,
                "fixed_start",
            )
        )


def _check_against_periods(
    rows: tuple[_SessionRow, ...], settings: _Settings, label: str, problems: list[Problem]
) -> None:
    longest = max(settings.periods, key=lambda p: _elapsed_min(p.start, p.end))
    longest_min = _elapsed_min(longest.start, longest.end)
    for row in rows:
        if row.duration_ok and row.session.duration_min > longest_min:
            problems.append(
                Problem(
                    label,
                    f"the session lasts {row.session.duration_min} min but the longest open "
                    f"period is {longest_min:g} min ({_hhmm(longest)}); shorten it or "
                    "lengthen an open period",
                    row.row,
                    "duration_min",
                )
            )
        else:
            _check_pin(row, settings, label, problems)


def _check_interpreter_pairs(rows: tuple[_SessionRow, ...], teams: tuple[InterpreterTeam, ...], ctx: _Context) -> None:
    """With interpreters given, each (session language, target) pair needs at least one team."""
    labels, problems, known = ctx.labels, ctx.problems, ctx.settings.languages or ()
    pairs = {t.languages for t in teams}
    offered = ", ".join(sorted("-".join(p) for p in pairs)) or "none"
    for row in rows:
        session = row.session
        for target in sorted(session.interpretation):
            pair = language_pair(session.language, target)
            # Unknown codes and a target equal to the language are reported on their own already.
            if {session.language, target} <= set(known) and target != session.language and pair not in pairs:
                problems.append(
                    Problem(
                        labels["sessions"],
                        f"no interpreter team for {'-'.join(pair)} "
                        f"(teams in {labels['interpreters']} cover: {offered}); "
                        "add a team or drop this target",
                        row.row,
                        "interpretation",
                    )
                )


# ---------------------------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------------------------


def _open_source(path: Path, problems: list[Problem]) -> _Source:
    if path.is_dir():
        return _folder_source(path, problems)
    if path.is_file() and path.suffix.lower() == ".xlsx":
        return _workbook_source(path, problems)
    what = "does not exist" if not path.exists() else "is neither a conference folder nor an .xlsx workbook"
    raise InputError(
        [Problem(str(path), f"{what}; give a folder with conference.toml and CSV files, or an .xlsx workbook")]
    )


def _ids(table: Table | None, column: str) -> frozenset[str] | None:
    """Every id written in the table, even on rows with other problems, so references to it are not blamed."""
    return frozenset(r.cells.get(column, "") for r in table.rows) - {""} if table else None


def _build(source: _Source, settings: _Settings, problems: list[Problem]) -> Conference:
    """Read every table against the settings and each other; problems collect in `problems`."""
    tables, labels = source.tables, source.labels
    ctx = _Context(
        settings,
        labels,
        problems,
        _ids(tables["rooms"], "room_id"),
        _ids(tables["speakers"], "speaker_id"),
        _ids(tables["sessions"], "session_id"),
    )
    rooms = _read_rooms(tables["rooms"], ctx) if tables["rooms"] else ()
    if tables["room_availability"]:
        rooms = _with_room_availability(rooms, _read_room_availability(tables["room_availability"], ctx))
    speakers = _read_speakers(tables["speakers"], ctx) if tables["speakers"] else ()
    if tables["availability"]:
        speakers = _with_availability(speakers, _read_availability(tables["availability"], ctx))
    session_rows = _read_sessions(tables["sessions"], ctx) if tables["sessions"] else ()
    if ctx.session_ids is not None:
        _check_after(session_rows, ctx.session_ids, labels["sessions"], problems)
    if settings.complete:
        _check_against_periods(session_rows, settings, labels["sessions"], problems)
    attendees = _read_attendees(tables["attendees"], ctx) if tables["attendees"] else ()
    before = len(problems)
    teams = _read_interpreters(tables["interpreters"], ctx) if tables["interpreters"] else ()
    # A broken team row is reported on its own; judging pairs without it would blame the sessions too.
    if tables["interpreters"] and len(problems) == before:
        _check_interpreter_pairs(session_rows, teams, ctx)
    return Conference(
        name=settings.name,
        timezone=settings.zone.key,
        granularity_min=settings.granularity_min or 0,
        days=settings.days,
        rooms=rooms,
        speakers=speakers,
        sessions=tuple(r.session for r in session_rows),
        languages=settings.languages or (),
        attendees=attendees,
        interpreters=teams,
        changeover_min=settings.changeover_min,
        weights=settings.weights,
        interpreters_limited="interpreters" in source.present,
        slug=settings.slug,
    )


def load_conference(path: str | Path) -> Conference:
    """Read a conference folder or .xlsx workbook (docs/format.md) into a `Conference`.

    Raises `InputError` listing every problem found, each located by file (or sheet), row and column.
    """
    problems: list[Problem] = []
    source = _open_source(Path(path), problems)
    # Without readable settings (already reported) the tables are still read for their own problems.
    settings = _parse_settings(source.settings, problems) if source.settings else _UNKNOWN_SETTINGS
    conference = _build(source, settings, problems)
    if problems:
        raise InputError(_in_reading_order(problems))
    return conference


def _in_reading_order(problems: list[Problem]) -> list[Problem]:
    """Files in the order they were first blamed, rows top to bottom within each (cross-checks come last)."""
    first_seen = {file: i for i, file in reversed(list(enumerate(p.file for p in problems)))}
    return sorted(problems, key=lambda p: (first_seen[p.file], p.row or 0))
