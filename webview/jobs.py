"""Background solves for the committee: one worker thread per run, at most one run per conference at a time.

A request only starts a run (a row in `runs`, state "running") and returns; the thread calls
`scheduler.solve.solve` with a progress callback and a cancel event, and stores the result when it ends. The page
polls `SolveRunner.status` (a JSON endpoint) for objective, bound, gap and elapsed time; cancelling sets the event,
and CP-SAT stops with the best timetable found so far, which is stored like any other result.

A finished timetable becomes the draft's timetable at once when the draft has not changed since the run started
(its lock_version still matches); otherwise it stays with the run, so a solve never overwrites an edit made while
it ran. Runs never touch published versions: a crash or kill during a solve leaves what the public sees intact,
and a run the dead process left "running" is marked "interrupted" when the next runner starts.

A minimal-change run keeps close to a baseline (the latest published version, or the draft timetable): the
solver penalises every moved session (SolveSettings.reference), and the result lists each change in words with
its reason, found by the independent checker: where the old placement now breaks a rule, that rule is the reason.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from scheduler.checker import check
from scheduler.diff import ADDED, REMOVED, describe, diff_timetables
from scheduler.domain import Assignment, Conference, Timetable
from scheduler.solve import WALL_SAFETY_FACTOR, Progress, SolveResult, SolveSettings, solve
from webview.store.db import Store
from webview.store.documents import timetable_from_document, timetable_to_document
from webview.store.models import ConferenceRow, RunRow, utcnow
from webview.store.service import (
    EditConflict,
    conference_row,
    draft_of,
    latest_version,
    restrict,
    revision,
    save_draft,
)

log = logging.getLogger(__name__)

RUNNING = "running"
DONE = "done"
CANCELLED = "cancelled"  # stopped by a committee member; keeps the best timetable found until then
FAILED = "failed"
INTERRUPTED = "interrupted"  # the process died during the run
STATES = (RUNNING, DONE, CANCELLED, FAILED, INTERRUPTED)

BASELINES = ("published", "draft", "none")  # what a run keeps close to
PROGRESS_SAVE_EVERY_S = 2.0  # live progress is read from memory; the stored copy is for after a crash
# Beyond its time limit a run may still build its model, verify, and explain an infeasibility.
OVERRUN_ALLOWANCE_S = 300.0
WORKER = f"{socket.gethostname()}:{os.getpid()}"


class RunInProgress(RuntimeError):
    """A run of this conference is still going; one at a time."""

    def __init__(self, run_id: int):
        self.run_id = run_id
        super().__init__(f"run {run_id} of this conference is still going: wait for it or cancel it")


@dataclass
class _Live:
    run_id: int
    conference_id: int
    time_limit_s: float
    cancel: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.monotonic)
    progress: dict[str, Any] | None = None
    saved_at: float = 0.0
    thread: threading.Thread | None = None


@dataclass(frozen=True)
class _Job:
    """Everything the worker thread needs, read while the run was created (the thread shares no ORM objects)."""

    run_id: int
    conference_id: int
    lock_version: int
    conference: Conference
    settings: SolveSettings
    baseline: Timetable | None
    baseline_conference: Conference | None
    baseline_label: str


class SolveRunner:
    """Starts, tracks and cancels the background solves of one store."""

    def __init__(self, store: Store, *, workers: int = 2, seed: int = 0):
        self.store = store
        self.workers = workers
        self.seed = seed
        self._lock = threading.Lock()
        self._live: dict[int, _Live] = {}
        self.recover()

    # ---- starting and stopping

    def start(self, slug: str, *, time_limit_s: float, baseline: str = "published", allow_unplaced: bool = False,
              by: str = "") -> int:
        """Start solving the current draft of `slug` in a worker thread; returns the run id at once.

        `baseline`: "published" keeps close to the latest published version (when there is one), "draft" to the
        draft's timetable, "none" solves afresh. Raises `RunInProgress` when the conference already has a run.
        """
        if baseline not in BASELINES:
            raise ValueError(f"unknown baseline '{baseline}'")
        with self._lock, self.store.write() as session:
            row = conference_row(session, slug)
            for active in session.scalars(select(RunRow).where(RunRow.conference_id == row.id,
                                                               RunRow.state == RUNNING)):
                if self._alive(active):
                    raise RunInProgress(active.id)
                _interrupt(active)
            draft = draft_of(row)
            job_baseline, baseline_conference, label, reference_number = None, None, "", None
            if baseline == "published":
                version = latest_version(session, row.id)
                if version is not None:
                    job_baseline, baseline_conference = version.timetable, version.conference
                    label, reference_number = f"published version {version.number}", version.number
            elif baseline == "draft" and draft.timetable is not None:
                job_baseline, baseline_conference, label = draft.timetable, draft.conference, "the draft timetable"
            settings = SolveSettings(time_limit_s=time_limit_s, workers=self.workers, seed=self.seed,
                                     allow_unplaced=allow_unplaced,
                                     reference=restrict(job_baseline, draft.conference) if job_baseline else None)
            run = RunRow(conference_id=row.id, lock_version=row.lock_version, state=RUNNING,
                         reference_version=reference_number, time_limit_s=time_limit_s, allow_unplaced=allow_unplaced,
                         requested_by=by, worker=WORKER, created_at=utcnow(), result={"baseline": label})
            session.add(run)
            session.flush()
            job = _Job(run.id, row.id, row.lock_version, draft.conference, settings, job_baseline, baseline_conference,
                       label)
            live = _Live(run.id, row.id, time_limit_s)
            self._live[run.id] = live
            _remember(run.id, self.store.url)
        live.thread = threading.Thread(target=self._work, args=(job, live), name=f"solve-run-{job.run_id}",
                                       daemon=True)
        live.thread.start()
        return job.run_id

    def cancel(self, run_id: int) -> bool:
        """Ask run `run_id` to stop and keep its best timetable; False when it is not running here."""
        with self._lock:
            live = self._live.get(run_id)
        with self.store.write() as session:
            session.execute(update(RunRow).where(RunRow.id == run_id, RunRow.state == RUNNING)
                            .values(cancel_requested=True))
        if live is None:
            return False
        live.cancel.set()
        return True

    def wait(self, run_id: int, timeout_s: float | None = None) -> bool:
        """Block until run `run_id` is no longer running here (True) or `timeout_s` passed (False)."""
        with self._lock:
            live = self._live.get(run_id)
        if live is None or live.thread is None:
            return True
        live.thread.join(timeout_s)
        return not live.thread.is_alive()

    def shutdown(self, timeout_s: float = 30.0) -> None:
        """Cancel every run of this runner and wait for them to store what they found."""
        with self._lock:
            lives = list(self._live.values())
        for live in lives:
            live.cancel.set()
        for live in lives:
            if live.thread is not None:
                live.thread.join(timeout_s)

    def recover(self) -> list[int]:
        """Mark runs left "running" by a process that is gone as interrupted; returns their ids."""
        with self._lock, self.store.write() as session:
            stale = [run for run in session.scalars(select(RunRow).where(RunRow.state == RUNNING))
                     if not self._alive(run)]
            for run in stale:
                _interrupt(run)
            return [run.id for run in stale]

    def _alive(self, run: RunRow) -> bool:
        """Whether `run` may still be solving somewhere (this process, or another live one on this host)."""
        if run.id in self._live:
            return True
        deadline = run.created_at + timedelta(seconds=run.time_limit_s * WALL_SAFETY_FACTOR + OVERRUN_ALLOWANCE_S)
        if utcnow() > deadline:
            return False
        host, _, pid = run.worker.rpartition(":")
        if host != socket.gethostname() or not pid.isdigit():
            return True  # another machine's run: only its age tells
        if int(pid) == os.getpid():
            return _in_this_process(run.id, self.store.url)
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    # ---- progress

    def status(self, run_id: int) -> dict[str, Any] | None:
        """The run's state and progress for the page: live figures while it runs here, stored ones otherwise."""
        with self._lock:
            live = self._live.get(run_id)
            progress = dict(live.progress) if live and live.progress else None
            elapsed = time.monotonic() - live.started if live else None
        with self.store.read() as session:
            run = session.get(RunRow, run_id)
            if run is None:
                return None
            stored = dict(run.progress or {})
            running = run.state == RUNNING
            figures = progress or stored
            return {
                "id": run.id,
                "state": run.state,
                "running": running,
                "status": run.status,
                "cancel_requested": run.cancel_requested,
                "time_limit_s": run.time_limit_s,
                "elapsed_s": round(elapsed if elapsed is not None and running else (run.wall_time_s or 0.0), 1),
                "objective": run.objective if not running else figures.get("objective"),
                "bound": run.best_bound if not running else figures.get("bound"),
                "gap": run.gap if not running else figures.get("gap"),
                "solutions": figures.get("solutions", 0),
                "solver_elapsed_s": figures.get("elapsed_s"),
            }

    def _on_progress(self, live: _Live, progress: Progress) -> None:
        figures = {"objective": progress.objective, "bound": progress.bound, "gap": progress.gap,
                   "elapsed_s": round(progress.elapsed_s, 2), "solutions": progress.solutions}
        with self._lock:
            live.progress = figures
            due = time.monotonic() - live.saved_at >= PROGRESS_SAVE_EVERY_S
            if due:
                live.saved_at = time.monotonic()
        if due:
            try:
                with self.store.write() as session:
                    session.execute(update(RunRow).where(RunRow.id == live.run_id).values(progress=figures))
            except Exception:  # the solve must go on even if the database is briefly unavailable
                log.exception("could not store the progress of run %s", live.run_id)

    # ---- the worker thread

    def _work(self, job: _Job, live: _Live) -> None:
        try:
            result = solve(job.conference, job.settings, on_progress=lambda p: self._on_progress(live, p),
                           cancel=live.cancel)
            self._finish(job, live, result)
        except Exception as err:
            log.exception("run %s failed", job.run_id)
            try:
                with self.store.write() as session:
                    session.execute(update(RunRow).where(RunRow.id == job.run_id).values(
                        state=FAILED, error=f"{type(err).__name__}: {err}", finished_at=utcnow()))
            except Exception:
                log.exception("could not record the failure of run %s", job.run_id)
        finally:
            with self._lock:
                self._live.pop(job.run_id, None)
                _forget(job.run_id, self.store.url)

    def _finish(self, job: _Job, live: _Live, result: SolveResult) -> None:
        changes = []
        if result.timetable is not None and job.baseline is not None:
            changes = explain_changes(job.baseline_conference, job.baseline, job.conference, result.timetable)
        details = {
            "baseline": job.baseline_label,
            "soft_terms": result.soft_terms,
            "explanation": list(result.explanation),
            "confirmation": result.confirmation,
            "unplaced_reasons": result.unplaced_reasons,
            "moved": list(result.moved),
            "changes": changes,
        }
        with self.store.write() as session:
            run = session.get(RunRow, job.run_id)
            run.state = CANCELLED if live.cancel.is_set() else DONE
            run.status = result.status
            run.objective, run.best_bound, run.gap = result.objective, result.best_bound, result.gap
            run.wall_time_s = result.wall_time_s
            run.result = details
            run.progress = live.progress
            run.timetable = timetable_to_document(result.timetable) if result.timetable is not None else None
            run.finished_at = utcnow()
            row = session.get(ConferenceRow, job.conference_id)
            if result.timetable is not None and row.lock_version == job.lock_version:
                try:
                    save_draft(session, row.slug, job.lock_version, job.conference, result.timetable,
                               summary=f"timetable from run {job.run_id} ({result.status.lower()})",
                               by=f"run {job.run_id}")
                    run.adopted = True
                except EditConflict:
                    pass  # an editor saved at this very moment: their edit wins, the result stays with the run


