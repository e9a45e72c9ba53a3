"""Tables of a timetable for people, and a conference written back as a conference folder; pandas throughout.

- The grid: one row per time step of a day, one column per room, each cell the session running there (its
  title and speakers), as a CSV of all days, or an .xlsx workbook with one printable sheet per day in which a
  session's cells are merged over its duration.
- `write_conference_folder`: an imported conference as a conference folder (`scheduler.folder`, the one writer of
  docs/format.md) with the published times as `reference-timetable.csv`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.domain import Assignment, Conference, Timetable
from scheduler.folder import write_folder
from scheduler.timetable_io import write_timetable

_COLUMN_WIDTH = 28  # characters per room column in the workbook: a readable title on an A4 landscape page


# ---------------------------------------------------------------------------------------------------------------
# The grid: rows are time steps, columns are rooms
# ---------------------------------------------------------------------------------------------------------------


def grid_frame(conference: Conference, timetable: Timetable, day: date) -> pd.DataFrame:
    """One day as a grid: index "HH:MM" per grid step, one column per room name, cells the session running.

    A step [t, t + granularity) shows every session overlapping it (so an off-grid session still shows), a
    session relayed into an overflow room shows there too, marked "(relay)"; two sessions in one cell (only in
    a broken timetable) are joined with " / ". Steps cover the day's open periods and its sessions.
    """
    steps = _steps(conference, timetable, day)
    rooms = conference.rooms
    cells = {room.name: [_cell(conference, timetable, room.room_id, t, day) for t in steps] for room in rooms}
    return pd.DataFrame(cells, index=pd.Index([f"{t:%H:%M}" for t in steps], name="time"))


def grid_csv(conference: Conference, timetable: Timetable) -> str:
    """The grid of every day in one CSV: columns date, time, then one per room."""
    frames = [
        grid_frame(conference, timetable, day).reset_index().assign(date=day.isoformat())
        for day in days_of(conference, timetable)
    ]
    if not frames:
        return pd.DataFrame(columns=["date", "time", *(r.name for r in conference.rooms)]).to_csv(index=False)
    grid = pd.concat(frames, ignore_index=True)
    return grid[["date", *[c for c in grid.columns if c != "date"]]].to_csv(index=False, lineterminator="\n")


def write_grid_csv(conference: Conference, timetable: Timetable, path: str | Path) -> None:
    Path(path).write_text(grid_csv(conference, timetable), encoding="utf-8")


def write_workbook(conference: Conference, timetable: Timetable, path: str | Path) -> None:
    """An .xlsx workbook, one sheet per day (rooms across, times down), set up to print on A4 landscape."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        days = days_of(conference, timetable)
        if not days:  # a workbook needs a sheet
            pd.DataFrame().to_excel(writer, sheet_name="timetable")
        for day in days:
            frame = grid_frame(conference, timetable, day)
            sheet_name = day.isoformat()
            frame.to_excel(writer, sheet_name=sheet_name)
            _lay_out(writer.sheets[sheet_name], conference, timetable, day, frame)


def days_of(conference: Conference, timetable: Timetable) -> list[date]:
    """The dates with a conference day or a placed session, in order."""
    zone = conference.tz
    return sorted({d.date for d in conference.days} | {a.start.astimezone(zone).date() for a in timetable.assignments})


def _steps(conference: Conference, timetable: Timetable, day: date) -> list[datetime]:
    """Grid instants from the day's first open period or session to its last, in elapsed time steps."""
    zone, step = conference.tz, timedelta(minutes=conference.granularity_min)
    windows = [(p.start, p.end) for d in conference.days if d.date == day for p in d.periods]
    windows += [(a.start, a.end) for a in _on(conference, timetable, day)]
    if not windows:
        return []
    midnight = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    first = min(w[0] for w in windows).astimezone(UTC)
    last = max(w[1] for w in windows).astimezone(UTC)
    # Align to the grid of the day (local midnight + k steps), counting elapsed time across a DST change.
    t = midnight + ((first - midnight) // step) * step
    steps = []
    while t < last:
        steps.append(t.astimezone(zone))
        t += step
    return steps


def _on(conference: Conference, timetable: Timetable, day: date) -> list[Assignment]:
    zone = conference.tz
    return [a for a in timetable.assignments if a.start.astimezone(zone).date() == day]


def _cell(conference: Conference, timetable: Timetable, room_id: str, t: datetime, day: date) -> str:
    end = t + timedelta(minutes=conference.granularity_min)
    texts = []
    for placed in sorted(_on(conference, timetable, day), key=lambda a: (a.start.timestamp(), a.session_id)):
        if not (placed.start < end and t < placed.end):
            continue
        session = conference.session_by_id.get(placed.session_id)
        relay = session is not None and room_id in session.overflow_rooms
        if placed.room_id == room_id or relay:
            texts.append(session_label(conference, placed.session_id) + (" (relay)" if relay else ""))
    return " / ".join(texts)


def session_label(conference: Conference, session_id: str) -> str:
    """ "Title (Speaker A, Speaker B)": how a session is shown in a printed grid."""
    session = conference.session_by_id.get(session_id)
    if session is None:
        return session_id
    names = ", ".join(
        conference.speaker_by_id[s].name if s in conference.speaker_by_id else s for s in session.speakers
    )
    return f"{session.title} ({names})" if names else session.title


def _lay_out(sheet: Worksheet, conference: Conference, timetable: Timetable, day: date, frame: pd.DataFrame) -> None:
    """Merge each session's cells over its duration, wrap text, and set up the page for printing."""
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2, min_col=2):
        for cell in row:
            cell.alignment = wrap
    for row in sheet.iter_rows(max_row=1):
        for cell in row:
            cell.font = Font(bold=True)
    for column in range(2, len(frame.columns) + 2):
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = _COLUMN_WIDTH
    _merge_runs(sheet, frame)
    sheet.freeze_panes = "B2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.oddHeader.center.text = f"{conference.name}: {day:%A %d %B %Y}"


def _merge_runs(sheet: Worksheet, frame: pd.DataFrame) -> None:
    """Merge vertical runs of one non-empty text in a room column: one session over its rows."""
    for column_index, column in enumerate(frame.columns, start=2):
        values = list(frame[column])
        start = 0
        for i in range(1, len(values) + 1):
            if i == len(values) or values[i] != values[start]:
                if values[start] and i - start > 1:
                    sheet.merge_cells(
                        start_row=start + 2, end_row=i + 1, start_column=column_index, end_column=column_index
                    )
                start = i


# ---------------------------------------------------------------------------------------------------------------
# A conference as a conference folder
# ---------------------------------------------------------------------------------------------------------------


def write_conference_folder(conference: Conference, folder: str | Path, reference: Timetable | None = None) -> None:
    """The conference as a complete conference folder (`scheduler.folder`), plus `reference-timetable.csv` when a
    reference timetable (an import's published times) is given."""
    write_folder(conference, folder)
    if reference is not None:
        write_timetable(reference, Path(folder) / "reference-timetable.csv")
