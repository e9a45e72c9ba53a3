"""`agenda export` and `agenda import`: a timetable out as iCalendar, frab XML/JSON, CSV or a printable
workbook; a frab or pretalx schedule in as a conference folder with its published times as a reference.

Bad input (an unreadable conference, timetable or schedule file, an unknown speaker, room, track, language or
session) raises `InputError`, which `agenda` reports line by line with exit code 2.

An import is all or nothing: the folder is written and read back under a temporary name beside `--out`
(`scheduler.folder.new_folder`) and appears only when both succeeded. `--out` must be new or empty; a folder
that holds anything is refused, never overwritten.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scheduler import frab, ical, tables
from scheduler.domain import Conference, Timetable
from scheduler.errors import InputError, Problem
from scheduler.folder import new_folder
from scheduler.loader import load_conference
from scheduler.pretalx import read_pretalx
from scheduler.revisions import visible_state
from scheduler.timetable_io import read_timetable, write_timetable

EXIT_OK = 0
FORMATS = ("ics", "frab-xml", "frab-json", "xlsx", "csv", "grid-csv")
IMPORTERS: dict[str, Callable[..., frab.ImportedSchedule]] = {"frab": frab.read_frab, "pretalx": read_pretalx}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register `export` and `import`."""
    export = subparsers.add_parser(
        "export",
        help="write a timetable as iCalendar, frab XML/JSON, CSV or an .xlsx workbook",
        description="Formats: ics (iCalendar feed), frab-xml (schedule.xml), frab-json (schedule.json), "
        "xlsx (one printable sheet per day), csv (timetable.csv rows), grid-csv (rooms across, "
        "times down). One selection at most narrows the sessions.",
    )
    export.add_argument("conference", help="conference folder or .xlsx workbook")
    export.add_argument("--timetable", required=True, help="timetable.csv to export")
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument("--out", required=True, help="file to write")
    selection = export.add_mutually_exclusive_group()
    selection.add_argument("--speaker", metavar="ID", help="only this speaker's sessions")
    selection.add_argument("--room", metavar="ID", help="only sessions in (or relayed into) this room")
    selection.add_argument("--track", metavar="NAME", help="only this track")
    selection.add_argument("--language", metavar="CODE", help="only sessions held in or interpreted into CODE")
    selection.add_argument("--sessions", metavar="ID;ID", help="only these sessions (a personal agenda)")
    export.add_argument("--name", help="calendar name (ics; default: the conference name and the selection)")
    export.add_argument(
        "--session-url",
        metavar="TEMPLATE",
        help="URL of a session page, {session_id} replaced, e.g. https://example.org/s/{session_id}",
    )
    export.add_argument(
        "--published-at",
        metavar="DATETIME",
        help="when this timetable was published, ISO 8601 with offset (ics DTSTAMP and "
        "LAST-MODIFIED; default: the timetable file's modification time)",
    )
    export.set_defaults(func=run_export)

    imported = subparsers.add_parser(
        "import",
        help="turn a frab or pretalx schedule into a conference folder",
        description="Writes conference.toml, rooms.csv, speakers.csv, sessions.csv and reference-timetable.csv "
        "(the published times) into a new or empty folder, all of them or none.",
    )
    imported.add_argument("source", choices=tuple(IMPORTERS), help="the system the file comes from")
    imported.add_argument("file", help="schedule.xml or schedule.json")
    imported.add_argument("--out", required=True, help="conference folder to create (new or empty)")
    imported.add_argument("--timezone", help="the conference's IANA zone, if the file's is missing or wrong")
    imported.set_defaults(func=run_import)


# ---------------------------------------------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Which sessions an export covers, and how to name the result."""

    select: ical.Selector | None
    label: str


def run_export(args: argparse.Namespace) -> int:
    conference = load_conference(args.conference)
    timetable = read_timetable(args.timetable, conference)
    selection = selection_of(args, conference)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    session_url = _url_template(args.session_url)
    if args.format == "ics":
        name = args.name or " – ".join(p for p in (conference.name, selection.label) if p)
        out.write_bytes(
            ical.calendar_for_timetable(
                conference,
                timetable,
                published_at=_published_at(args),
                name=name,
                select=selection.select,
                session_url=session_url,
            )
        )
    else:
        _write_table_format(args.format, conference, _selected(conference, timetable, selection), out, session_url)
    print(f"wrote {out}")
    return EXIT_OK


