"""Public pages through the Flask test client: every route, its status and content, escaping of hostile text,
accessible structure, the interface language, caching headers and the personal agenda."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from web_sample import (
    DAY1,
    DAY2,
    HOSTILE_BIO,
    HOSTILE_NAME,
    HOSTILE_TITLE,
    PUBLISHED_AT,
    RTL_TITLE,
    at,
    small_conference,
    small_timetable,
)

from scheduler.domain import Timetable, Window
from scheduler.revisions import PublishedVersion
from webview.data import StaticSource
from webview.links import selection_token

STATIC = Path(__file__).resolve().parents[2] / "webview" / "static"

PAGES = [
    "/", "/day/2023-10-13", "/day/2023-10-14", "/day/2023-10-13?view=list", "/session/A", "/session/WS/7",
    "/session/TBA", "/speakers", "/speaker/S1", "/speaker/S4", "/rooms", "/room/R1", "/room/R3", "/tracks",
    "/track/causes", "/search?q=pace", "/search", "/agenda", "/agenda?s=A&s=B", "/feeds/",
]


class Page(HTMLParser):
    """Collects what the accessibility checks need from a page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        # Boolean attributes (hidden, selected, download) come as None; "" reads better in the checks.
        self.tags.append((tag, {k: "" if v is None else v for k, v in attrs}))

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def get(client, url: str, lang: str = "en", **kw):
    return client.get(url, headers={"Accept-Language": lang}, **kw)


