"""The synthetic conference generator: determinism, sizes and ranges, ids, and the planted optimum."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from scheduler.checker import check
from scheduler.domain import language_pair
from scheduler.generate import (
    PLANTED_FILE,
    GenerateOptions,
    GenerationError,
    generate,
    generate_folder,
    write_conference,
)
from scheduler.loader import load_conference
from scheduler.timetable_io import read_timetable

# Runs `agenda generate` in a fresh interpreter, registered the way scheduler.cli registers every command module.
_CLI = (
    "import argparse, sys\n"
    "from scheduler import generate_cli\n"
    "parser = argparse.ArgumentParser(prog='agenda')\n"
    "generate_cli.add_parser(parser.add_subparsers(dest='command', required=True))\n"
    "args = parser.parse_args(sys.argv[1:])\n"
    "sys.exit(args.func(args))\n"
)


def _agenda_generate(*argv: str, hash_seed: str = "0") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}  # string hashing differs per process unless pinned
    return subprocess.run([sys.executable, "-c", _CLI, "generate", *argv], capture_output=True, text=True, env=env,
                          check=False)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def planted_folders(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Planted instances of 30 sessions (peace profile) and 130 sessions (congress profile)."""
    folders = {}
    for n in (30, 130):
        folder = tmp_path_factory.mktemp(f"planted{n}")
        generate_folder(folder, GenerateOptions(sessions=n, seed=11, planted=True))
        folders[n] = folder
    return folders


def test_same_seed_gives_byte_identical_files_across_processes(tmp_path: Path) -> None:
    runs = []
    for k, hash_seed in enumerate(("1", "2")):
        out = tmp_path / f"run{k}"
        done = _agenda_generate("--sessions", "40", "--planted", "--seed", "5", "--out", str(out), hash_seed=hash_seed)
        assert done.returncode == 0, done.stderr
        runs.append(_files(out))
    assert runs[0] == runs[1]
    assert {"conference.toml", "rooms.csv", "speakers.csv", "sessions.csv", "availability.csv", "attendees.csv",
            "interpreters.csv", PLANTED_FILE} <= set(runs[0])


def test_another_seed_gives_another_conference(tmp_path: Path) -> None:
    a = generate_folder(tmp_path / "a", GenerateOptions(sessions=30, seed=1))
    b = generate_folder(tmp_path / "b", GenerateOptions(sessions=30, seed=2))
    assert a.conference.sessions != b.conference.sessions
    assert (tmp_path / "a" / "sessions.csv").read_bytes() != (tmp_path / "b" / "sessions.csv").read_bytes()


@pytest.mark.parametrize("n, rooms, days", [(30, 5, 3), (130, 11, 4)])
def test_sizes_scale_with_sessions(n: int, rooms: int, days: int, planted_folders: dict[int, Path]) -> None:
    c = load_conference(planted_folders[n])
    assert len(c.sessions) == n
    assert len(c.attendees) == 10 * n
    assert len(c.rooms) == rooms
    assert len(c.days) == days


def test_defaults_for_a_thousand_sessions() -> None:
    options = GenerateOptions(sessions=1000)
    assert (options.n_attendees, options.n_rooms, options.n_days, options.profile_name) == (10_000, 80, 4, "science")


def test_explicit_sizes_are_respected(tmp_path: Path) -> None:
    done = _agenda_generate("--sessions", "20", "--seed", "3", "--out", str(tmp_path), "--attendees", "50",
                            "--rooms", "7", "--days", "2")
    assert done.returncode == 0, done.stderr
    c = load_conference(tmp_path)
    assert (len(c.sessions), len(c.attendees), len(c.rooms), len(c.days)) == (20, 50, 7, 2)
    assert not (tmp_path / PLANTED_FILE).exists()


@pytest.mark.parametrize("n", [30, 130])
def test_ranges_of_durations_speakers_and_interests(n: int, planted_folders: dict[int, Path]) -> None:
    c = load_conference(planted_folders[n])
    assert {s.duration_min for s in c.sessions} <= {30, 45, 60, 90}
    assert len({s.duration_min for s in c.sessions}) >= 3  # a mix, not one length
    per_speaker = Counter(sp for s in c.sessions for sp in s.speakers)
    assert set(per_speaker) == {sp.speaker_id for sp in c.speakers}  # no speaker without a session
    assert min(per_speaker.values()) == 1 and max(per_speaker.values()) <= 3
    assert all(1 <= len(s.speakers) <= 4 and len(set(s.speakers)) == len(s.speakers) for s in c.sessions)
    assert all(1 <= len(a.interests) <= 20 and len(set(a.interests)) == len(a.interests) for a in c.attendees)
    assert len({s.track for s in c.sessions if s.track}) >= 3
    partial = [sp for sp in c.speakers if sp.availability]
    assert 0 < len(partial) < len(c.speakers)  # some speakers are available only part of the time