def _write_table_format(
    fmt: str, conference: Conference, timetable: Timetable, out: Path, session_url: Callable[[str], str] | None
) -> None:
    if fmt == "frab-xml":
        out.write_bytes(frab.schedule_xml(conference, timetable, session_url=session_url))
    elif fmt == "frab-json":
        out.write_bytes(frab.schedule_json(conference, timetable, session_url=session_url))
    elif fmt == "xlsx":
        tables.write_workbook(conference, timetable, out)
    elif fmt == "csv":
        write_timetable(timetable, out)
    else:
        tables.write_grid_csv(conference, timetable, out)


def selection_of(args: argparse.Namespace, conference: Conference) -> Selection:
    """The selector the options ask for, after checking its id or name exists in the conference."""
    if args.speaker is not None:
        _known("--speaker", args.speaker, conference.speaker_by_id, "speaker")
        return Selection(ical.for_speaker(args.speaker), conference.speaker_by_id[args.speaker].name)
    if args.room is not None:
        _known("--room", args.room, conference.room_by_id, "room")
        return Selection(ical.for_room(args.room), conference.room_by_id[args.room].name)
    if args.track is not None:
        _known("--track", args.track, {s.track for s in conference.sessions if s.track}, "track")
        return Selection(ical.for_track(args.track), f"track {args.track}")
    if args.language is not None:
        spoken = {lang for s in conference.sessions for lang in s.audible_languages} | set(conference.languages)
        _known("--language", args.language, spoken, "language")
        return Selection(ical.for_language(args.language), f"language {args.language}")
    if args.sessions is not None:
        ids = [i.strip() for i in args.sessions.split(";") if i.strip()]
        if not ids:
            raise InputError([Problem("--sessions", "no session ids given; write them as ID;ID")])
        for session_id in ids:
            _known("--sessions", session_id, conference.session_by_id, "session")
        return Selection(ical.for_sessions(ids), "my agenda")
    return Selection(None, "")


def _known(option: str, value: str, known: Collection[str], what: str) -> None:
    if value not in known:
        listing = ", ".join(sorted(known)[:20]) + (", ..." if len(known) > 20 else "")
        raise InputError([Problem(option, f"unknown {what} '{value}' (known: {listing or 'none'})")])


def _selected(conference: Conference, timetable: Timetable, selection: Selection) -> Timetable:
    if selection.select is None:
        return timetable
    keep = tuple(
        a
        for a in timetable.assignments
        if (state := visible_state(conference, timetable, a.session_id)) and selection.select(state)
    )
    return Timetable(keep)


def _url_template(template: str | None) -> Callable[[str], str] | None:
    if template is None:
        return None
    if "{session_id}" not in template:
        raise InputError([Problem("--session-url", f"'{template}' has no {{session_id}} placeholder")])
    return lambda session_id: template.replace("{session_id}", session_id)


def _published_at(args: argparse.Namespace) -> datetime:
    if args.published_at is None:
        # The file's age stands for "when it last changed": re-exporting an untouched file gives the same bytes.
        return datetime.fromtimestamp(int(Path(args.timetable).stat().st_mtime), tz=UTC)
    try:
        moment = datetime.fromisoformat(args.published_at)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InputError(
            [
                Problem(
                    "--published-at",
                    f"'{args.published_at}' is not an ISO 8601 date-time with an "
                    "offset, e.g. 2023-10-01T12:00:00+02:00",
                )
            ]
        )
    return moment.astimezone(UTC)


# ---------------------------------------------------------------------------------------------------------------
# import
# ---------------------------------------------------------------------------------------------------------------


def run_import(args: argparse.Namespace) -> int:
    out = Path(args.out)
    with new_folder(out) as staging:
        imported = IMPORTERS[args.source](args.file, timezone=args.timezone)
        tables.write_conference_folder(imported.conference, staging, imported.reference)
        for note in imported.notes:
            print(f"note: {note}", file=sys.stderr)
        # The folder is for the loader: read it back so a problem shows now, not at the committee's first solve.
        conference = load_conference(staging)
        read_timetable(staging / "reference-timetable.csv", conference, label="reference-timetable.csv")
    print(
        f"imported {len(conference.sessions)} sessions, {len(conference.speakers)} speakers, "
        f"{len(conference.rooms)} rooms, {len(conference.days)} days into {out}; published times in "
        f"{out / 'reference-timetable.csv'}"
    )
    return EXIT_OK
