"""Shared by the benchmark scripts: run a child process with a deadline and read its peak memory, and count
attendee conflicts the way the benchmark reports them."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from scheduler.domain import Conference, Timetable


@dataclass(frozen=True)
class ChildRun:
    returncode: int | None  # None when killed at the deadline
    wall_s: float
    peak_rss_mb: float  # the child's own peak resident set size

    @property
    def killed(self) -> bool:
        return self.returncode is None


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants now, in MB (0 where /proc cannot be read)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:  # the name field may hold spaces and parentheses: the fields after the last ')' are fixed
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, ppid in parents.items() if ppid in tree} - tree
        tree |= more
        grew = bool(more)
    pages = 0
    for pid in tree:
        try:
            pages += int((Path("/proc") / str(pid) / "statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_child(cmd: list[str], deadline_s: float, log: Path) -> ChildRun:
    """Run `cmd` with stdout and stderr in `log`, killing it (and its children) after `deadline_s` seconds.

    The peak memory is the larger of the child's own `ru_maxrss`, read with os.wait4 when it is reaped (exact, but
    for a process tree only the largest single process), and the resident memory of the child with all its
    descendants, sampled every 0.1 s (a solve with 2 workers runs its second chain in a process of its own).
    getrusage(RUSAGE_CHILDREN) would give the largest of every child so far, so a small instance measured after
    a large one would report the large one's memory.
    """
    start = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    killed = False
    tree_peak = 0.0
    polls = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - start > deadline_s and not killed:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: this kills the solve and nothing else
            killed = True
        if polls % 2 == 0:
            tree_peak = max(tree_peak, tree_rss_mb(proc.pid))
        polls += 1
        time.sleep(0.05)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait for it again
    return ChildRun(None if killed else proc.returncode, wall, max(usage.ru_maxrss / 1024.0, tree_peak))


@dataclass(frozen=True)
class ConflictRate:
    conflicting: int  # interest pairs (one attendee, two wanted sessions) that overlap in the timetable
    pairs: int  # all interest pairs of placed sessions

    @property
    def rate(self) -> float:
        return self.conflicting / self.pairs if self.pairs else 0.0

    def __str__(self) -> str:
        return f"{100 * self.rate:.2f}% ({self.conflicting:,}/{self.pairs:,})"


def conflict_rate(conference: Conference, timetable: Timetable) -> ConflictRate:
    """Conflicting interest pairs over all interest pairs, from the attendees' interests and the timetable.

    Computed here from the definition (not taken from the checker), so the benchmark also cross-checks the
    checker's attendee_conflict count, which must equal `conflicting`.
    """
    placed = {a.session_id: (a.start.timestamp(), a.end.timestamp()) for a in timetable.assignments}
    conflicting = pairs = 0
    for attendee in conference.attendees:
        spans = sorted(placed[s] for s in set(attendee.interests) if s in placed)
        pairs += len(spans) * (len(spans) - 1) // 2
        for i, (_, end) in enumerate(spans):
            for start, _ in spans[i + 1:]:
                if start >= end:
                    break  # sorted by start: no later session overlaps this one either
                conflicting += 1
    return ConflictRate(conflicting, pairs)