@pytest.mark.parametrize("n", [30, 130])
def test_capacities_are_skewed_and_interest_follows_popularity(n: int, planted_folders: dict[int, Path]) -> None:
    c = load_conference(planted_folders[n])
    capacities = sorted((r.capacity for r in c.rooms), reverse=True)
    assert capacities[0] >= 3 * capacities[-1]
    wanted = Counter(i for a in c.attendees for i in a.interests)
    counts = sorted((wanted[s.session_id] for s in c.sessions), reverse=True)
    assert counts[0] >= 2.5 * counts[len(counts) // 2]  # a few sessions draw far more interest than the median
    # The expected audience is the number of attendees who want the session.
    assert all(s.expected_audience == wanted[s.session_id] for s in c.sessions)


@pytest.mark.parametrize("n", [30, 130])
def test_every_referenced_id_exists(n: int, planted_folders: dict[int, Path]) -> None:
    folder = planted_folders[n]
    read = {name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
            for name in ("rooms", "speakers", "sessions", "availability", "attendees", "interpreters")}
    sessions, rooms, speakers = (set(read[t][col]) for t, col in
                                 (("sessions", "session_id"), ("rooms", "room_id"), ("speakers", "speaker_id")))
    listed = lambda cells: {item for cell in cells for item in cell.split(";") if item}  # noqa: E731
    assert listed(read["sessions"]["speakers"]) <= speakers
    assert set(read["availability"]["speaker_id"]) <= speakers
    assert listed(read["attendees"]["interests"]) <= sessions
    languages = set(load_conference(folder).languages)
    assert set(read["sessions"]["language"]) <= languages
    assert listed(read["sessions"]["interpretation"]) <= languages
    assert listed(read["attendees"]["languages"]) <= languages
    planted = pd.read_csv(folder / PLANTED_FILE, dtype=str)
    assert set(planted["session_id"]) == sessions and set(planted["room_id"]) <= rooms
    # Every interpretation pair has a team, as the loader demands.
    pairs = {"-".join(language_pair(row.language, t)) for row in read["sessions"].itertuples()
             for t in row.interpretation.split(";") if t}
    assert pairs <= set(read["interpreters"]["languages"])


def test_written_folder_loads_back_to_the_generated_conference(planted_folders: dict[int, Path]) -> None:
    generated = generate(GenerateOptions(sessions=130, seed=11, planted=True))
    assert load_conference(planted_folders[130]) == generated.conference


@pytest.mark.parametrize("n", [30, 130])
def test_planted_timetable_has_no_hard_violation_and_no_conflict(n: int, planted_folders: dict[int, Path]) -> None:
    conference = load_conference(planted_folders[n])
    planted = read_timetable(planted_folders[n] / PLANTED_FILE, conference)
    assert {a.session_id for a in planted.assignments} == {s.session_id for s in conference.sessions}
    report = check(conference, planted)
    assert report.ok, [f"{v.rule}: {v.message}" for v in report.violations]
    assert report.soft["attendee_conflict"] == 0
    assert report.soft["track_parallel"] == 0
    assert report.soft["language_coverage"] == 0
    assert report.soft["speaker_preference"] == 0
    # The instance is not trivial: attendees want several sessions each, so a careless timetable conflicts.
    assert sum(len(a.interests) for a in conference.attendees) > 3 * len(conference.attendees)


def test_planted_instance_is_constrained_where_it_matters(planted_folders: dict[int, Path]) -> None:
    """The planted instance of the peace profile needs interpretation, with limited teams and booths."""
    conference = load_conference(planted_folders[30])
    assert conference.interpreters_limited and conference.interpreters
    assert sum(1 for s in conference.sessions if s.interpretation) >= 10
    # Booths differ between rooms and some sessions need more than the smallest room has: rooms are not
    # interchangeable.
    fewest = min(r.booths for r in conference.rooms)
    assert any(len(s.interpretation) > fewest for s in conference.sessions)
    groups = {a.languages for a in conference.attendees}
    assert any("en" not in g for g in groups)  # not everyone understands the lingua franca


def test_unplanted_instance_is_feasible_but_its_hidden_timetable_has_conflicts() -> None:
    generated = generate(GenerateOptions(sessions=130, seed=11))
    assert generated.planted is None
    report = check(generated.conference, generated.hidden)
    assert report.ok, [f"{v.rule}: {v.message}" for v in report.violations]
    assert report.soft["attendee_conflict"] > 0


def test_congress_has_a_block_past_midnight(planted_folders: dict[int, Path]) -> None:
    conference = load_conference(planted_folders[130])
    assert any(p.end.date() > day.date for day in conference.days for p in day.periods)
    planted = read_timetable(planted_folders[130] / PLANTED_FILE, conference)
    assert check(conference, planted).ok


def test_regenerating_unplanted_removes_a_stale_planted_timetable(tmp_path: Path) -> None:
    write_conference(generate(GenerateOptions(sessions=20, seed=1, planted=True)), tmp_path)
    (tmp_path / "notes.txt").write_text("committee notes")
    assert (tmp_path / PLANTED_FILE).exists()
    write_conference(generate(GenerateOptions(sessions=20, seed=1)), tmp_path)
    assert not (tmp_path / PLANTED_FILE).exists()
    assert (tmp_path / "notes.txt").read_text() == "committee notes"


def test_too_few_rooms_is_reported_not_drawn(tmp_path: Path) -> None:
    with pytest.raises(GenerationError, match="raise --rooms or --days"):
        generate(GenerateOptions(sessions=130, rooms=1, days=1))
    done = _agenda_generate("--sessions", "130", "--rooms", "1", "--days", "1", "--out", str(tmp_path / "x"))
    assert done.returncode == 1
    assert "raise --rooms or --days" in done.stderr
    assert not (tmp_path / "x").exists()


def test_planted_timetable_stays_valid_across_a_daylight_saving_change() -> None:
    # The peace profile starts on 2025-10-13 in Europe/Rome; 16 days include the night of 26 October (25 hours).
    generated = generate(GenerateOptions(sessions=30, seed=2, planted=True, days=16, profile="peace"))
    assert generated.conference.days[-1].date.isoformat() == "2025-10-28"
    report = check(generated.conference, generated.planted)
    assert report.ok, [f"{v.rule}: {v.message}" for v in report.violations]
    assert report.soft["attendee_conflict"] == 0
