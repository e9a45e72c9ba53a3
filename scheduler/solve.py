"""Solving: settings, a progress callback, reading the timetable back, and verification by the checker.

No result leaves this module unverified: the independent checker must find no hard violation and the same
objective as CP-SAT, otherwise `SolverDisagreement` is raised (a bug, never shown to users as a timetable).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC

import numpy as np
from ortools.sat.python import cp_model

from scheduler import lns, periods
from scheduler.anneal import Annealer
from scheduler.bound import relaxation_bound
from scheduler.chains import run_chains
from scheduler.checker import check
from scheduler.confirm import REFUTED, confirm_infeasible, confirmation_text
from scheduler.construct import build
from scheduler.domain import Assignment, Conference, Timetable
from scheduler.explain import LEAVE_OUT, NOT_NARROWED, explain_conflict, unplaced_reasons
from scheduler.model import SOFT_GOALS, Built, ModelOptions, build_model
from scheduler.state import Facts, SearchState


@dataclass(frozen=True)
class SolveSettings:
    time_limit_s: float = 30.0
    workers: int = 2
    seed: int = 0
    allow_unplaced: bool = False
    reference: Timetable | None = None  # minimal-change re-solve: penalise moves from it, hint it
    log_search: bool = False


@dataclass(frozen=True)
class Progress:
    objective: float
    bound: float
    gap: float
    elapsed_s: float
    solutions: int


@dataclass(frozen=True)
class SolveResult:
    status: str  # "OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN"
    timetable: Timetable | None
    objective: int | None
    best_bound: float | None
    gap: float | None
    wall_time_s: float
    soft_terms: dict[str, int] = field(default_factory=dict)
    explanation: tuple[str, ...] = ()
    confirmation: str = ""  # INFEASIBLE: what a second solver made of the conflict (`confirm`)
    unplaced_reasons: dict[str, str] = field(default_factory=dict)
    moved: tuple[str, ...] = ()

    @property
    def solved(self) -> bool:
        return self.timetable is not None


SOFT_TERMS = tuple(SOFT_GOALS)


class SolverDisagreement(RuntimeError):
    """The checker rejected what the model produced: a bug in one of them."""


def relative_gap(objective: float, bound: float) -> float:
    if objective == bound:
        return 0.0
    return abs(objective - bound) / max(abs(objective), 1e-9)


class _ProgressCallback(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_progress: Callable[[Progress], None], t0: float, count: int = 0, best: float = float("inf")):
        super().__init__()
        self._best = best
        self._on_progress = on_progress
        self._count = count
        self._t0 = t0

    def on_solution_callback(self) -> None:
        obj, bound = self.objective_value, self.best_objective_bound
        if obj >= self._best:
            return  # the model's first answers repeat its hint and may over-count (see `model`): not progress
        self._best = obj
        self._count += 1
        self._on_progress(Progress(obj, bound, relative_gap(obj, bound), time.perf_counter() - self._t0, self._count))


# CP-SAT's deterministic time runs at about this share of wall-clock seconds on an idle 2-core machine, with one
# worker and with two interleaved ones (measured on the sample's exact model: 5 and 10 deterministic s took 30 and
# 64 s with one worker, 6.9 and 11.8 s with two; hinted with an annealed timetable, 2.56 deterministic s took
# 20.3 s with one worker); budgeting in deterministic time is what makes a time-limited run repeatable for a
# given seed and worker count.
DETERMINISTIC_PER_SECOND = 0.8
DETERMINISTIC_PER_SECOND_ONE_WORKER = 0.125
WALL_SAFETY_FACTOR = 3.0
LNS_WALL_SAFETY_FACTOR = 2.0  # the search's own Python work is not in CP-SAT's clock: a tighter net for it


def deterministic_per_second(workers: int) -> float:
    """CP-SAT deterministic seconds charged as one second of the budget."""
    return DETERMINISTIC_PER_SECOND_ONE_WORKER if workers <= 1 else DETERMINISTIC_PER_SECOND


def solver_parameters(solver: cp_model.CpSolver, settings: SolveSettings) -> None:
    """Seed, worker count and a deterministic budget fix the search; interleaving makes several workers repeatable.

    The wall-clock limit is only a safety net (a loaded machine): a run it cuts short may differ from another.
    """
    p = solver.parameters
    p.max_deterministic_time = settings.time_limit_s * deterministic_per_second(settings.workers)
    p.max_time_in_seconds = settings.time_limit_s * WALL_SAFETY_FACTOR + 5
    p.num_workers = max(1, settings.workers)
    p.random_seed = settings.seed
    p.log_search_progress = settings.log_search
    if settings.workers > 1:
        p.interleave_search = True


def extract_timetable(b: Built, solver: cp_model.CpSolver) -> Timetable:
    assignments, unplaced = [], []
    for s in b.conference.sessions:
        sid = s.session_id
        if not solver.boolean_value(b.placed[sid]) if not isinstance(b.placed[sid], int) else False:
            unplaced.append(sid)
            continue
        t = next(t for t, lit in b.x[sid].items() if solver.boolean_value(lit))
        room = next(r for r, lit in b.y[sid].items() if solver.boolean_value(lit))
        assignments.append(Assignment(sid, room, b.grid.to_datetime(t), b.grid.to_datetime(t + s.duration_min)))
    return Timetable(tuple(assignments), tuple(unplaced)).sorted()


def feasible_hint(
    conference: Conference, settings: SolveSettings, share: float = 0.25, near: Timetable | None = None
) -> tuple[int, Timetable | None]:
    """A timetable from the hard rules alone (first found, starting from `near` when given), or proof that none
    exists. One worker keeps it deterministic."""
    b = build_model(conference, ModelOptions(allow_unplaced=settings.allow_unplaced), soft=False)
    if near is not None:
        add_hint(b, near)
    solver = cp_model.CpSolver()
    solver_parameters(solver, replace(settings, workers=1, time_limit_s=settings.time_limit_s * share))
    solver.parameters.stop_after_first_solution = True
    solver.parameters.repair_hint = near is not None
    status = solver.solve(b.model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return status, extract_timetable(b, solver) if found else None


def add_hint(b: Built, timetable: Timetable) -> None:
    """Start the search from `timetable`: its sessions where it has them, its left-out sessions left out."""
    for sid, starts in b.x.items():
        a = timetable.by_session.get(sid)
        optional = not isinstance(b.placed[sid], int)
        if a is None and not optional:
            continue  # must be placed, and the timetable says nothing of where
        t = b.grid.minute(a.start) if a else None
        for tt, lit in starts.items():
            b.model.add_hint(lit, tt == t)
        for rid, lit in b.y[sid].items():
            b.model.add_hint(lit, a is not None and rid == a.room_id)
        if optional:
            b.model.add_hint(b.placed[sid], a is not None)


def _infeasible(conference: Conference, settings: SolveSettings, t0: float,
                decomposition: periods.Decomposition | None = None) -> SolveResult:
    """No timetable exists: why, in the whole model's words, else (not narrowed down in time, which happens on
    a tight conference) in the words of the decomposition's master, when it was what proved it; then checked by
    a second solver (`confirm`) on the sessions the conflict names (all of them when it names none)."""
    # with the master's words to fall back on, each gets half of the time (on a tight conference the whole model's
    # narrowing runs out of it, measured on 13 tight variants of the sample)
    time_limit_s = max(5.0, settings.time_limit_s / (2 if decomposition is None else 4))
    conflict = explain_conflict(conference, time_limit_s=time_limit_s)
    if conflict is None and decomposition is not None:
        conflict = decomposition.explain(time_limit_s)
    lines = conflict.lines if conflict else (NOT_NARROWED,)
    named = conflict.sessions if conflict and conflict.sessions else tuple(s.session_id for s in conference.sessions)
    second = confirm_infeasible(conference, named, max(CONFIRM_MIN_S, settings.time_limit_s * CONFIRM_SHARE))
    if second.status == REFUTED:
        raise SolverDisagreement(f"no timetable was said to exist, but SCIP found one of {len(named)} sessions the "
                                 "conflict names, and the checker accepts it")
    return SolveResult("INFEASIBLE", None, None, None, None, time.perf_counter() - t0, explanation=lines,
                       confirmation=confirmation_text(second))


# Up to this many sessions the exact model also runs on the whole conference (after the annealing), which gives a
# proven bound and often the optimum. Above it the exact model's presolve alone outgrows a committee's patience
# (measured: 130 planted sessions ended a 60 s run far from the planted optimum; 1,000 found no timetable in 155 s).
EXACT_MAX_SESSIONS = 80
EXACT_SHARE = 0.25  # of the budget at least, for the exact model when it runs
# Building the exact model and its hint, and CP-SAT's first batches, which its deterministic clock barely counts:
# measured on the sample (8,526 columns) from an annealed hint, 1.28 and 2.56 deterministic s took 12.2 and 20.3 s
# with 1 worker (about 4 s before the clock counts); with 2 interleaved workers, wall ≈ 3.5 s + 0.7 × budget.
# Charged in proportion to the model's columns (only the sample's size was measured).
EXACT_SETUP_S = {1: 4.0, 2: 3.5}
EXACT_SETUP_COLUMNS = 8526
# The linear relaxation's bound (scheduler.bound), charged by the model's size: on the sample GLOP built and solved
# 8,526 columns in 1.9-2.0 s, which CP-SAT's budget gives up at 0.7 wall s per budget s (as measured above).
RELAXATION_S_PER_COLUMN = 0.00033
# The second solver's check of an INFEASIBLE verdict (`confirm`): on the sample's tight variants it took 0.9-3.1 s
# over the sessions named and 2.3-2.9 s over all 50, most of it listing each session's places with the checker.
CONFIRM_SHARE = 0.25
CONFIRM_MIN_S = 10.0
HARD_MODEL_MAX_SESSIONS = 400  # the hard rules alone, on the whole conference, when the search leaves some out
RESCUE_SHARE = 0.5  # of the time limit again, for CP-SAT to insert what the annealing could not
HARD_MODEL_RESCUE_SHARE = 0.25  # of that, at least, for the whole hard model after the decomposition in time
# --time-limit is spent in seconds of an idle 2-core machine, each part counted so that a run is repeatable: the
# setup by the number of sessions, the annealing by its moves, CP-SAT by its deterministic time. A move's cost
# grows with what `start_costs` scans (starts times neighbours) and what `free_rooms` scans (suitable rooms):
# fitted first to rates of one chain over its first moves (sample 8,640 moves/s, generated 130 sessions 6,710,
# 400: 6,450, 1,000: 7,170, 3,000: 4,120), then scaled by what whole 60 s benchmark runs took (docs/benchmarks.md
# of 2026-12-01 20:43: the annealing ran 8-21% past its share with one chain, a further 3-11% with two at once,
# which share the 2 cores' caches and memory bandwidth). Arrays and a first timetable took 1.0 s at 1,000
# sessions and 3.4 s at 3,000.
SETUP_S_PER_SESSION = 0.0012
MOVE_US = 124.0
MOVE_US_PER_START_NEIGHBOUR = 0.0041
MOVE_US_PER_ROOM = 0.55
CONCURRENT_CHAINS_SLOWDOWN = 1.07  # each chain's move costs this much more while another runs beside it
# A small conference needs fewer moves than its share of the budget buys: at most this times the square of its
# movable sessions (5 sessions: 5,000 moves; the sample's 48: 460,000), so the exact model gets the rest.
MOVES_CAP_FACTOR = 200
ANNEAL_WALL_SAFETY_FACTOR = 1.5  # the wall-clock safety net, for a loaded machine only
PARALLEL_MIN_MOVES = 20_000  # fewer moves left than this are not worth starting worker processes for
PROGRESS_EVERY_S = 0.25  # the annealing reports its best at most this often
PLACING_SHARE = 0.1  # of the annealing's moves, before CP-SAT is asked to insert what it could not place
# After a change (a reference timetable), CP-SAT first looks for the fewest moves under the hard rules alone, on
# one worker, with this share of the budget; the annealing then starts from that timetable. The greedy repair it
# replaces re-inserts each broken session where it costs least now, which can cascade: a speaker cancelling a day
# of the sample moved 7 sessions in a 10 s run where 5 suffice (this phase proves 5 in 0.09 deterministic s).
FEWEST_MOVES_SHARE = 0.2
# Its clock runs faster than the exact model's (DETERMINISTIC_PER_SECOND_ONE_WORKER): 0.15-0.30 deterministic s per
# wall s on four changes of the sample (speakers losing a day, a room closed a day or a morning; two runs each,
# 2026-12-03). Charged at the exact model's rate, a 10 s re-solve gave it 0.25 deterministic s, where proving 7 and 6
# moves took 0.295 and 0.278 (1.4 s): it stopped at 8 and 7.
FEWEST_MOVES_DETERMINISTIC_PER_SECOND = 0.2


def _moved(reference: Timetable | None, timetable: Timetable) -> tuple[str, ...]:
    """The sessions placed in both timetables at another start or in another room: what the `moved` goal counts.
    A session lengthened or shortened where it stands is not among them, though the changelog (`diff`) tells
    attendees of its new end."""
    if reference is None:
        return ()
    before = reference.by_session
    return tuple(sorted(
        a.session_id for a in timetable.assignments
        if (old := before.get(a.session_id)) is not None
        and (old.start.astimezone(UTC) != a.start.astimezone(UTC) or old.room_id != a.room_id)
    ))


def _stop_when_cancelled(solver: cp_model.CpSolver, cancel: threading.Event, done: threading.Event) -> None:
    """Watch `cancel` from a helper thread: CP-SAT then stops and keeps the best timetable found so far."""
    while not done.is_set():
        if cancel.wait(0.1):
            solver.stop_search()  # repeated: a call before the search has started would be lost
            done.wait(0.1)


def moves_per_second(facts: Facts, workers: int = 1) -> float:
    """Annealing moves charged as one second of the budget, for this conference and number of chains."""
    slowdown = CONCURRENT_CHAINS_SLOWDOWN if workers > 1 else 1.0
    if not facts.n:
        return 1e6 / (MOVE_US * slowdown)
    starts = float(np.mean([len(x) for x in facts.starts]))
    neighbours = float(np.mean([len(x) for x in facts.neighbours]))
    rooms = float(np.mean([len(x) for x in facts.rooms]))
    move_us = MOVE_US + MOVE_US_PER_START_NEIGHBOUR * starts * neighbours + MOVE_US_PER_ROOM * rooms
    return 1e6 / (move_us * slowdown)


class _Reporter:
    """Progress of the annealing: each complete timetable better than the last, at most every PROGRESS_EVERY_S."""

    def __init__(self, on_progress: Callable[[Progress], None] | None, t0: float):
        self.on_progress, self.t0 = on_progress, t0
        self.count, self.best, self.last, self.pending = 0, float("inf"), -1.0, None

    def __call__(self, objective: int, unplaced: int) -> None:
        if unplaced or objective >= self.best:
            return
        self.best = objective
        self.count += 1
        self.pending = objective
        now = time.perf_counter()
        if now - self.last >= PROGRESS_EVERY_S:
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        if self.pending is None or self.on_progress is None:
            return
        now = time.perf_counter() if now is None else now
        self.last = now
        self.on_progress(Progress(self.pending, 0.0, relative_gap(self.pending, 0.0), now - self.t0, self.count))
        self.pending = None


def solve(
    conference: Conference,
    settings: SolveSettings = SolveSettings(),
    on_progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
) -> SolveResult:
    """A verified timetable for the conference, or why none exists.

    1. Greedy insertion builds a first timetable (after a change: the fewest moves from the reference CP-SAT
       finds under the hard rules, else the reference with only what it now breaks re-inserted); 2. simulated
       annealing improves it and inserts what the greedy left out; 3. what it still cannot place, CP-SAT's
       neighbourhood search inserts, then the decomposition in blocks of time (`periods`), and failing that the
       hard rules are solved alone, which either finds a timetable or proves that none exists (then explained);
       sessions allowed to be left out, the decomposition alone tries to place them all; 4. up to
       EXACT_MAX_SESSIONS sessions, the exact
       model, started from the best timetable, proves a bound (and often optimality).
       Setting `cancel` from another thread ends the run early with the best timetable found so far.
    """
    t0 = time.perf_counter()
    n = len(conference.sessions)
    exact = n <= EXACT_MAX_SESSIONS
    facts = Facts.of(conference, settings.reference)
    setup_s = SETUP_S_PER_SESSION * n
    start = lns.usable_part(conference, settings.reference) if settings.reference else None
    if start is not None and n <= HARD_MODEL_MAX_SESSIONS:
        fewest, fewest_s = _fewest_moves(conference, settings, start)
        setup_s += fewest_s
        start = fewest or start
    state = build(facts, start)
    reporter = _Reporter(on_progress, t0)
    reporter(state.objective, state.n_unplaced)
    reporter.flush()
    rate = moves_per_second(facts, settings.workers)
    share = 1 - EXACT_SHARE if exact else 1.0
    annealer = Annealer(facts, state, settings.seed, 0, cold=settings.reference is not None,
                        must_place=not settings.allow_unplaced)
    annealer.moves = min(round(max(0.0, settings.time_limit_s * share - setup_s) * rate),
                         MOVES_CAP_FACTOR * len(annealer.movable) ** 2)
    deadline = t0 + settings.time_limit_s * ANNEAL_WALL_SAFETY_FACTOR + 5
    search = dict(on_improvement=reporter, cancel=cancel, wall_deadline=deadline)
    annealer.run(round(annealer.moves * PLACING_SHARE), **search)
    if annealer.state.n_unplaced and not settings.allow_unplaced:
        if annealer.stopped:
            return _left_out(annealer.best_state().timetable(), cancel, t0)
        placed = _rescue(conference, settings, annealer.best_state().timetable(), cancel, exact)
        if isinstance(placed, SolveResult):
            return replace(placed, wall_time_s=time.perf_counter() - t0)
        annealer.adopt(SearchState.of(facts, placed))
    elif annealer.state.n_unplaced and not annealer.stopped and n <= HARD_MODEL_MAX_SESSIONS:
        # Allowed to leave sessions out, the search must still not leave out one that fits: on the sample without
        # Sala Menapace it left JA-01 out of a 30 s run (measured) though every session has a place.
        _, outcome = _by_blocks(conference, settings, annealer.best_state().timetable(), cancel)
        if outcome.timetable is not None:
            annealer.adopt(SearchState.of(facts, outcome.timetable))
    if annealer.moves - annealer.done >= PARALLEL_MIN_MOVES:
        run_chains(annealer, settings.workers, settings.seed, **search)
    else:
        annealer.run(**search)
    reporter.flush()
    timetable = annealer.best_state().timetable()
    if timetable.unplaced and not settings.allow_unplaced:  # only when cancelled or cut short meanwhile
        return _left_out(timetable, cancel, t0)
    count = reporter.count
    status_name, bound = "FEASIBLE", None
    if exact and not (cancel and cancel.is_set()):
        best = check(conference, timetable, reference=settings.reference, allow_unplaced=settings.allow_unplaced)
        used_s = setup_s + annealer.done / rate
        timetable, status_name, bound = _exact(
            conference, settings, used_s, timetable, on_progress, cancel, t0, count, best.objective
        )
    report = check(conference, timetable, reference=settings.reference, allow_unplaced=settings.allow_unplaced)
    if not report.ok:
        raise SolverDisagreement(
            "the checker rejected the timetable:\n" + "\n".join(f"{v.rule}: {v.message}" for v in report.violations)
        )
    reasons = unplaced_reasons(conference, timetable, detailed=exact) if timetable.unplaced else {}
    return SolveResult(
        status=status_name,
        timetable=timetable,
        objective=report.objective,
        best_bound=bound,
        gap=relative_gap(report.objective, bound) if bound is not None else None,
        wall_time_s=time.perf_counter() - t0,
        soft_terms={n: report.soft[n] for n in SOFT_TERMS},
        unplaced_reasons=reasons,
        moved=_moved(settings.reference, timetable),
    )


def _fewest_moves(
    conference: Conference, settings: SolveSettings, usable: Timetable
) -> tuple[Timetable | None, float]:
    """A timetable keeping every hard rule with as few sessions moved from `settings.reference` as CP-SAT finds
    within its share of the budget (left-out sessions priced as in the objective), started from `usable` (the
    reference without what it now breaks), or None when it finds none; and the budget seconds it used. One worker
    and a deterministic budget keep it repeatable."""
    b = build_model(conference, ModelOptions(allow_unplaced=settings.allow_unplaced, reference=settings.reference),
                    soft=False)
    weights = conference.weights
    b.model.minimize(weights.moved * SOFT_GOALS["moved"](b) + weights.unplaced * SOFT_GOALS["unplaced"](b))
    add_hint(b, usable)
    solver = cp_model.CpSolver()
    share_s = settings.time_limit_s * FEWEST_MOVES_SHARE
    solver_parameters(solver, replace(settings, workers=1, time_limit_s=share_s))
    solver.parameters.max_deterministic_time = share_s * FEWEST_MOVES_DETERMINISTIC_PER_SECOND
    status = solver.solve(b.model)
    # charged by CP-SAT's own clock (repeatable), plus the model's building by its size, as for the setup
    used_s = solver.deterministic_time / FEWEST_MOVES_DETERMINISTIC_PER_SECOND + SETUP_S_PER_SESSION * len(b.x)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, used_s
    return extract_timetable(b, solver), used_s


def _rescue(
    conference: Conference, settings: SolveSettings, timetable: Timetable, cancel: threading.Event | None, exact: bool
) -> Timetable | SolveResult:
    """The sessions the annealing could not place, inserted by CP-SAT: first by its neighbourhood search around
    each of them (freeing what blocks it, over several periods), then block of time by block of time (`periods`),
    then by the hard rules alone, which either place everything or prove that no timetable exists (an INFEASIBLE
    result, explained). Past HARD_MODEL_MAX_SESSIONS, an UNKNOWN result lists the sessions left out."""
    rescue = replace(settings, time_limit_s=max(1.0, settings.time_limit_s * RESCUE_SHARE))
    if not exact:
        timetable, _, _ = lns.improve(
            conference,
            timetable,
            # one single-worker model per worker at a time, each on CP-SAT's one-worker clock
            budget_deterministic_s=rescue.time_limit_s * DETERMINISTIC_PER_SECOND_ONE_WORKER * max(1, settings.workers),
            seed=settings.seed,
            workers=settings.workers,
            reference=settings.reference,
            cancel=cancel,
            wall_deadline=time.perf_counter() + rescue.time_limit_s * LNS_WALL_SAFETY_FACTOR + 5,
            until_placed=True,
        )
    if not timetable.unplaced:
        return timetable
    # The hard rules place the rest or prove infeasibility up to a few hundred sessions; beyond, their presolve
    # alone takes minutes (measured: 1,000 sessions, nothing in 155 s), so the sessions left out are reported.
    if len(conference.sessions) > HARD_MODEL_MAX_SESSIONS:
        return _left_out(timetable, cancel, time.perf_counter())
    # First block by block of time (`periods`): on a tight conference it finds a timetable where the whole model
    # runs out of time (measured: the sample without Sala Menapace, 1.5-7 s against nothing in 15 s), and it proves
    # in a fraction of a second that none exists where the room time cannot suffice. Otherwise the whole model
    # gets what the decomposition left, and at least a share more.
    decomposition, outcome = _by_blocks(conference, settings, timetable, cancel)
    if outcome.timetable is not None:
        return outcome.timetable
    if outcome.status == "INFEASIBLE":
        return _infeasible(conference, settings, time.perf_counter(), decomposition)
    left = max(rescue.time_limit_s * HARD_MODEL_RESCUE_SHARE, rescue.time_limit_s - outcome.spent_s)
    status, found = feasible_hint(conference, replace(rescue, time_limit_s=max(1.0, left)), share=1.0, near=timetable)
    if status == cp_model.INFEASIBLE:
        return _infeasible(conference, settings, time.perf_counter())
    if found is None:
        return _left_out(timetable, cancel, time.perf_counter())
    return found


def _by_blocks(conference: Conference, settings: SolveSettings, timetable: Timetable, cancel: threading.Event | None
               ) -> tuple[periods.Decomposition, periods.Outcome]:
    """Every session placed block of time by block of time (`periods`), from the search's timetable, within the
    rescue's share of the budget."""
    budget_s = max(1.0, settings.time_limit_s * RESCUE_SHARE)
    decomposition = periods.Decomposition(conference, settings.seed, settings.reference)
    outcome = decomposition.run(budget_s, timetable, cancel,
                                wall_deadline=time.perf_counter() + budget_s * LNS_WALL_SAFETY_FACTOR + 5)
    return decomposition, outcome


