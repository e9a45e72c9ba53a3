"""The peer: PyCon UK's `conference-scheduler` (PuLP/CBC) on the same instance, judged by our checker.

    .venv/bin/python benchmarks/peer.py --sessions 40 --seed 1 --time-limit 60
    .venv/bin/python benchmarks/peer.py path/to/conference-folder --time-limit 60

The package lives in its own virtual environment, benchmarks/.peer-venv (created on first use with
`pip install conference-scheduler pulp numpy`), so its pins never touch ours; it runs in a child process
(benchmarks/peer_solve.py) with a deadline. How an instance is converted, and what the conversion cannot say,
is in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from measure import conflict_rate, run_child

from scheduler.checker import check
from scheduler.domain import Assignment, Conference, Room, Session, Timetable, Window, language_pair
from scheduler.generate import GenerateOptions, generate_folder
from scheduler.loader import load_conference

HERE = Path(__file__).resolve().parent
PEER_VENV = HERE / ".peer-venv"
PEER_PACKAGES = ("conference-scheduler", "pulp", "numpy")
# Building the PuLP model is pure Python and not covered by CBC's time limit: this much longer, then it is killed.
BUILD_ALLOWANCE = 2.0


def peer_python(venv: Path = PEER_VENV) -> Path:
    """The peer venv's interpreter, creating the venv and installing the peer's packages on first use."""
    python = venv / "bin" / "python"
    done = venv / ".installed"  # written last, so a broken half-install is redone
    if not done.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PEER_PACKAGES], check=True)
        done.write_text(" ".join(PEER_PACKAGES) + "\n")
    return python


# ---------------------------------------------------------------------------------------------------------------
# Conversion: the peer places each event in one slot; our slots are (room, open period).


def _plus(start: datetime, minutes: int) -> datetime:
    """Elapsed minutes later (correct across a daylight-saving change), in the same zone."""
    return (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(start.tzinfo)


def _inside_one(windows: tuple[Window, ...], start: datetime, end: datetime) -> bool:
    return any(w.contains(start, end) for w in windows)


def _room_suits(room: Room, session: Session) -> bool:
    return (room.capacity >= session.expected_audience and room.booths >= len(session.interpretation)
            and session.needs <= room.features)


def _teams_available(conference: Conference, pair: tuple[str, str], start: datetime, end: datetime) -> int:
    return sum(1 for t in conference.interpreters
               if t.languages == pair and (not t.windows or _inside_one(t.windows, start, end)))


def _can_go(conference: Conference, session: Session, room: Room, period: Window) -> bool:
    """Whether the session may take this room for the period, starting when the period starts."""
    start, end = period.start, _plus(period.start, session.duration_min)
    if end > period.end or not _room_suits(room, session):
        return False
    if session.fixed_room is not None and session.fixed_room != room.room_id:
        return False
    if session.fixed_start is not None and session.fixed_start != start:
        return False
    for speaker_id in session.speakers:
        speaker = conference.speaker_by_id[speaker_id]
        if speaker.availability and not _inside_one(speaker.availability, start, end):
            return False
    if conference.interpreters_limited:
        for target in sorted(session.interpretation):
            if not _teams_available(conference, language_pair(session.language, target), start, end):
                return False
    return True


def period_slots(period: Window, durations: list[int], changeover_min: int, granularity_min: int) -> list[Window]:
    """Cut an open period into back-to-back slots: each as long as the longest session that still fits, the next
    starting after the changeover, on the grid. The peer places one event per slot and knows no other room
    rule, so slots of one room must never overlap."""
    slots, start, end = [], period.start, period.end
    while True:
        room_left = (end.timestamp() - start.timestamp()) // 60
        fitting = [d for d in durations if d <= room_left]
        if not fitting:
            return slots
        length = max(fitting)
        slots.append(Window(start, _plus(start, length)))
        step = -(-(length + changeover_min) // granularity_min) * granularity_min  # rounded up to the grid
        start = _plus(start, step)


def peer_instance(conference: Conference) -> dict[str, list[dict[str, object]]]:
    """Our conference as the peer's slots and events (JSON-ready; indices refer to list positions).

    Slots: every room gets the same slots (`period_slots` of every open period), so two slots are either at the
    same time or apart, which is all the peer's overlap test (one slot inside the other) can see. Events: one per
    session, demand = expected audience. A slot is unavailable to an event when it is too short, the room does
    not suit it (capacity, booths, features: the peer's own capacity check is only part of an objective), a
    speaker is away, no interpreter team is free, or a pin says otherwise. Two events are unavailable to each
    other when they share a speaker, need the same interpretation pair of which there is a single team, or one
    is a plenary.
    """
    durations = sorted({s.duration_min for s in conference.sessions})
    times = [(day, w) for day in conference.days for p in day.periods
             for w in period_slots(p, durations, conference.changeover_min, conference.granularity_min)]
    slots, slot_keys = [], []
    for room in conference.rooms:
        for day, window in times:
            slots.append({"venue": room.room_id, "starts_at": window.start.isoformat(),
                          "duration": window.duration_min, "capacity": room.capacity,
                          "session": day.date.isoformat()})
            slot_keys.append((room, window))
    sessions = conference.sessions
    single_team = {pair for pair in {t.languages for t in conference.interpreters}
                   if sum(1 for t in conference.interpreters if t.languages == pair) == 1}

    speakers = [set(s.speakers) for s in sessions]
    scarce = [{language_pair(s.language, t) for t in s.interpretation} & single_team
              if conference.interpreters_limited else set() for s in sessions]

    def clash(a: int, b: int) -> bool:
        return bool(speakers[a] & speakers[b] or scarce[a] & scarce[b]) or sessions[a].plenary or sessions[b].plenary

    events = []
    for i, session in enumerate(sessions):
        events.append({
            "name": session.session_id, "duration": session.duration_min, "demand": session.expected_audience,
            "unavailable_slots": [j for j, (room, period) in enumerate(slot_keys)
                                  if not _can_go(conference, session, room, period)],
            "unavailable_events": [k for k in range(len(sessions)) if k != i and clash(i, k)],
        })
    return {"slots": slots, "events": events}


def peer_timetable(conference: Conference, instance: dict[str, list[dict[str, object]]],
                   solution: list[list[int]]) -> Timetable:
    """The peer's (event, slot) pairs as our timetable: the session starts when its slot starts."""
    assignments = []
    for e, s in solution:
        slot, session = instance["slots"][s], conference.sessions[e]
        start = datetime.fromisoformat(str(slot["starts_at"])).astimezone(conference.tz)
        assignments.append(Assignment(session.session_id, str(slot["venue"]), start,
                                      _plus(start, session.duration_min)))
    placed = {a.session_id for a in assignments}
    return Timetable(tuple(assignments), tuple(s.session_id for s in conference.sessions
                                               if s.session_id not in placed)).sorted()


@dataclass(frozen=True)
class PeerResult:
    status: str  # "solved", "no solution", "killed at the deadline", "error: ..."
    wall_s: float  # the whole child process: reading, building the PuLP model, CBC
    solve_s: float | None  # building the model and CBC, as the child measured it
    peak_rss_mb: float
    slots: int
    timetable: Timetable | None
    hard_ok: bool | None  # our checker's verdict on the converted timetable
    violations: dict[str, int]  # broken hard rules and how often
    attendee_conflict: int | None
    objective: int | None  # our objective, by our checker
    conflict_rate: str


def run_peer(conference: Conference, time_limit_s: float, workdir: Path) -> PeerResult:
    """Convert, schedule with the peer in its venv under a deadline, convert back and check with our checker."""
    python = peer_python()
    instance = peer_instance(conference)
    instance_path, result_path = workdir / "peer-instance.json", workdir / "peer-result.json"
    instance_path.write_text(json.dumps(instance), encoding="utf-8")
    result_path.unlink(missing_ok=True)
    child = run_child([str(python), str(HERE / "peer_solve.py"), str(instance_path), str(result_path),
                       "--time-limit", str(time_limit_s)],
                      deadline_s=BUILD_ALLOWANCE * time_limit_s + 30, log=workdir / "peer.log")
    n_slots = len(instance["slots"])
    if child.killed or not result_path.exists():
        status = "killed at the deadline" if child.killed else f"error (see {workdir / 'peer.log'})"
        return PeerResult(status, child.wall_s, None, child.peak_rss_mb, n_slots, None, None, {}, None, None, "")
    result = json.loads(result_path.read_text(encoding="utf-8"))
    if result["status"] != "solved":
        return PeerResult(result["status"], child.wall_s, result.get("solve_s"), child.peak_rss_mb, n_slots,
                          None, None, {}, None, None, "")
    timetable = peer_timetable(conference, instance, result["solution"])
    report = check(conference, timetable)
    broken = {rule: len(found) for rule, found in report.by_rule().items()}
    return PeerResult("solved", child.wall_s, result.get("solve_s"), child.peak_rss_mb, n_slots, timetable,
                      report.ok, broken, report.soft["attendee_conflict"], report.objective,
                      str(conflict_rate(conference, timetable)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the conference-scheduler peer on one instance.")
    parser.add_argument("folder", nargs="?", type=Path, help="conference folder (else one is generated)")
    parser.add_argument("--sessions", type=int, default=40, help="size of the generated instance (default 40)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=60.0, help="CBC's time limit in seconds (default 60)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="peer-") as tmp:
        folder = args.folder
        if folder is None:
            folder = Path(tmp) / "instance"
            generate_folder(folder, GenerateOptions(sessions=args.sessions, seed=args.seed, planted=True))
        conference = load_conference(folder)
        r = run_peer(conference, args.time_limit, Path(tmp))
    print(f"{len(conference.sessions)} sessions, {r.slots} slots: {r.status} in {r.wall_s:.1f} s "
          f"(model + CBC {r.solve_s if r.solve_s is None else round(r.solve_s, 1)} s), "
          f"peak RSS {r.peak_rss_mb:.0f} MB")
    if r.timetable is not None:
        print(f"our checker: hard rules {'all kept' if r.hard_ok else 'broken: ' + str(r.violations)}; "
              f"attendee_conflict {r.attendee_conflict}, conflict rate {r.conflict_rate}, objective {r.objective}")
    return 0 if r.status == "solved" else 1


if __name__ == "__main__":
    sys.exit(main())
