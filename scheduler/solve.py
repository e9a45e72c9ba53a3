"""Solving: settings, a progress callback, reading the timetable back, and verification by the checker.

No result leaves this module unverified: the independent checker must find no hard violation and the same
objective as CP-SAT, otherwise `SolverDisagreement` is raised (a bug, never shown to users as a timetable).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from scheduler.checker import check
from scheduler.diff import diff_timetables
from scheduler.domain import Assignment, Conference, Timetable
from scheduler.explain import explain, unplaced_reasons
from scheduler.model import Built, ModelOptions, build_model


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


class SolverDisagreement(RuntimeError):
    """The checker rejected what the model produced: a bug in one of them."""


def relative_gap(objective: float, bound: float) -> float:
    if objective == bound:
        return 0.0
    return abs(objective - bound) / max(abs(objective), 1e-9)


class _ProgressCallback(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_progress: Callable[[Progress], None]):
        super().__init__()
        self._on_progress = on_progress
        self._count = 0
        self._t0 = time.perf_counter()

    def on_solution_callback(self) -> None:
        self._count += 1
        obj, bound = self.objective_value, self.best_objective_bound
        self._on_progress(Progress(obj, bound, relative_gap(obj, bound), time.perf_counter() - self._t0, self._count))


# CP-SAT's deterministic time runs at about this share of wall-clock seconds on our 2-core machines; budgeting the
# search in deterministic time is what makes a time-limited run repeatable for a given seed and worker count.
DETERMINISTIC_PER_SECOND = 0.5
WALL_SAFETY_FACTOR = 3.0


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


def feasible_hint(conference: Conference, settings: SolveSettings) -> tuple[int, Timetable | None]:
    """A first timetable from the hard rules alone: found in a fraction of the full model's time, it lets the
    full search start from a complete assignment. One worker keeps it deterministic."""
    b = build_model(conference, ModelOptions(allow_unplaced=settings.allow_unplaced), soft=False)
    solver = cp_model.CpSolver()
    solver_parameters(solver, replace(settings, workers=1, time_limit_s=settings.time_limit_s / 4))
    solver.parameters.stop_after_first_solution = True
    status = solver.solve(b.model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return status, extract_timetable(b, solver) if found else None


def add_hint(b: Built, timetable: Timetable) -> None:
    grid = b.grid
    for sid, starts in b.x.items():
        a = timetable.by_session.get(sid)
        t = grid.minute(a.start) if a else None
        for tt, lit in starts.items():
            b.model.add_hint(lit, tt == t)
        for rid, lit in b.y[sid].items():
            b.model.add_hint(lit, a is not None and rid == a.room_id)
        if not isinstance(b.placed[sid], int):
            b.model.add_hint(b.placed[sid], a is not None)


def _infeasible(conference: Conference, settings: SolveSettings, t0: float) -> SolveResult:
    lines = tuple(explain(conference, time_limit_s=max(5.0, settings.time_limit_s / 2)))
    return SolveResult("INFEASIBLE", None, None, None, None, time.perf_counter() - t0, explanation=lines)


def solve(
    conference: Conference,
    settings: SolveSettings = SolveSettings(),
    on_progress: Callable[[Progress], None] | None = None,
) -> SolveResult:
    """Build the model, solve it, verify the answer with the checker; explain when no timetable exists."""
    t0 = time.perf_counter()
    hint = settings.reference
    if hint is None:
        status, hint = feasible_hint(conference, settings)
        if status == cp_model.INFEASIBLE:
            return _infeasible(conference, settings, t0)
    built = build_model(conference, ModelOptions(allow_unplaced=settings.allow_unplaced, reference=settings.reference))
    if hint is not None and settings.reference is None:  # a reference is hinted by the model's moved_penalty
        add_hint(built, hint)
    solver = cp_model.CpSolver()
    solver_parameters(solver, settings)
    callback = _ProgressCallback(on_progress) if on_progress else None
    status = solver.solve(built.model, callback)
    name = solver.status_name(status)
    if status == cp_model.INFEASIBLE:  # with a reference the hard rules were not tried alone
        return _infeasible(conference, settings, t0)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return SolveResult(name, None, None, None, None, time.perf_counter() - t0)

    timetable = extract_timetable(built, solver)
    model_terms = {n: round(solver.value(e)) if not isinstance(e, int) else e for n, e in built.terms.items()}
    report = verify(conference, timetable, settings, model_terms)
    bound = solver.best_objective_bound
    moved = ()
    if settings.reference is not None:
        changed = diff_timetables(settings.reference, timetable)
        moved = tuple(sorted({c.session_id for c in changed if c.kind in ("moved", "room")}))
    reasons = {}
    if timetable.unplaced:
        reasons = unplaced_reasons(conference, timetable)
    exact = report.objective
    return SolveResult(
        status=name,
        timetable=timetable,
        objective=exact,
        best_bound=bound,
        gap=relative_gap(exact, bound),
        wall_time_s=time.perf_counter() - t0,
        soft_terms={n: report.soft[n] for n in model_terms},
        unplaced_reasons=reasons,
        moved=moved,
    )


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
