"""A lower bound on the objective from a linear relaxation of the exact model, solved by GLOP.

CP-SAT's own bound on the sample stays near 200-245 against objectives near 3,100. The language-coverage
auxiliaries ("something runs at this instant") cost almost nothing in a relaxation where every session's start
literals are spread thin; one cut changes that. The rooms in use at an instant are at most the rooms there are
(a plenary takes all of them), so the instants at which something runs number at least the load divided by the
rooms, and a language group that can follow only a few sessions misses the rest, whatever the timetable. On the
sample this LP gives 595. The same cut added to the CP-SAT model left CP-SAT's bound at 210 after 20 s
(measured), so the bound is computed here rather than left to CP-SAT.

The relaxation keeps every unconditional linear constraint of the model (exactly-one, clauses, maxima, the
coverage rows), drops what has no linear form (intervals, no-overlap, cumulative, enforced rows), and adds that
cut. Dropping constraints only lowers the optimum, so the result is a valid bound on every timetable of the model.
"""

from __future__ import annotations

import math

from ortools.linear_solver import pywraplp

from scheduler.model import Built, rooms_taken

# GLOP's answer is a floating-point optimum within its tolerances; the objective's coefficients are integers, so
# the bound is rounded up to the next integer only after this much is taken off.
ROUNDING_SLACK = 1e-6


class Relaxation:
    """The model's variables as LP columns over their domains' hulls, and rows built from the model's literals."""

    def __init__(self, built: Built) -> None:
        self.proto = built.model.proto
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        # the proto's repeated fields do not take negative indices: hence list() before [-1]
        self.hulls = [(d[0], d[-1]) for d in (list(v.domain) for v in self.proto.variables)]
        self.columns = [self.lp.NumVar(lo, hi, "") for lo, hi in self.hulls]

    def row(self, terms: list[tuple[int, float]], lo: float, hi: float) -> None:
        """lo <= sum(coefficient * reference) <= hi, where a negative reference r stands for 1 - column(-r - 1)."""
        constant, by_column = 0.0, {}
        for ref, coefficient in terms:
            if ref < 0:
                constant += coefficient
                ref, coefficient = -ref - 1, -coefficient
            by_column[ref] = by_column.get(ref, 0.0) + coefficient
        inf = self.lp.infinity()
        row = self.lp.Constraint(lo - constant if lo > -inf else -inf, hi - constant if hi < inf else inf)
        for ref, coefficient in by_column.items():
            row.SetCoefficient(self.columns[ref], coefficient)

    def add_model_rows(self) -> None:
        inf = self.lp.infinity()
        for ct in self.proto.constraints:
            if len(ct.enforcement_literal):
                continue
            if ct.has_linear():
                d = list(ct.linear.domain)
                lo = d[0] if d[0] > -(2**62) else -inf
                hi = d[-1] if d[-1] < 2**62 else inf
                self.row(list(zip(ct.linear.vars, ct.linear.coeffs, strict=True)), lo, hi)
            elif ct.has_exactly_one():
                self.row([(lit, 1) for lit in ct.exactly_one.literals], 1, 1)
            elif ct.has_at_most_one():
                self.row([(lit, 1) for lit in ct.at_most_one.literals], -inf, 1)
            elif ct.has_bool_or():
                self.row([(lit, 1) for lit in ct.bool_or.literals], 1, inf)
            elif ct.has_bool_and():
                for lit in ct.bool_and.literals:
                    self.row([(lit, 1)], 1, 1)
            elif ct.has_lin_max():
                self._add_max(ct.lin_max)

    def _add_max(self, lin_max) -> None:
        """target = max(exprs): at least each; at most their sum when none can be negative (the model's maxima
        are over literals)."""
        inf = self.lp.infinity()
        target = list(zip(lin_max.target.vars, lin_max.target.coeffs, strict=True))
        t_offset = lin_max.target.offset
        exprs = [(list(zip(e.vars, e.coeffs, strict=True)), e.offset) for e in lin_max.exprs]
        for terms, offset in exprs:
            self.row(target + [(v, -c) for v, c in terms], offset - t_offset, inf)
        if all(self._nonnegative(terms, offset) for terms, offset in exprs):
            flat = [(v, -c) for terms, _ in exprs for v, c in terms]
            self.row(target + flat, -inf, sum(offset for _, offset in exprs) - t_offset)

    def _nonnegative(self, terms: list[tuple[int, int]], offset: int) -> bool:
        low = offset
        for ref, c in terms:
            lo, hi = self.hulls[ref] if ref >= 0 else (1 - self.hulls[-ref - 1][1], 1 - self.hulls[-ref - 1][0])
            low += c * lo if c > 0 else c * hi
        return low >= 0

    def minimum(self) -> float | None:
        objective = self.proto.objective
        goal = self.lp.Objective()
        for ref, coefficient in zip(objective.vars, objective.coeffs, strict=True):
            goal.SetCoefficient(self.columns[ref], coefficient)
        goal.SetMinimization()
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        scale = objective.scaling_factor or 1.0
        return (goal.Value() + objective.offset) * scale


def add_rooms_in_use_cut(built: Built, relaxation: Relaxation) -> None:
    """The sessions take no more rooms at an instant than there are, and none at an instant when nothing runs:
    summed over the conference, rooms x (instants at which something runs) >= the rooms' worth of its sessions.

    One row over the whole horizon: on the sample it gives the same bound as one row per instant, in half the time.
    """
    rooms = len(built.conference.rooms)
    covered: dict[str, dict[int, int]] = {}  # session -> start literal -> instants (with a `busy`) it covers
    for u in built.busy:
        for sid, lit in built.covering[u]:
            starts = covered.setdefault(sid, {})
            starts[lit.index] = starts.get(lit.index, 0) + 1
    terms, constant = [(busy.index, -rooms) for busy in built.busy.values()], 0
    for sid, starts in covered.items():
        s = built.conference.session_by_id[sid]
        fewest = min(starts.get(lit.index, 0) for lit in built.x[sid].values())  # they sum to `placed`
        share = rooms_taken(built.conference, s) * fewest
        placed = built.placed[sid]
        if isinstance(placed, int):
            constant += share * placed
        else:
            terms.append((placed.index, share))
    relaxation.row(terms, -relaxation.lp.infinity(), -constant)


def relaxation_bound(built: Built) -> int | None:
    """A proven lower bound on the objective of `built` (with its soft goals), or None if the LP did not solve."""
    if not built.terms or not built.model.proto.has_objective():
        return None
    relaxation = Relaxation(built)
    relaxation.add_model_rows()
    add_rooms_in_use_cut(built, relaxation)
    value = relaxation.minimum()
    if value is None:
        return None
    return math.ceil(value - ROUNDING_SLACK * max(1.0, abs(value)))
