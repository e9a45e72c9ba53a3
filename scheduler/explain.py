"""Why no timetable exists: a small set of requirements that cannot all hold, in plain words.

Every relaxable requirement of the model is guarded by an assumption literal (see `model.Guards`). CP-SAT's
`sufficient_assumptions_for_infeasibility` gives a conflicting subset; deletion-based minimisation then drops
every literal whose removal keeps the rest infeasible, so each remaining line is needed for the conflict.
"""

from __future__ import annotations

import dataclasses
import time

from ortools.sat.python import cp_model

from scheduler.domain import Conference, Timetable
from scheduler.model import Built, ModelOptions, build_model
from scheduler.timegrid import Grid
from scheduler.wording import session_label

MAX_UNPLACED_EXPLAINED = 5


def _solve_under(b: Built, assumptions: list[cp_model.IntVar], time_limit_s: float) -> tuple[int, list[int]]:
    b.model.clear_assumptions()
    b.model.add_assumptions(assumptions)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.5, time_limit_s)
    solver.parameters.num_workers = 1  # cores from a single worker are the smallest CP-SAT reports
    status = solver.solve(b.model)
    core = list(solver.sufficient_assumptions_for_infeasibility()) if status == cp_model.INFEASIBLE else []
    return status, core


def minimal_core(b: Built, assumptions: list[cp_model.IntVar], time_limit_s: float) -> list[cp_model.IntVar] | None:
    """A subset of `assumptions` that is infeasible and, as far as time allows, minimal; None if feasible."""
    deadline = time.perf_counter() + time_limit_s
    by_index = {lit.index: lit for lit in assumptions}
    status, core_idx = _solve_under(b, assumptions, time_limit_s / 2)
    if status != cp_model.INFEASIBLE:
        return None
    core = [by_index[i] for i in core_idx if i in by_index] or list(assumptions)
    i = 0
    while i < len(core):
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            break
        trial = core[:i] + core[i + 1 :]
        status, smaller = _solve_under(b, trial, min(remaining, 5.0))
        if status == cp_model.INFEASIBLE:
            kept = {idx for idx in smaller} or {lit.index for lit in trial}
            core = [lit for lit in trial if lit.index in kept]
        else:  # needed (or undecided in time: kept, to stay truthful)
            i += 1
    return core


def explain(conference: Conference, time_limit_s: float = 20.0) -> list[str]:
    """Plain-language lines naming requirements that cannot all hold at once; the last line says what to relax."""
    b = build_model(conference, ModelOptions(explain=True))
    literals = list(b.guards.literals.values())
    core = minimal_core(b, literals, time_limit_s)
    if core is None:
        return [
            "No conflict found within the time limit: the timetable may exist but was not found; "
            "try a longer --time-limit."
        ]
    # Read the core as "these requirements together": constraints first, the sessions they concern last.
    lines = sorted((b.guards.texts[lit.index] for lit in core), key=lambda t: (t.endswith("in the programme"), t))
    lines.append(
        "Relax one of these (widen an availability, move or unpin a session, add a room or "
        "interpreter team, or solve with --allow-unplaced) and a timetable can exist."
    )
    return lines


def unplaced_reasons(conference: Conference, timetable: Timetable, detailed: bool = True) -> dict[str, str]:
    """Why each left-out session could not be placed, checked cheapest reason first (`detailed`: up to
    MAX_UNPLACED_EXPLAINED of them also get the requirements they conflict with, which costs a solve each)."""
    grid = Grid(conference)
    reasons = {}
    for n, sid in enumerate(sorted(timetable.unplaced)):
        s = conference.session_by_id[sid]
        rooms = [
            r
            for r in conference.rooms
            if r.capacity >= s.expected_audience and s.needs <= r.features and r.booths >= len(s.interpretation)
        ]
        speakers = [conference.speaker_by_id[sp] for sp in s.speakers]
        starts = [
            t
            for t in grid.starts(s)
            if all(not sp.availability or grid.inside_any(t, t + s.duration_min, sp.availability) for sp in speakers)
        ]
        if not rooms:
            reasons[sid] = "no room has the seats, features and booths it needs"
        elif not starts:
            reasons[sid] = f"its speakers are never all available for {s.duration_min} min inside one open period"
        elif detailed and n < MAX_UNPLACED_EXPLAINED:
            reasons[sid] = _displaced_by(conference, timetable, sid)
        else:
            reasons[sid] = "no room and time left that keeps every requirement of the sessions placed"
    return reasons


def _displaced_by(conference: Conference, timetable: Timetable, sid: str) -> str:
    """Explain placing `sid` together with every placed session: the conflict names what it competes with."""
    keep = set(timetable.by_session) | {sid}
    sessions = tuple(
        dataclasses.replace(s, after=tuple(a for a in s.after if a in keep))
        for s in conference.sessions
        if s.session_id in keep
    )
    sub = dataclasses.replace(conference, sessions=sessions, attendees=())
    lines = explain(sub, time_limit_s=5.0)
    label = session_label(conference.session_by_id[sid])
    if len(lines) < 2:
        return "no room and time left that keeps every requirement of the sessions placed"
    return f"placing {label} conflicts with: " + "; ".join(lines[:-1])
