"""The web view on real-sized data: the Rome sample (data/rome-2023, loaded by FolderSource with a timetable
made by the fixture) and a generated 1,000-session conference (page weight)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from scheduler.generate import GenerateOptions, generate
from scheduler.loader import load_conference
from scheduler.revisions import PublishedVersion
from webview import create_app
from webview.data import StaticSource

ROME = Path(__file__).resolve().parents[2] / "data" / "rome-2023"
MAX_DAY_PAGE_BYTES = 256 * 1024


@pytest.fixture(scope="module")
def rome():
    return load_conference(ROME)


def session_ids(html: str) -> list[str]:
    return re.findall(r'<li class="s [^"]*"[^>]* data-id="([^"]+)"', html)


def test_every_day_shows_every_session_placed_on_it(rome_client, rome, rome_timetable):
    placed = {line.split(",")[0] for line in rome_timetable.read_text().splitlines()[1:]}
    seen = []
    for day in rome.days:
        response = rome_client.get(f"/day/{day.date.isoformat()}")
        assert response.status_code == 200
        seen += session_ids(response.get_data(as_text=True))
    assert sorted(seen) == sorted(placed) and len(seen) == len(rome.sessions)


def test_every_session_speaker_room_and_track_page_renders(rome_client, rome):
    urls = [f"/session/{s.session_id}" for s in rome.sessions] + [f"/speaker/{p.speaker_id}" for p in rome.speakers]
    urls += [f"/room/{r.room_id}" for r in rome.rooms] + [f"/track/{t}" for t in {s.track for s in rome.sessions}]
    for url in urls:
        assert rome_client.get(url).status_code == 200, url


def test_each_speaker_feed_holds_exactly_their_sessions(rome_client, rome):
    for speaker in rome.speakers:
        response = rome_client.get(f"/feeds/speaker/{speaker.speaker_id}.ics")
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        uids = {str(e["UID"]).split("@")[0] for e in Calendar.from_ical(response.data).walk("VEVENT")}
        assert uids == {s.session_id for s in rome.sessions if speaker.speaker_id in s.speakers}, speaker.speaker_id


def test_language_feeds_and_filters_agree(rome_client, rome):
    for code in rome.languages:
        feed = Calendar.from_ical(rome_client.get(f"/feeds/language/{code}.ics").data)
        from_feed = {str(e["UID"]).split("@")[0] for e in feed.walk("VEVENT")}
        from_api = {s["id"] for s in rome_client.get(f"/api/sessions?follow={code}").json["sessions"]}
        assert from_feed == from_api == {s.session_id for s in rome.sessions if s.followable_in({code})}, code


def test_search_finds_text_in_any_script(rome_client, rome):
    russian = next(s for s in rome.sessions if s.language == "ru")
    word = max(re.findall(r"\w+", russian.title), key=len)
    html = rome_client.get("/search", query_string={"q": word.upper()}).get_data(as_text=True)
    assert f'data-id="{russian.session_id}"' in html


def test_rome_in_italian(rome_client):
    html = rome_client.get("/day/2023-10-14", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert '<html lang="it"' in html and "sabato 14 ottobre 2023" in html and "Orari di Roma, UTC+02:00." in html


def test_day_pages_of_a_1000_session_conference_stay_light(tmp_path):
    generated = generate(GenerateOptions(sessions=1000, seed=0))
    conference = generated.conference
    versions = (PublishedVersion(1, datetime(2023, 9, 1, tzinfo=UTC), conference, generated.hidden),)
    app = create_app({"SECRET_KEY": "k", "SCHEDULE_SOURCE": StaticSource(conference, versions),
                      "TRANSLATIONS_BUILD_DIR": str(tmp_path)})
    client = app.test_client()
    total = 0
    for day in conference.days:
        body = client.get(f"/day/{day.date.isoformat()}").data
        sessions = body.count(b'<li class="s ')
        total += sessions
        assert len(body) < MAX_DAY_PAGE_BYTES, (day.date, len(body), sessions)
    assert total == 1000