def _left_out(timetable: Timetable, cancel: threading.Event | None, t0: float) -> SolveResult:
    """No timetable: some sessions were still left out when the time ran out or the run was stopped."""
    when = "before the run was stopped" if cancel is not None and cancel.is_set() else "within the time limit"
    lines = (
        f"{len(timetable.unplaced)} session(s) not placed {when}: " + ", ".join(sorted(timetable.unplaced)),
        f"Try a longer time limit, or {LEAVE_OUT}.",
    )
    return SolveResult("UNKNOWN", None, None, None, None, time.perf_counter() - t0, explanation=lines)


def _exact(
    conference: Conference,
    settings: SolveSettings,
    used_s: float,
    start: Timetable,
    on_progress: Callable[[Progress], None] | None,
    cancel: threading.Event | None,
    t0: float,
    count: int,
    best: int,
) -> tuple[Timetable, str, float | None]:
    """The exact model on the whole conference from `start`, with what is left of the budget after `used_s`: its
    best timetable, status and proven bound (the better of CP-SAT's and the linear relaxation's)."""
    built = build_model(conference, ModelOptions(allow_unplaced=settings.allow_unplaced, reference=settings.reference))
    relaxed = relaxation_bound(built)
    lower = None if relaxed is None else float(relaxed)
    if lower is not None and lower >= best:
        return start, "OPTIMAL", lower  # the search's timetable meets the bound: nothing left to prove
    columns = len(built.model.proto.variables)
    cp_sat_setup_s = EXACT_SETUP_S[1 if settings.workers <= 1 else 2] * (columns / EXACT_SETUP_COLUMNS)
    cp_sat_s = settings.time_limit_s - (used_s + cp_sat_setup_s) - RELAXATION_S_PER_COLUMN * columns
    if cp_sat_s <= 0:  # what is left would not even cover CP-SAT's setup: the relaxation's bound stands alone
        return start, "FEASIBLE", lower
    settings = replace(settings, time_limit_s=max(1.0, cp_sat_s))
    add_hint(built, start)
    solver = cp_model.CpSolver()
    solver_parameters(solver, settings)
    callback = _ProgressCallback(on_progress, t0, count, best) if on_progress else None
    done = threading.Event()
    if cancel is not None:
        threading.Thread(target=_stop_when_cancelled, args=(solver, cancel, done), daemon=True).start()
    try:
        status = solver.solve(built.model, callback)
    finally:
        done.set()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return start, "FEASIBLE", lower  # the search's timetable stands
    timetable = extract_timetable(built, solver)
    model_terms = {n: round(solver.value(e)) if not isinstance(e, int) else e for n, e in built.terms.items()}
    objective = verify(conference, timetable, settings, model_terms).objective
    if objective > best:
        timetable, objective = start, best  # cut short, the model's answer can be worse than its hint
    bound = solver.best_objective_bound if lower is None else max(solver.best_objective_bound, lower)
    return timetable, "OPTIMAL" if status == cp_model.OPTIMAL or bound >= objective else "FEASIBLE", bound


def verify(conference: Conference, timetable: Timetable, settings: SolveSettings, model_terms: dict[str, int]):
    """The checker, sharing no code with the model, must accept the timetable; the model's soft counts may only
    over-count (see `model`), so a model count below the checker's exact one is a bug."""
    report = check(conference, timetable, reference=settings.reference, allow_unplaced=settings.allow_unplaced)
    problems = [f"{v.rule}: {v.message}" for v in report.violations]
    problems += [
        f"soft term {n}: model {model_terms[n]} < checker {report.soft.get(n)}"
        for n in model_terms
        if model_terms[n] < report.soft.get(n, 0)
    ]
    if problems:
        raise SolverDisagreement("the checker rejected the solver's timetable:\n" + "\n".join(problems))
    return report
