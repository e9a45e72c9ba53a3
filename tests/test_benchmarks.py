"""The benchmark harness works end to end on a small planted instance: each solve in its own process, judged by
the checker, with the conflict rate and the time-to-target against a known objective."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_run_writes_a_checked_row_per_worker_count(tmp_path):
    out = tmp_path / "bench.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "30", "--workers", "1,2",
         "--time-limit", "3", "--write", str(out), "--keep", str(tmp_path / "keep")],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in out.read_text().splitlines() if line.startswith("| peace 30 ")]
    assert len(rows) == 2
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[-1] == "ok"  # the checker's verdict on the child's timetable
        assert cells[6] in ("OPTIMAL", "FEASIBLE")
        assert float(cells[7]) < 3  # a first complete timetable well inside the limit
        assert re.fullmatch(r"\d+\.\d\d% \([\d,]+/[\d,]+\)", cells[12])  # conflicting / all interest pairs
    assert "Command: `python benchmarks/run.py --sizes 30" in out.read_text()
