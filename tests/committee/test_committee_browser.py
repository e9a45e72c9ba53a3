"""The committee's whole cycle in headless Chromium against a real server, CSRF on: log in, upload the Rome
sample, solve in the background (the page follows the run live), pin a session after checking the pin, publish,
and see the public site and a speaker's feed follow the published version. Screenshots in test-artifacts/."""

from __future__ import annotations

import pytest
from committee_support import PASSWORD, ROME, LiveServer, folder_zip_bytes
from icalendar import Calendar

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SOLVE_WAIT_MS = 300_000  # a short solve of the sample on a loaded two-core machine


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