def adopt(store: Store, run_id: int, seen_version: int, *, by: str) -> int:
    """Make a finished run's timetable the draft's (when the draft's conference is still the one solved)."""
    with store.write() as session:
        run = session.get(RunRow, run_id)
        if run is None or run.timetable is None:
            raise ValueError("this run has no timetable to adopt")
        row = session.get(ConferenceRow, run.conference_id)
        draft = draft_of(row)
        solved = revision(session, row.id, run.lock_version).document  # the conference the run solved
        if solved != row.document:
            raise ValueError("the conference changed since this run solved it: solve again")
        timetable = timetable_from_document(run.timetable, draft.conference.timezone)
        version = save_draft(session, row.slug, seen_version, draft.conference, timetable,
                             summary=f"timetable from run {run_id} (adopted)", by=by)
        run.adopted = True
        return version


def explain_changes(before_conference: Conference, before: Timetable, conference: Conference,
                    after: Timetable) -> list[dict[str, str]]:
    """Each attendee-visible change from `before` to `after`, in words, with the reason the checker gives.

    A session whose old placement breaks a hard rule of the current conference (its speaker is no longer there,
    its room is gone...) moved because of that rule; a session that stays in the programme but not where it was,
    without breaking anything there, moved to make way (its old slot now holds another session) or to lower the
    objective.
    """
    old = restrict(before, conference)
    missing = tuple(s.session_id for s in conference.sessions if s.session_id not in old.by_session)
    report = check(conference, Timetable(old.assignments, missing), allow_unplaced=True)
    broken: dict[str, list[str]] = {}
    for violation in report.violations:
        for sid in violation.sessions:
            broken.setdefault(sid, []).append(violation.message)
    changes = []
    for change in diff_timetables(before, after):
        sid = change.session_id
        if change.kind == REMOVED:
            reason = ("withdrawn from the programme" if sid not in conference.session_by_id
                      else "left out: it no longer fits (see the unplaced sessions)")
        elif change.kind == ADDED:
            reason = "new in the programme" if sid not in before_conference.session_by_id else "was not placed before"
        elif sid in broken:
            reason = "its old place breaks a rule now: " + "; ".join(dict.fromkeys(broken[sid]))
        else:
            reason = _knock_on(change.before, after, conference)
        changes.append({"session_id": sid, "kind": change.kind, "text": describe(change, conference,
                                                                                  before_conference),
                        "reason": reason})
    return changes


