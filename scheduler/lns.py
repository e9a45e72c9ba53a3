"""Large-neighbourhood search: the exact model, solved again and again on a small part of a large timetable.

A neighbourhood is a few open periods (the window) and some sessions (the free ones) that may move to any start
inside the window and any suitable room. Every other session overlapping the window is held where it is; sessions
outside the window cannot interact with the free ones (they never overlap), except through `after` orderings,
which become bounds on the free sessions' starts, and through the rooms a track already uses, which count as
used. So each step is a small exact CP-SAT model, and its answer is accepted only when the independent
checker finds the whole timetable better.

Sessions not yet placed are free in every neighbourhood whose window could hold them, so the same loop inserts
them (as `unplaced` costs far more than any soft goal) and improves the rest. `solve` calls it only for what the
annealing (`anneal`) could not place on a large conference: a joint exact solve of a few periods around a
left-out session rearranges more at once than annealing moves do, but each step costs a model build and a
check of the whole timetable (about 2 s at 1,000 sessions), far too dear to be the main search there.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

from ortools.sat.python import cp_model

from scheduler.checker import CheckReport, check
from scheduler.domain import Assignment, Conference, Timetable
from scheduler.model import ModelOptions, build_model, co_interest, room_suits
from scheduler.timegrid import Grid

# Stop when this many rounds in a row improve nothing: on small conferences the neighbourhoods cover everything
# long before the budget ends, and the exact model takes over from there.
STALL_ROUNDS = 40
OVERHEAD_PER_SESSION = 0.0007  # deterministic s per round and session: ~1 wall s per round at 1,000 sessions, x0.7


@dataclass(frozen=True)
class Step:
    """What one neighbourhood did: for progress reports and the benchmark's tuning."""

    window: tuple[int, ...]
    free: int
    status: str
    accepted: bool
    objective: int
    deterministic_s: float


@dataclass
class Search:
    conference: Conference
    grid: Grid
    rng: random.Random
    allow_unplaced: bool
    reference: Timetable | None
    workers: int
    size: int = 15  # free sessions per neighbourhood; adapted to how hard the steps turn out

    @cached_property
    def successors(self) -> dict[str, list[str]]:
        after: dict[str, list[str]] = defaultdict(list)
        for s in self.conference.sessions:
            for before in s.after:
                after[before].append(s.session_id)
        return after


def _overlaps(a_lo: int, a_hi: int, b_lo: int, b_hi: int) -> bool:
    return a_lo < b_hi and b_lo < a_hi


def session_costs(conference: Conference, grid: Grid, timetable: Timetable) -> dict[str, int]:
    """Attendee-conflict weight each placed session is part of: where the search should look first."""
    wanted = co_interest(conference.attendees)
    placed = sorted((grid.minute(a.start), grid.minute(a.end), a.session_id) for a in timetable.assignments)
    cost: dict[str, int] = defaultdict(int)
    for k, (_, hi, sid) in enumerate(placed):
        for lo2, _, sid2 in placed[k + 1 :]:
            if lo2 >= hi:
                break
            w = wanted.get((sid, sid2) if sid < sid2 else (sid2, sid), 0)
            if w:
                cost[sid] += w
                cost[sid2] += w
    return cost


def choose_neighbourhood(search: Search, timetable: Timetable, costs: dict[str, int]) -> tuple[list[int], set[str]]:
    """A window of 1 to 3 open periods and the sessions freed in it (unplaced ones first, then costly ones)."""
    g, rng = search.grid, search.rng
    periods = list(range(len(g.periods)))
    per_period: dict[int, list[str]] = defaultdict(list)
    for a in timetable.assignments:
        t = g.minute(a.start)
        for k, (lo, hi) in enumerate(g.periods):
            if lo <= t < hi:
                per_period[k].append(a.session_id)
    if timetable.unplaced and rng.random() < 0.5:
        return _insertion(search, timetable, per_period)
    weight = [1 + sum(costs.get(sid, 0) for sid in per_period[k]) for k in periods]
    if timetable.unplaced:  # while building, periods with free room-time are where sessions can go
        n_rooms = len(search.conference.rooms)
        for k, (lo, hi) in enumerate(g.periods):
            used = sum(search.conference.session_by_id[sid].duration_min for sid in per_period[k])
            weight[k] += max(0, n_rooms * (hi - lo) - used) // 15
    window = sorted(set(rng.choices(periods, weights=weight, k=rng.choice((1, 2, 2, 3)))))
    unplaced = [sid for sid in timetable.unplaced if _fits_somewhere(search, sid, window)]
    rng.shuffle(unplaced)
    free = set(unplaced[: search.size])
    inside = sorted(
        sid for k in window for sid in per_period[k] if not search.conference.session_by_id[sid].fixed_start
    )
    room_left = search.size - len(free)
    if room_left > 0 and inside:
        # Costly sessions are more likely freed, but every session stays reachable.
        picks = rng.choices(inside, weights=[1 + 3 * costs.get(sid, 0) for sid in inside], k=2 * room_left)
        for sid in picks:
            if len(free) >= search.size:
                break
            free.add(sid)
    return window, free


