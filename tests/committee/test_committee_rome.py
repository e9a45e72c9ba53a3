"""The sample conference end to end through the committee's pages: solve, publish, one speaker cancels their
first day, minimal-change re-solve against the published version. Few sessions may move; the feeds show the
move with a higher SEQUENCE. The figures (sessions moved, wall time) are printed for the record (pytest -s)."""

from __future__ import annotations

import re

import pytest
from committee_support import ROME, folder_zip_bytes, slug_from, start_run, upload, wait_for_run
from icalendar import Calendar

from webview.store import service
from webview.store.models import RunRow

pytestmark = pytest.mark.slow

MAX_MOVED = 5  # a tenth of the 50 sessions: the cancelled talk and a few knock-on moves (measured: 1 to 3)


def test_rome_re_solve_after_one_cancellation_moves_few_sessions(editor, store):
    slug = slug_from(upload(editor, folder_zip_bytes(ROME), "rome-2023.zip"))
    run_id = start_run(editor, slug, time_limit_s="10", baseline="none")
    assert wait_for_run(editor, slug, run_id, timeout_s=300)["state"] == "done"
    with store.read() as session:
        v1 = service.load_draft(session, slug)
    editor.post(f"/committee/c/{slug}/publish", data={"publish-lock_version": str(v1.lock_version)})

    # The first unpinned, non-plenary talk of day 1 whose speaker had no availability limits: they cancel day 1.
    day1 = v1.conference.days[0].date
    talk, speaker = next(
        (a, sp) for a in sorted(v1.timetable.assignments, key=lambda a: a.start)
        if a.start.date() == day1
        for s in [v1.conference.session_by_id[a.session_id]] if s.fixed_start is None and not s.plenary
        for sp in s.speakers if not v1.conference.speaker_by_id[sp].availability)
    later = f"{v1.conference.days[1].date} 08:00 - {v1.conference.days[-1].date} 20:00"
    response = editor.post(f"/committee/c/{slug}/speaker/{speaker}", data={
        "form": "availability", "availability-lock_version": str(v1.lock_version), "availability-save": "y",
        "availability-availability": later, "availability-preferred": ""})
    assert response.status_code == 302

    run_id = start_run(editor, slug, time_limit_s="10", baseline="published")
    assert wait_for_run(editor, slug, run_id, timeout_s=300)["state"] == "done"
    with store.read() as session:
        run = session.get(RunRow, run_id)
    moved = run.result["moved"]
    print(f"\nRome re-solve after {speaker} cancelled {day1}: {len(moved)} session(s) moved {moved}, "
          f"wall time {run.wall_time_s:.1f} s (time limit {run.time_limit_s:.0f} s), objective {run.objective}")
    for change in run.result["changes"]:
        print(f"  {change['text']} -- {change['reason']}")
    assert talk.session_id in moved
    assert len(moved) <= MAX_MOVED
    assert run.adopted
    page = editor.get(f"/committee/c/{slug}/run/{run_id}").get_data(as_text=True)
    assert "Objective (moves counted against published version 1)" in page

    with store.read() as session:
        lock = service.load_draft(session, slug).lock_version
    editor.post(f"/committee/c/{slug}/publish", data={"publish-lock_version": str(lock)})
    versions = editor.get(f"/committee/c/{slug}/versions").get_data(as_text=True)
    assert "Version 2 (public)" in versions
    assert len(re.findall(r"moved from|changes room from", versions)) == len(moved)
    feed = Calendar.from_ical(editor.get(f"/feeds/speaker/{speaker}.ics").data)
    event = next(e for e in feed.walk("VEVENT") if talk.session_id in str(e.get("URL", "")) or
                 str(e["SUMMARY"]) == v1.conference.session_by_id[talk.session_id].title)
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").date() != day1
