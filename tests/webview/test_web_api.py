"""JSON API (validated against webview/openapi.yaml) and the frab exports at /schedule.xml and /schedule.json
(validated against the c3voc schemas in ../shared/formats)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import xmlschema
import yaml
from web_sample import PUBLISHED_AT
from werkzeug.http import http_date

from scheduler.domain import Timetable, Window
from scheduler.revisions import PublishedVersion
from webview.data import StaticSource
from webview.links import selection_token

OPENAPI = Path(__file__).resolve().parents[2] / "webview" / "openapi.yaml"
FORMATS = Path(__file__).resolve().parents[3] / "shared" / "formats"


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))


def formats() -> jsonschema.FormatChecker:
    """Strict checks for the formats the documents use (jsonschema needs extra packages for these)."""
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def date_time(value: object) -> bool:
        return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None

    @checker.checks("date", raises=ValueError)
    def date_only(value: object) -> bool:
        return not isinstance(value, str) or bool(date.fromisoformat(value))

    @checker.checks("uri")
    def absolute(value: object) -> bool:
        return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)

    return checker


def validate(spec: dict, path: str, body: object, status: str = "200") -> None:
    """Validate `body` against the response schema the OpenAPI file documents for GET `path`."""
    schema = spec["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]
    document = {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": spec["components"], **schema}
    jsonschema.Draft202012Validator(document, format_checker=formats()).validate(body)


def test_openapi_is_served_and_documents_exactly_the_api_routes(client, app, spec):
    response = client.get("/api/openapi.yaml")
    assert response.status_code == 200 and response.mimetype == "application/yaml"
    assert yaml.safe_load(response.data) == spec
    assert spec["openapi"].startswith("3.1")
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("api.")}
    assert routes == set(spec["paths"])


@pytest.mark.parametrize(("url", "path"), [
    ("/api/", "/api/"),
    ("/api/conference", "/api/conference"),
    ("/api/sessions", "/api/sessions"),
    ("/api/sessions?follow=en&day=2023-10-13", "/api/sessions"),
    ("/api/sessions/OPEN", "/api/sessions/{session_id}"),
    ("/api/sessions/TBA", "/api/sessions/{session_id}"),
    ("/api/speakers", "/api/speakers"),
    ("/api/speakers/S4", "/api/speakers/{speaker_id}"),
    ("/api/rooms", "/api/rooms"),
    ("/api/rooms/R3", "/api/rooms/{room_id}"),
    ("/api/timetable", "/api/timetable"),
    ("/api/timetable?day=2023-10-14", "/api/timetable"),
    ("/api/agenda?s=A&s=B", "/api/agenda"),
])
def test_every_endpoint_answers_as_documented(client, spec, url, path):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Last-Modified"] == http_date(PUBLISHED_AT)
    validate(spec, path, response.json)


@pytest.mark.parametrize(("url", "path", "status"), [
    ("/api/sessions/nope", "/api/sessions/{session_id}", "404"),
    ("/api/speakers/nope", "/api/speakers/{speaker_id}", "404"),
    ("/api/rooms/nope", "/api/rooms/{room_id}", "404"),
    ("/api/sessions?day=13/10/2023", "/api/sessions", "400"),
    ("/api/timetable?day=yesterday", "/api/timetable", "400"),
])
def test_errors_are_json_as_documented(client, spec, url, path, status):
    response = client.get(url)
    assert response.status_code == int(status) and response.mimetype == "application/json"
    validate(spec, path, response.json, status)


def test_sessions_filters_match_the_pages(client):
    def ids(query: str) -> list[str]:
        return [s["id"] for s in client.get("/api/sessions?" + query).json["sessions"]]

    assert ids("") == ["OPEN", "A", "B", "WS/7", "D", "E", "NIGHT", "TBA"]
    assert ids("follow=en") == ["OPEN", "A", "B", "E", "TBA"]
    assert ids("follow=en&day=2023-10-13") == ["OPEN", "A", "B"]
    assert ids("day=2023-10-14") == ["E", "NIGHT"]
    assert ids("room=R3&speaker=garcia") == ["WS/7", "NIGHT"]
    assert ids("q=nonviolenza") == ["WS/7"]


def test_session_record(client):
    record = client.get("/api/sessions/OPEN").json
    assert record["start"] == "2023-10-13T09:00:00+02:00" and record["end"] == "2023-10-13T10:00:00+02:00"
    assert record["room"] == {"id": "R1", "name": "Aula Magna"}
    assert record["overflow_rooms"] == [{"id": "R2", "name": "Sala Moro"}]
    assert record["interpretation"] == ["de", "en"] and record["plenary"] is True
    assert record["speakers"] == [{"id": "S1", "name": "Anna Rossi"}, {"id": "S2", "name": "Olena Kovalenko"}]
    assert record["url"] == "http://localhost/session/OPEN" and record["ics"] == "http://localhost/feeds/session/OPEN.ics"
    unplaced = client.get("/api/sessions/TBA").json
    assert unplaced["start"] is None and unplaced["room"] is None and unplaced["day"] is None
    assert client.get("/api/sessions/WS/7").json["title"] == "Città e pace"


def test_speakers_rooms_timetable_and_conference(client):
    speakers = client.get("/api/speakers").json["speakers"]
    # By name, accents ignored: Anna, Jonas, Olena, Sofia, Zoë.
    assert [s["id"] for s in speakers] == ["S1", "S3", "S2", "S5", "S4"]
    s1 = client.get("/api/speakers/S1").json
    assert s1["sessions"] == ["OPEN", "D"] and s1["ics"] == "http://localhost/feeds/speaker/S1.ics"
    r3 = client.get("/api/rooms/R3").json
    assert r3["sessions"] == ["WS/7", "NIGHT"] and r3["relays"] == ["D"] and r3["capacity"] == 60
    timetable = client.get("/api/timetable").json
    assert len(timetable["assignments"]) == 7 and timetable["unplaced"] == ["TBA"]
    assert timetable["published"] == {"version": 1, "published_at": "2023-09-01T12:00:00+00:00"}
    conference = client.get("/api/conference").json
    assert [d["date"] for d in conference["days"]] == ["2023-10-13", "2023-10-14"]
    assert [d["sessions"] for d in conference["days"]] == [5, 2]
    assert conference["days"][1]["periods"][1] == {"start": "2023-10-14T20:00:00+02:00",
                                                   "end": "2023-10-15T01:00:00+02:00"}
    assert conference["tracks"] == ["causes", "europe", "war-zone"]


def test_a_rooms_opening_times_are_in_its_record_in_local_time(conference, app_for, spec):
    tz = conference.tz
    window = Window(datetime(2023, 10, 13, 7, 0, tzinfo=UTC), datetime(2023, 10, 13, 11, 0, tzinfo=UTC))
    rooms = tuple(replace(r, availability=(window,)) if r.room_id == "R3" else r for r in conference.rooms)
    limited = replace(conference, rooms=rooms)
    client = app_for(StaticSource(limited, (PublishedVersion(1, PUBLISHED_AT, limited, Timetable((), ())),))
                     ).test_client()
    r3 = client.get("/api/rooms/R3").json
    validate(spec, "/api/rooms/{room_id}", r3)
    assert r3["open"] == [{"start": window.start.astimezone(tz).isoformat(), "end": "2023-10-13T13:00:00+02:00"}]
    assert client.get("/api/rooms/R1").json["open"] == []  # open throughout


def test_agenda_endpoint_gives_the_same_token_as_the_pages(client, app):
    body = client.get("/api/agenda?s=B&s=A&s=unknown").json
    with app.test_request_context():
        token = selection_token(["A", "B"])
    assert body["token"] == token and body["sessions"] == ["A", "B"] and body["clashes"] == [["A", "B"]]
    assert body["ics"] == f"http://localhost/feeds/agenda/{token}.ics"
    assert body["webcal"] == f"webcal://localhost/feeds/agenda/{token}.ics"
    assert client.get(body["ics"].removeprefix("http://localhost")).status_code == 200


def test_json_responses_are_conditional(client):
    first = client.get("/api/sessions")
    again = client.get("/api/sessions", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_unpublished_api_has_no_timetable(unpublished_client, spec):
    conference = unpublished_client.get("/api/conference").json
    assert conference["published"] is None
    validate(spec, "/api/conference", conference)
    timetable = unpublished_client.get("/api/timetable").json
    assert timetable["assignments"] == [] and len(timetable["unplaced"]) == 8
    assert unpublished_client.get("/schedule.xml").status_code == 404
    assert unpublished_client.get("/schedule.json").status_code == 404


# ---- frab


def schema_file(name: str) -> Path:
    path = FORMATS / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: the c3voc schemas live in ../shared/formats/ beside the repository root",
                    pytrace=False)
    return path


def test_frab_xml_is_served_valid_and_conditional(client):
    response = client.get("/schedule.xml")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert response.headers["Last-Modified"] == http_date(PUBLISHED_AT)
    xmlschema.XMLSchema(schema_file("schedule.xml.xsd")).validate(response.data.decode())
    root = ET.fromstring(response.data)
    assert root.tag == "schedule" and len(root.findall(".//event")) == 7
    urls = {e.findtext("url") for e in root.iter("event")}
    assert "http://localhost/session/A" in urls
    assert client.get("/schedule.xml", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_frab_json_is_served_valid_and_conditional(client):
    response = client.get("/schedule.json")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json; charset=utf-8"
    document = json.loads(response.data)
    schema = json.loads(schema_file("schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft6Validator(schema, format_checker=formats()).validate(document)
    assert document["schedule"]["conference"]["title"] == "Test Peace Conference"
    since = client.get("/schedule.json", headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304


# ---- HTTP details a client relies on


def test_last_modified_moves_with_every_publication_that_changes_a_document(app_for, conference, versions):
    """A session's track is part of the API and frab records but not of what the feeds' DTSTAMP follows: a
    client revalidating with If-Modified-Since alone must still get the new record, not 304."""
    later = PUBLISHED_AT + timedelta(days=2)
    retracked = replace(conference, sessions=tuple(replace(s, track="europe") if s.session_id == "A" else s
                                                   for s in conference.sessions))
    client = app_for(StaticSource(retracked, (*versions, PublishedVersion(2, later, retracked,
                                                                          versions[0].timetable)))).test_client()
    since = {"If-Modified-Since": http_date(PUBLISHED_AT)}
    record = client.get("/api/sessions/A", headers=since)
    assert record.status_code == 200 and record.json["track"] == "europe"
    assert record.headers["Last-Modified"] == http_date(later)
    frab = client.get("/schedule.json", headers=since)
    assert frab.status_code == 200 and frab.headers["Last-Modified"] == http_date(later)


def test_published_names_the_latest_version_and_when_it_was_published(app_for, conference, versions):
    later = PUBLISHED_AT + timedelta(days=2)
    republished = (*versions, PublishedVersion(2, later, conference, versions[0].timetable))  # nothing changed
    client = app_for(StaticSource(conference, republished)).test_client()
    published = {"version": 2, "published_at": later.isoformat()}
    assert client.get("/api/conference").json["published"] == published
    assert client.get("/api/timetable").json["published"] == published


def test_a_wrong_method_is_a_json_405_that_names_the_allowed_ones(client):
    response = client.post("/api/sessions")
    assert response.status_code == 405 and response.mimetype == "application/json"
    assert response.json["path"] == "/api/sessions" and response.json["error"]
    assert "GET" in response.headers["Allow"]
    # A browser script on another site reads the error only with the CORS header, as it reads the answers.
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    unknown = client.get("/api/nothing-here")
    assert unknown.status_code == 404 and unknown.mimetype == "application/json"
    assert unknown.headers["Access-Control-Allow-Origin"] == "*"
    # Outside the API, errors stay pages.
    assert client.post("/feeds/conference.ics").mimetype == "text/html"
