"""Several annealing chains at once, one per worker: the calling thread runs the first, worker processes the
others, each from the same timetable and point of the cooling schedule with its own seed; the best answer wins.

Python runs one thread at a time, so extra chains need processes. Each is `python -m scheduler.chains`: a fresh
interpreter that imports nothing of the caller's (so a script without a main guard, a notebook or the web
view's threads are all safe), reads the conference's arrays (`Facts`) ready made from its standard input and
writes its best timetable to its standard output. SIGTERM asks it to stop and answer with what it has. Chains
never talk to each other: each result depends only on its seed, so the winner, chosen by objective and then by
chain number, is the same on every run.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from scheduler.anneal import Annealer
from scheduler.state import Facts, SearchState

log = logging.getLogger(__name__)

SEED_STRIDE = 1_000_003  # chain k's seed is the run's seed + k * SEED_STRIDE: no two chains of a run draw alike
ANSWER_GRACE_S = 60.0  # past the deadline, how long a worker may take to start and answer before it is dropped


@dataclass(frozen=True)
class Branch:
    """What a worker needs to go on from where the first chain is."""

    facts: Facts
    start: np.ndarray
    room: np.ndarray
    seed: int
    moves: int
    done: int
    t0: float | None
    cold: bool
    seconds_left: float
    must_place: bool


@dataclass(frozen=True)
class Answer:
    rank: tuple[int, int]  # Annealer's order: sessions left out (when placing is compulsory), then objective
    start: np.ndarray
    room: np.ndarray
    stopped: bool


def follow(branch: Branch, cancel: threading.Event | None = None) -> Answer:
    """Run one chain from the branch point to the end of the budget."""
    state = SearchState(branch.facts)
    for i in np.argsort(branch.start, kind="stable"):
        if branch.room[i] >= 0:
            state.insert(int(i), int(branch.start[i]), int(branch.room[i]))
    annealer = Annealer(branch.facts, state, branch.seed, branch.moves, cold=branch.cold,
                        must_place=branch.must_place)
    annealer.done, annealer.t0 = branch.done, branch.t0
    annealer.run(cancel=cancel, wall_deadline=time.perf_counter() + branch.seconds_left)
    return Answer(annealer.best_rank, annealer.best_start, annealer.best_room, annealer.stopped)


class _Worker:
    """One chain in a child process, fed and read by a helper thread while the caller runs its own chain."""

    def __init__(self, branch: Branch, k: int):
        self.k = k
        self.answer: Answer | None = None
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scheduler.chains"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.thread = threading.Thread(target=self._talk, args=(pickle.dumps(branch),), daemon=True)
        self.thread.start()

    def _talk(self, payload: bytes) -> None:
        try:
            out, err = self.process.communicate(payload)
            if self.process.returncode == 0:
                self.answer = pickle.loads(out)
            else:
                log.warning("annealing chain %d failed: %s", self.k, err.decode(errors="replace").strip()[-500:])
        except Exception:  # the caller goes on with the chains it has
            log.exception("annealing chain %d could not be read", self.k)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout_s: float) -> Answer | None:
        self.thread.join(max(0.0, timeout_s))
        if self.thread.is_alive():
            log.warning("annealing chain %d gave no answer in time; going on without it", self.k)
            self.process.kill()
            return None
        return self.answer


def run_chains(
    annealer: Annealer,
    workers: int,
    seed: int,
    on_improvement: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    wall_deadline: float | None = None,
) -> None:
    """Spend the rest of `annealer`'s budget on `workers` chains; `annealer` ends holding the best of them."""
    if workers <= 1 or annealer.done >= annealer.moves or not len(annealer.movable):
        annealer.run(on_improvement=on_improvement, cancel=cancel, wall_deadline=wall_deadline)
        return
    seconds_left = (wall_deadline - time.perf_counter()) if wall_deadline is not None else 1e9
    state = annealer.state
    chains = [
        _Worker(
            Branch(annealer.facts, state.start.copy(), state.room.copy(), seed + k * SEED_STRIDE, annealer.moves,
                   annealer.done, annealer.t0, annealer.cold, seconds_left, annealer.must_place),
            k,
        )
        for k in range(1, workers)
    ]
    try:
        annealer.run(on_improvement=on_improvement, cancel=cancel, wall_deadline=wall_deadline)
        if annealer.stopped:
            for chain in chains:
                chain.stop()
        for chain in chains:
            left = (wall_deadline - time.perf_counter()) if wall_deadline is not None else 1e9
            answer = chain.wait(left + ANSWER_GRACE_S)
            if answer is None:
                continue
            annealer.stopped |= answer.stopped
            if answer.rank < annealer.best_rank:  # ties keep the lower chain: the same winner on every run
                annealer.best, annealer.best_rank = answer.rank[1], answer.rank
                annealer.best_start, annealer.best_room = answer.start, answer.room
    finally:
        for chain in chains:
            if chain.process.poll() is None:
                chain.process.kill()


def _main() -> int:
    # Run as `python -m`, this file is `__main__`: take `follow` from the package so the answer pickles as
    # scheduler.chains.Answer, which the caller knows.
    from scheduler.chains import follow

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    branch = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps(follow(branch, stop)))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