def _insertion(search: Search, timetable: Timetable, per_period: dict[int, list[str]]) -> tuple[list[int], set[str]]:
    """Around one unplaced session: a period where it could start, freed whole so that what blocks it can move
    to a second period."""
    g, rng = search.grid, search.rng
    sid = rng.choice(sorted(timetable.unplaced))
    s = search.conference.session_by_id[sid]
    starts = [g.minute(s.fixed_start)] if s.fixed_start else list(g.starts(s))
    homes = sorted({k for t in starts for k, (lo, hi) in enumerate(g.periods) if lo <= t < hi})
    if not homes:
        return [], set()
    home = rng.choice(homes)
    other = rng.choice([k for k in range(len(g.periods)) if k != home] or [home])
    window = {home, other}
    conf = search.conference
    movable = sorted(x for x in per_period[home] if not conf.session_by_id[x].fixed_start)
    # Blockers first: sessions holding a room it could use, or sharing one of its speakers.
    suits = {r.room_id for r in conf.rooms if room_suits(r, s)}
    blockers = [x for x in movable if timetable.by_session[x].room_id in suits
                or set(conf.session_by_id[x].speakers) & set(s.speakers)]
    others = [x for x in movable if x not in set(blockers)]
    rng.shuffle(blockers)
    rng.shuffle(others)
    movable = (blockers + others)[: search.size]
    # Its `after` partners may box it in: free them too, with their periods.
    partners = [
        x
        for x in (*s.after, *search.successors.get(sid, ()))
        if x in timetable.by_session and not search.conference.session_by_id[x].fixed_start
    ]
    for x in partners:
        t = g.minute(timetable.by_session[x].start)
        window |= {k for k, (lo, hi) in enumerate(g.periods) if lo <= t < hi}
    return sorted(window), {sid, *partners, *movable}


def _fits_somewhere(search: Search, sid: str, window: list[int]) -> bool:
    s = search.conference.session_by_id[sid]
    return any(
        lo <= t and t + s.duration_min <= hi
        for t in search.grid.starts(s)
        for lo, hi in (search.grid.periods[k] for k in window)
    )


def subproblem(search: Search, timetable: Timetable, window: list[int], free: set[str]):
    """The conference restricted to the window's sessions, and the options that hold the others in place."""
    conf, g = search.conference, search.grid
    spans = [g.periods[k] for k in window]
    gap = conf.changeover_min
    by_session = timetable.by_session
    included: set[str] = set(free)
    fixed: dict[str, Assignment] = {}
    for a in timetable.assignments:
        if a.session_id in free:
            continue
        lo, hi = g.minute(a.start), g.minute(a.end)
        if any(_overlaps(lo - gap, hi + gap, p_lo, p_hi) for p_lo, p_hi in spans):
            included.add(a.session_id)
            fixed[a.session_id] = a
    allowed: dict[str, frozenset[int]] = {}
    for sid in free:
        s = conf.session_by_id[sid]
        lo_bound, hi_bound = 0, g.horizon
        for before in s.after:  # `before` must end before sid starts
            if before not in included and before in by_session:
                lo_bound = max(lo_bound, g.minute(by_session[before].end))
        for later in search.successors.get(sid, ()):  # sid must end before `later` starts
            if later not in included and later in by_session:
                hi_bound = min(hi_bound, g.minute(by_session[later].start))
        allowed[sid] = frozenset(
            t
            for t in g.starts(s)
            if lo_bound <= t
            and t + s.duration_min <= hi_bound
            and any(p_lo <= t and t + s.duration_min <= p_hi for p_lo, p_hi in spans)
        )
    rooms = _room_choice(search, timetable, free)
    elsewhere: dict[str, set[str]] = defaultdict(set)
    for a in timetable.assignments:
        track = conf.session_by_id[a.session_id].track
        if track and a.session_id not in included:
            elsewhere[track].add(a.room_id)
    sessions = tuple(
        dataclasses.replace(s, after=tuple(x for x in s.after if x in included))
        for s in conf.sessions
        if s.session_id in included
    )
    sub = dataclasses.replace(conf, sessions=sessions)
    options = ModelOptions(
        allow_unplaced=True,  # free sessions not yet placed may stay so; the unplaced weight pushes them in
        reference=search.reference,
        fixed=fixed,
        allowed_starts=allowed,
        allowed_rooms=rooms,
        track_rooms_elsewhere={k: frozenset(v) for k, v in elsewhere.items()},
    )
    return sub, options


