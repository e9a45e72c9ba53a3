"""A conference written back as a conference folder (docs/format.md), every file of it, and read again.

The one writer of the format: the importers (`tables.write_conference_folder`), the committee store's exports and
`agenda dump` all use it, so a conference the committee uploaded and edited for weeks comes back out as the folder
it would have written by hand. The round
trip is exact: `load_conference(write_folder(c))` equals `c` for every conference the loader can produce, and
`normalise` (write, then read with the loader) is how the store makes sure it only ever keeps such conferences.

`new_folder` makes a folder appear whole or not at all (`agenda import`): it is written beside its target under a
hidden name and renamed into place only when everything succeeded. A folder that already holds files is refused,
never overwritten or removed.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import tomli_w

from scheduler.domain import Conference, Timetable, Weights, Window
from scheduler.errors import InputError, Problem
from scheduler.loader import KNOWN_COLUMNS, load_conference
from scheduler.timetable_io import write_timetable

# Written by the conference-folder writer, in the order the format lists them (docs/format.md).
ROOM_COLUMNS = KNOWN_COLUMNS["rooms"]
SPEAKER_COLUMNS = KNOWN_COLUMNS["speakers"]
SESSION_COLUMNS = KNOWN_COLUMNS["sessions"]
AVAILABILITY_COLUMNS = KNOWN_COLUMNS["availability"]
ROOM_AVAILABILITY_COLUMNS = KNOWN_COLUMNS["room_availability"]
ATTENDEE_COLUMNS = KNOWN_COLUMNS["attendees"]
INTERPRETER_COLUMNS = KNOWN_COLUMNS["interpreters"]
TIMETABLE_FILE = "timetable.csv"


def write_folder(conference: Conference, folder: str | Path, timetable: Timetable | None = None) -> Path:
    """Write `conference` as a complete conference folder (and `timetable.csv` when a timetable is given).

    Optional files are written when the conference has their content: availability.csv, room_availability.csv and
    attendees.csv when non-empty, interpreters.csv whenever interpreters limit interpretation (even with no team,
    which is what an interpreters.csv holding only its header means).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    zone = conference.tz
    (folder / "conference.toml").write_bytes(tomli_w.dumps(_settings(conference)).encode())
    _write_csv(folder / "rooms.csv", ROOM_COLUMNS,
               ((r.room_id, r.name, r.capacity, r.booths, _items(r.features)) for r in conference.rooms))
    _write_csv(folder / "speakers.csv", SPEAKER_COLUMNS,
               ((s.speaker_id, s.name, _items(s.languages), s.country, s.bio) for s in conference.speakers))
    _write_csv(folder / "sessions.csv", SESSION_COLUMNS, (
        (s.session_id, s.title, s.duration_min, ";".join(s.speakers), s.language, _items(s.interpretation), s.track,
         s.kind, s.expected_audience, _items(s.needs), _moment(s.fixed_start, conference), s.fixed_room or "",
         _bool(s.plenary), ";".join(s.after), ";".join(s.overflow_rooms), s.priority, s.abstract)
        for s in conference.sessions))
    availability = [(s.speaker_id, *_window(w, conference), _bool(preferred))
                    for s in conference.speakers
                    for preferred, windows in ((False, s.availability), (True, s.preferred)) for w in windows]
    if availability:
        _write_csv(folder / "availability.csv", AVAILABILITY_COLUMNS, availability)
    opening_hours = [(r.room_id, *_window(w, conference)) for r in conference.rooms for w in r.availability]
    if opening_hours:
        _write_csv(folder / "room_availability.csv", ROOM_AVAILABILITY_COLUMNS, opening_hours)
    if conference.attendees:
        _write_csv(folder / "attendees.csv", ATTENDEE_COLUMNS,
                   ((a.attendee_id, _items(a.languages), ";".join(a.interests)) for a in conference.attendees))
    if conference.interpreters_limited:
        rows = []
        for team in conference.interpreters:
            pair = "-".join(team.languages)
            rows += [(team.team_id, pair, *_window(w, conference)) for w in team.windows] or [(team.team_id, pair,
                                                                                              "", "")]
        _write_csv(folder / "interpreters.csv", INTERPRETER_COLUMNS, rows)
    if timetable is not None:
        # Times in the conference zone, whatever zone the timetable was built in.
        local = Timetable(tuple(dataclasses.replace(a, start=a.start.astimezone(zone), end=a.end.astimezone(zone))
                                for a in timetable.assignments), timetable.unplaced)
        write_timetable(local, folder / TIMETABLE_FILE)
    return folder


