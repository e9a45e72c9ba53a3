"""`agenda solve` and `agenda check`: the committee's main jobs on a conference folder or workbook."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from scheduler.checker import check, format_report
from scheduler.domain import Conference, Timetable
from scheduler.errors import InputError, Problem
from scheduler.loader import load_conference
from scheduler.solve import Progress, SolveResult, SolveSettings, solve
from scheduler.timetable_io import read_timetable, write_timetable

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_INFEASIBLE = 0, 1, 2, 3


MAX_SECONDS = 1_000_000  # eleven days; far larger limits overflow the move budget
MAX_SEED = 2**31 - 1  # CP-SAT's random_seed is a 32-bit signed integer; the annealing's seed must be >= 0


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= MAX_SECONDS:  # nan fails both
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds above 0 and at most {MAX_SECONDS:,}")
    return value


def _bounded_int(text: str, lo: int, hi: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = lo - 1
    if not lo <= value <= hi:
        raise argparse.ArgumentTypeError(f"'{text}' is not {what}")
    return value


def _workers(text: str) -> int:
    return _bounded_int(text, 1, sys.maxsize, "a number of workers, 1 or more")


def _seed(text: str) -> int:
    return _bounded_int(text, 0, MAX_SEED, f"a whole number from 0 to {MAX_SEED}")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("solve", help="solve a conference and write timetable.csv and report.json")
    p.add_argument("conference", help="conference folder or .xlsx workbook")
    p.add_argument("--out", default="out", help="output folder (default: out)")
    p.add_argument("--time-limit", type=_seconds, default=60.0, help="seconds of search (default 60)")
    p.add_argument("--workers", type=_workers, default=2, help="parallel search chains and CP-SAT threads (default 2)")
    p.add_argument("--seed", type=_seed, default=0, help=f"random seed, 0 to {MAX_SEED} (default 0)")
    p.add_argument("--allow-unplaced", action="store_true", help="leave out sessions that cannot fit, with reasons")
    p.add_argument("--reference", help="timetable.csv to stay close to (minimal-change re-solve)")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(func=run_solve)

    c = subparsers.add_parser("check", help="check a timetable against a conference with the independent checker")
    c.add_argument("conference", help="conference folder or .xlsx workbook")
    c.add_argument("timetable", help="timetable.csv")
    c.add_argument("--allow-unplaced", action="store_true", help="sessions missing from the timetable are left out")
    c.add_argument("--reference", help="timetable.csv to count moves against")
    c.set_defaults(func=run_check)


def _progress_printer(stream):
    def show(p: Progress) -> None:
        stream.write(
            f"\r  solution {p.solutions:3d}  objective {p.objective:10.0f}  bound {p.bound:10.0f}  "
            f"gap {100 * p.gap:6.2f}%  {p.elapsed_s:6.1f}s"
        )
        stream.flush()

    return show


def run_solve(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():  # found before the solve, not after it
        raise InputError([Problem(str(out), "--out names a file; give a folder (it is created if missing)")])
    conference = load_conference(args.conference)
    reference = read_timetable(args.reference, conference, earlier=True) if args.reference else None
    settings = SolveSettings(
        time_limit_s=args.time_limit,
        workers=args.workers,
        seed=args.seed,
        allow_unplaced=args.allow_unplaced,
        reference=reference,
    )
    live = not args.quiet and sys.stderr.isatty()
    result = solve(conference, settings, on_progress=_progress_printer(sys.stderr) if live else None)
    if live:
        sys.stderr.write("\n")
    if result.status == "INFEASIBLE":
        if len(result.explanation) < 2:  # proven, but the conflicting requirements were not narrowed down
            print(f"No timetable exists for {conference.name}.", *result.explanation, result.confirmation, sep="\n")
            return EXIT_INFEASIBLE
        print(f"No timetable exists for {conference.name}. These requirements cannot all hold together:")
        for line in result.explanation[:-1]:
            print(f"  - {line}")
        print(result.explanation[-1])
        print(result.confirmation)
        return EXIT_INFEASIBLE
    if not result.solved:
        print(
            f"No timetable found within {args.time_limit:g} s (status {result.status}); try a longer --time-limit.",
            *result.explanation,  # e.g. which sessions were still left out
            file=sys.stderr,
            sep="\n",
        )
        return EXIT_FAILURE
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_timetable(result.timetable, out / "timetable.csv")
        report = solve_report(conference, result, settings)
        (out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as err:
        print(f"--out {out}: could not write the timetable: {err.strerror or err}", file=sys.stderr)
        return EXIT_FAILURE
    print(summary(conference, result, out))
    return EXIT_OK


def solve_report(conference: Conference, result: SolveResult, settings: SolveSettings) -> dict:
    """What report.json holds: the status, every soft term raw and weighted, bound, gap, time, room use."""
    weights = asdict(conference.weights)
    per_room_day: dict[str, dict[str, int]] = {}
    for a in result.timetable.assignments:
        day = per_room_day.setdefault(a.room_id, {})
        day[a.start.date().isoformat()] = day.get(a.start.date().isoformat(), 0) + 1
    return {
        "conference": conference.name,
        "status": result.status,
        "objective": result.objective,
        "best_bound": result.best_bound,
        "gap": result.gap,
        "wall_time_s": round(result.wall_time_s, 3),
        "soft_terms": {
            n: {"count": c, "weight": weights[n], "cost": c * weights[n]} for n, c in result.soft_terms.items()
        },
        "sessions_per_room_and_day": per_room_day,
        "placed": len(result.timetable.assignments),
        "unplaced": [
            {"session_id": sid, "reason": result.unplaced_reasons.get(sid, "")} for sid in result.timetable.unplaced
        ],
        "moved": list(result.moved),
        "settings": {
            "time_limit_s": settings.time_limit_s,
            "workers": settings.workers,
            "seed": settings.seed,
            "allow_unplaced": settings.allow_unplaced,
            "reference": settings.reference is not None,
        },
    }


def summary(conference: Conference, result: SolveResult, out: Path) -> str:
    t: Timetable = result.timetable
    lines = [
        f"{conference.name}: {result.status}, {len(t.assignments)} sessions placed"
        + (f", {len(t.unplaced)} left out" if t.unplaced else ""),
        f"objective {result.objective}  "
        + (
            f"best bound {result.best_bound:.0f}  gap {100 * result.gap:.2f}%  "
            if result.best_bound is not None
            else "no bound (large-neighbourhood search)  "
        )
        + f"wall time {result.wall_time_s:.1f} s",
        "soft terms (count x weight): "
        + ", ".join(f"{n} {c}x{getattr(conference.weights, n)}" for n, c in result.soft_terms.items()),
    ]
    days = Counter(a.start.date() for a in t.assignments)
    lines.append("sessions per day: " + ", ".join(f"{d:%a %d %b} {n}" for d, n in sorted(days.items())))
    for sid in t.unplaced:
        lines.append(f"left out {sid}: {result.unplaced_reasons.get(sid, '')}")
    if result.moved:
        lines.append(f"moved from the reference: {len(result.moved)} ({', '.join(result.moved)})")
    lines.append(f"wrote {out / 'timetable.csv'} and {out / 'report.json'}")
    return "\n".join(lines)


def run_check(args: argparse.Namespace) -> int:
    conference = load_conference(args.conference)
    timetable = read_timetable(args.timetable, conference)
    if args.allow_unplaced:
        missing = tuple(s.session_id for s in conference.sessions if s.session_id not in timetable.by_session)
        timetable = Timetable(timetable.assignments, missing)
    reference = read_timetable(args.reference, conference, earlier=True) if args.reference else None
    report = check(conference, timetable, reference=reference, allow_unplaced=args.allow_unplaced)
    print(format_report(report, conference))
    return EXIT_OK if report.ok else EXIT_FAILURE
