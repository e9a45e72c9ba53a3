"""The `agenda solve` and `agenda check` commands on the sample conference and on small broken copies."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from scheduler.cli import main
from scheduler.explain import LEAVE_OUT

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "rome-2023"


def tiny(tmp_path: Path, sessions: str, availability: str | None = None, rooms: str | None = None) -> Path:
    """A one-day conference folder written from CSV text."""
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "conference.toml").write_text(
        'name = "Tiny"\ntimezone = "Europe/Rome"\ngranularity_min = 30\nlanguages = ["it", "en"]\n'
        '[[days]]\ndate = "2023-10-13"\nopen = ["09:00-12:00"]\n', encoding="utf-8")
    (folder / "rooms.csv").write_text(rooms or "room_id,name,capacity\nR1,Room 1,100\nR2,Room 2,50\n", encoding="utf-8")
    (folder / "speakers.csv").write_text("speaker_id,name\ns1,Ada\ns2,Bea\n", encoding="utf-8")
    (folder / "sessions.csv").write_text(sessions, encoding="utf-8")
    if availability:
        (folder / "availability.csv").write_text(availability, encoding="utf-8")
    return folder


@pytest.mark.slow
def test_solve_then_check_the_sample(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["solve", str(SAMPLE), "--out", str(out), "--time-limit", "10", "--quiet"]) == 0
    frame = pd.read_csv(out / "timetable.csv")
    assert list(frame.columns) == ["session_id", "room_id", "start", "end"]
    sessions = pd.read_csv(SAMPLE / "sessions.csv")
    assert sorted(frame.session_id) == sorted(sessions.session_id)
    assert frame.start.str.match(r"^2023-10-1[345]T\d\d:\d\d:00\+02:00$").all()
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["status"] in ("OPTIMAL", "FEASIBLE")
    assert set(report["soft_terms"]) >= {"attendee_conflict", "track_parallel", "language_coverage",
                                         "speaker_preference", "track_room_stability"}
    assert report["objective"] == sum(t["cost"] for t in report["soft_terms"].values())
    assert sum(n for days in report["sessions_per_room_and_day"].values() for n in days.values()) == len(frame)
    assert report["best_bound"] <= report["objective"]
    capsys.readouterr()
    assert main(["check", str(SAMPLE), str(out / "timetable.csv")]) == 0
    assert "all hard rules hold" in capsys.readouterr().out


def test_check_reports_a_broken_timetable(tmp_path, capsys):
    folder = tiny(tmp_path, "session_id,title,duration_min,speakers\nA,Alpha,60,s1\nB,Beta,60,s1\n")
    table = tmp_path / "t.csv"
    table.write_text("session_id,room_id,start,end\n"
                     "A,R1,2023-10-13T09:00:00+02:00,2023-10-13T10:00:00+02:00\n"
                     "B,R2,2023-10-13T09:30:00+02:00,2023-10-13T10:30:00+02:00\n", encoding="utf-8")
    assert main(["check", str(folder), str(table)]) == 1
    assert "speaker_one_place" in capsys.readouterr().out


def test_bad_input_lists_every_problem_and_exits_2_without_traceback(tmp_path):
    folder = tiny(tmp_path, "session_id,title,duration_min,speakers\nA,Alpha,sixty,s1\nB,Beta,60,s9\n",
                  rooms="room_id,name,capacity\nR1,Room 1,-5\n")
    run = subprocess.run([sys.executable, "-m", "scheduler.cli", "solve", str(folder), "--out", str(tmp_path / "o")],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "sessions.csv:2:duration_min" in run.stderr
    assert "sessions.csv:3:speakers" in run.stderr and "s9" in run.stderr
    assert "rooms.csv:2:capacity" in run.stderr
    assert not (tmp_path / "o").exists()  # nothing written


def test_unterminated_quote_exits_2_naming_file_and_row_without_traceback(tmp_path):
    folder = tiny(tmp_path, 'session_id,title,duration_min,speakers\nA,Alpha,60,s1\nB,"Beta,60,s1\nC,Gamma,60,s2\n')
    run = subprocess.run([sys.executable, "-m", "scheduler.cli", "solve", str(folder), "--out", str(tmp_path / "o")],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "sessions.csv:3: a double quote" in run.stderr and "never closed" in run.stderr


def test_infeasible_exits_3_and_names_the_conflict(tmp_path, capsys):
    folder = tiny(tmp_path, "session_id,title,duration_min,speakers\nA,Alpha,90,s1\nB,Beta,90,s1\n",
                  availability="speaker_id,start,end\ns1,2023-10-13T09:30,2023-10-13T11:00\n")
    assert main(["solve", str(folder), "--out", str(tmp_path / "o"), "--time-limit", "5", "--quiet"]) == 3
    out = capsys.readouterr().out
    assert "No timetable exists" in out
    assert "Ada (s1) is available only Fri 13 Oct 09:30-11:00" in out
    assert out.splitlines()[-1].startswith("Checked independently by a second solver (SCIP")
    assert not (tmp_path / "o").exists()


def test_allow_unplaced_lists_what_was_left_out(tmp_path, capsys):
    folder = tiny(tmp_path, "session_id,title,duration_min,speakers,priority\n"
                            "A,Alpha,120,s1,5\nB,Beta,120,s1,0\nC,Gamma,60,s1,1\n")
    out = tmp_path / "o"
    assert main(["solve", str(folder), "--out", str(out), "--time-limit", "5", "--allow-unplaced", "--quiet"]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [u["session_id"] for u in report["unplaced"]] == ["B"]
    assert report["unplaced"][0]["reason"]
    assert main(["check", str(folder), str(out / "timetable.csv"), "--allow-unplaced"]) == 0


def test_reference_re_solve_reports_moves(tmp_path, capsys):
    folder = tiny(tmp_path, "session_id,title,duration_min,speakers\nA,Alpha,60,s1\nB,Beta,60,s2\n")
    first = tmp_path / "first"
    assert main(["solve", str(folder), "--out", str(first), "--time-limit", "5", "--quiet"]) == 0
    again = tmp_path / "again"
    assert main(["solve", str(folder), "--out", str(again), "--time-limit", "5", "--quiet",
                 "--reference", str(first / "timetable.csv")]) == 0
    assert (first / "timetable.csv").read_text() == (again / "timetable.csv").read_text()
    assert json.loads((again / "report.json").read_text())["moved"] == []


def test_a_re_solve_after_a_room_closed_and_a_session_withdrawn_moves_only_what_was_in_that_room(tmp_path):
    folder = tiny(tmp_path, "session_id,title,duration_min,speakers\nA,Alpha,60,s1\nB,Beta,60,s2\n",
                  rooms="room_id,name,capacity\nR1,Room 1,100\nR3,Room 3,80\n")  # R2 has closed
    reference = tmp_path / "published.csv"
    reference.write_text("session_id,room_id,start,end\n"
                         "A,R1,2023-10-13T09:00:00+02:00,2023-10-13T10:00:00+02:00\n"
                         "B,R2,2023-10-13T09:00:00+02:00,2023-10-13T10:00:00+02:00\n"
                         "C,R1,2023-10-13T10:00:00+02:00,2023-10-13T11:00:00+02:00\n")  # C was withdrawn
    out = tmp_path / "out"
    assert main(["solve", str(folder), "--out", str(out), "--time-limit", "5", "--quiet",
                 "--reference", str(reference)]) == 0
    assert json.loads((out / "report.json").read_text())["moved"] == ["B"]
    assert "A,R1,2023-10-13T09:00:00+02:00" in (out / "timetable.csv").read_text()
    assert main(["check", str(folder), str(out / "timetable.csv"), "--reference", str(reference)]) == 0


def test_solve_accepts_a_workbook(tmp_path, capsys):
    folder = tiny(tmp_path, "session_id,title,duration_min,speakers\nA,Alpha,60,s1\n")
    book = tmp_path / "conf.xlsx"
    with pd.ExcelWriter(book) as xl:
        pd.DataFrame({"key": ["name", "timezone", "granularity_min", "languages"],
                      "value": ["Tiny", "Europe/Rome", "30", "it;en"]}).to_excel(xl, sheet_name="conference",
                                                                                  index=False)
        pd.DataFrame({"date": ["2023-10-13"], "open": ["09:00-12:00"]}).to_excel(xl, sheet_name="days", index=False)
        for name in ("rooms", "speakers", "sessions"):
            pd.read_csv(folder / f"{name}.csv", dtype=str).to_excel(xl, sheet_name=name, index=False)
    assert main(["solve", str(book), "--out", str(tmp_path / "o"), "--time-limit", "5", "--quiet"]) == 0
    shutil.rmtree(folder)
    assert (tmp_path / "o" / "timetable.csv").exists()


@pytest.mark.parametrize("option, value", [("--time-limit", "inf"), ("--time-limit", "1e308"), ("--time-limit", "nan"),
                                           ("--time-limit", "0"), ("--time-limit", "-5"), ("--seed", "-1"),
                                           ("--seed", str(2**31)), ("--workers", "0")])
def test_solve_rejects_a_bad_number_with_exit_2_and_no_traceback(tmp_path, option, value):
    folder = tiny(tmp_path, "session_id,title,duration_min,speakers\nA,Alpha,60,s1\n")
    run = subprocess.run([sys.executable, "-m", "scheduler.cli", "solve", str(folder), "--out", str(tmp_path / "o"),
                          "--time-limit", "3", option, value], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert f"argument {option}: '{value}' is not" in run.stderr
    assert not (tmp_path / "o").exists()


def test_solve_out_naming_a_file_exits_2_before_solving(tmp_path, capsys, monkeypatch):
    folder = tiny(tmp_path, "session_id,title,duration_min,speakers\nA,Alpha,60,s1\n")
    (tmp_path / "taken").write_text("notes", encoding="utf-8")
    monkeypatch.setattr("scheduler.commands.solve", lambda *a, **k: pytest.fail("solved before checking --out"))
    assert main(["solve", str(folder), "--out", str(tmp_path / "taken"), "--quiet"]) == 2
    assert "--out names a file" in capsys.readouterr().err
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "notes"


def test_check_piped_into_a_reader_that_stops_early_ends_without_traceback(tmp_path):
    folder = tiny(tmp_path, "session_id,title,duration_min,speakers\nA,Alpha,60,s1\n")
    table = tmp_path / "t.csv"
    table.write_text("session_id,room_id,start,end\nA,R1,2023-10-13T09:00:00+02:00,2023-10-13T10:00:00+02:00\n",
                     encoding="utf-8")
    run = subprocess.Popen([sys.executable, "-m", "scheduler.cli", "check", str(folder), str(table)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    run.stdout.close()  # like `| head -0`: the reader is gone before the report is printed
    stderr = run.stderr.read().decode()
    run.wait()
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr


def test_infeasible_but_not_narrowed_down_does_not_list_requirements(tmp_path, capsys, monkeypatch):
    from ortools.sat.python import cp_model

    monkeypatch.setattr("scheduler.explain._solve_under", lambda *_: (cp_model.UNKNOWN, []))
    folder = tiny(tmp_path, "session_id,title,duration_min,speakers\nA,Alpha,120,s1\nB,Beta,120,s1\n")
    assert main(["solve", str(folder), "--out", str(tmp_path / "o"), "--time-limit", "5", "--quiet"]) == 3
    out = capsys.readouterr().out
    assert out.startswith("No timetable exists for Tiny.\n")
    assert "cannot all hold together" not in out and "may exist" not in out
    assert "not narrowed down" in out


def test_no_timetable_in_time_lists_the_sessions_left_out(tmp_path, capsys, monkeypatch):
    from scheduler.solve import SolveResult

    folder = tiny(tmp_path, "session_id,title,duration_min,speakers\nA,Alpha,60,s1\nB,Beta,60,s2\n")
    unknown = SolveResult("UNKNOWN", None, None, None, None, 1.0,
                          explanation=("1 session(s) not placed within the time limit: B",
                                       f"Try a longer time limit, or {LEAVE_OUT}."))
    monkeypatch.setattr("scheduler.commands.solve", lambda *a, **k: unknown)
    assert main(["solve", str(folder), "--out", str(tmp_path / "o"), "--time-limit", "5", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "No timetable found within 5 s" in err
    assert "not placed within the time limit: B" in err


def test_a_room_open_only_late_in_the_morning_is_used_only_then_and_checked(tmp_path, capsys):
    folder = tiny(tmp_path, "session_id,title,duration_min,speakers,expected_audience\nA,Alpha,60,s1,90\n"
                            "B,Beta,60,s2,90\n")  # only R1 seats 90
    (folder / "room_availability.csv").write_text("room_id,start,end\nR1,2023-10-13T10:00,2023-10-13T12:00\n",
                                                  encoding="utf-8")
    out = tmp_path / "out"
    assert main(["solve", str(folder), "--out", str(out), "--time-limit", "5", "--quiet"]) == 0
    frame = pd.read_csv(out / "timetable.csv")
    assert set(frame.room_id) == {"R1"} and sorted(frame.start) == ["2023-10-13T10:00:00+02:00",
                                                                     "2023-10-13T11:00:00+02:00"]
    early = tmp_path / "early.csv"
    early.write_text("session_id,room_id,start,end\nA,R1,2023-10-13T09:00:00+02:00,2023-10-13T10:00:00+02:00\n"
                     "B,R1,2023-10-13T10:00:00+02:00,2023-10-13T11:00:00+02:00\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["check", str(folder), str(early)]) == 1
    assert "room R1 is not open" in capsys.readouterr().out


def test_a_room_open_too_briefly_exits_3_naming_its_opening_times(tmp_path, capsys):
    folder = tiny(tmp_path, "session_id,title,duration_min,speakers,expected_audience\nA,Alpha,60,s1,90\n"
                            "B,Beta,60,s2,90\n")
    (folder / "room_availability.csv").write_text("room_id,start,end\nR1,2023-10-13T11:00,2023-10-13T12:00\n",
                                                  encoding="utf-8")
    assert main(["solve", str(folder), "--out", str(tmp_path / "o"), "--time-limit", "5", "--quiet"]) == 3
    assert "room Room 1 (R1) is open only Fri 13 Oct 11:00-12:00" in capsys.readouterr().out