def normalise(conference: Conference) -> Conference:
    """The conference as the loader reads it back from its folder: raises `InputError` (with every problem, located
    in the written files) when the conference breaks a rule of the input format, e.g. a pin off the grid."""
    with tempfile.TemporaryDirectory(prefix="agenda-check-") as tmp:
        return load_conference(write_folder(conference, Path(tmp) / "conference"))


def folder_zip(conference: Conference, timetable: Timetable | None = None, top: str = "conference") -> bytes:
    """The conference folder (with its timetable) as a .zip whose entries sit under `top/`, for download."""
    with tempfile.TemporaryDirectory(prefix="agenda-export-") as tmp:
        folder = write_folder(conference, Path(tmp) / top, timetable)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.iterdir()):
                archive.write(path, f"{top}/{path.name}")
        return buffer.getvalue()


@contextmanager
def new_folder(target: str | Path) -> Iterator[Path]:
    """A staging folder to fill, renamed to `target` when the block succeeds and removed when it fails.

    `target` must not exist or be an empty folder; InputError otherwise, before anything is written. Parent folders
    are created as needed, and those created here are removed again after a failure.
    """
    shown = str(target)
    target = Path(target).absolute()  # "." has no name to stage beside
    created: list[Path] = []
    try:
        _refuse_occupied(target, shown)
        created = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
        target.parent.mkdir(parents=True, exist_ok=True)
        # mkdir rather than mkdtemp: the folder gets the user's usual permissions, not mkdtemp's owner-only ones.
        staging = target.parent / f".{target.name}.{secrets.token_hex(4)}.partial"
        staging.mkdir()
    except OSError as err:
        _remove_empty(created)
        raise InputError([Problem(shown, f"cannot be created: {err.strerror}")]) from None
    try:
        yield staging
        _move_into_place(staging, target, shown)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_empty(created)
        raise


def _refuse_occupied(target: Path, shown: str) -> None:
    if target.exists() and not target.is_dir():
        raise InputError([Problem(shown, "is a file, not a folder; give a new folder")])
    if target.is_dir() and any(target.iterdir()):
        held = "a conference (conference.toml)" if (target / "conference.toml").exists() else "files"
        raise InputError([Problem(shown, f"already holds {held}; give a new or empty folder")])


def _move_into_place(staging: Path, target: Path, shown: str) -> None:
    try:
        if not target.is_dir():
            staging.rename(target)
            return
        # An empty folder the user named (perhaps the one their shell is in) stays; the finished files move in.
        # A rename would replace a file someone put there meanwhile, so look again first.
        _refuse_occupied(target, shown)
        for path in sorted(staging.iterdir()):
            path.rename(target / path.name)
        staging.rmdir()
    except OSError as err:
        raise InputError([Problem(shown, f"cannot be put in place: {err.strerror}")]) from None


def _remove_empty(folders: Iterable[Path]) -> None:
    for folder in folders:  # deepest first
        try:
            folder.rmdir()
        except OSError:
            return


def _settings(conference: Conference) -> dict:
    zone = conference.tz
    return {
        "name": conference.name,
        "timezone": conference.timezone,
        "granularity_min": conference.granularity_min,
        "languages": list(conference.languages),
        "changeover_min": conference.changeover_min,
        **({"slug": conference.slug} if conference.slug else {}),
        "days": [{"date": d.date.isoformat(),
                  "open": [f"{p.start.astimezone(zone):%H:%M}-{p.end.astimezone(zone):%H:%M}" for p in d.periods]}
                 for d in conference.days],
        "weights": {f.name: getattr(conference.weights, f.name) for f in dataclasses.fields(Weights)},
    }


def _moment(moment: datetime | None, conference: Conference) -> str:
    # With its offset: the autumn hour that repeats is then unambiguous.
    return moment.astimezone(conference.tz).isoformat() if moment else ""


def _window(window: Window, conference: Conference) -> tuple[str, str]:
    return _moment(window.start, conference), _moment(window.end, conference)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _items(values: Iterable[str]) -> str:
    return ";".join(sorted(values))


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
