"""Why no timetable exists: a small set of requirements that cannot all hold, in plain words.

Every relaxable requirement of the model is guarded by an assumption literal (see `model.Guards`). CP-SAT's
`sufficient_assumptions_for_infeasibility` gives a conflicting subset; deletion-based minimisation then drops
every literal whose removal keeps the rest infeasible, so each remaining line is needed for the conflict. The
open periods are no assumption (they bound every start); a line names them when the conflict may rest on them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.domain import Conference, Timetable
from scheduler.model import Guards, ModelOptions, build_model, room_needs
from scheduler.timegrid import Grid
from scheduler.wording import describe_windows, session_label

MAX_UNPLACED_EXPLAINED = 5
MAX_SESSION_LINES = 10  # sessions of a conflict named one a line, with their titles; beyond, one line of ids
# Read on the command line and in the committee workspace alike, so both names of the switch are given.
LEAVE_OUT = 'allow sessions to be left out (--allow-unplaced; "Leave out sessions that cannot fit" in the workspace)'
NOT_NARROWED = (
    "The requirements in conflict were not narrowed down within the time limit; try a longer time limit, "
    f"or {LEAVE_OUT} to see which sessions are left out and why."
)


def _solve_under(model: cp_model.CpModel, assumptions: list[cp_model.IntVar], time_limit_s: float,
                 linearization_level: int = 1) -> tuple[int, list[int]]:
    model.clear_assumptions()
    model.add_assumptions(assumptions)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.5, time_limit_s)
    solver.parameters.num_workers = 1  # cores from a single worker are the smallest CP-SAT reports
    solver.parameters.linearization_level = linearization_level
    status = solver.solve(model)
    core = list(solver.sufficient_assumptions_for_infeasibility()) if status == cp_model.INFEASIBLE else []
    return status, core


def minimal_core(model: cp_model.CpModel, assumptions: list[cp_model.IntVar], time_limit_s: float,
                 linearization_level: int = 1, chunks: bool = False) -> list[cp_model.IntVar] | None:
    """A subset of `assumptions` that is infeasible and, as far as time allows, minimal; None if none was found
    (feasible, or not decided in time). A model of aggregate rows (`periods`' master) is decided by its LP:
    `linearization_level` 2 for it. `chunks` first tries dropping halves, quarters... of the set at once: for a
    large set of which most can go, as a master's shortage of room time over a whole conference."""
    deadline = time.perf_counter() + time_limit_s
    by_index = {lit.index: lit for lit in assumptions}
    status, core_idx = _solve_under(model, assumptions, time_limit_s / 2, linearization_level)
    if status != cp_model.INFEASIBLE:
        return None
    core = [by_index[i] for i in core_idx if i in by_index] or list(assumptions)
    size = len(core) // 2 if chunks else 1
    while size >= 1:
        i = 0
        while i < len(core):
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return core
            trial = core[:i] + core[i + size :]
            status, smaller = _solve_under(model, trial, min(remaining, 5.0), linearization_level)
            if status == cp_model.INFEASIBLE:
                kept = {idx for idx in smaller} or {lit.index for lit in trial}
                core = [lit for lit in trial if lit.index in kept]
            else:  # needed (or undecided in time: kept, to stay truthful)
                i += size
        size //= 2
    return core


@dataclass(frozen=True)
class Conflict:
    """Requirements that cannot all hold, in words (the last line says what to relax), and the sessions among
    them: those that must be in the programme."""

    lines: tuple[str, ...]
    sessions: tuple[str, ...]


def explain(conference: Conference, time_limit_s: float = 20.0) -> list[str]:
    """Plain-language lines naming requirements that cannot all hold at once; the last line says what to relax."""
    conflict = explain_conflict(conference, time_limit_s)
    return list(conflict.lines) if conflict else [NOT_NARROWED]


def explain_conflict(conference: Conference, time_limit_s: float = 20.0) -> Conflict | None:
    """`explain`'s conflict with its sessions; None when it was not narrowed down in time (the caller knows no
    timetable exists; only the narrowing down failed)."""
    b = build_model(conference, ModelOptions(explain=True))
    literals = list(b.guards.literals.values())
    core = minimal_core(b.model, literals, time_limit_s)
    if core is None:
        return None
    return Conflict(tuple(core_lines(conference, b.guards, core)), core_sessions(b.guards, core))


def core_sessions(guards: Guards, core: list[cp_model.IntVar]) -> tuple[str, ...]:
    """The sessions a core requires in the programme, sorted."""
    keys = {lit.index: key for key, lit in guards.literals.items()}
    return tuple(sorted(keys[lit.index].split(":", 1)[1] for lit in core if keys[lit.index].startswith("placed:")))


def core_lines(conference: Conference, guards: Guards, core: list[cp_model.IntVar]) -> list[str]:
    """A core of guarded requirements in words, read as "these requirements together": constraints first, the
    sessions they concern last, then what to relax."""
    lines = sorted((guards.texts[lit.index] for lit in core), key=lambda t: (t.endswith("in the programme"), t))
    keys = {lit.index: key for key, lit in guards.literals.items()}
    sessions = core_sessions(guards, core)
    if len(sessions) > MAX_SESSION_LINES:  # a shortage of room time over a whole day can take dozens
        lines = [t for t in lines if not t.endswith("in the programme")]
        lines.append(f"sessions {', '.join(sessions)} ({len(sessions)}) must all be in the programme")
    periods = open_periods_line(conference, [keys[lit.index] for lit in core])
    if periods:
        lines.insert(sum(not t.endswith("in the programme") for t in lines), periods)
    lines.append(
        "Relax one of these (widen an availability, move or unpin a session, add a room or "
        f"interpreter team, or {LEAVE_OUT}) and a timetable can exist."
    )
    return lines


def open_periods_line(conference: Conference, keys: list[str]) -> str | None:
    """The open periods, which no assumption relaxes (they are the starts' domain), named when the conflict may
    depend on them: when a session in it is neither pinned to a start nor without any suitable room. A heuristic:
    the line can appear where the rest conflicts whatever the open periods (two speakers never free together)."""
    sessions = {k.split(":", 1)[1] for k in keys if k.startswith("placed:")}
    settled = {k.split(":", 1)[1] for k in keys if k.startswith(("pin_start:", "room_suits:"))}
    if not sessions - settled:
        return None
    periods = describe_windows(w for day in conference.days for w in day.periods)
    return f"sessions run only inside the open periods ({periods})"


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
            reasons[sid] = _no_room(conference, s)
        elif not starts:
            reasons[sid] = _speakers_never_free(grid, s, speakers)
        elif not any(_rooms_open(grid, conference, s, rooms, t) for t in starts):
            reasons[sid] = _rooms_never_open(conference, s, rooms, any(sp.availability for sp in speakers))
        elif detailed and n < MAX_UNPLACED_EXPLAINED:
            reasons[sid] = _displaced_by(conference, timetable, sid)
        else:
            reasons[sid] = "no room and time left that keeps every requirement of the sessions placed"
    return reasons


def _no_room(conference: Conference, s) -> str:
    """What no room offers: each need no room meets on its own, else the combination."""
    wants = room_needs(s)
    missing = [what for what, meets in wants if not any(meets(r) for r in conference.rooms)]
    if missing:
        return f"no room has {' or '.join(missing)}"
    return f"no single room has all of: {', '.join(what for what, _ in wants)}"


def _rooms_open(grid: Grid, conference: Conference, s, rooms, t: int) -> bool:
    """Whether at start t one of `rooms` and every overflow room of the session is open for its whole length."""
    def open_(room) -> bool:
        return not room.availability or grid.inside_any(t, t + s.duration_min, room.availability)

    return any(open_(r) for r in rooms) and all(open_(conference.room_by_id[o]) for o in s.overflow_rooms
                                                 if o in conference.room_by_id)


def _rooms_never_open(conference: Conference, s, rooms, speakers_limited: bool) -> str:
    """The rooms whose opening times leave the session no start: its suitable rooms, and its overflow rooms."""
    limited = [r for r in rooms if r.availability]
    limited += [conference.room_by_id[o] for o in s.overflow_rooms
                if o in conference.room_by_id and conference.room_by_id[o].availability]
    periods = conference.periods
    which = "; ".join(f"{r.name} ({r.room_id}) open {describe_windows(r.availability, periods)}" for r in limited)
    when = " at a time its speakers are available" if speakers_limited else ""
    return (f"its rooms are never open for its {s.duration_min} min inside one open period{when} (suitable "
            f"rooms and overflow rooms with opening times: {which})")


def _speakers_never_free(grid: Grid, s, speakers) -> str:
    """Which speakers' availability leaves the session no start: one alone if one suffices, else all together."""
    def never(group) -> bool:
        return not any(all(grid.inside_any(t, t + s.duration_min, sp.availability) for sp in group)
                       for t in grid.starts(s))

    alone = [sp for sp in speakers if sp.availability and never([sp])]
    named = alone or [sp for sp in speakers if sp.availability]
    periods = grid.conference.periods
    who = ", ".join(f"{sp.name} ({sp.speaker_id}, available {describe_windows(sp.availability, periods)})"
                    for sp in named)
    if alone:
        subject = f"speaker {who} is" if len(alone) == 1 else f"speakers {who} are each"
        return f"{subject} never available for its {s.duration_min} min inside one open period"
    return f"speakers {who} are never all available together for its {s.duration_min} min inside one open period"


def _displaced_by(conference: Conference, timetable: Timetable, sid: str) -> str:
    """Explain placing `sid` together with every placed session: the conflict names what it competes with."""
    lines = explain(conference.only(set(timetable.by_session) | {sid}), time_limit_s=5.0)
    label = session_label(conference.session_by_id[sid])
    if len(lines) < 2:
        return "no room and time left that keeps every requirement of the sessions placed"
    return f"placing {label} conflicts with: " + "; ".join(lines[:-1])
