"""Solving: settings, a progress callback, reading the timetable back, and verification by the checker.

No result leaves this module unverified: the independent checker must find no hard violation and the same
objective as CP-SAT, otherwise `SolverDisagreement` is raised (a bug, never shown to users as a timetable).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from scheduler import lns
from scheduler.checker import check
from scheduler.construct import greedy
from scheduler.diff import diff_timetables
from scheduler.domain import Assignment, Conference, Timetable
from scheduler.explain import explain, unplaced_reasons
from scheduler.model import SOFT_GOALS, Built, ModelOptions, build_model


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


# CP-SAT's deterministic time (plus the search's charged overhead) runs at about this share of wall-clock seconds on an
# idle 2-core machine (measured on the sample: 30 deterministic s took 41 s); budgeting the
# search in deterministic time is what makes a time-limited run repeatable for a given seed and worker count.
DETERMINISTIC_PER_SECOND = 0.7
WALL_SAFETY_FACTOR = 3.0
LNS_WALL_SAFETY_FACTOR = 2.0  # the search's own Python work is not in CP-SAT's clock: a tighter net for it


def solver_parameters(solver: cp_model.CpSolver, settings: SolveSettings) -> None:
    """Seed, worker count and a deterministic budget fix the search; interleaving makes several workers repeatable.

    The wall-clock limit is only a safety net (a loaded machine): a run it cuts short may differ from another.
    """
    p = solver.parameters
    p.max_deterministic_time = settings.time_limit_s * DETERMINISTIC_PER_SECOND
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


def feasible_hint(conference: Conference, settings: SolveSettings, share: float = 0.25) -> tuple[int, Timetable | None]:
    """A timetable from the hard rules alone (first found), or proof that none exists. One worker keeps it
    deterministic."""
    b = build_model(conference, ModelOptions(allow_unplaced=settings.allow_unplaced), soft=False)
    solver = cp_model.CpSolver()
    solver_parameters(solver, replace(settings, workers=1, time_limit_s=settings.time_limit_s * share))
    solver.parameters.stop_after_first_solution = True
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


def _infeasible(conference: Conference, settings: SolveSettings, t0: float) -> SolveResult:
    lines = tuple(explain(conference, time_limit_s=max(5.0, settings.time_limit_s / 2)))
    return SolveResult("INFEASIBLE", None, None, None, None, time.perf_counter() - t0, explanation=lines)


# Up to this many sessions the exact model also runs on the whole conference (after the search), which gives a
# proven bound and often the optimum. Above it the exact model's presolve alone outgrows a committee's patience
# (measured: 130 planted sessions ended a 60 s run far from the planted optimum; 1,000 found no timetable in 155 s).
EXACT_MAX_SESSIONS = 80
LNS_SHARE_WHEN_EXACT = 0.75  # of the budget, before the exact model
HARD_MODEL_MAX_SESSIONS = 400  # the hard rules alone, on the whole conference, when the search leaves some out


def _moved(reference: Timetable | None, timetable: Timetable) -> tuple[str, ...]:
    if reference is None:
        return ()
    changed = diff_timetables(reference, timetable)
    return tuple(sorted({c.session_id for c in changed if c.kind in ("moved", "room")}))


def _stop_when_cancelled(solver: cp_model.CpSolver, cancel: threading.Event, done: threading.Event) -> None:
    """Watch `cancel` from a helper thread: CP-SAT then stops and keeps the best timetable found so far."""
    while not done.is_set():
        if cancel.wait(0.1):
            solver.stop_search()  # repeated: a call before the search has started would be lost
            done.wait(0.1)


def solve(
    conference: Conference,
    settings: SolveSettings = SolveSettings(),
    on_progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
) -> SolveResult:
    """A verified timetable for the conference, or why none exists.

    1. Greedy insertion builds a first timetable (after a change: the reference with only what it now breaks
       re-inserted); 2. large-neighbourhood search over the exact model improves it and inserts what the greedy
       left out; 3. up to EXACT_MAX_SESSIONS sessions, the exact model, started from that timetable, proves a
       bound (and often optimality). If the search cannot place every session, the hard rules are solved alone,
       which either finds a timetable or proves that none exists (then explained). Setting `cancel` from another
       thread ends the run early with the best timetable found so far.
    """
    t0 = time.perf_counter()
    budget = settings.time_limit_s * DETERMINISTIC_PER_SECOND
    exact = len(conference.sessions) <= EXACT_MAX_SESSIONS
    start = greedy(conference, lns.usable_part(conference, settings.reference) if settings.reference else None)
    count = 0

    def improved(timetable: Timetable, report) -> None:
        nonlocal count
        count += 1
        if on_progress and not timetable.unplaced:
            on_progress(Progress(report.objective, 0.0, 1.0, time.perf_counter() - t0, count))

    timetable, _, steps = lns.improve(
        conference,
        start,
        budget_deterministic_s=budget * (LNS_SHARE_WHEN_EXACT if exact else 1.0),
        seed=settings.seed,
        workers=settings.workers,
        allow_unplaced=settings.allow_unplaced,
        reference=settings.reference,
        on_improvement=improved,
        cancel=cancel,
        wall_deadline=t0 + settings.time_limit_s * LNS_WALL_SAFETY_FACTOR + 5,
    )
    spent = sum(step.deterministic_s for step in steps)
    remaining = replace(settings, time_limit_s=max(1.0, (budget - spent) / DETERMINISTIC_PER_SECOND))
    if timetable.unplaced and not settings.allow_unplaced:
        # The hard rules alone place the rest or prove infeasibility up to a few hundred sessions; beyond, their
        # presolve alone takes minutes (measured: 1,000 sessions, nothing in 155 s), so the sessions left out are
        # reported instead.
        hard_model = len(conference.sessions) <= HARD_MODEL_MAX_SESSIONS
        status, found = feasible_hint(conference, remaining, share=1.0) if hard_model else (cp_model.UNKNOWN, None)
        if status == cp_model.INFEASIBLE:
            return _infeasible(conference, settings, t0)
        if found is None:
            lines = (
                f"{len(timetable.unplaced)} session(s) not placed within the time limit: "
                + ", ".join(sorted(timetable.unplaced)),
                "Try a longer --time-limit, or --allow-unplaced.",
            )
            return SolveResult("UNKNOWN", None, None, None, None, time.perf_counter() - t0, explanation=lines)
        timetable = found
    status_name, bound = "FEASIBLE", None
    if exact and not (cancel and cancel.is_set()):
        best = check(conference, timetable, reference=settings.reference, allow_unplaced=settings.allow_unplaced)
        timetable, status_name, bound = _exact(
            conference, remaining, timetable, on_progress, cancel, t0, count, best.objective
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


def _exact(
    conference: Conference,
    settings: SolveSettings,
    start: Timetable,
    on_progress: Callable[[Progress], None] | None,
    cancel: threading.Event | None,
    t0: float,
    count: int,
    best: int,
) -> tuple[Timetable, str, float | None]:
    """The exact model on the whole conference from `start`: its best timetable, status and proven bound."""
    built = build_model(conference, ModelOptions(allow_unplaced=settings.allow_unplaced, reference=settings.reference))
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
        return start, "FEASIBLE", None  # the search's timetable stands; no bound was proven
    timetable = extract_timetable(built, solver)
    model_terms = {n: round(solver.value(e)) if not isinstance(e, int) else e for n, e in built.terms.items()}
    if verify(conference, timetable, settings, model_terms).objective > best:
        timetable = start  # cut short, the model's answer can be worse than its hint: keep the better one
    return timetable, solver.status_name(status), solver.best_objective_bound


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