def _knock_on(old: Assignment, after: Timetable, conference: Conference) -> str:
    """Why a session that could have stayed moved: who holds its old room and time now, if anyone."""
    t0, t1 = old.start.timestamp(), old.end.timestamp()
    takers = [a.session_id for a in after.assignments
              if a.room_id == old.room_id and a.session_id != old.session_id
              and a.start.timestamp() < t1 and t0 < a.end.timestamp()]
    if takers:
        titles = ", ".join(f"'{conference.session_by_id[s].title}'" for s in takers if s in conference.session_by_id)
        return f"knock-on: its old room and time now hold {titles}"
    return "knock-on: moved to lower the objective (fewer conflicts for attendees, better language coverage)"


def _interrupt(run: RunRow) -> None:
    run.state = INTERRUPTED
    run.error = run.error or "the server stopped during this run; the published version is unchanged"
    run.finished_at = utcnow()


# Runs solving in this process, across runners (tests make several apps in one process): (database url, run id).
_IN_PROCESS: set[tuple[str, int]] = set()
_IN_PROCESS_LOCK = threading.Lock()


def _in_this_process(run_id: int, url: str) -> bool:
    with _IN_PROCESS_LOCK:
        return (url, run_id) in _IN_PROCESS


def _forget(run_id: int, url: str) -> None:
    with _IN_PROCESS_LOCK:
        _IN_PROCESS.discard((url, run_id))


def _remember(run_id: int, url: str) -> None:
    with _IN_PROCESS_LOCK:
        _IN_PROCESS.add((url, run_id))
