"""End to end in headless Chromium against a real waitress server: the grid, filters, stars and clashes, the
personal .ics, now/next in the conference's zone, the phone list, keyboard use; screenshots in test-artifacts/."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from web_sample import DAY1, HOSTILE_TITLE, RTL_TITLE, at

from webview.links import selection_token

pytestmark = pytest.mark.browser


@pytest.fixture
def open_page(browser):
    """A page in a fresh context; fails the test on any script error or console error (CSP violations too)."""
    contexts = []
    problems: list[str] = []

    def make(base: str, path: str, **context_options):
        context = browser.new_context(accept_downloads=True, **context_options)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("console", lambda message: problems.append(f"console: {message.text}")
                if message.type == "error" else None)
        page.goto(base + path)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, problems


def visible_ids(page) -> list[str]:
    return page.eval_on_selector_all(".grid .s", "els => els.filter(e => !e.hidden).map(e => e.dataset.id)")


def test_grid_filter_star_clash_and_personal_ics(live_server, open_page, artifacts):
    page = open_page(live_server.url, "/day/2023-10-13", viewport={"width": 1280, "height": 1400}, locale="en-GB")
    page.locator('.s[data-id="A"] .star').wait_for()
    page.screenshot(path=str(artifacts / "grid-small-conference.png"), full_page=True)
    assert page.locator("h1").inner_text() == "Friday, 13 October 2023"  # en-GB: the day before the month
    assert page.locator('.s[data-id="A"] > a').inner_text() == HOSTILE_TITLE  # shown as text, not run
    assert page.locator('.s[data-id="B"] > a').inner_text() == RTL_TITLE

    # Filter: sessions I can follow in German (held in it, or interpreted into it).
    page.select_option("#f-follow", "de")
    assert visible_ids(page) == ["OPEN", "D"]
    assert page.locator("#shown").inner_text() == "2 of 5 sessions shown"
    assert "follow=de" in page.url
    assert "follow=de" in page.get_attribute('.days a[href*="2023-10-14"]', "href")
    page.select_option("#f-follow", "")
    page.select_option("#f-language", "en")
    assert visible_ids(page) == ["A"]
    assert page.locator("#no-match").is_hidden() and page.locator(".grid .b").is_visible()
    # Nothing held in Spanish that day: the message, not a grid of only its lunch break; and back.
    page.select_option("#f-language", "es")
    assert visible_ids(page) == []
    expect(page.locator("#no-match")).to_be_visible()
    assert page.locator(".grid .b").is_hidden()
    page.select_option("#f-language", "")
    assert page.locator("#no-match").is_hidden() and page.locator(".grid .b").is_visible()
    page.fill("#f-speaker", "muller")
    assert visible_ids(page) == ["A", "D"]
    page.fill("#f-speaker", "")
    page.select_option("#f-room", "R3")
    assert visible_ids(page) == ["WS/7", "D"]  # D is relayed into R3
    assert page.locator('.relay[data-of="D"]').is_visible()
    page.select_option("#f-room", "")
    assert visible_ids(page) == ["OPEN", "A", "B", "WS/7", "D"]

    # Star two overlapping sessions: both are marked as clashing, the third is not.
    page.click('.s[data-id="A"] .star')
    page.click('.s[data-id="B"] .star')
    for session_id in ("A", "B"):
        item = page.locator(f'.s[data-id="{session_id}"]')
        assert item.locator(".star").get_attribute("aria-pressed") == "true"
        assert "jclash" in item.get_attribute("class")
        assert item.locator(".cb").inner_text() == "Clash"
    assert page.locator('.s[data-id="WS/7"] .cb').count() == 0
    assert page.locator("[data-star-count]").inner_text().strip() == "(2)"

    # The stars survive a reload (localStorage).
    page.reload()
    assert page.locator('.s[data-id="B"] .star').get_attribute("aria-pressed") == "true"

    # The agenda page: both sessions, the clash, and the export.
    page.click("#agenda-link")
    page.wait_for_url("**/agenda?s=A&s=B")
    assert page.locator("#clash-h").inner_text() == "1 clash"
    assert page.eval_on_selector_all(".cards li", "els => els.map(e => e.dataset.id)") == ["A", "B"]
    with page.expect_download() as download:
        page.click(".feed a[download]")
    calendar = Calendar.from_ical(download.value.path().read_bytes())
    events = {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}
    assert set(events) == {"A", "B"}
    assert events["A"].decoded("DTSTART") == at(DAY1, "10:30")
    assert events["B"].decoded("DTEND") == at(DAY1, "12:00")
    assert str(events["A"]["SUMMARY"]) == HOSTILE_TITLE
    subscribe = page.get_attribute(".feed a.button", "href")
    assert subscribe.startswith("webcal://127.0.0.1:") and subscribe.endswith(".ics")
    assert subscribe.removeprefix("webcal://") == download.value.url.removeprefix("http://")

    # Unstarring on the agenda page updates it.
    page.click('.cards li[data-id="B"] .star')
    page.wait_for_url("**/agenda?s=A")
    assert page.locator("#no-clash").inner_text() == "No clashes between your sessions."


def test_now_and_next_follow_the_conference_zone_not_the_browsers(live_server, open_page):
    # 08:45 UTC is 10:45 in Rome and 01:45 in Los Angeles, where this browser thinks it is.
    page = open_page(live_server.url, "/", timezone_id="America/Los_Angeles", locale="it-IT",
                     viewport={"width": 1280, "height": 900})
    page.clock.set_fixed_time(datetime(2023, 10, 13, 8, 45, tzinfo=UTC))
    page.goto(live_server.url + "/day/2023-10-13")
    page.locator("#clock").wait_for()
    assert page.locator("#clock").inner_text() == "Ora a Roma: 10:45"
    assert page.locator("html").get_attribute("lang") == "it"
    now = page.eval_on_selector_all(".s.now", "els => els.map(e => e.dataset.id)")
    following = page.eval_on_selector_all(".s.next", "els => els.map(e => e.dataset.id)")
    assert now == ["A", "B"]
    assert following == ["WS/7", "D"]  # the next session in each room that has one (R3 at 11:00, R1 at 14:00)
    assert page.locator('.s[data-id="A"]').get_attribute("aria-current") == "time"
    assert page.locator('.s[data-id="A"] .nb').inner_text() == "Ora"

    page.goto(live_server.url + "/day/2023-10-14")
    assert page.locator("#clock").is_hidden()
    assert page.locator(".s.now, .s.next").count() == 0


def test_phone_gets_a_list_and_everything_works_from_the_keyboard(live_server, open_page, artifacts):
    page = open_page(live_server.url, "/day/2023-10-13", viewport={"width": 390, "height": 844}, is_mobile=True)
    page.locator('.s[data-id="A"] .star').wait_for()
    assert page.eval_on_selector(".grid", "e => getComputedStyle(e).display") == "block"
    assert page.locator(".grid .t").first.is_hidden()
    assert page.locator('.s[data-id="A"] .r').inner_text() == " · Aula Magna"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling on a phone"
    page.screenshot(path=str(artifacts / "list-phone.png"), full_page=True)

    # Keyboard: reach the first star by tabbing and press it.
    star = page.locator('.s[data-id="OPEN"] .star')
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.closest('[data-id]')?.dataset.id") == "OPEN" and \
                page.evaluate("() => document.activeElement.classList.contains('star')"):
            break
    else:
        pytest.fail("the star button of OPEN is not reachable with Tab")
    page.keyboard.press("Space")
    assert star.get_attribute("aria-pressed") == "true"
    assert star.get_attribute("aria-label").startswith("Remove from my agenda: Apertura")


def test_shared_agenda_can_be_adopted_and_links_copied(live_server, open_page, app):
    with app.test_request_context():
        token = selection_token(["D", "E"])
    page = open_page(live_server.url, f"/agenda/{token}", viewport={"width": 1000, "height": 800})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("#adopt")
    assert page.locator("#adopt").inner_text() == "Added to your stars"
    page.click('button[data-copy="share"]')
    expect(page.locator('button[data-copy="share"]')).to_have_text("Copied")  # after the clipboard's promise
    assert page.evaluate("() => navigator.clipboard.readText()") == f"{live_server.url}/agenda/{token}"
    page.goto(live_server.url + "/agenda")
    page.wait_for_url("**/agenda?s=D&s=E")
    assert page.eval_on_selector_all(".cards li", "els => els.map(e => e.dataset.id)") == ["D", "E"]


def test_timetable_stays_readable_offline(live_server, open_page):
    page = open_page(live_server.url, "/day/2023-10-13", viewport={"width": 1000, "height": 800})
    # The service worker has installed (and saved every day's page) once it is ready.
    assert page.evaluate("""async () => {
        const worker = (await navigator.serviceWorker.ready).active;
        if (worker.state !== "activated") {
            await new Promise(done => worker.addEventListener(
                "statechange", () => worker.state === "activated" && done()));
        }
        return worker.state;
    }""") == "activated"
    assert page.locator("#offline").is_hidden()
    page.context.set_offline(True)
    page.goto(live_server.url + "/day/2023-10-14")  # never visited: precached
    assert page.locator("h1").inner_text() == "Saturday, October 14, 2023"
    assert page.locator('.s[data-id="E"] .star').count() == 1  # the script came from the cache too
    expect(page.locator("#offline")).to_be_visible()
    page.context.set_offline(False)


def test_rome_grid_in_italian(rome_live_server, open_page, artifacts):
    # Tall enough that the grid's own scroll box (85% of the window) shows the whole day in the screenshot.
    page = open_page(rome_live_server.url, "/day/2023-10-13", viewport={"width": 1400, "height": 2600},
                     locale="it-IT")
    page.locator(".s .star").first.wait_for()
    page.screenshot(path=str(artifacts / "grid-rome-2023-10-13.png"), full_page=True)
    assert page.locator("h1").inner_text() == "venerdì 13 ottobre 2023"
    rooms = page.eval_on_selector_all(".grid .h", "els => els.map(e => e.innerText)")
    assert rooms[0] == "Aula Magna" and len(rooms) >= 4
    total = page.locator(".grid .s").count()
    assert total > 5 and len(visible_ids(page)) == total
    page.select_option("#f-follow", "uk")
    followable = visible_ids(page)
    assert 0 < len(followable) < total
    for session_id in followable:
        languages = page.get_attribute(f'.s[data-id="{session_id}"]', "data-follow").split()
        assert "uk" in languages
    # Boxes never overlap inside one room column.
    boxes = page.eval_on_selector_all(".grid .s", """els => els.map(e => {
        const r = e.getBoundingClientRect(); return [JSON.parse(e.dataset.room)[0], r.top, r.bottom, r.left]; })""")
    by_column: dict[float, list[tuple[float, float]]] = {}
    for _, top, bottom, left in boxes:
        by_column.setdefault(round(left), []).append((top, bottom))
    for spans in by_column.values():
        spans.sort()
        assert all(a[1] <= b[0] + 1 for a, b in zip(spans, spans[1:], strict=False)), spans


@pytest.mark.parametrize("path", ["/", "/day/2023-10-13", "/session/OPEN", "/speaker/S1", "/rooms", "/feeds/",
                                  "/agenda?s=A&s=B", "/search?q=pace"])
def test_no_page_scrolls_sideways_on_a_small_phone(live_server, open_page, path):
    """360 CSS pixels is a common Android width: the header's search and the rooms table fit (the table scrolls
    inside its own box), so the page never scrolls sideways."""
    page = open_page(live_server.url, path, viewport={"width": 360, "height": 740}, is_mobile=True)
    page.locator("#agenda-strings").wait_for(state="attached")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    search = page.locator("header.site .search button").bounding_box()
    assert search["x"] + search["width"] <= 360, "the search button is on screen"


def test_keyboard_focus_ring_of_a_grid_star_is_not_cut_off(live_server, open_page):
    """A grid box clips what overflows it; the star's focus ring is drawn inside the button, so all of it shows."""
    page = open_page(live_server.url, "/day/2023-10-13", viewport={"width": 1280, "height": 900})
    page.locator('.s[data-id="B"] .star').wait_for()
    page.focus('.s[data-id="B"] > a')
    page.keyboard.press("Tab")
    ring = page.evaluate("""() => {
        const star = document.activeElement, style = getComputedStyle(star);
        const grow = parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset);
        const r = star.getBoundingClientRect(), box = star.parentElement.getBoundingClientRect();
        return {star: star.classList.contains("star"), visible: style.outlineStyle !== "none",
                inside: r.top - grow >= box.top && r.right + grow <= box.right && r.left - grow >= box.left
                        && r.bottom + grow <= box.bottom};
    }""")
    assert ring == {"star": True, "visible": True, "inside": True}


def test_a_picked_interface_language_stays_through_the_personal_agenda(live_server, open_page):
    """English browser, Italian picked with ?lang=it: the script's agenda link keeps the choice."""
    page = open_page(live_server.url, "/day/2023-10-13?lang=it", viewport={"width": 1280, "height": 900},
                     locale="en-US")
    assert page.locator("html").get_attribute("lang") == "it"
    page.click('.s[data-id="A"] .star')
    page.click("#agenda-link")
    page.wait_for_url("**/agenda?s=A&lang=it")
    assert page.locator("html").get_attribute("lang") == "it"
    assert page.locator("h1").inner_text() == "Il mio programma"
    page.click('a[hreflang="en"]')
    page.wait_for_url("**/agenda?s=A&lang=en")
    assert page.locator("h1").inner_text() == "My agenda"
