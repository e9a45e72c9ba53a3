"""`agenda generate`: write a synthetic conference folder of any size, optionally with a planted optimum.

    agenda generate --sessions 1000 --seed 7 --out /tmp/science
    agenda generate --sessions 55 --planted --seed 1 --out /tmp/peace --rooms 6 --days 3

Sizes not given scale with --sessions (1,000 sessions: 10,000 attendees, 80 rooms, 4 days). With --planted the
folder also holds planted-timetable.csv, a timetable with no hard violation, no attendee conflict and no
parallel same-track sessions (see scheduler/generate.py for how it is drawn).
"""

from __future__ import annotations

import argparse
import sys

from scheduler.generate import PROFILES, GenerateOptions, GenerationError, generate, write_conference

EXIT_OK, EXIT_FAILURE = 0, 1


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `agenda generate` with `func=handler`."""
    parser = subparsers.add_parser(
        "generate",
        help="write a synthetic conference folder (optionally with a planted optimum)",
        description="Write a realistic synthetic conference in the folder format of docs/format.md; the same seed "
        "gives byte-identical files.",
    )
    parser.add_argument("--sessions", type=int, required=True, help="number of sessions")
    parser.add_argument(
        "--planted",
        action="store_true",
        help="draw interests around a hidden timetable and write it as planted-timetable.csv",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", required=True, help="folder to write (created if needed)")
    parser.add_argument("--attendees", type=int, help="number of attendees (default 10 per session)")
    parser.add_argument("--rooms", type=int, help="number of rooms (default max(5, 8%% of the sessions))")
    parser.add_argument("--days", type=int, help="number of days (default 3 up to 80 sessions, 4 up to 1,500, else 5)")
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        help="kind of conference (default by size: peace up to 80 sessions, congress up to 400, else science)",
    )
    parser.set_defaults(func=handler)
    return parser


def handler(args: argparse.Namespace) -> int:
    options = GenerateOptions(
        sessions=args.sessions,
        seed=args.seed,
        planted=args.planted,
        attendees=args.attendees,
        rooms=args.rooms,
        days=args.days,
        profile=args.profile,
    )
    try:
        generated = generate(options)
    except GenerationError as err:
        print(f"agenda generate: {err}", file=sys.stderr)
        return EXIT_FAILURE
    write_conference(generated, args.out)
    c = generated.conference
    print(
        f"{args.out}: {generated.profile} profile, {len(c.sessions)} sessions, {len(c.speakers)} speakers, "
        f"{len(c.rooms)} rooms, {len(c.days)} days, {len(c.attendees)} attendees, "
        f"{len(c.interpreters)} interpreter teams" + (", planted timetable" if generated.planted else "")
    )
    return EXIT_OK