ROOMS_PER_FREE_SESSION = 6


def _room_choice(search: Search, timetable: Timetable, free: set[str]) -> dict[str, frozenset[str]]:
    """Rooms each free session may take: its own, those the other free sessions hold (so they can swap), its
    track's, and a few more that suit it. Large conferences have dozens of rooms; offering every one to every
    free session made the neighbourhoods too slow to improve anything (measured at 1,000 sessions, 80 rooms)."""
    conf, rng = search.conference, search.rng
    by_session = timetable.by_session
    held = {by_session[sid].room_id for sid in free if sid in by_session}
    track_rooms: dict[str, set[str]] = defaultdict(set)
    for a in timetable.assignments:
        track = conf.session_by_id[a.session_id].track
        if track:
            track_rooms[track].add(a.room_id)
    choice = {}
    for sid in sorted(free):
        s = conf.session_by_id[sid]
        suitable = [r.room_id for r in conf.rooms if room_suits(r, s)]
        if s.fixed_room:
            choice[sid] = frozenset({s.fixed_room})
            continue
        base = (held | track_rooms.get(s.track, set())) & set(suitable)
        others = sorted(set(suitable) - base)
        extra = rng.sample(others, min(len(others), ROOMS_PER_FREE_SESSION))
        choice[sid] = frozenset(base | set(extra))
    return choice


def _merge(timetable: Timetable, sub: Timetable, included: set[str]) -> Timetable:
    kept = [a for a in timetable.assignments if a.session_id not in included]
    unplaced = [sid for sid in timetable.unplaced if sid not in included] + list(sub.unplaced)
    return Timetable(tuple(kept) + sub.assignments, tuple(unplaced)).sorted()


def _score(report: CheckReport) -> tuple[int, int]:
    """Hard violations first (a broken merge is never accepted), then the objective."""
    return (0 if report.ok else 1, report.objective)


def _solve_step(built, hint: Timetable, budget_s: float, seed: int):
    from scheduler.solve import add_hint  # solve imports this module

    add_hint(built, hint)
    solver = cp_model.CpSolver()
    p = solver.parameters
    # One worker per neighbourhood: it keeps to its deterministic budget (interleaved workers overrun it by a
    # batch) and was up to 4x faster on these small models; parallelism comes from solving several at once.
    p.num_workers = 1
    p.max_deterministic_time = budget_s
    p.max_time_in_seconds = 20 * budget_s + 5
    p.random_seed = seed
    p.linearization_level = 0  # small neighbourhoods gain more from fast propagation than from the LP bound
    status = solver.solve(built.model)
    return solver, status