@pytest.mark.parametrize("url", PAGES)
def test_headings_never_skip_a_level(client, url):
    """h1, then h2 sections, then h3 cards: a screen reader's list of headings shows the page's outline."""
    page = Page(get(client, url).get_data(as_text=True))
    levels = [int(tag[1]) for tag, _ in page.tags if re.fullmatch(r"h[1-6]", tag)]
    assert levels[0] == 1, (url, levels)
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), (url, levels)


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_accessible_html(client, url):
    response = get(client, url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/html"
    page = Page(response.get_data(as_text=True))
    assert page.all("html")[0]["lang"] == "en"
    assert len(page.all("h1")) == 1, "one h1 per page"
    assert page.all("main", id="main") and page.all("header") and page.all("footer")
    assert page.all("a", href="#main"), "skip link"
    assert all(nav.get("aria-label") for nav in page.all("nav")), "every nav is labelled"
    labelled = {a["for"] for a in page.all("label") if "for" in a}
    for tag in ("input", "select"):
        for control in page.all(tag):
            if control.get("type") != "hidden":
                assert control.get("id") in labelled or control.get("aria-label"), (url, control)
    ids = [a["id"] for _, a in page.tags if "id" in a]
    assert len(ids) == len(set(ids)), "ids are unique"
    # Everything from this origin: no CDN, no external script, style or font.
    for tag, attr in (("script", "src"), ("link", "href"), ("img", "src")):
        for value in (element[attr] for element in page.all(tag) if attr in element):
            assert value.startswith("/") or value.startswith("data:"), (url, tag, value)
    assert not [a for t, a in page.tags if t == "script" and "src" not in a and a.get("type") != "application/json"]


def test_day_grid_places_sessions_and_lists_rooms(client):
    html = get(client, "/day/2023-10-13").get_data(as_text=True)
    page = Page(html)
    sessions = page.all("li", **{"data-id": "A"})
    assert len(sessions) == 1
    a = sessions[0]
    assert a["style"] == "grid-area:8/2/12/3"
    assert (a["data-lang"], a["data-follow"], a["data-track"]) == ("en", "en", "causes")
    assert json.loads(a["data-room"]) == ["R1"]
    assert json.loads(Page(html).all("li", **{"data-id": "D"})[0]["data-room"]) == ["R1", "R3"]
    assert int(a["data-end"]) - int(a["data-start"]) == 3600
    assert len([h for h in page.all("li") if h.get("class") == "h"]) == 3
    assert "Aula Magna" in html and "Sala Moro" in html and "Sala Dolci" in html
    assert "Break 13:00–14:00" in html
    assert page.all("li", **{"data-of": "D"}), "D is relayed into R3"
    assert "5 of 5 sessions shown" in html
    assert 'class="grid"' in html and 'class="grid list"' not in html


def test_day_list_view_and_server_side_filters(client):
    html = get(client, "/day/2023-10-13?view=list&follow=de").get_data(as_text=True)
    page = Page(html)
    assert 'class="grid list"' in html
    shown = [a["data-id"] for a in page.all("li") if "data-id" in a and "hidden" not in a]
    hidden = [a["data-id"] for a in page.all("li") if "data-id" in a and "hidden" in a]
    assert shown == ["OPEN", "D"] and hidden == ["A", "B", "WS/7"]
    assert "2 of 5 sessions shown" in html
    assert page.all("option", value="de", selected="")
    # The day links keep the filters.
    assert page.all("a", href="/day/2023-10-14?follow=de")


class VisibleText(HTMLParser):
    """The text a reader sees: none of what sits inside an element marked `hidden` (or in a script)."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                      "wbr"})

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # open elements: (tag, whether it or an ancestor is hidden)
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            inherited = self.stack[-1][1] if self.stack else False
            self.stack.append((tag, inherited or "hidden" in dict(attrs) or tag == "script"))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]):
            self.text.append(data)

    def __str__(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.mark.parametrize("query", ["language=es", "track=europe&kind=report", "speaker=nobody&view=list"])
def test_a_day_filtered_to_nothing_says_so_instead_of_showing_a_lone_break(client, query):
    """Nothing of the day matches: a message, and no break row standing alone where the sessions were."""
    html = get(client, f"/day/2023-10-13?{query}").get_data(as_text=True)
    text = str(VisibleText(html))
    assert "No sessions match these filters." in text and "0 of 5 sessions shown" in text
    assert "Break" not in text
    assert not [a for a in Page(html).all("li") if "data-id" in a and "hidden" not in a]


def test_the_no_match_message_is_translated_and_absent_while_something_matches(client):
    italian = str(VisibleText(get(client, "/day/2023-10-13?language=es", lang="it").get_data(as_text=True)))
    assert "Nessuna sessione corrisponde a questi filtri." in italian and "Pausa" not in italian
    some = str(VisibleText(get(client, "/day/2023-10-13?language=en").get_data(as_text=True)))
    assert "No sessions match" not in some and "1 of 5 sessions shown" in some and "Break 13:00–14:00" in some
    unfiltered = str(VisibleText(get(client, "/day/2023-10-13").get_data(as_text=True)))
    assert "No sessions match" not in unfiltered and "Break 13:00–14:00" in unfiltered


@pytest.mark.parametrize("url", ["/day/2023-10-20", "/day/not-a-date", "/session/nope", "/speaker/nope", "/room/nope",
                                 "/track/nope", "/agenda/forged-token", "/nope"])
def test_unknown_things_are_404_pages(client, url):
    response = get(client, url)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_a_withdrawn_sessions_page_says_so_for_the_link_in_cancelled_calendar_events(conference, app_for):
    first = small_timetable()
    later = replace(conference, sessions=tuple(s for s in conference.sessions if s.session_id != "E"))
    versions = (PublishedVersion(1, PUBLISHED_AT, conference, first),
                PublishedVersion(2, PUBLISHED_AT + timedelta(days=1), later,
                                 Timetable(tuple(a for a in first.assignments if a.session_id != "E"))))
    client = app_for(StaticSource(later, versions)).test_client()
    response = get(client, "/session/E")
    assert response.status_code == 410
    text = str(VisibleText(response.get_data(as_text=True)))
    assert "Session withdrawn" in text and "Reports from Kharkiv" in text
    assert get(client, "/session/E", lang="it").status_code == 410
    assert "Sessione ritirata" in get(client, "/session/E", lang="it").get_data(as_text=True)
    # Never published (TBA was never placed) or never existed: still "no such page".
    assert get(client, "/session/TBA").status_code == 200 and get(client, "/session/nope").status_code == 404


@pytest.mark.parametrize("url", ["/day/2023-10-13", "/session/A", "/session/B", "/speaker/S4", "/search?q=peace",
                                 "/agenda?s=A&s=B", "/track/causes", "/room/R1", "/speakers"])
def test_hostile_text_is_escaped(client, url):
    html = get(client, url).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>Shalom</b>" not in html
    assert "<Ö'Brien>" not in html
    assert any(escaped in html for escaped in ("&lt;script&gt;alert(1)&lt;/script&gt;", "Zoë &lt;Ö&#39;Brien&gt;",
                                               "&lt;b&gt;Shalom&lt;/b&gt;"))


def test_hostile_title_is_escaped_in_text_and_attributes(client):
    html = get(client, "/session/A").get_data(as_text=True)
    assert "Peace &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quoted&#34; &#39;single&#39;" in html
    assert Page(html).all("h1")[0]["dir"] == "auto"
    # The title inside a query string (Google Calendar link) is URL-encoded, not raw.
    google = next(a["href"] for a in Page(html).all("a") if a.get("href", "").startswith("https://calendar.google"))
    assert parse_qs(urlsplit(google).query)["text"] == [HOSTILE_TITLE]


def test_rtl_text_is_isolated_and_marked_with_its_language(client):
    page = Page(get(client, "/session/B").get_data(as_text=True))
    h1 = page.all("h1")[0]
    assert h1["dir"] == "auto" and h1["lang"] == "ru"
    assert RTL_TITLE in "".join(page.text)
    speaker = Page(get(client, "/speaker/S4").get_data(as_text=True))
    assert speaker.all("h1")[0]["dir"] == "auto"
    assert HOSTILE_NAME in "".join(speaker.text) and HOSTILE_BIO in "".join(speaker.text)


def test_free_text_ids_survive_attributes_urls_and_filters(app_for):
    odd = "Sala 'A' <1>"
    conference = small_conference()
    conference = replace(conference, rooms=(replace(conference.rooms[0], room_id=odd), *conference.rooms[1:]))
    timetable = Timetable(tuple(replace(a, room_id=odd) if a.room_id == "R1" else a
                                for a in small_timetable().assignments))
    versions = (PublishedVersion(1, PUBLISHED_AT, conference, timetable),)
    client = app_for(StaticSource(conference, versions)).test_client()
    html = client.get("/day/2023-10-13").get_data(as_text=True)
    assert "<1>" not in html
    page = Page(html)
    assert json.loads(page.all("li", **{"data-id": "A"})[0]["data-room"]) == [odd]
    assert client.get("/room/" + quote(odd)).status_code == 200
    assert client.get("/feeds/room/" + quote(odd) + ".ics").status_code == 200
    filtered = Page(client.get("/day/2023-10-13", query_string={"room": odd}).get_data(as_text=True))
    assert [a["data-id"] for a in filtered.all("li") if "data-id" in a and "hidden" not in a] == ["OPEN", "A", "D"]


def test_session_page_shows_everything_an_attendee_needs(client):
    html = get(client, "/session/OPEN").get_data(as_text=True)
    for expected in ("Apertura: costruire la pace", "Friday, October 13, 2023, 09:00–10:00", "UTC+02:00",
                     'href="/room/R1"', "relayed live to", 'href="/room/R2"',
                     'Italian (<span lang="it">italiano</span>)', 'German (<span lang="de">Deutsch</span>), English',
                     'href="/speaker/S1"', "Olena Kovalenko",
                     'href="/feeds/session/OPEN.ics"', "Presentazione del programma."):
        assert expected in html, expected
    page = Page(html)
    assert page.all("article")[0]["data-id"] == "OPEN"
    google = next(a["href"] for a in page.all("a") if a.get("href", "").startswith("https://calendar.google"))
    assert parse_qs(urlsplit(google).query)["dates"] == ["20231013T070000Z/20231013T080000Z"]
    assert page.all("div", **{"class": "abstract", "lang": "it", "dir": "auto"})


def test_session_with_slash_in_its_id_and_unplaced_session(client):
    assert "Città e pace" in get(client, "/session/WS/7").get_data(as_text=True)
    html = get(client, "/session/TBA").get_data(as_text=True)
    assert "Not scheduled yet" in html and "/feeds/session/TBA.ics" not in html


def test_speaker_page_has_sessions_and_a_subscribable_feed(client):
    page = Page(get(client, "/speaker/S1").get_data(as_text=True))
    text = "".join(page.text)
    assert "Peace researcher." in text and "Anna Rossi" in text
    assert [a["data-id"] for a in page.all("li") if "data-id" in a] == ["OPEN", "D"]
    assert page.all("a", href="webcal://localhost/feeds/speaker/S1.ics")
    assert page.all("input", value="http://localhost/feeds/speaker/S1.ics", readonly="")
    assert page.all("button", **{"data-copy": page.all("input", readonly="")[0]["id"]})


def test_base_url_setting_is_used_for_feed_links(conference, versions, app_for):
    app = app_for(StaticSource(conference, versions), BASE_URL="https://agenda.example.org/")
    html = app.test_client().get("/speaker/S1").get_data(as_text=True)
    assert "webcal://agenda.example.org/feeds/speaker/S1.ics" in html
    assert 'value="https://agenda.example.org/feeds/speaker/S1.ics"' in html


def test_with_a_base_url_a_request_naming_another_host_is_refused(conference, versions, app_for):
    """Links come from BASE_URL then, so a forged Host header is refused rather than answered; a health check or
    a proxy on the same machine still gets in, and its links still name the public host."""
    client = app_for(StaticSource(conference, versions), BASE_URL="https://agenda.example.org").test_client()
    for path in ("/speaker/S1", "/feeds/", "/feeds/conference.ics", "/api/"):
        assert client.get(path, headers={"Host": "evil.example"}).status_code == 400, path
        assert client.get(path, headers={"Host": "agenda.example.org"}).status_code == 200, path
    local = client.get("/feeds/", headers={"Host": "127.0.0.1:8000"}).get_data(as_text=True)
    assert "webcal://agenda.example.org/feeds/conference.ics" in local and "127.0.0.1" not in local


def test_trusted_hosts_setting_wins_over_the_base_urls_default(conference, versions, app_for):
    app = app_for(StaticSource(conference, versions), BASE_URL="https://agenda.example.org",
                  TRUSTED_HOSTS=[".example.org"])
    client = app.test_client()
    assert client.get("/", headers={"Host": "www.example.org"}).status_code == 200
    assert client.get("/", headers={"Host": "localhost"}).status_code == 400
    no_base = app_for(StaticSource(conference, versions), TRUSTED_HOSTS=["agenda.example.org"]).test_client()
    assert no_base.get("/feeds/", headers={"Host": "evil.example"}).status_code == 400
    page = no_base.get("/feeds/", headers={"Host": "agenda.example.org"}).get_data(as_text=True)
    assert "webcal://agenda.example.org/feeds/conference.ics" in page


def test_room_and_track_pages(client):
    room = get(client, "/room/R3").get_data(as_text=True)
    assert "60 seats" in room and "Live relays of sessions held elsewhere" in room and "Europe after the war" in room
    assert "webcal://localhost/feeds/room/R3.ics" in room
    track = Page(get(client, "/track/causes").get_data(as_text=True))
    assert [a["data-id"] for a in track.all("li") if "data-id" in a] == ["A", "WS/7"]
    assert get(client, "/track/war-zone").status_code == 200
    tracks = get(client, "/tracks").get_data(as_text=True)
    assert all(f'href="/track/{t}"' in tracks for t in ("causes", "europe", "war-zone"))


def test_a_room_open_only_at_some_times_says_when_in_the_readers_locale(conference, app_for):
    """Windows are written as the site writes other dates; a window ending on another day names both days."""
    windows = (Window(at(DAY1, "09:00"), at(DAY1, "13:00")),
               Window(at(DAY2, "20:00"), at(DAY2 + timedelta(days=1), "01:00")))
    rooms = tuple(replace(r, availability=windows) if r.room_id == "R1" else r for r in conference.rooms)
    limited = replace(conference, rooms=rooms)
    client = app_for(StaticSource(limited, (PublishedVersion(1, PUBLISHED_AT, limited, small_timetable()),))
                     ).test_client()

    def opening(lang: str, room: str = "R1") -> tuple[str, list[str]] | None:
        html = get(client, f"/room/{room}", lang=lang).get_data(as_text=True)
        lead = re.search(r'<p id="room-open">([^<]*)</p>', html)
        if lead is None:
            return None
        items = re.search(r'<ul id="room-windows"[^>]*>(.*?)</ul>', html, re.S).group(1)
        return lead.group(1), [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li>(.*?)</li>", items, re.S)]

    assert opening("en-GB,en;q=0.9") == ("Open only at these times:",
                                         ["Fri 13 Oct, 09:00–13:00", "Sat 14 Oct, 20:00–Sun 15 Oct, 01:00"])
    assert opening("en-US") == ("Open only at these times:",
                                ["Fri, Oct 13, 09:00–13:00", "Sat, Oct 14, 20:00–Sun, Oct 15, 01:00"])
    assert opening("it") == ("Aperta solo in questi orari:",
                             ["ven 13 ott, 09:00–13:00", "sab 14 ott, 20:00–dom 15 ott, 01:00"])
    page = Page(get(client, "/room/R1").get_data(as_text=True))
    assert [t["datetime"] for t in page.all("time")][:2] == ["2023-10-13T09:00:00+02:00", "2023-10-13T13:00:00+02:00"]
    assert opening("en-GB", room="R2") is None  # open throughout: nothing to say


def test_search_covers_titles_abstracts_and_speakers_with_filters(client):
    def found(query: str) -> list[str]:
        page = Page(get(client, "/search?" + query).get_data(as_text=True))
        return [a["data-id"] for a in page.all("li") if "data-id" in a]

    assert found("q=citta") == ["WS/7"]
    assert found("q=nonviolenza") == ["WS/7"]
    assert found("q=kovalenko") == ["OPEN", "E", "TBA"]
    assert found("q=kovalenko&follow=en") == ["OPEN", "E", "TBA"]
    assert found("q=kovalenko&language=uk") == ["E"]
    assert found("") == []  # an empty search lists nothing rather than everything


def test_agenda_lists_starred_sessions_clashes_and_export_links(client):
    html = get(client, "/agenda?s=B&s=A&s=D&s=gone").get_data(as_text=True)
    page = Page(html)
    assert [a["data-id"] for a in page.all("li") if "data-id" in a] == ["A", "B", "D"]
    assert "1 clash" in html and "1 starred session no longer exists." in html
    clashing = [a["data-id"] for a in page.all("li") if "data-id" in a and "clash" in a["class"].split()]
    assert clashing == ["A", "B"]
    token = selection_token_for(client, ["A", "B", "D"])
    assert page.all("a", href=f"http://localhost/feeds/agenda/{token}.ics", download="")
    assert page.all("a", href=f"webcal://localhost/feeds/agenda/{token}.ics")
    assert page.all("input", id="share", value=f"http://localhost/agenda/{token}")


def test_clashing_titles_carry_their_language(client):
    """The clash list names the sessions in their own languages, marked so a screen reader switches voice."""
    page = Page(get(client, "/agenda?s=A&s=B").get_data(as_text=True))
    for session_id, language in (("A", "en"), ("B", "ru")):
        links = page.all("a", href=f"/session/{session_id}")
        assert len(links) == 2, "the clash list and the card"
        assert all(link.get("lang") == language for link in links), links


def test_agenda_token_is_stable_and_the_shared_page_shows_the_selection(client):
    token = selection_token_for(client, ["D", "A", "A"])
    assert token == selection_token_for(client, ["A", "D"])
    assert token != selection_token_for(client, ["A"])
    page = Page(get(client, f"/agenda/{token}").get_data(as_text=True))
    assert [a["data-id"] for a in page.all("li") if "data-id" in a] == ["A", "D"]
    assert json.loads(page.all("button", id="adopt")[0]["data-ids"]) == ["A", "D"]
    assert page.all("div", id="agenda", **{"data-shared": "true"})


def test_token_signed_with_another_key_is_rejected(client, app):
    from itsdangerous import URLSafeSerializer

    forged = URLSafeSerializer("other-key", salt="agenda.selection").dumps(["A"])
    assert get(client, f"/agenda/{forged}").status_code == 404


def test_empty_agenda_explains_how_to_star(client):
    html = get(client, "/agenda").get_data(as_text=True)
    assert "No sessions starred yet" in html and "Starring sessions needs JavaScript." in html


def test_now_redirects_to_a_day(client):
    response = get(client, "/now")
    assert response.status_code == 302 and response.headers["Location"] == "/day/2023-10-13"


def test_index_lists_days_and_language_entry_points(client):
    html = get(client, "/").get_data(as_text=True)
    assert 'href="/day/2023-10-13"' in html and "5 sessions" in html and "2 sessions" in html
    assert 'href="/search?follow=uk"' in html and 'Ukrainian (<span lang="uk">українська</span>)' in html
    assert "To be announced" in html  # the unplaced session, listed apart


def test_unpublished_conference_says_so_and_offers_no_feeds(unpublished_client):
    index = get(unpublished_client, "/").get_data(as_text=True)
    assert "has not been published yet" in index
    day = get(unpublished_client, "/day/2023-10-13").get_data(as_text=True)
    assert "The timetable has not been published yet." in day
    session = get(unpublished_client, "/session/A").get_data(as_text=True)
    assert "Not scheduled yet" in session and ".ics" not in session
    assert "webcal:" not in get(unpublished_client, "/speaker/S1").get_data(as_text=True)


# ---- interface language


def test_interface_language_follows_the_browser(client):
    it = get(client, "/day/2023-10-13", lang="it-IT,it;q=0.9,en;q=0.8")
    html = it.get_data(as_text=True)
    assert Page(html).all("html")[0]["lang"] == "it"
    for expected in ("venerdì 13 ottobre 2023", "Riesco a seguire", "Pausa 13:00–14:00", "5 di 5 sessioni mostrate",
                     "Il mio programma", "tedesco (Deutsch)"):
        assert expected in html, expected
    # Session content stays in its own language.
    assert "Apertura: costruire la pace" in html and "Europe after the war" in html
    assert it.headers["Vary"] == "Accept-Language"
    assert Page(get(client, "/", lang="de-DE,de;q=0.9").get_data(as_text=True)).all("html")[0]["lang"] == "en"
    assert Page(get(client, "/", lang="fr;q=0.9, it;q=0.5").get_data(as_text=True)).all("html")[0]["lang"] == "it"


def day_dates(html: str) -> tuple[str, list[str]]:
    """(the h1 of a day page, the short dates of its day links)."""
    heading = re.search(r"<h1>([^<]*)</h1>", html).group(1)
    nav = re.search(r'<nav class="days"[^>]*>(.*?)</nav>', html, re.S).group(1)
    return heading, re.findall(r'<a href="/day/[^"]*"[^>]*>([^<(]*?)\s*(?:\([^)]*\))?</a>', nav)


@pytest.mark.parametrize(("accept", "heading", "short"), [
    ("en-GB,en;q=0.9", "Friday, 13 October 2023", ["Fri 13 Oct", "Sat 14 Oct"]),
    ("en-IE", "Friday 13 October 2023", ["Fri, 13 Oct", "Sat, 14 Oct"]),
    ("en-AU,en;q=0.8", "Friday, 13 October 2023", ["Fri 13 Oct", "Sat 14 Oct"]),
    ("en-US,en;q=0.9", "Friday, October 13, 2023", ["Fri, Oct 13", "Sat, Oct 14"]),
    ("en", "Friday, October 13, 2023", ["Fri, Oct 13", "Sat, Oct 14"]),
    ("en-XX,en;q=0.9", "Friday, October 13, 2023", ["Fri, Oct 13", "Sat, Oct 14"]),  # a region Babel lacks
])
def test_english_dates_follow_the_browsers_region(client, accept, heading, short):
    """A British, Irish or Australian reader reads the day before the month; the words stay the English
    catalogue's, and the page is in English as far as the switcher and `lang` are concerned."""
    response = get(client, "/day/2023-10-13", lang=accept)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert day_dates(html) == (heading, short)
    page = Page(html)
    assert page.all("html")[0]["lang"] == "en" and "My agenda" in html and "I can follow" in html
    switcher = {a["hreflang"]: a for a in page.all("a") if "hreflang" in a}
    assert switcher["en"].get("aria-current") == "true" and "aria-current" not in switcher["it"]
    session = get(client, "/session/OPEN", lang=accept).get_data(as_text=True)
    assert f"{heading}, 09:00–10:00" in session


def test_a_region_applies_to_the_language_picked_when_the_browser_names_one_for_it(client):
    """?lang= picks the language; the browser's region for that language (not another's) shapes the dates."""
    picked_en = get(client, "/day/2023-10-13?lang=en", lang="it-IT,it;q=0.9,en-GB;q=0.8").get_data(as_text=True)
    assert day_dates(picked_en)[0] == "Friday, 13 October 2023" and "I can follow" in picked_en
    picked_it = get(client, "/day/2023-10-13?lang=it", lang="en-GB,en;q=0.9").get_data(as_text=True)
    assert day_dates(picked_it) == ("venerdì 13 ottobre 2023", ["ven 13 ott", "sab 14 ott"])
    assert "Riesco a seguire" in picked_it and Page(picked_it).all("html")[0]["lang"] == "it"
    swiss = get(client, "/day/2023-10-13", lang="it-CH").get_data(as_text=True)
    assert day_dates(swiss)[0] == "venerdì, 13 ottobre 2023" and "Riesco a seguire" in swiss  # the `it` catalogue
    assert Page(swiss).all("html")[0]["lang"] == "it"


def test_language_names_are_marked_with_their_own_language(client):
    """ "tedesco (Deutsch)": the Italian name is read as Italian, only "Deutsch" as German."""
    html = get(client, "/", lang="it").get_data(as_text=True)
    assert '<a href="/search?follow=de">tedesco (<span lang="de">Deutsch</span>)</a>' in html
    assert '<a href="/search?follow=it">italiano</a>' in html  # the same in both: no repetition
    session = get(client, "/session/OPEN", lang="it").get_data(as_text=True)
    assert 'tedesco (<span lang="de">Deutsch</span>), inglese (<span lang="en">English</span>)' in session
    feeds = get(client, "/feeds/", lang="it").get_data(as_text=True)
    assert 'ucraino (<span lang="uk">українська</span>)' in feeds


def test_interface_language_can_be_picked_and_links_keep_it(client):
    """A phone set to English, an Italian reader: ?lang=it picks Italian, the site's links and forms keep it, and
    the switcher offers the same page in each language; feeds, shared links and the API stay language-free."""
    response = get(client, "/day/2023-10-13?follow=de&lang=it", lang="en-US,en;q=0.9")
    html = response.get_data(as_text=True)
    page = Page(html)
    assert page.all("html")[0]["lang"] == "it" and "venerdì 13 ottobre 2023" in html
    assert "Cookie" not in response.headers.get("Vary", "")  # cacheable by URL, no cookie involved
    assert page.all("a", href="/speakers?lang=it") and page.all("a", href="/day/2023-10-14?follow=de&lang=it")
    assert page.all("a", href="/session/D?lang=it")
    # GET forms drop their action's query: the language travels in a hidden field of each form.
    assert len(page.all("input", type="hidden", name="lang", value="it")) == 2  # site search, day filters
    switcher = {a["hreflang"]: a for a in page.all("a") if "hreflang" in a}
    assert switcher["en"]["href"] == "/day/2023-10-13?follow=de&lang=en" and switcher["en"]["lang"] == "en"
    assert switcher["it"]["href"] == "/day/2023-10-13?follow=de&lang=it" and switcher["it"]["aria-current"] == "true"
    # And back: ?lang=en wins over an Italian browser.
    assert Page(get(client, "/?lang=en", lang="it").get_data(as_text=True)).all("html")[0]["lang"] == "en"
    # An unknown language is ignored, and not carried on.
    unknown = get(client, "/?lang=xx", lang="it").get_data(as_text=True)
    assert Page(unknown).all("html")[0]["lang"] == "it" and "lang=xx" not in unknown
    # What is shared or subscribed to names no interface language.
    agenda = get(client, "/agenda?s=A&lang=it").get_data(as_text=True)
    token = selection_token_for(client, ["A"])
    assert f'value="http://localhost/agenda/{token}"' in agenda
    assert f'href="webcal://localhost/feeds/agenda/{token}.ics"' in agenda
    session = Page(get(client, "/session/A?lang=it").get_data(as_text=True))
    google = next(a["href"] for a in session.all("a") if a.get("href", "").startswith("https://calendar.google"))
    assert parse_qs(urlsplit(google).query)["details"] == ["http://localhost/session/A"]
    assert session.all("a", href="/feeds/session/A.ics")
    api = client.get("/api/sessions/A?lang=it").get_json()
    assert api["url"] == "http://localhost/session/A"
    assert "lang=" not in client.get("/sw.js?lang=it").get_data(as_text=True)


def test_italian_plurals_and_script_strings(client):
    html = get(client, "/room/R1", lang="it").get_data(as_text=True)
    assert "400 posti" in html and "4 canali di interpretariato" in html
    strings = re.search(r'<script type="application/json" id="agenda-strings">(.*?)</script>', html, re.S)
    data = json.loads(strings.group(1))
    assert data["star"] == "Aggiungi al mio programma" and data["clock"] == "Ora a Roma: {time}"


# ---- headers and static files


def test_pages_are_conditional_and_carry_security_headers(client):
    first = get(client, "/day/2023-10-13")
    assert first.headers["ETag"]
    assert "default-src 'self'" in first.headers["Content-Security-Policy"]
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get("/day/2023-10-13", headers={"Accept-Language": "en", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    # Another language is another document: the Italian page does not match the English ETag.
    other = client.get("/day/2023-10-13", headers={"Accept-Language": "it", "If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200


def test_static_files_are_local_versioned_and_cached_long(client):
    html = get(client, "/").get_data(as_text=True)
    js = re.search(r'src="(/static/agenda\.js\?v=[0-9a-f]{12})"', html).group(1)
    css = re.search(r'href="(/static/agenda\.css\?v=[0-9a-f]{12})"', html).group(1)
    for url in (js, css):
        response = client.get(url)
        assert response.status_code == 200
        assert response.cache_control.max_age == 365 * 24 * 3600
        response.close()


def test_service_worker_keeps_every_day_and_changes_with_each_publication(client, unpublished_client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", body).group(1))
    assert precache[:3] == ["/", "/day/2023-10-13", "/day/2023-10-14"]
    assert all(re.fullmatch(r"/static/agenda\.(css|js)\?v=[0-9a-f]{12}", url) for url in precache[3:])
    assert len(precache) == 5
    cache_name = re.compile(r'const CACHE = "agenda-([0-9a-f]{12})";')
    version = cache_name.search(body).group(1)
    assert cache_name.search(unpublished_client.get("/sw.js").get_data(as_text=True)).group(1) != version


def selection_token_for(client, ids: list[str]) -> str:
    with client.application.test_request_context():
        return selection_token(ids)


# ---- contrast of the stylesheet's colours (WCAG 2.x)


def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_text_colours_have_enough_contrast_on_every_background():
    css = (STATIC / "agenda.css").read_text()
    var = {name: value if len(value) == 7 else "#" + "".join(c * 2 for c in value[1:])
           for name, value in re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b", css)}
    for text in ("fg", "muted", "link", "now", "clash"):
        for background in ("bg", "soft", "star"):
            assert contrast(var[text], var[background]) >= 4.5, (text, background)
    # Badges: white text on the badge colours.
    for badge in ("muted", "now", "clash", "link"):
        assert contrast("#ffffff", var[badge]) >= 4.5, badge
