"""A second opinion on "no timetable exists": another solver, another formulation, the checker's own rules.

The checker verifies every timetable, but an INFEASIBLE verdict has no timetable to look at, and the committee
acts on it (drops a session, books another room). So the sessions a conflict names are handed to SCIP (a
branch-and-cut integer programming solver shipped with OR-Tools; not CP-SAT) as a time-indexed integer program
that shares no code with `model` or `periods`:

- each session's possible places (start, room) are the ones the independent checker accepts for it alone
  (grid, open periods, speaker and room availability, room suitability, pins);
- one binary per place, exactly one per session;
- time is cut at every instant where something can start, end, or finish its changeover, or where an
  interpreter team comes or goes; on each stretch between two cuts: a room holds at most one session or
  changeover (overflow rooms included), a speaker is in at most one session, a plenary runs with nothing
  beside it, and the sessions needing a language pair are no more than the teams there for it;
- `after` orders: a session starts no earlier than the weighted end of its predecessor, a linear row that an
  integer answer meets exactly when the order holds.

Each row is the checker's rule, exactly, at the granularity of the cuts, so SCIP's answers mean: INFEASIBLE,
no timetable of these sessions keeps every rule (and none of the whole conference, of which they are a part);
an answer, a timetable the checker is then asked to accept, proving the verdict wrong (a bug). The time-indexed
rows give a strong linear relaxation: on the sample's tight variants SCIP decides in under a second what
CP-SAT's whole model leaves open after minutes (measured: see docs/architecture.md).
"""

from __future__ import annotations

import bisect
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ortools.linear_solver import pywraplp

from scheduler.checker import check
from scheduler.domain import Assignment, Conference, Session, Timetable, language_pair

CONFIRMED, REFUTED, UNDECIDED = "CONFIRMED", "REFUTED", "UNDECIDED"


@dataclass(frozen=True)
class Confirmation:
    """What SCIP made of the named sessions: CONFIRMED (no timetable), REFUTED (`timetable` keeps every rule),
    or UNDECIDED (out of time)."""

    status: str
    sessions: int
    seconds: float
    timetable: Timetable | None = None


@dataclass(frozen=True)
class _Place:
    start: datetime
    room_id: str
    lo: int  # seconds
    hi: int  # end of the session, seconds


def places(conference: Conference, s: Session, deadline: float) -> list[_Place] | None:
    """Every (start, room) the checker accepts for `s` alone, at every start inside an open period that the
    checker's grid allows; None past `deadline` (a `time.perf_counter()` value)."""
    alone = conference.only([s.session_id])
    step_s, length = conference.granularity_min * 60, timedelta(minutes=s.duration_min)
    zone = conference.tz
    found = []
    for period in conference.periods:
        start = period.start
        while start + length <= period.end:
            if time.perf_counter() > deadline:
                return None
            midnight = datetime.combine(start.astimezone(zone).date(), datetime.min.time(), tzinfo=zone)
            if int(start.timestamp() - midnight.timestamp()) % step_s == 0:  # the checker's grid, as it reads it
                for room in conference.rooms:
                    a = Assignment(s.session_id, room.room_id, start, start + length)
                    if check(alone, Timetable((a,), ())).ok:
                        found.append(_Place(start, room.room_id, int(start.timestamp()),
                                            int((start + length).timestamp())))
            start += timedelta(minutes=1)
    return found


def confirm_infeasible(conference: Conference, session_ids: Iterable[str], time_limit_s: float) -> Confirmation:
    """Ask SCIP whether the named sessions have a timetable under every hard rule (see the module's docstring)."""
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    sub = conference.only(session_ids)
    n = len(sub.sessions)

    def undecided() -> Confirmation:
        return Confirmation(UNDECIDED, n, time.perf_counter() - t0)

    program = _program(sub, deadline)
    if program is None:
        return undecided()
    if not program:  # a session has no place at all: the checker alone shows it cannot be held
        return Confirmation(CONFIRMED, n, time.perf_counter() - t0)
    solver, options, x = program
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        return undecided()
    solver.SetTimeLimit(max(1, int(remaining * 1000)))
    status = solver.Solve()
    if status == pywraplp.Solver.INFEASIBLE:
        return Confirmation(CONFIRMED, n, time.perf_counter() - t0)
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return undecided()
    chosen = []
    for s in sub.sessions:
        k = max(range(len(x[s.session_id])), key=lambda k: x[s.session_id][k].solution_value())
        place = options[s.session_id][k]
        chosen.append(Assignment(s.session_id, place.room_id, place.start,
                                 place.start + timedelta(minutes=s.duration_min)))
    timetable = Timetable(tuple(chosen), ()).sorted()
    if not check(sub, timetable).ok:
        # The rows are meant to be the checker's rules exactly, so this is a bug in them; it must not turn a
        # committee's verdict into a crash, and the tests, which expect a decision, catch it.
        return undecided()
    return Confirmation(REFUTED, n, time.perf_counter() - t0, timetable)


