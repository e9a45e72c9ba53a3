"""The committee's whole cycle in headless Chromium against a real server, CSRF on: log in, upload the Rome
sample, solve in the background (the page follows the run live), pin a session after checking the pin, publish,
and see the public site and a speaker's feed follow the published version. Screenshots in test-artifacts/."""

from __future__ import annotations

import pytest
from committee_support import PASSWORD, ROME, LiveServer, folder_zip_bytes
from factories import at, make_conference, make_session
from icalendar import Calendar

from scheduler.domain import Assignment, Timetable
from webview.committee import runner
from webview.jobs import RUNNING
from webview.store import service
from webview.store.db import get_store
from webview.store.models import RunRow, utcnow

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SOLVE_WAIT_MS = 300_000  # a short solve of the sample on a loaded two-core machine


def log_in(page, server: LiveServer, email: str) -> None:
    page.goto(server.url + "/committee/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main form input[type=submit]")


def test_committee_cycle_from_upload_to_published_version(make_app, accounts, chromium, tmp_path, artifacts):
    app = make_app(WTF_CSRF_ENABLED=True)
    server = LiveServer(app)
    sample = tmp_path / "rome-2023.zip"
    sample.write_bytes(folder_zip_bytes(ROME, top="rome-2023"))
    context = chromium.new_context(viewport={"width": 1280, "height": 1000}, locale="en-GB")
    problems: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    try:
        # Log in: the committee area sends us to the form first.
        page.goto(server.url + "/committee/")
        assert "/committee/login" in page.url
        page.fill("#email", accounts["editor"])
        page.fill("#password", PASSWORD)
        page.click("main form input[type=submit]")
        page.wait_for_selector("h1:text('Conferences')")

        # Upload the sample.
        page.set_input_files("input[name=file]", str(sample))
        page.click("#upload-form input[type=submit]")
        page.wait_for_selector("h1:text('Rome Peace Conference 2023')")
        assert "Imported 'Rome Peace Conference 2023': 50 sessions" in page.inner_text(".flash")

        # Solve in the background; the run page polls and reloads itself when the run ends.
        page.fill("#time_limit_s", "8")
        page.click("#solve-form input[type=submit]")
        page.wait_for_selector("#run-progress")
        assert page.get_attribute("#run-progress", "data-running") == "true"
        page.screenshot(path=str(artifacts / "committee-run-live.png"), full_page=True)
        page.wait_for_selector("#run-outcome", timeout=SOLVE_WAIT_MS)
        assert "This timetable is in the draft." in page.inner_text("#run-outcome")
        assert page.inner_text("#p-objective") not in ("", "–")
        page.screenshot(path=str(artifacts / "committee-run-done.png"), full_page=True)

        # Pin the first session of the timetable where it is: check the pin, then save it.
        page.click("main p a:text('Rome Peace Conference 2023')")
        page.click("table.timetable tr[data-session] td:nth-child(3) a >> nth=1")
        session_id = page.inner_text("h1 .muted")
        page.fill("#pin-start", page.input_value("#move-start"))
        page.select_option("#pin-room", page.input_value("#move-room"))
        page.click("#pin-form input[name='pin-preview']")
        page.wait_for_selector("#preview")
        assert page.is_visible("#no-new-violations")
        page.screenshot(path=str(artifacts / "committee-pin-preview.png"), full_page=True)
        page.click("#pin-form input[name='pin-save']")
        page.wait_for_selector(".flash")
        assert page.inner_text(".flash").startswith("Saved: pinned")
        assert page.inner_text("#pin") != "no"

        # Publish.
        page.click("main p a:text('Rome Peace Conference 2023')")
        assert "All hard rules hold" in page.inner_text("#check-summary")
        page.once("dialog", lambda dialog: dialog.accept())  # "Publish draft revision N as version 1?"
        page.click("#publish-form button[type=submit]")
        page.wait_for_selector("#version-1")
        assert "Version 1 (public)" in page.inner_text("#version-1")
        page.screenshot(path=str(artifacts / "committee-published.png"), full_page=True)

        # The public site and the session's feed follow the published version.
        page.goto(server.url + f"/session/{session_id}")
        assert page.locator("h1").count() == 1
        feed = page.request.get(server.url + f"/feeds/session/{session_id}.ics")
        assert feed.ok
        event = Calendar.from_ical(feed.body()).walk("VEVENT")[0]
        assert int(event["SEQUENCE"]) == 0
    finally:
        context.close()
        server.close()
    assert not problems, problems


