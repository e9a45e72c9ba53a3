"""Placing every session when the whole hard model stalls: a logic-based Benders decomposition by stretch of time.

Why: on a tight conference (a room lost, a hall closed for a day) the annealing can leave one session out and the
whole hard model then run out of time without an answer (measured: the sample without Sala Menapace, 30 s, no
timetable). Yet the rules reach across time no further than the changeover: every session lies inside one open
period, so sessions in stretches of time further apart than the changeover never meet, except through `after`
orders. Hence two levels:

- the master, a small CP-SAT model, gives each session a block of time and a room under aggregate rules every
  timetable keeps (a room's minutes, changeovers included, fit the time it is open in the block; so do a
  speaker's talks, an interpretation pair's minutes and the conference's room-minutes; `after` orders run forward
  in block order);
- each block alone is then the exact hard model on the sessions the master gave it (rooms free). A block that
  cannot hold them yields a minimal set of sessions that cannot all be there (assumption literals, then a deletion
  filter), which the master forbids from then on, in every block where the same set is proven impossible too.

When every block holds its sessions the union is a timetable, since blocks share nothing; the checker verifies
it like any other. Every master rule is one any timetable keeps, and every cut a block proven impossible, so a
master without an answer proves that no timetable exists; its rules, each an assumption literal, are then
narrowed down to a minimal conflicting set, in words. That is claimed only when no cut rests on a block left
undecided. Every CP-SAT call has one worker and a deterministic budget, so a run repeats.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.domain import Conference, Timetable, Window, language_pair
from scheduler.explain import Conflict, core_lines, core_sessions, minimal_core
from scheduler.model import (
    Guards,
    ModelOptions,
    after_text,
    build_model,
    interpreters_text,
    moved_penalty,
    placed_text,
    plenary_text,
    room_text,
    rooms_taken,
    speaker_text,
)
from scheduler.state import Facts
from scheduler.wording import describe_windows, session_label

# The budget is in seconds of an idle machine, each CP-SAT call charged by its own deterministic clock so that a
# run repeats. Measured over three tight variants of the sample (6-9 masters, 80-89 blocks each): the master's
# clock ran at 0.18-0.37 deterministic s per wall s with the LP on; a block took 0.015-0.017 wall s, mostly its
# building (Python work no clock sees), and its clock ran at about 0.3 per wall s over the rest.
MASTER_DETERMINISTIC_PER_SECOND = 0.3
BLOCK_DETERMINISTIC_PER_SECOND = 0.3
BLOCK_BUILD_S = 0.015
# What one block may take before it counts as undecided, and one trial of the deletion filter (a trial left
# undecided keeps its session in the set: still a valid cut, only a larger one).
BLOCK_S = 8.0
TRIAL_S = 2.0
# Wall seconds to narrow the master's rules down to a minimal conflicting set (at least the first, by default
# the second). A trial dropping one session of a tight packing can take seconds to find that the rest fit
# (measured on the sample without Sala Danilo Dolci: 0.02-2.8 s, some undecided at 5 s; 40 s in all for a
# minimal set of 22 sessions and 6 rules). Cut short, the set stays one that cannot hold, only not minimal.
EXPLAIN_MIN_S = 5.0
EXPLAIN_S = 20.0
WHERE_SESSIONS_GO = ("each session is held only at times its speakers are available (and its pin, if any) and in "
                     "rooms that suit it, while they are open")


@dataclass(frozen=True)
class Block:
    """Open periods close enough that a room's changeover reaches from one into the next: solved together."""

    periods: tuple[tuple[int, int], ...]

    @property
    def minutes(self) -> int:
        return sum(hi - lo for lo, hi in self.periods)

    def __contains__(self, minute: int) -> bool:
        return any(lo <= minute < hi for lo, hi in self.periods)


