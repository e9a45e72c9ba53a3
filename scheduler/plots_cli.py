"""`agenda plot`: the committee's pictures of a timetable, written as PNG or SVG files.

    agenda plot data/rome-2023 --timetable out/timetable.csv --kind gantt --day 2023-10-13 --out gantt.png
    agenda plot data/rome-2023 --timetable out/timetable.csv --kind all --out out/figures/
    agenda plot data/rome-2023 --timetable new.csv --kind changes --before old.csv --out changes.svg
    agenda plot v2/ --timetable v2/timetable.csv --kind changes --before v1/timetable.csv --before-conference v1/ \
        --out changes.svg

The format follows the file extension (.png or .svg). An --out without one of those extensions is a folder
(created if needed) that receives one file per picture, `--format` deciding their type; there `gantt` without
--day writes one picture per day.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from matplotlib.figure import Figure

from scheduler import plots
from scheduler.cli import EXIT_BAD_INPUT, EXIT_OK
from scheduler.domain import Conference, Timetable

FORMATS = ("png", "svg")
KINDS = ("gantt", "coverage", "rooms", "speakers", "conflicts", "changes", "all")
# What `all` draws besides one gantt per day; `changes` needs a second timetable, so it is drawn only on request.
_WHOLE_CONFERENCE: dict[str, Callable[[Conference, Timetable], Figure]] = {
    "coverage": plots.language_coverage,
    "rooms": plots.room_utilisation,
    "speakers": plots.speaker_load,
    "conflicts": plots.attendee_conflicts,
}


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `agenda plot` with `func=handler`."""
    parser = subparsers.add_parser(
        "plot",
        help="draw pictures of a timetable (PNG or SVG)",
        description="Draw the committee's pictures of a timetable: per-day room plan (gantt), language coverage, "
        "room use, speaker load, attendee conflicts, or the changes from an earlier timetable.",
    )
    parser.add_argument("conference", type=Path, help="conference folder or .xlsx workbook")
    parser.add_argument("--timetable", type=Path, required=True, help="timetable CSV (session_id,room_id,start,end)")
    parser.add_argument("--kind", choices=KINDS, default="all", help="which picture (default: all)")
    parser.add_argument("--day", type=date.fromisoformat, help="day of the gantt picture, YYYY-MM-DD")
    parser.add_argument(
        "--before", type=Path, help="earlier timetable CSV: draw the changes from it (--kind changes or all)"
    )
    parser.add_argument(
        "--before-conference", type=Path, metavar="FOLDER",
        help="the conference the earlier timetable was made for: names the sessions withdrawn and the rooms "
        "closed since (else their ids stand in)",
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="a .png or .svg file, or a folder that receives one file per picture"
    )
    parser.add_argument("--format", choices=FORMATS, default="png", help="file type when --out is a folder")
    parser.add_argument("--dpi", type=int, default=150, help="resolution of PNG files (default: 150)")
    parser.set_defaults(func=handler)
    return parser


def _save(fig: Figure, path: Path, dpi: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    print(path)


def _fail(message: str) -> int:
    print(f"agenda plot: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def handler(args: argparse.Namespace) -> int:
    """Load the conference and timetable(s), draw the requested pictures and write them; return the exit code."""
    # Imported here so `agenda --help` and the other commands do not pay for (or depend on) the loaders.
    from scheduler.loader import load_conference
    from scheduler.timetable_io import read_timetable

    out: Path = args.out
    to_file = out.suffix.lower() in {f".{f}" for f in FORMATS}
    if to_file and args.kind == "all":
        return _fail("--kind all writes several pictures: give a folder as --out")
    if args.kind == "changes" and args.before is None:
        return _fail("--kind changes needs --before EARLIER.csv")
    if args.before_conference is not None and args.before is None:
        return _fail("--before-conference names the conference of an earlier timetable: give --before EARLIER.csv")

    conference = load_conference(args.conference)
    timetable = read_timetable(args.timetable, conference)
    # Read before drawing anything, so a bad file leaves no pictures behind. An earlier timetable may name sessions
    # withdrawn or rooms closed since (as `solve --reference` allows): `changes` shows them removed or moved out.
    draws_changes = args.kind == "changes" or (args.kind == "all" and args.before is not None)
    previous = load_conference(args.before_conference) if draws_changes and args.before_conference else None
    # Against its own conference the earlier timetable is checked in full; against today's it may name what has
    # gone since.
    before = (read_timetable(args.before, previous) if previous is not None
              else read_timetable(args.before, conference, earlier=True)) if draws_changes else None
    day_dates = [d.date for d in conference.days]
    if args.day is not None and args.day not in day_dates:
        return _fail(f"{args.day} is not a day of the conference (days: {', '.join(map(str, day_dates))})")

    if to_file:
        if args.kind == "gantt":
            day = args.day if args.day is not None else (day_dates[0] if len(day_dates) == 1 else None)
            if day is None:
                return _fail(f"--kind gantt to one file needs --day (days: {', '.join(map(str, day_dates))})")
            fig = plots.gantt(conference, timetable, day)
        elif args.kind == "changes":
            fig = plots.changes(conference, before, timetable, previous)
        else:
            fig = _WHOLE_CONFERENCE[args.kind](conference, timetable)
        _save(fig, out, args.dpi)
        return EXIT_OK

    suffix = f".{args.format}"
    if args.kind in ("gantt", "all"):
        for day in [args.day] if args.day is not None else day_dates:
            _save(plots.gantt(conference, timetable, day), out / f"gantt-{day.isoformat()}{suffix}", args.dpi)
    if before is not None:
        _save(plots.changes(conference, before, timetable, previous), out / f"changes{suffix}", args.dpi)
    for kind, draw in _WHOLE_CONFERENCE.items():
        if args.kind in (kind, "all"):
            _save(draw(conference, timetable), out / f"{kind}{suffix}", args.dpi)
    return EXIT_OK
