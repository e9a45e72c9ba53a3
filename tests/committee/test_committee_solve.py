"""Background solves through the test client: started, polled, cancelled (the best timetable is kept), one at a
time per conference; infeasible runs explain themselves with links; failures and dead workers leave the published
version alone."""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import replace

import pytest
from committee_support import TINY, conference_zip, folder_zip_bytes, slug_from, start_run, upload, wait_for_run
from factories import make_conference, make_room, make_session, make_speaker, window

from scheduler.checker import check
from scheduler.generate import GenerateOptions, generate_folder
from scheduler.solve import solve
from webview.committee import runner
from webview.jobs import INTERRUPTED, RUNNING
from webview.store import service
from webview.store.models import RunRow, utcnow


def wait_for_solutions(client, slug: str, run_id: int, timeout_s: float = 60.0) -> dict:
    """Poll until the run has reported a solution (or stopped)."""
    deadline = time.monotonic() + timeout_s
    while True:
        status = client.get(f"/committee/c/{slug}/run/{run_id}.json").get_json()
        if status["solutions"] >= 1 or not status["running"] or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


@pytest.fixture
def busy_slug(editor, tmp_path):
    """A generated 24-session conference: CP-SAT finds timetables within a second but does not prove optimality
    within a minute, so a run of it is still going when the test cancels it."""
    folder = tmp_path / "generated"
    generate_folder(folder, GenerateOptions(sessions=24, seed=3))
    return slug_from(upload(editor, folder_zip_bytes(folder), "generated.zip"))


def test_a_background_solve_is_polled_then_cancelled_and_keeps_its_best_timetable(editor, busy_slug, store):
    run_id = start_run(editor, busy_slug, time_limit_s="120", baseline="none")
    page = editor.get(f"/committee/c/{busy_slug}/run/{run_id}").get_data(as_text=True)
    assert 'data-running="true"' in page and 'id="cancel-form"' in page  # live progress and the cancel button
    status = wait_for_solutions(editor, busy_slug, run_id)
    assert status["running"] and status["state"] == RUNNING
    assert status["solutions"] >= 1 and status["objective"] is not None and status["bound"] is not None
    assert status["gap"] >= 0 and status["elapsed_s"] > 0

    response = editor.post(f"/committee/c/{busy_slug}/run/{run_id}/cancel")
    assert response.status_code == 302
    final = wait_for_run(editor, busy_slug, run_id)
    assert final["state"] == "cancelled" and final["cancel_requested"]
    assert final["status"] == "FEASIBLE" and final["objective"] is not None

    page = editor.get(f"/committee/c/{busy_slug}/run/{run_id}").get_data(as_text=True)
    assert 'data-running="false"' in page and "This timetable is in the draft" in page
    with store.read() as session:
        draft = service.load_draft(session, busy_slug)
        run = session.get(RunRow, run_id)
    assert run.adopted and run.state == "cancelled"
    assert check(draft.conference, draft.timetable).ok
    assert len(draft.timetable.assignments) == 24


def test_one_run_at_a_time_per_conference(editor, busy_slug):
    first = start_run(editor, busy_slug, time_limit_s="120", baseline="none")
    second = editor.post(f"/committee/c/{busy_slug}/solve", data={"time_limit_s": "5", "baseline": "none"})
    assert second.headers["Location"].endswith(f"/run/{first}")
    page = editor.get(second.headers["Location"]).get_data(as_text=True)
    assert f"run {first} of this conference is still going" in page
    wait_for_solutions(editor, busy_slug, first)
    editor.post(f"/committee/c/{busy_slug}/run/{first}/cancel")
    assert wait_for_run(editor, busy_slug, first)["state"] == "cancelled"


def test_the_time_limit_is_capped_by_configuration(editor):
    slug = slug_from(upload(editor, folder_zip_bytes(TINY), "tiny.zip"))
    response = editor.post(f"/committee/c/{slug}/solve", data={"time_limit_s": "100000", "baseline": "none"})
    assert response.status_code == 400
    assert "at most 900 seconds" in response.get_data(as_text=True)


def test_an_infeasible_run_names_the_conflict_with_links_and_what_to_relax(editor, tmp_path):
    # One speaker, free for one hour only, gives two one-hour talks.
    speaker = make_speaker("sp1", name="Ada Nowak", availability=(window("09:00", "10:00"),))
    conference = make_conference([make_session("T1", speakers=("sp1",)), make_session("T2", speakers=("sp1",))],
                                 speakers=[speaker])
    slug = slug_from(upload(editor, conference_zip(conference, tmp_path), "impossible.zip"))
    run_id = start_run(editor, slug, time_limit_s="5", baseline="none")
    status = wait_for_run(editor, slug, run_id)
    assert status["status"] == "INFEASIBLE"
    page = editor.get(f"/committee/c/{slug}/run/{run_id}").get_data(as_text=True)
    assert "No timetable exists" in page
    assert f'href="/committee/c/{slug}/speaker/sp1"' in page
    assert f'href="/committee/c/{slug}/session/T1"' in page and f'href="/committee/c/{slug}/session/T2"' in page
    assert "What to relax" in page and "widen an availability" in page
    assert re.search(r'<p class="muted" id="confirmation">Checked independently by a second solver .* over the 2 '
                     r'session\(s\) in question: no timetable of them keeps every rule.</p>', page)


