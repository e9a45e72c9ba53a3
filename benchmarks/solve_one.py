"""One solve in its own process, so the harness can read its peak memory and kill it when it overruns.

    .venv/bin/python benchmarks/solve_one.py FOLDER --time-limit 60 --workers 2 --seed 0 \\
        --result result.json --timetable timetable.csv

Writes a JSON result (status, objective, bound, gap, times, every improving solution as [seconds, objective])
and, when a timetable was found, the timetable CSV. Times are measured here with a monotonic clock:
`first_feasible_s` and `wall_s` run from the call to `solve` (so they include building the model), `load_s` is
reading the folder.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path

from scheduler.loader import load_conference
from scheduler.solve import Progress, SolveSettings, solve
from scheduler.timetable_io import write_timetable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--time-limit", type=float, required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--timetable", type=Path, required=True)
    args = parser.parse_args(argv)

    result: dict[str, object] = {}
    try:
        t0 = time.perf_counter()
        conference = load_conference(args.folder)
        result["load_s"] = time.perf_counter() - t0
        progress: list[tuple[float, float, float]] = []  # (seconds since solve was called, objective, bound)
        start = time.perf_counter()

        def on_progress(p: Progress) -> None:  # called from the solver's thread; appending is atomic
            progress.append((time.perf_counter() - start, p.objective, p.bound))

        settings = SolveSettings(time_limit_s=args.time_limit, workers=args.workers, seed=args.seed)
        solved = solve(conference, settings, on_progress=on_progress)
        result.update(
            status=solved.status, objective=solved.objective, best_bound=solved.best_bound, gap=solved.gap,
            wall_s=time.perf_counter() - start, solver_wall_s=solved.wall_time_s,
            first_feasible_s=progress[0][0] if progress else None, solutions=len(progress),
            soft_terms=solved.soft_terms, progress=[[round(t, 3), objective] for t, objective, _ in progress],
        )
        if solved.timetable is not None:
            write_timetable(solved.timetable, args.timetable)
    except Exception as err:  # noqa: BLE001 - the harness reports any failure as a row, never a crash
        result["error"] = f"{type(err).__name__}: {err}"
        traceback.print_exc()
    args.result.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main())
