"""Calendar feeds under /feeds/: selection of sessions, headers (content type, ETag, Last-Modified), conditional
requests answered with 304, and 404s."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from icalendar import Calendar
from web_sample import DAY1, HOSTILE_NAME, PUBLISHED_AT, at, small_conference, small_timetable
from werkzeug.http import http_date

from scheduler.domain import Assignment, Timetable
from scheduler.revisions import PublishedVersion
from webview.links import selection_token

FEEDS = {
    "/feeds/conference.ics": {"OPEN", "A", "B", "WS/7", "D", "E", "NIGHT"},
    "/feeds/speaker/S1.ics": {"OPEN", "D"},
    "/feeds/room/R3.ics": {"WS/7", "D", "NIGHT"},  # D is relayed into R3
    "/feeds/track/causes.ics": {"A", "WS/7"},
    "/feeds/track/war-zone.ics": {"B", "E"},
    "/feeds/language/en.ics": {"OPEN", "A", "B", "E"},  # held in English or interpreted into it
    "/feeds/session/A.ics": {"A"},
    "/feeds/session/WS/7.ics": {"WS/7"},
}


def events(body: bytes) -> dict[str, object]:
    """Events of a feed by session id (UID is "<session id>@<conference slug>")."""
    calendar = Calendar.from_ical(body)
    return {str(e["UID"]).rsplit("@", 1)[0]: e for e in calendar.walk("VEVENT")}


@pytest.mark.parametrize(("url", "expected"), FEEDS.items())
def test_feed_holds_the_right_sessions_with_cache_headers(client, url, expected):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["ETag"].startswith('"') and len(response.headers["ETag"]) > 10
    assert response.headers["Last-Modified"] == http_date(PUBLISHED_AT)
    assert response.cache_control.max_age == 300
    assert set(events(response.data)) == expected


def test_feed_events_carry_times_room_and_links(client):
    body = client.get("/feeds/session/A.ics").data
    calendar = Calendar.from_ical(body)
    event = events(body)["A"]
    assert event.decoded("DTSTART") == at(DAY1, "10:30") and event.decoded("DTEND") == at(DAY1, "11:30")
    assert event["DTSTART"].params["TZID"] == "Europe/Rome"
    assert str(event["LOCATION"]) == "Aula Magna"
    assert str(event["URL"]) == "http://localhost/session/A"
    assert str(calendar["SOURCE"]) == "http://localhost/feeds/session/A.ics"
    assert str(event["SUMMARY"]) == "Peace <script>alert(1)</script> & \"quoted\" 'single'"
    assert "Test Peace Conference" in str(calendar["NAME"])


def test_unchanged_feed_is_byte_identical_and_answers_conditional_requests(client):
    first = client.get("/feeds/speaker/S1.ics")
    assert client.get("/feeds/speaker/S1.ics").data == first.data
    etag = first.headers["ETag"]

    by_etag = client.get("/feeds/speaker/S1.ics", headers={"If-None-Match": etag})
    assert by_etag.status_code == 304 and by_etag.data == b"" and by_etag.headers["ETag"] == etag

    by_date = client.get("/feeds/speaker/S1.ics", headers={"If-Modified-Since": http_date(PUBLISHED_AT)})
    assert by_date.status_code == 304

    older = client.get("/feeds/speaker/S1.ics",
                       headers={"If-Modified-Since": http_date(PUBLISHED_AT - timedelta(days=1))})
    assert older.status_code == 200 and older.data == first.data

    # A stale ETag wins over a fresh date (RFC 9110: If-None-Match takes precedence).
    stale = client.get("/feeds/speaker/S1.ics",
                       headers={"If-None-Match": '"stale"', "If-Modified-Since": http_date(PUBLISHED_AT)})
    assert stale.status_code == 200

    head = client.head("/feeds/speaker/S1.ics", headers={"If-None-Match": etag})
    assert head.status_code == 304


def test_personal_agenda_feed_from_a_signed_token(client, app):
    with app.test_request_context():
        token = selection_token(["B", "A", "TBA"])
    response = client.get(f"/feeds/agenda/{token}.ics")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert set(events(response.data)) == {"A", "B"}  # TBA is not placed, so it has no event
    assert client.get(f"/feeds/agenda/{token[:-2]}xx.ics").status_code == 404


@pytest.mark.parametrize("url", ["/feeds/speaker/nope.ics", "/feeds/room/nope.ics", "/feeds/track/nope.ics",
                                 "/feeds/language/xx.ics", "/feeds/session/nope.ics", "/feeds/agenda/bad.ics"])
def test_unknown_feeds_are_404(client, url):
    assert client.get(url).status_code == 404


def test_no_feed_before_publication(unpublished_client):
    assert unpublished_client.get("/feeds/conference.ics").status_code == 404
    assert "has not been published yet" in unpublished_client.get("/feeds/").get_data(as_text=True)


def test_feeds_page_links_every_feed_as_subscription_and_download(client):
    html = client.get("/feeds/").get_data(as_text=True)
    for path in ("/feeds/conference.ics", "/feeds/language/uk.ics", "/feeds/track/europe.ics", "/feeds/room/R2.ics"):
        assert f'href="webcal://localhost{path}"' in html
        assert f'href="http://localhost{path}" download' in html


class SwitchableSource:
    """A source whose schedule the test replaces, as a new publication would."""

    def __init__(self, versions):
        self.versions = versions

    def fingerprint(self):
        return id(self.versions)

    def load(self):
        return self.versions[-1].conference, self.versions


def test_a_new_publication_changes_etag_and_last_modified(app_for):
    conference = small_conference()
    first = (PublishedVersion(1, PUBLISHED_AT, conference, small_timetable()),)
    source = SwitchableSource(first)
    client = app_for(source).test_client()
    before = client.get("/feeds/room/R1.ics")

    moved = Timetable(tuple(
        Assignment(a.session_id, a.room_id, a.start + timedelta(hours=1), a.end + timedelta(hours=1))
        if a.session_id == "A" else a for a in small_timetable().assignments))
    later = PUBLISHED_AT + timedelta(days=2)
    source.versions = (*first, PublishedVersion(2, later, conference, moved))

    after = client.get("/feeds/room/R1.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.headers["Last-Modified"] == http_date(later)
    event = events(after.data)["A"]
    assert event.decoded("DTSTART") == at(DAY1, "11:30") and event["SEQUENCE"] == 1


def test_feeds_of_deleted_sessions_speakers_and_tracks_still_send_the_cancellations(app_for):
    """Subscribers of a session, speaker or track that the committee deleted must be told, not met with 404,
    or their calendars keep the events."""
    conference = small_conference()
    gone = {"A", "B", "E"}  # B was S4's only session; B and E made up the war-zone track
    later = replace(conference, sessions=tuple(s for s in conference.sessions if s.session_id not in gone),
                    speakers=tuple(p for p in conference.speakers if p.speaker_id != "S4"))
    remaining = Timetable(tuple(a for a in small_timetable().assignments if a.session_id not in gone))
    source = SwitchableSource((PublishedVersion(1, PUBLISHED_AT, conference, small_timetable()),
                               PublishedVersion(2, PUBLISHED_AT + timedelta(days=1), later, remaining)))
    client = app_for(source).test_client()
    for url, cancelled in (("/feeds/session/A.ics", {"A"}), ("/feeds/speaker/S4.ics", {"B"}),
                           ("/feeds/track/war-zone.ics", {"B", "E"})):
        response = client.get(url)
        assert response.status_code == 200, url
        assert {sid: str(e["STATUS"]) for sid, e in events(response.data).items()} == dict.fromkeys(
            cancelled, "CANCELLED"), url
    assert HOSTILE_NAME in str(Calendar.from_ical(client.get("/feeds/speaker/S4.ics").data)["NAME"])
    for never in ("/feeds/session/nope.ics", "/feeds/speaker/nope.ics", "/feeds/track/nope.ics"):
        assert client.get(never).status_code == 404, never


def _retracked(conference):
    """A moved from track "causes" to "europe", and D no longer relayed into R3: neither changes what the
    session's event shows (so not the schedule's DTSTAMP), but both take a session out of a feed."""
    def change(session):
        if session.session_id == "A":
            return replace(session, track="europe")
        if session.session_id == "D":
            return replace(session, overflow_rooms=())
        return session
    return replace(conference, sessions=tuple(change(s) for s in conference.sessions))


@pytest.mark.parametrize(("url", "cancelled"), [("/feeds/track/causes.ics", "A"), ("/feeds/room/R3.ics", "D")])
def test_a_feed_a_session_left_is_modified_since_the_earlier_publication(app_for, url, cancelled):
    """A client that revalidates with If-Modified-Since alone must get the cancellation, not 304."""
    conference = small_conference()
    later = PUBLISHED_AT + timedelta(days=3)
    source = SwitchableSource((PublishedVersion(1, PUBLISHED_AT, conference, small_timetable()),
                               PublishedVersion(2, later, _retracked(conference), small_timetable())))
    client = app_for(source).test_client()
    response = client.get(url, headers={"If-Modified-Since": http_date(PUBLISHED_AT)})
    assert response.status_code == 200
    assert response.headers["Last-Modified"] == http_date(later)
    assert str(events(response.data)[cancelled]["STATUS"]) == "CANCELLED"


def test_a_language_feed_outlives_the_language_and_sends_the_cancellations(app_for):
    """NIGHT was the only session in Spanish: when it goes, so does Spanish, but the feed's subscribers must
    still be told, as those of a deleted session, speaker or track are."""
    conference = small_conference()
    later = replace(conference, sessions=tuple(s for s in conference.sessions if s.session_id != "NIGHT"),
                    languages=tuple(code for code in conference.languages if code != "es"))
    remaining = Timetable(tuple(a for a in small_timetable().assignments if a.session_id != "NIGHT"))
    source = SwitchableSource((PublishedVersion(1, PUBLISHED_AT, conference, small_timetable()),
                               PublishedVersion(2, PUBLISHED_AT + timedelta(days=1), later, remaining)))
    client = app_for(source).test_client()
    response = client.get("/feeds/language/es.ics")
    assert response.status_code == 200
    assert {sid: str(e["STATUS"]) for sid, e in events(response.data).items()} == {"NIGHT": "CANCELLED"}
    assert client.get("/feeds/language/xx.ics").status_code == 404