def test_a_failed_solve_is_recorded_and_the_published_version_stays(editor, store, tmp_path, monkeypatch):
    conference = make_conference([make_session("A"), make_session("B")], rooms=[make_room("R1")])
    slug = slug_from(upload(editor, conference_zip(conference, tmp_path), "c.zip"))
    run_id = start_run(editor, slug, time_limit_s="5", baseline="none")
    wait_for_run(editor, slug, run_id)
    editor.post(f"/committee/c/{slug}/publish", data={"publish-lock_version": "2"})
    before = editor.get("/day/2023-10-13").get_data(as_text=True)
    assert "Session A" in before

    def crash(*_args, **_kwargs):
        raise MemoryError("the solver ran out of memory")

    monkeypatch.setattr("webview.jobs.solve", crash)
    run_id = start_run(editor, slug, time_limit_s="5")
    status = wait_for_run(editor, slug, run_id)
    assert status["state"] == "failed"
    assert "ran out of memory" in editor.get(f"/committee/c/{slug}/run/{run_id}").get_data(as_text=True)
    with store.read() as session:
        row = service.conference_row(session, slug)
        assert [v.number for v in service.published_versions(session, row.id)] == [1]
    assert editor.get("/day/2023-10-13").get_data(as_text=True) == before


def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(make_app, editor, store, tmp_path):
    slug = slug_from(upload(editor, folder_zip_bytes(TINY), "tiny.zip"))
    with store.write() as session:
        row = service.conference_row(session, slug)
        # pid 2**22 + 1 is above Linux's pid_max: no process has it.
        session.add(RunRow(conference_id=row.id, lock_version=1, state=RUNNING, time_limit_s=60,
                           worker=f"{socket.gethostname()}:{2**22 + 1}", created_at=utcnow()))
    stale_id = 1
    assert runner(make_app()).recover() == []  # the new app's runner already recovered it on start
    with store.read() as session:
        stale = session.get(RunRow, stale_id)
        assert stale.state == INTERRUPTED and "published version is unchanged" in stale.error
    run_id = start_run(editor, slug, time_limit_s="5", baseline="none")  # not blocked by the dead run
    assert wait_for_run(editor, slug, run_id)["state"] == "done"


def test_the_run_page_says_why_a_run_was_interrupted_on_its_first_view(editor, store):
    slug = slug_from(upload(editor, folder_zip_bytes(TINY), "tiny.zip"))
    with store.write() as session:
        row = service.conference_row(session, slug)
        dead = RunRow(conference_id=row.id, lock_version=1, state=RUNNING, time_limit_s=60,
                      worker=f"{socket.gethostname()}:{2**22 + 1}", created_at=utcnow())  # no process has this pid
        session.add(dead)
        session.flush()
        run_id = dead.id
    # The first page after the restart starts the runner, which marks the run interrupted: the page says why.
    page = editor.get(f"/committee/c/{slug}/run/{run_id}").get_data(as_text=True)
    assert 'id="run-error"' in page and "published version is unchanged" in page


def test_a_result_is_not_put_in_a_draft_edited_during_the_run(app, editor, store, tmp_path, monkeypatch):
    conference = make_conference([make_session("A"), make_session("B")], rooms=[make_room("R1")])
    slug = slug_from(upload(editor, conference_zip(conference, tmp_path), "c.zip"))
    gate = threading.Event()

    def solve_after_the_edit(*args, **kwargs):
        gate.wait(30)
        return solve(*args, **kwargs)

    monkeypatch.setattr("webview.jobs.solve", solve_after_the_edit)
    jobs = runner(app)
    run_id = jobs.start(slug, time_limit_s=5, baseline="none", by="t")
    with store.write() as session:
        draft = service.load_draft(session, slug)
        service.save_draft(session, slug, draft.lock_version, replace(draft.conference, name="Edited"), None,
                           summary="renamed during the run", by="someone")
    gate.set()
    assert jobs.wait(run_id, 60)
    with store.read() as session:
        draft = service.load_draft(session, slug)
        run = session.get(RunRow, run_id)
    assert draft.conference.name == "Edited" and draft.timetable is None
    assert run.state == "done" and not run.adopted and run.timetable is not None
    page = editor.get(f"/committee/c/{slug}/run/{run_id}").get_data(as_text=True)
    assert "The conference changed after this run started" in page


def test_a_runs_timetable_can_be_put_back_in_the_draft_after_a_manual_move(editor, store, tmp_path):
    conference = make_conference([make_session("A"), make_session("B")], rooms=[make_room("R1"), make_room("R2")])
    slug = slug_from(upload(editor, conference_zip(conference, tmp_path), "c.zip"))
    run_id = start_run(editor, slug, time_limit_s="5", baseline="none")
    wait_for_run(editor, slug, run_id)
    with store.read() as session:
        solved = service.load_draft(session, slug)
    placed = solved.timetable.by_session["A"]
    other_room = "R2" if placed.room_id == "R1" else "R1"
    editor.post(f"/committee/c/{slug}/session/A", data={
        "form": "move", "move-lock_version": str(solved.lock_version), "move-save": "y",
        "move-start": f"{placed.start:%Y-%m-%dT%H:%M}", "move-room": other_room})
    page = editor.get(f"/committee/c/{slug}/run/{run_id}").get_data(as_text=True)
    assert "the draft has changed since" in page and 'id="adopt-form"' in page
    response = editor.post(f"/committee/c/{slug}/run/{run_id}/adopt", data={"lock_version": str(
        solved.lock_version + 1)})
    assert response.status_code == 302
    with store.read() as session:
        adopted = service.load_draft(session, slug)
    assert adopted.timetable == solved.timetable and adopted.lock_version == solved.lock_version + 2
    assert "This timetable is in the draft." in editor.get(f"/committee/c/{slug}/run/{run_id}").get_data(
        as_text=True)