def blocks(periods: tuple[tuple[int, int], ...], changeover: int) -> tuple[Block, ...]:
    """The open periods (in time order) grouped so that no two groups are closer than the changeover."""
    groups: list[list[tuple[int, int]]] = []
    for lo, hi in periods:
        if groups and lo - groups[-1][-1][1] < changeover:
            groups[-1].append((lo, hi))
        else:
            groups.append([(lo, hi)])
    return tuple(Block(tuple(g)) for g in groups)


@dataclass
class Outcome:
    """A timetable placing every session, or None, and how the decomposition got there (for the curious)."""

    timetable: Timetable | None
    # FEASIBLE; INFEASIBLE (proven by the master: `Decomposition.explain` says why); NO_ASSIGNMENT (the master found
    # none, but some cut is a guess); UNKNOWN (budget spent or cancelled)
    status: str
    iterations: int = 0
    cuts: int = 0
    spent_s: float = 0.0  # of the budget


@dataclass
class Decomposition:
    """One conference's decomposition: its blocks, each session's starts per block, the cuts so far and the blocks
    already decided, kept across iterations (and for `explain` after the run)."""

    conference: Conference
    seed: int = 0
    # a minimal-change re-solve's reference: the master keeps sessions in their block and room where it can, and
    # each block starts from their old starts
    reference: Timetable | None = None
    facts: Facts = field(init=False)
    blocks: tuple[Block, ...] = field(init=False)
    # per session: block -> its allowed starts there
    starts: list[dict[int, tuple[int, ...]]] = field(init=False)
    cuts: list[tuple[int, frozenset[int]]] = field(default_factory=list)
    known: dict[tuple[int, frozenset[int]], tuple[bool | None, object]] = field(default_factory=dict)
    spent: float = 0.0
    guessed: bool = False  # some cut came from a block left undecided: it may forbid what is possible

    def __post_init__(self) -> None:
        self.facts = f = Facts.of(self.conference)
        self.blocks = blocks(f.grid.periods, max(self.conference.changeover_min, 0))
        self.starts = []
        for i in range(f.n):
            mine: dict[int, list[int]] = defaultdict(list)
            for t in f.starts[i].tolist():
                k = self.block_of(t)
                if k is not None:
                    mine[k].append(t)
            self.starts.append({k: tuple(ts) for k, ts in sorted(mine.items())})

    def block_of(self, minute: int) -> int | None:
        """The block holding `minute`, or None (outside every open period)."""
        return next((k for k, blk in enumerate(self.blocks) if minute in blk), None)

    def places(self, timetable: Timetable | None) -> dict[int, tuple[int, int]]:
        """Session -> (room, block) of the timetable's sessions that the conference still has a place like."""
        if timetable is None:
            return {}
        f = self.facts
        index = {sid: i for i, sid in enumerate(f.ids)}
        room_index = {r.room_id: n for n, r in enumerate(self.conference.rooms)}
        where = {}
        for a in timetable.assignments:
            k = self.block_of(f.grid.minute(a.start))
            if a.session_id in index and k is not None and a.room_id in room_index:
                where[index[a.session_id]] = (room_index[a.room_id], k)
        return where

    # ------------------------------------------------------------------------------------------------------
    # Master: blocks and rooms under aggregate rules

    def _open(self, r: int, lo: int, hi: int) -> tuple[int, int]:
        """Minutes room r is open in [lo, hi), and in how many separate stretches."""
        f = self.facts
        if f.closed_upto is None:
            return hi - lo, 1
        row = f.closed_upto[r, lo : hi + 1]
        is_open = (row[1:] - row[:-1]) == 0
        stretches = int(is_open[0]) + int((is_open[1:] & ~is_open[:-1]).sum()) if len(is_open) else 0
        return int(is_open.sum()), stretches

    def master_model(self, explain: bool = False) -> tuple[cp_model.CpModel, dict, Guards]:
        """The master: z[session, room, block] true when the session is held in that room in that block, under
        the aggregate rules every timetable keeps and every cut so far. With `explain`, each rule (and each
        session's being in the programme) holds only under its assumption literal, named in words."""
        f, c = self.facts, self.conference
        gap = max(c.changeover_min, 0)
        m = cp_model.CpModel()
        guards = Guards(m, explain)
        y: dict[tuple[int, int], cp_model.IntVar] = {}
        z: dict[tuple[int, int, int], cp_model.IntVar] = {}
        placed: dict[int, list[cp_model.IntVar]] = {}  # when explaining: "the session is placed", else nothing
        load: dict[tuple[int, int], list] = defaultdict(list)
        for i, s in enumerate(c.sessions):
            for k, ts in self.starts[i].items():
                y[i, k] = y_ik = m.new_bool_var(f"y[{i},{k}]")
                here = []
                for r in f.rooms[i].tolist():
                    if any(f.room_open(r, t, t + f.dur[i]) for t in ts):
                        z[i, r, k] = v = m.new_bool_var(f"z[{i},{r},{k}]")
                        here.append(v)
                        load[r, k].append((f.dur[i] + gap) * v)
                m.add(sum(here) == y_ik)
                for r in f.overflow[i]:
                    load[r, k].append((f.dur[i] + gap) * y_ik)
            blocks_of_i = [y[i, k] for k in self.starts[i]]
            if not explain:
                m.add_exactly_one(blocks_of_i)
                placed[i] = []
                continue
            placed[i] = [m.new_bool_var(f"placed[{i}]")]
            m.add(sum(blocks_of_i) == placed[i][0])
            for must in guards(f"placed:{s.session_id}", placed_text(s)):
                m.add_implication(must, placed[i][0])
        self._plenaries_hold_other_rooms(m, guards, y, z, load, gap)
        for (r, k), terms in sorted(load.items()):
            minutes, stretches = map(sum, zip(*(self._open(r, lo, hi) for lo, hi in self.blocks[k].periods),
                                             strict=True))
            room = c.rooms[r]
            text = room_text(c, room.room_id) + (f", open only {describe_windows(room.availability, c.periods)}"
                                                  if room.availability else "")
            # each stretch holds its sessions one after another, the last changeover may run past its end
            m.add(sum(terms) <= minutes + gap * stretches).only_enforce_if(guards(f"room:{room.room_id}", text))
        text = (f"no more sessions run at once than there are rooms ({len(c.rooms)}; a plenary takes them all, a "
                f"live relay one more)")
        for k, blk in enumerate(self.blocks):
            taken = [f.dur[i] * rooms_taken(c, c.sessions[i]) * y[i, k] for i in range(f.n) if (i, k) in y]
            if taken:
                m.add(sum(taken) <= len(c.rooms) * blk.minutes).only_enforce_if(guards("rooms_at_once", text))
        self._speakers_fit(m, guards, y)
        self._interpreters_fit(m, guards, y)
        self._after_runs_forward(m, guards, y, placed)
        for n, (k, core) in enumerate(self.cuts):
            m.add_bool_or([~y[i, k] for i in sorted(core)]).only_enforce_if(guards(f"cut:{n}", self._cut_text(k, core)))
        return m, z, guards

    def master(self, hint: dict[int, tuple[int, int]] | None, budget_s: float, wall_s: float):
        """Session -> (room, block) from the master, started from `hint`; None when none was found (the status
        says whether the master proved that)."""
        m, z, _ = self.master_model()
        for (i, r, k), v in z.items() if hint else ():
            m.add_hint(v, hint.get(i) == (r, k))
        kept = self.places(self.reference)
        if kept:  # fewest sessions taken out of their block and room
            m.maximize(sum(v for (i, r, k), v in z.items() if kept.get(i) == (r, k)))
        solver = self._solver(budget_s * MASTER_DETERMINISTIC_PER_SECOND, wall_s)
        # the LP with its cuts proves a packing impossible at once where the default search wanders (measured
        # on the sample without a room: tens of seconds without an answer)
        solver.parameters.linearization_level = 2
        status = solver.solve(m)
        self.spent += solver.deterministic_time / MASTER_DETERMINISTIC_PER_SECOND
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return status, None
        return status, {i: (r, k) for (i, r, k), v in z.items() if solver.boolean_value(v)}

    def _plenaries_hold_other_rooms(self, m: cp_model.CpModel, guards: Guards, y, z, load, gap: int) -> None:
        """While a plenary runs, every other room stands empty: a room open throughout the block loses the
        plenary's minutes. Less one changeover where the plenary can fall between two sessions of its period: the
        session before may end as the plenary starts, its changeover running on meanwhile."""
        f = self.facts
        shortest = min(f.dur, default=0)
        for i in range(f.n):
            if not f.plenary_list[i]:
                continue
            enforce = guards(f"plenary:{f.ids[i]}", plenary_text(self.conference.sessions[i]))
            for k, ts in self.starts[i].items():
                periods = self.blocks[k].periods
                between = any(t - lo >= shortest and hi - t - f.dur[i] >= shortest
                              for t in ts for lo, hi in periods if lo <= t < hi)
                lost = f.dur[i] - gap if between else f.dur[i]
                for r in range(f.n_rooms):
                    whole = all(self._open(r, lo, hi)[0] == hi - lo for lo, hi in periods)
                    if r in f.overflow[i] or not whole or lost <= 0:
                        continue
                    elsewhere = y[i, k] - z[i, r, k] if (i, r, k) in z else y[i, k]
                    if enforce:  # when explaining, the plenary's rule is an assumption: its charge goes with it
                        charged = m.new_bool_var(f"plenary[{i},{r},{k}]")
                        m.add(charged >= elsewhere).only_enforce_if(enforce)
                        elsewhere = charged
                    load[r, k].append(lost * elsewhere)

    def _speakers_fit(self, m: cp_model.CpModel, guards: Guards, y) -> None:
        """A speaker's talks in one block fit its open minutes one after another."""
        by_speaker: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(self.conference.sessions):
            for sp in dict.fromkeys(s.speakers):
                by_speaker[sp].append(i)
        for speaker_id, sessions in by_speaker.items():
            if len(sessions) < 2:
                continue
            text = speaker_text(self.conference, speaker_id, [self.facts.ids[i] for i in sessions])
            for k, blk in enumerate(self.blocks):
                mine = [i for i in sessions if (i, k) in y]
                if len(mine) > 1:
                    m.add(sum(self.facts.dur[i] * y[i, k] for i in mine) <= blk.minutes).only_enforce_if(
                        guards(f"speaker_one_place:{speaker_id}", text))

    def _interpreters_fit(self, m: cp_model.CpModel, guards: Guards, y) -> None:
        """The minutes interpreted between two languages in a block fit the team-minutes on duty there."""
        f, c = self.facts, self.conference
        by_pair: dict[int, list[int]] = defaultdict(list)
        names: dict[int, tuple[str, str]] = {}
        for i, s in enumerate(c.sessions):
            # the pairs in the order `state` numbers them
            for p, target in zip(f.pairs[i], sorted(s.interpretation), strict=False):
                by_pair[p].append(i)
                names[p] = language_pair(s.language, target)
        for p, sessions in by_pair.items():
            teams = [t for t in c.interpreters if language_pair(*t.languages) == names[p]]
            text = interpreters_text(names[p], teams, [f.ids[i] for i in sessions], c.periods)
            for k, blk in enumerate(self.blocks):
                mine = [i for i in sessions if (i, k) in y]
                if mine:
                    supply = sum(int(f.supply[p, lo:hi].sum()) for lo, hi in blk.periods)
                    m.add(sum(f.dur[i] * y[i, k] for i in mine) <= supply).only_enforce_if(
                        guards(f"interpreters:{names[p][0]}-{names[p][1]}", text))

    def _after_runs_forward(self, m: cp_model.CpModel, guards: Guards, y, placed) -> None:
        """A session listed `after` another is in the same block or a later one, and in the same block only when
        some start of it follows the other's earliest end."""
        f, c = self.facts, self.conference
        for j in range(f.n):
            for i in f.before[j]:
                enforce = guards(f"after:{f.ids[i]}->{f.ids[j]}", after_text(c.sessions[i], c.sessions[j]))
                enforce += placed[i] + placed[j]  # (when explaining) a session left out has no block to order
                m.add(sum(k * y[i, k] for k in self.starts[i]) <= sum(k * y[j, k] for k in self.starts[j])
                      ).only_enforce_if(enforce)
                for k in sorted(self.starts[i].keys() & self.starts[j].keys()):
                    if self.starts[i][k][0] + f.dur[i] > self.starts[j][k][-1]:
                        m.add_bool_or([~y[i, k], ~y[j, k]]).only_enforce_if(enforce)

    def _cut_text(self, k: int, core: frozenset[int]) -> str:
        c, grid = self.conference, self.facts.grid
        when = describe_windows(Window(grid.to_datetime(lo), grid.to_datetime(hi)) for lo, hi in self.blocks[k].periods)
        labels = ", ".join(session_label(c.sessions[i]) for i in sorted(core))
        return (f"{labels} cannot all be held {when}: that stretch of time, solved exactly with its rooms, speakers "
                f"and interpreters, has no timetable for them")

    # ------------------------------------------------------------------------------------------------------
    # Subproblems: one block, exactly

    def block(self, k: int, sessions: frozenset[int], rooms: dict[int, int], budget_s: float, wall_s: float):
        """(True, timetable of the block), (False, sessions that cannot all be in it), or (None, sessions) when
        undecided within the budget; decided answers are remembered, since the master proposes the same block
        again and again."""
        key = (k, sessions)
        if key in self.known:
            return self.known[key]
        answer = self._solve_block(k, sorted(sessions), rooms, budget_s, wall_s)
        if answer[0] is not None:
            self.known[key] = answer
        return answer

    def _block_model(self, k: int, sessions: list[int], reference: Timetable | None = None):
        """The exact hard model of block k holding these sessions (each may be left out unless `reference` is
        given, for the fewest moves from it)."""
        f = self.facts
        ids = {f.ids[i] for i in sessions}
        sub = self.conference.only(ids)  # `after` orders reaching out of the block are the master's (block order)
        allowed = {f.ids[i]: frozenset(self.starts[i][k]) for i in sessions}
        options = ModelOptions(allow_unplaced=reference is None, allowed_starts=allowed, reference=reference)
        return build_model(sub, options, soft=False), ids

    def _solve_block(self, k: int, sessions: list[int], rooms: dict[int, int], budget_s: float, wall_s: float):
        f, c = self.facts, self.conference
        b, ids = self._block_model(k, sessions)
        for i, r in rooms.items():
            for rid, lit in b.y[f.ids[i]].items():
                b.model.add_hint(lit, rid == c.rooms[r].room_id)
        before = self.reference.by_session if self.reference is not None else {}
        for sid in ids & before.keys():
            old = f.grid.minute(before[sid].start)
            for t, lit in b.x[sid].items():
                b.model.add_hint(lit, t == old)
        placed = {b.placed[f.ids[i]].index: i for i in sessions}
        b.model.add_assumptions([b.placed[f.ids[i]] for i in sessions])
        solver = self._solver(budget_s * BLOCK_DETERMINISTIC_PER_SECOND, wall_s)
        status = solver.solve(b.model)
        self.spent += BLOCK_BUILD_S + solver.deterministic_time / BLOCK_DETERMINISTIC_PER_SECOND
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            from scheduler.solve import extract_timetable  # solve imports this module

            return True, extract_timetable(b, solver).assignments
        if status == cp_model.INFEASIBLE:
            core = sorted(placed[x] for x in solver.sufficient_assumptions_for_infeasibility() if x in placed)
            return False, frozenset(core or sessions)
        return None, frozenset(sessions)

    def minimal(self, k: int, core: frozenset[int], deadline: float, wall_s: float) -> frozenset[int]:
        """Drop from an impossible set every session without which it stays impossible (longest kept longest)."""
        order = sorted(core, key=lambda i: (self.facts.dur[i], i))
        n = 0
        while n < len(order) and self.spent < deadline:
            trial = frozenset(order[:n] + order[n + 1 :])
            budget = min(TRIAL_S, deadline - self.spent)
            if trial and self.block(k, trial, {}, budget, wall_s)[0] is False:
                order = [i for i in order if i in trial]
            else:
                n += 1
        return frozenset(order)

    def _solver(self, deterministic_s: float, wall_s: float) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.num_workers = 1
        p.random_seed = self.seed
        p.max_deterministic_time = max(0.001, deterministic_s)
        p.max_time_in_seconds = max(0.5, wall_s)
        return solver

    # ------------------------------------------------------------------------------------------------------

    def run(
        self, budget_s: float, hint: Timetable | None = None, cancel: threading.Event | None = None,
        wall_deadline: float | None = None,
    ) -> Outcome:
        """Alternate master and blocks until every block holds its sessions, the master has no answer, or
        `budget_s` seconds are spent."""
        wall_deadline = wall_deadline if wall_deadline is not None else time.perf_counter() + 3 * budget_s + 5
        where = self.places(hint) if hint is not None else None
        iterations = 0
        while self.spent < budget_s and not (cancel is not None and cancel.is_set()):
            wall = wall_deadline - time.perf_counter()
            if wall <= 0:
                break
            iterations += 1
            status, assign = self.master(where, budget_s - self.spent, wall)
            if assign is None:
                proven = status == cp_model.INFEASIBLE and self.proof()
                name = "INFEASIBLE" if proven else "NO_ASSIGNMENT" if status == cp_model.INFEASIBLE else "UNKNOWN"
                return Outcome(None, name, iterations, len(self.cuts), self.spent)
            where = assign
            by_block: dict[int, list[int]] = defaultdict(list)
            for i, (_, k) in sorted(assign.items()):
                by_block[k].append(i)
            parts, impossible = [], 0
            for k, sessions in sorted(by_block.items()):
                rooms = {i: assign[i][0] for i in sessions}
                budget = min(BLOCK_S, max(0.0, budget_s - self.spent))
                ok, found = self.block(k, frozenset(sessions), rooms, budget, wall_deadline - time.perf_counter())
                if ok:
                    parts.extend(found)
                    continue
                impossible += 1
                self.guessed |= ok is None
                core = self.minimal(k, found, budget_s, wall_deadline - time.perf_counter()) if ok is False else found
                self._cut(k, core)
                if ok is False:
                    self._cut_elsewhere(k, core, budget_s, wall_deadline)
            if not impossible:
                if self.reference is not None:
                    parts = self._fewest_moves(by_block, parts, budget_s, wall_deadline)
                timetable = Timetable(tuple(parts), ()).sorted()
                return Outcome(timetable, "FEASIBLE", iterations, len(self.cuts), self.spent)
        return Outcome(None, "UNKNOWN", iterations, len(self.cuts), self.spent)

    def _fewest_moves(self, by_block: dict[int, list[int]], parts: list, budget_s: float, wall_deadline: float
                      ) -> list:
        """Each block solved again for the fewest sessions moved from the reference, from the timetable found
        (which the blocks' feasibility search left wherever it first fitted)."""
        from scheduler.solve import add_hint, extract_timetable  # solve imports this module

        better = []
        for k, sessions in sorted(by_block.items()):
            b, ids = self._block_model(k, sessions, self.reference)
            mine = Timetable(tuple(a for a in parts if a.session_id in ids), ())
            b.model.minimize(moved_penalty(b))
            add_hint(b, mine)
            budget = min(BLOCK_S, max(0.0, budget_s - self.spent))
            solver = self._solver(budget * BLOCK_DETERMINISTIC_PER_SECOND, wall_deadline - time.perf_counter())
            status = solver.solve(b.model)
            self.spent += BLOCK_BUILD_S + solver.deterministic_time / BLOCK_DETERMINISTIC_PER_SECOND
            ok = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
            better.extend(extract_timetable(b, solver).assignments if ok else mine.assignments)
        return better if len(better) == len(parts) else parts

    def proof(self) -> bool:
        """Whether a master without an answer proves that no timetable exists: every cut was proven (none came
        from a block left undecided) and every session can be held somewhere at all (one that cannot is
        better explained by the whole model, which names its speakers' or rooms' times)."""
        return not self.guessed and all(self.starts)

    def explain(self, time_limit_s: float = EXPLAIN_S) -> Conflict | None:
        """Why the master has no answer, in words: a minimal set of its rules that cannot hold together (None
        when not narrowed down in time)."""
        m, _, guards = self.master_model(explain=True)
        limit = max(EXPLAIN_MIN_S, time_limit_s)
        core = minimal_core(m, list(guards.literals.values()), limit, linearization_level=2, chunks=True)
        if core is None:
            return None
        lines = core_lines(self.conference, guards, core)
        at = sum(not t.endswith("in the programme") for t in lines[:-1])
        keys = {lit.index: key for key, lit in guards.literals.items()}
        lines[at:at] = [WHERE_SESSIONS_GO, *self._room_time_line([keys[lit.index] for lit in core])]
        return Conflict(tuple(lines), core_sessions(guards, core))

    def _room_time_line(self, keys: list[str]) -> list[str]:
        """The sum behind a shortage of room time, when that is the whole story: the sessions of the conflict can
        be held only in its rooms, and need more minutes there than the rooms are open (a changeover after each
        session, and one allowed past the end of each open stretch)."""
        f, c = self.facts, self.conference
        gap = max(c.changeover_min, 0)
        rooms = {c.room_by_id[k.split(":", 1)[1]] for k in keys if k.startswith("room:")}
        sessions = [f.ids.index(k.split(":", 1)[1]) for k in keys if k.startswith("placed:")]
        index = {r.room_id: n for n, r in enumerate(c.rooms)}
        if not rooms or not sessions or any({c.rooms[r] for r in f.rooms[i].tolist()} - rooms for i in sessions):
            return []
        # a live relay takes its overflow room's time too (a plenary takes every room's: not counted, so the sum
        # stays a lower bound)
        need = sum((f.dur[i] + gap) * (1 + sum(c.rooms[r] in rooms for r in f.overflow[i])) for i in sessions)
        have = sum(m + gap * n for room in rooms for blk in self.blocks for lo, hi in blk.periods
                   for m, n in [self._open(index[room.room_id], lo, hi)])
        if need <= have:
            return []
        names = " and ".join(sorted(f"{r.name} ({r.room_id})" for r in rooms))
        return [f"the {len(sessions)} sessions below can be held only in {names}, and need {need} min there with "
                f"their changeovers, but those rooms are open {have} min in all (counting one changeover past the "
                f"end of each open stretch): {need - have} min short"]

    def _cut(self, k: int, core: frozenset[int]) -> None:
        if (k, core) not in self.cuts:
            self.cuts.append((k, core))

    def _cut_elsewhere(self, k: int, core: frozenset[int], budget_s: float, wall_deadline: float) -> None:
        """The same sessions are often just as impossible together in another block (another morning of the
        same rooms): proving it there saves the master from proposing each block in turn."""
        for q in range(len(self.blocks)):
            if q == k or (q, core) in self.cuts or any(q not in self.starts[i] for i in core):
                continue
            budget = min(TRIAL_S, budget_s - self.spent)
            if budget <= 0:
                return
            if self.block(q, core, {}, budget, wall_deadline - time.perf_counter())[0] is False:
                self._cut(q, core)


def place_all(
    conference: Conference, budget_s: float, seed: int = 0, hint: Timetable | None = None,
    cancel: threading.Event | None = None, wall_deadline: float | None = None,
) -> Outcome:
    """A timetable placing every session by decomposition in time, within `budget_s` seconds (of an idle machine,
    counted by CP-SAT's deterministic clock)."""
    return Decomposition(conference, seed).run(budget_s, hint, cancel, wall_deadline)
