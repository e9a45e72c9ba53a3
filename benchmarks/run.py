"""Measure the solver on planted instances of growing size and print a Markdown table.

    .venv/bin/python benchmarks/run.py [--sizes rome,130,400,1000,3000] [--workers 1,2] [--time-limit S]
                                       [--seed N] [--peer] [--write docs/benchmarks.md]

Each size is generated once (planted, so the best attendee-conflict and track counts are known to be zero), then
solved once per worker count, each solve in its own process (benchmarks/solve_one.py) so its peak memory can be
read and an overrun killed. For every solve the table gives: time to the first feasible timetable and to the end
(proven optimal, or the gap left at the time limit), the objective beside the planted timetable's objective, the
attendee conflict rate (conflicting interest pairs over all interest pairs), peak RSS, and the independent
checker's verdict. `--peer` adds the conference-scheduler peer (benchmarks/peer.py) on each size.

Sizes: an integer N is a generated instance of N sessions (profile by size, see scheduler/generate.py); `rome`
is the Rome sample conference (data/rome-2023) when present, else a generated 55-session peace conference; a
path to a folder is that conference as it is (no planted reference).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from measure import ConflictRate, conflict_rate, run_child

from scheduler.checker import check
from scheduler.domain import Conference, Timetable
from scheduler.generate import PLANTED_FILE, GenerateOptions, generate_folder
from scheduler.loader import load_conference
from scheduler.timetable_io import read_timetable

if TYPE_CHECKING:
    from peer import PeerResult

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ROME_SAMPLE = ROOT / "data" / "rome-2023"
DEFAULT_SIZES = "rome,130,400,1000,3000"
# A solve gets its time limit plus this long (reading, building the model, checking) before it is killed.
OVERRUN_S = 120.0


@dataclass(frozen=True)
class Instance:
    label: str
    folder: Path
    conference: Conference
    planted: Timetable | None

    @property
    def planted_objective(self) -> int | None:
        return None if self.planted is None else check(self.conference, self.planted).objective


@dataclass(frozen=True)
class Row:
    instance: Instance
    workers: int
    status: str
    first_feasible_s: float | None
    wall_s: float | None
    gap: float | None
    objective: int | None
    conflicts: ConflictRate | None
    peak_rss_mb: float
    checker: str
    time_limit_s: float = 0.0
    progress: tuple[tuple[float, int], ...] = ()  # (seconds since solve was called, objective) of each improvement

    def time_to(self, objective: int) -> float | None:
        """When the solver first held a timetable whose objective was at most `objective`."""
        return next((t for t, o in self.progress if o <= objective), None)


def prepare(token: str, seed: int, workdir: Path) -> Instance:
    """The instance a --sizes item names, generated into `workdir` when it is a size."""
    if token == "rome" and ROME_SAMPLE.is_dir():
        return Instance(f"rome ({ROME_SAMPLE.relative_to(ROOT)})", ROME_SAMPLE, load_conference(ROME_SAMPLE), None)
    if token != "rome" and Path(token).is_dir():
        return Instance(Path(token).name, Path(token), load_conference(token), None)
    if token == "rome":
        options, label = GenerateOptions(sessions=55, seed=seed, planted=True, profile="peace"), "rome (synthetic 55)"
    elif token.isdigit():
        options = GenerateOptions(sessions=int(token), seed=seed, planted=True)
        label = f"{options.profile_name} {token}"
    else:
        raise SystemExit(f"--sizes: {token!r} is neither a number, 'rome', nor a conference folder")
    folder = workdir / label.replace(" ", "-").replace("(", "").replace(")", "")
    generate_folder(folder, options)
    conference = load_conference(folder)
    return Instance(label, folder, conference, read_timetable(folder / PLANTED_FILE, conference))


def measure(instance: Instance, workers: int, time_limit_s: float, seed: int, workdir: Path) -> Row:
    """Solve in a child process, then judge its timetable here with the checker and the conflict rate."""
    tag = f"{instance.folder.name}-w{workers}-t{time_limit_s:g}"
    result_path, timetable_path = workdir / f"{tag}.json", workdir / f"{tag}.csv"
    for stale in (result_path, timetable_path):  # left by an earlier run in a --keep folder
        stale.unlink(missing_ok=True)
    child = run_child([sys.executable, str(HERE / "solve_one.py"), str(instance.folder),
                       "--time-limit", str(time_limit_s), "--workers", str(workers), "--seed", str(seed),
                       "--result", str(result_path), "--timetable", str(timetable_path)],
                      deadline_s=time_limit_s + OVERRUN_S, log=workdir / f"{tag}.log")
    if child.killed or not result_path.exists():
        status = "killed" if child.killed else f"crashed (log: {workdir / f'{tag}.log'})"
        return Row(instance, workers, status, None, None, None, None, None, child.peak_rss_mb, "", time_limit_s)
    result = json.loads(result_path.read_text(encoding="utf-8"))
    if "error" in result:
        return Row(instance, workers, "error", None, None, None, None, None, child.peak_rss_mb, result["error"],
                   time_limit_s)
    rates, verdict = None, ""
    if timetable_path.exists():
        timetable = read_timetable(timetable_path, instance.conference)
        report = check(instance.conference, timetable)
        rates = conflict_rate(instance.conference, timetable)
        broken = ", ".join(f"{rule} x{len(found)}" for rule, found in report.by_rule().items())
        verdict = "ok" if report.ok else f"BROKEN: {broken}"
        if report.soft["attendee_conflict"] != rates.conflicting:
            verdict += f" (checker counts {report.soft['attendee_conflict']} conflicts)"
    return Row(instance, workers, result["status"], result["first_feasible_s"], result["wall_s"], result["gap"],
               result["objective"], rates, child.peak_rss_mb, verdict, time_limit_s,
               tuple((t, o) for t, o in result.get("progress", [])))


def _num(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def solver_table(rows: list[Row], time_limit_s: float) -> str:
    lines = [
        "| instance | sessions | attendees | rooms | workers | time limit (s) | status | first feasible (s) | wall (s) "
        "| gap | objective | planted objective | conflict rate | peak RSS (MB) | checker |",
        "|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in rows:
        c = r.instance.conference
        gap = "" if r.gap is None else f"{100 * r.gap:.1f}%"
        lines.append(
            f"| {r.instance.label} | {len(c.sessions):,} | {len(c.attendees):,} | {len(c.rooms)} | {r.workers} "
            f"| {r.time_limit_s:g} | {r.status} | {_num(r.first_feasible_s)} | {_num(r.wall_s)} | {gap} "
            f"| {'' if r.objective is None else f'{r.objective:,}'} "
            f"| {'' if r.instance.planted is None else f'{r.instance.planted_objective:,}'} "
            f"| {r.conflicts or ''} | {r.peak_rss_mb:,.0f} | {r.checker} |")
    lines.append("")
    lines.append("First feasible is the first complete timetable that keeps every hard rule. Wall time runs from the "
                 "call to `solve` (reading the conference into arrays and building models included) to its return: "
                 "OPTIMAL rows are the time to a proven optimum, the others stop at the limit with the gap shown "
                 "when a bound exists (the exact model runs up to 80 sessions). The planted objective is the hidden "
                 "timetable's (zero attendee conflicts, zero parallel same-track sessions): a solver that reaches it "
                 "or less is at least as good as the plant.")
    return "\n".join(lines)


def versus(rows: list[Row], instance: Instance, peer: PeerResult) -> tuple[str, str, str]:
    """Against the peer on one instance: our time to a timetable at least as good as its answer (by our objective;
    ours always keeps every hard rule), the ratio of its time to ours, and our first feasible time."""
    ours = [r for r in rows if r.instance is instance and r.workers == max(x.workers for x in rows)]
    first = min((r.first_feasible_s for r in ours if r.first_feasible_s is not None), default=None)
    if peer.objective is None or not ours:
        return "", "", _num(first, 2)
    reached = min((t for r in ours if (t := r.time_to(peer.objective)) is not None), default=None)
    if reached is None or not peer.solve_s:
        return "not reached", "", _num(first, 2)
    return _num(reached, 2), f"{peer.solve_s / max(reached, 1e-3):,.0f}x", _num(first, 2)


def peer_table(results: list[tuple[Instance, PeerResult]], time_limit_s: float, rows: list[Row]) -> str:
    lines = [
        "| instance | sessions | slots | peer status | wall (s) | model + CBC (s) | peak RSS (MB) | hard rules "
        "| attendee conflicts | conflict rate | its objective (ours) | we reach it in (s) | peer time / ours "
        "| our first feasible (s) |",
        "|---|--:|--:|---|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|",
    ]
    for instance, r in results:
        hard = "" if r.hard_ok is None else "ok" if r.hard_ok else "BROKEN: " + ", ".join(
            f"{rule} x{n}" for rule, n in r.violations.items())
        reached, ratio, first = versus(rows, instance, r)
        lines.append(
            f"| {instance.label} | {len(instance.conference.sessions):,} | {r.slots:,} | {r.status} "
            f"| {_num(r.wall_s)} | {_num(r.solve_s)} | {r.peak_rss_mb:,.0f} | {hard} "
            f"| {'' if r.attendee_conflict is None else f'{r.attendee_conflict:,}'} | {r.conflict_rate} "
            f"| {'' if r.objective is None else f'{r.objective:,}'} | {reached} | {ratio} | {first} |")
    lines.append("")
    lines.append(f"conference-scheduler (PuLP/CBC), CBC time limit {time_limit_s:g} s; killed after "
                 "twice that plus 30 s (building its model is not covered by CBC's limit). It does not optimise "
                 "attendee conflicts; see benchmarks/README.md for the conversion and its limits. \"We reach it\" "
                 "is the first moment our solver (with the most workers measured) held a timetable whose objective, "
                 "by our checker, was at most the peer's; the ratio divides the peer's model + CBC time by it. Both "
                 "clocks start after the instance is read.")
    return "\n".join(lines)


def machine() -> str:
    """nproc, memory, CPU model, Python and OR-Tools versions: what a reader needs to compare figures."""
    memory = cpu = "unknown"
    try:
        kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
        memory = f"{kb / 1024 / 1024:.1f} GiB"
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    from ortools import __version__ as ortools_version

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{cores} cores (nproc), {memory} memory, {cpu}; {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, OR-Tools {ortools_version}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the solver on planted instances.")
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"comma-separated (default {DEFAULT_SIZES})")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve (default 60)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the instances and of the solver (default 0)")
    parser.add_argument("--peer", action="store_true", help="also run the conference-scheduler peer on each size")
    parser.add_argument("--write", type=Path, help="also write the tables, date and machine to this Markdown file")
    parser.add_argument("--keep", type=Path, help="keep instances, timetables and logs in this folder")
    parser.add_argument("--long", action="append", default=[], metavar="SIZE:SECONDS",
                        help="also solve this --sizes item with this longer time limit (most workers only)")
    args = parser.parse_args(argv)
    workers = [int(w) for w in args.workers.split(",")]
    longer: dict[str, list[float]] = {}
    for item in args.long:
        size, _, seconds = item.partition(":")
        longer.setdefault(size.strip(), []).append(float(seconds))

    with tempfile.TemporaryDirectory(prefix="agenda-bench-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        rows, peers = [], []
        for token in args.sizes.split(","):
            instance = prepare(token.strip(), args.seed, workdir)
            print(f"{instance.label}: {len(instance.conference.sessions)} sessions", file=sys.stderr)
            for w in workers:
                rows.append(measure(instance, w, args.time_limit, args.seed, workdir))
                print(f"  {w} worker(s): {rows[-1].status}", file=sys.stderr)
            for seconds in longer.get(token.strip(), []):
                rows.append(measure(instance, max(workers), seconds, args.seed, workdir))
                print(f"  {max(workers)} worker(s), {seconds:g} s: {rows[-1].status}", file=sys.stderr)
            if args.peer:
                from peer import run_peer  # needs the peer's venv: created only when asked for

                peer_dir = workdir / f"{instance.folder.name}-peer"
                peer_dir.mkdir(exist_ok=True)
                peers.append((instance, run_peer(instance.conference, args.time_limit, peer_dir)))
                print(f"  peer: {peers[-1][1].status}", file=sys.stderr)

    tables = "## Solver\n\n" + solver_table(rows, args.time_limit)
    if peers:
        tables += "\n\n## Peer: conference-scheduler\n\n" + peer_table(peers, args.time_limit, rows)
    print(tables)
    if args.write:
        command = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
        args.write.write_text(
            f"# Benchmarks\n\nMeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}.\n\n"
            f"Command: `{command}`\n\n{tables}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