def test_publishing_asks_first_and_the_forms_fit_a_laptop_screen(make_app, accounts, chromium, artifacts):
    app = make_app(WTF_CSRF_ENABLED=True)
    conference = make_conference([make_session("A", speakers=("sp1",))], name="Small Conference")
    with get_store(app).write() as session:
        slug = service.create_conference(session, conference, Timetable((Assignment("A", "R1", at("09:00"),
                                                                                    at("10:00")),)), by="t").slug
    server = LiveServer(app)
    context = chromium.new_context(viewport={"width": 1280, "height": 720}, locale="en-GB")
    page = context.new_page()
    questions: list[str] = []
    try:
        log_in(page, server, accounts["editor"])
        page.goto(server.url + f"/committee/c/{slug}/")

        # The solve and publish forms never cover each other, on a laptop or a smaller window.
        for width in (1280, 1024):
            page.set_viewport_size({"width": width, "height": 720})
            solve_box = page.locator("#solve-form fieldset").bounding_box()
            publish_box = page.locator("#publish-form fieldset").bounding_box()
            apart = (solve_box["x"] + solve_box["width"] <= publish_box["x"]
                     or solve_box["y"] + solve_box["height"] <= publish_box["y"])
            assert apart, (width, solve_box, publish_box)
            for control in ("#time_limit_s", "#baseline", "#solve-form input[type=submit]"):
                box = page.locator(control).bounding_box()
                assert solve_box["x"] <= box["x"] <= box["x"] + box["width"] <= solve_box["x"] + solve_box["width"], (
                    width, control)
            page.screenshot(path=str(artifacts / f"committee-forms-{width}.png"))

        # Publishing reaches every subscriber: the page asks first, and "no" publishes nothing.
        page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
        page.click("#publish-form button[type=submit]")
        page.wait_for_timeout(300)
        assert "/versions" not in page.url
        assert questions and "as version 1" in questions[0]
        with get_store(app).read() as session:
            assert service.latest_version(session, service.conference_row(session, slug).id) is None
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#publish-form button[type=submit]")
        page.wait_for_selector("#version-1")
    finally:
        context.close()
        server.close()


def test_the_progress_page_stops_waiting_when_the_member_is_logged_out(make_app, accounts, chromium):
    app = make_app(WTF_CSRF_ENABLED=True)
    runner(app)  # started before the run exists, so it leaves the run below running
    with get_store(app).write() as session:
        row = service.create_conference(session, make_conference([make_session("A")]), None, by="t")
        # A run solving on another machine: the page polls it as long as it runs.
        run = RunRow(conference_id=row.id, lock_version=1, state=RUNNING, time_limit_s=600, worker="elsewhere:1",
                     created_at=utcnow())
        session.add(run)
        session.flush()
        slug, run_id = row.slug, run.id
    server = LiveServer(app)
    context = chromium.new_context(viewport={"width": 1280, "height": 720}, locale="en-GB")
    page = context.new_page()
    try:
        log_in(page, server, accounts["editor"])
        page.goto(server.url + f"/committee/c/{slug}/run/{run_id}")
        assert page.get_attribute("#run-progress", "data-running") == "true"
        other = context.new_page()  # the member logs out in another tab
        other.goto(server.url + "/committee/")
        other.click("header form button[type=submit]")
        # Instead of showing "running" forever, the page follows its next poll to the login form.
        page.wait_for_url("**/committee/login**", timeout=15_000)
    finally:
        context.close()
        server.close()