def improve(
    conference: Conference,
    start: Timetable,
    *,
    budget_deterministic_s: float,
    seed: int = 0,
    workers: int = 1,
    allow_unplaced: bool = False,
    reference: Timetable | None = None,
    on_improvement: Callable[[Timetable, CheckReport], None] | None = None,
    cancel: threading.Event | None = None,
    step_deterministic_s: float = 1.0,
    wall_deadline: float | None = None,
    until_placed: bool = False,
) -> tuple[Timetable, CheckReport, list[Step]]:
    """Improve `start` (which may leave sessions out) within a deterministic-time budget.

    Each round draws `workers` neighbourhoods on disjoint windows and solves them at once, one CP-SAT thread
    each; their answers are then applied one by one, each kept only if the checker finds the whole timetable
    better. The checker scores sessions left out by `unplaced`, so construction and improvement are one loop.
    Deterministic for a seed and worker count: neighbourhoods come from a seeded generator, each solve is bounded
    in deterministic time, and answers are applied in draw order. `wall_deadline` (a `time.perf_counter()`
    value) is a safety net only, for a loaded machine: a run it cuts short may differ from another.
    `until_placed` stops as soon as every session is placed (inserting is all the caller wants).
    """
    from scheduler.solve import extract_timetable  # solve imports this module

    grid = Grid(conference)
    search = Search(conference, grid, random.Random(seed), allow_unplaced, reference, workers)
    current = start
    report = check(conference, current, reference=reference, allow_unplaced=True)
    steps: list[Step] = []
    spent = 0.0
    stalled = 0  # rounds in a row without an accepted step
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        while spent < budget_deterministic_s and stalled < STALL_ROUNDS and not (cancel and cancel.is_set()):
            if report.ok and report.objective == 0:
                break  # nothing left to improve: every soft goal is met
            if until_placed and not current.unplaced:
                break
            if wall_deadline is not None and time.perf_counter() > wall_deadline:
                break
            costs = session_costs(conference, grid, current)
            draws, used = [], set()
            for _ in range(max(1, workers)):
                window, free = choose_neighbourhood(search, current, costs)
                if free and not used & set(window):
                    used |= set(window)
                    draws.append((window, free))
            if not draws:
                spent += 0.01  # an empty draw still uses budget, so the loop always ends
                continue
            problems = [subproblem(search, current, w, f) for w, f in draws]
            built = [build_model(sub, options) for sub, options in problems]
            budget = min(step_deterministic_s, max(0.05, budget_deterministic_s - spent))
            futures = [pool.submit(_solve_step, b, current, budget, seed + len(steps) + k) for k, b in enumerate(built)]
            stalled += 1
            # Checking and building cost wall time that CP-SAT does not count; charging it by size keeps the
            # budget close to wall-clock seconds on large conferences and still deterministic.
            spent += OVERHEAD_PER_SESSION * len(conference.sessions)
            for (window, free), (sub, _), b, future in zip(draws, problems, built, futures, strict=True):
                solver, status = future.result()
                spent += solver.deterministic_time
                accepted = False
                if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    included = {s.session_id for s in sub.sessions}
                    candidate = _merge(current, extract_timetable(b, solver), included)
                    cand_report = check(conference, candidate, reference=reference, allow_unplaced=True)
                    if _score(cand_report) < _score(report):
                        current, report, accepted, stalled = candidate, cand_report, True, 0
                        if on_improvement:
                            on_improvement(current, report)
                # Grow neighbourhoods while steps finish comfortably, shrink them when they run out of time.
                if status == cp_model.OPTIMAL:
                    search.size = min(search.size + 1, 150)
                elif status != cp_model.INFEASIBLE:
                    search.size = max(6, search.size - 3)
                steps.append(
                    Step(
                        tuple(window),
                        len(free),
                        solver.status_name(status),
                        accepted,
                        report.objective,
                        solver.deterministic_time,
                    )
                )
    return current, report, steps


def empty_timetable(conference: Conference) -> Timetable:
    """Nothing placed yet: the start of construction by neighbourhood search."""
    return Timetable((), tuple(s.session_id for s in conference.sessions))


def usable_part(conference: Conference, reference: Timetable) -> Timetable:
    """The reference timetable without the sessions it no longer fits (after a cancellation, a lost room...):
    those start unplaced, so the search puts them back with as few moves as possible."""
    known = [
        a
        for a in reference.assignments
        if a.session_id in conference.session_by_id and a.room_id in conference.room_by_id
    ]
    timetable = Timetable(
        tuple(known),
        tuple(s.session_id for s in conference.sessions if s.session_id not in {a.session_id for a in known}),
    )
    broken = {sid for v in check(conference, timetable, allow_unplaced=True).violations for sid in v.sessions}
    kept = tuple(a for a in known if a.session_id not in broken)
    placed = {a.session_id for a in kept}
    return Timetable(kept, tuple(s.session_id for s in conference.sessions if s.session_id not in placed)).sorted()