def fewest_moves(conference: Conference, reference: Timetable, time_limit_s: float) -> int | None:
    """The fewest sessions any timetable of the conference moves from `reference` (start or room changed, as the
    `moved` goal counts), proven by SCIP on the same program; None when not proven within the time. A yardstick
    for minimal-change re-solves that shares no code with the model."""
    deadline = time.perf_counter() + time_limit_s
    program = _program(conference, deadline)
    if not program:
        return None
    solver, options, x = program
    before = reference.by_session
    kept = [var for sid, found in options.items() if (a := before.get(sid)) is not None
            for p, var in zip(found, x[sid], strict=True) if p.start == a.start and p.room_id == a.room_id]
    solver.Maximize(sum(kept))
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        return None
    solver.SetTimeLimit(max(1, int(remaining * 1000)))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    placed_before = sum(1 for sid in options if sid in before)
    return placed_before - round(solver.Objective().Value())


def _program(sub: Conference, deadline: float):
    """(SCIP solver, each session's places, their binaries) with every rule's rows; {} when a session has no
    place at all; None past `deadline`."""
    options: dict[str, list[_Place]] = {}
    for s in sub.sessions:
        found = places(sub, s, deadline)
        if found is None:
            return None
        if not found:
            return {}
        options[s.session_id] = found
    solver = pywraplp.Solver.CreateSolver("SCIP")
    x = {sid: [solver.BoolVar(f"x[{sid},{k}]") for k in range(len(found))] for sid, found in options.items()}
    for xs in x.values():
        solver.Add(sum(xs) == 1)
    _add_rows(solver, sub, options, x)
    return solver, options, x


def _add_rows(solver: pywraplp.Solver, sub: Conference, options: dict[str, list[_Place]], x: dict) -> None:
    gap = sub.changeover_min * 60
    by_id = sub.session_by_id
    # per language pair, each team's windows (None: there throughout); rows of one team merge, as in the checker
    team_windows: dict[tuple[str, str], dict[str, list[tuple[int, int]] | None]] = defaultdict(dict)
    for team in sub.interpreters:
        teams = team_windows[language_pair(*team.languages)]
        known = teams.get(team.team_id, [])
        windows = [(int(w.start.timestamp()), int(w.end.timestamp())) for w in team.windows]
        teams[team.team_id] = None if known is None or not windows else known + windows
    cuts = {t for found in options.values() for p in found for t in (p.lo, p.hi, p.hi + gap)}
    cuts |= {edge for teams in team_windows.values() for w in teams.values() if w for window in w for edge in window}
    cuts_sorted = sorted(cuts)

    def stretches(lo: int, hi: int) -> range:
        """The stretches [cut_i, cut_i+1) inside [lo, hi)."""
        return range(bisect.bisect_left(cuts_sorted, lo), bisect.bisect_left(cuts_sorted, hi))

    rooms, speakers, others, plenaries = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
    pairs = defaultdict(list)
    for sid, found in options.items():
        s = by_id[sid]
        needed = {language_pair(s.language, target) for target in s.interpretation}
        for place, var in zip(found, x[sid], strict=True):
            for room_id in dict.fromkeys((place.room_id, *s.overflow_rooms)):
                for i in stretches(place.lo, place.hi + gap):
                    rooms[room_id, i].append(var)
            for i in stretches(place.lo, place.hi):
                for speaker_id in set(s.speakers):
                    speakers[speaker_id, i].append(var)
                (plenaries if s.plenary else others)[i].append(var)
                for pair in needed:
                    pairs[pair, i].append(var)
    for group in (rooms, speakers):
        for terms in group.values():
            if len(terms) > 1:
                solver.Add(sum(terms) <= 1)
    n = len(options)
    for i, held in plenaries.items():  # a plenary running on the stretch leaves no place for anything else
        beside = others.get(i, []) + held
        if len(beside) > 1:
            solver.Add(sum(beside) - 1 <= (n - 1) * (1 - sum(held)))
    for (pair, i), terms in pairs.items() if sub.interpreters_limited else ():
        instant = cuts_sorted[i]
        teams = sum(1 for w in team_windows.get(pair, {}).values()
                    if w is None or any(lo <= instant < hi for lo, hi in w))
        if len(terms) > teams:
            solver.Add(sum(terms) <= teams)
    base = cuts_sorted[0]  # seconds counted from the first cut keep the coefficients small
    for s in sub.sessions:
        for before in s.after:
            if before in options:
                start = sum((p.lo - base) * v for p, v in zip(options[s.session_id], x[s.session_id], strict=True))
                end = sum((p.hi - base) * v for p, v in zip(options[before], x[before], strict=True))
                solver.Add(start >= end)


def confirmation_text(c: Confirmation) -> str:
    """One sentence for the committee on what the second solver found."""
    what = f"a second solver (SCIP, on a time-indexed integer program of the checker's rules) over the {c.sessions} " \
        f"session(s) in question"
    if c.status == CONFIRMED:
        return f"Checked independently by {what}: no timetable of them keeps every rule."
    return f"Not checked independently: {what} did not decide within its time ({c.seconds:.0f} s)."
