"""iCalendar feeds, read back by the writer (icalendar) and three independent parsers: `ical` (strict RFC 5545,
zoneinfo), vobject (embedded VTIMEZONE only) and Mozilla ical.js under Node (Thunderbird's parser family,
embedded VTIMEZONE only). The conference straddles the end of summer time in Rome (2023-10-28 CEST,
2023-10-29 CET), so a wrong VTIMEZONE shows as an hour's difference."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from factories import make_day, make_room, make_session, make_speaker
from ical.calendar_stream import IcsCalendarStream

from scheduler.domain import Assignment, Conference, Session, Timetable
from scheduler.ical import (
    ICAL_CONTENT_TYPE,
    PRODID,
    build_calendar,
    calendar_for_timetable,
    for_language,
    for_room,
    for_sessions,
    for_speaker,
    for_track,
    session_uid,
)
from scheduler.revisions import PublishedVersion

ICALJS = Path(__file__).parent / "icaljs"
ROME = ZoneInfo("Europe/Rome")
SATURDAY, SUNDAY = date(2023, 10, 28), date(2023, 10, 29)  # summer time ends in the night between
T1 = datetime(2023, 10, 1, 8, 0, tzinfo=UTC)
T2 = datetime(2023, 10, 20, 17, 30, tzinfo=UTC)
LONG_TITLE = "Negotiating ceasefires: " + "é😀Ж" * 60
TITLES = {
    "p1": "Peace, justice; and \\ reconciliation",
    "p2": "Line one\nLine two",
    "p3": "Мир 🕊️ و سلام",
    "p4": LONG_TITLE,
    "p5": "Closing plenary",
    "p6": "Café ☕ break-out",
}


def local(day: date, hhmm: str, zone: ZoneInfo = ROME) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def rome_conference() -> Conference:
    sessions = [
        make_session("p1", 60, ("s1",), title=TITLES["p1"], language="it", interpretation=frozenset({"en", "ru"}),
                     track="dialogue", overflow_rooms=("R3",), abstract="Truth commissions, after the war."),
        make_session("p2", 60, ("s2",), title=TITLES["p2"], language="en", track="war-zone", abstract="Two lines."),
        make_session("p3", 90, ("s2", "s3"), title=TITLES["p3"], language="uk", interpretation=frozenset({"it"})),
        make_session("p4", 60, ("s3",), title=TITLES["p4"], language="ru", interpretation=frozenset({"en"}),
                     track="war-zone"),
        make_session("p5", 90, ("s1", "s2", "s3"), title=TITLES["p5"], language="it",
                     interpretation=frozenset({"en", "ru", "uk"}), plenary=True),
        make_session("p6", 30, (), title=TITLES["p6"], language="en"),
    ]
    return Conference(
        name="Rome Peace Conference 2023",
        timezone="Europe/Rome",
        granularity_min=30,
        days=(make_day("09:00-13:00", "14:30-19:00", day=SATURDAY), make_day("09:00-13:00", "14:30-19:00", day=SUNDAY)),
        rooms=(make_room("R1", name='Aula Magna, Palazzo; "Centrale"'), make_room("R2", name="Sala Рим"),
               make_room("R3", name="Overflow")),
        speakers=(make_speaker("s1", name="Anna Rossi"), make_speaker("s2", name="Олена Коваленко"),
                  make_speaker("s3", name="محمد علي")),
        sessions=tuple(sessions),
        languages=("en", "it", "ru", "uk"),
    )


def placed(session_id: str, room: str, day: date, hhmm: str, conference: Conference) -> Assignment:
    start = local(day, hhmm)
    minutes = conference.session_by_id[session_id].duration_min
    return Assignment(session_id, room, start, (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(ROME))


def first_solve(conference: Conference) -> Timetable:
    return Timetable((
        placed("p1", "R1", SATURDAY, "09:00", conference),
        placed("p2", "R2", SATURDAY, "09:00", conference),
        placed("p3", "R1", SATURDAY, "11:00", conference),
        placed("p4", "R2", SUNDAY, "09:00", conference),
        placed("p5", "R1", SUNDAY, "10:00", conference),
        placed("p6", "R2", SUNDAY, "14:30", conference),
    ))


# ---------------------------------------------------------------------------------------------------------------
# Four parsers, one normal form: uid -> Parsed
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    start_utc: datetime
    end_utc: datetime
    summary: str
    sequence: int
    status: str


def with_icalendar(data: bytes) -> dict[str, Parsed]:
    calendar = icalendar.Calendar.from_ical(data)
    return {
        str(e["UID"]): Parsed(e.decoded("DTSTART").astimezone(UTC), e.decoded("DTEND").astimezone(UTC),
                              str(e["SUMMARY"]), int(e["SEQUENCE"]), str(e["STATUS"]))
        for e in calendar.walk("VEVENT")
    }


def with_ical(data: bytes) -> dict[str, Parsed]:
    calendar = IcsCalendarStream.calendar_from_ics(data.decode())
    return {
        e.uid: Parsed(e.dtstart.astimezone(UTC), e.dtend.astimezone(UTC), e.summary, e.sequence, str(e.status.value))
        for e in calendar.events
    }


def with_vobject(data: bytes) -> dict[str, Parsed]:
    calendar = vobject.readOne(data.decode())
    events = getattr(calendar, "vevent_list", [])
    return {
        e.uid.value: Parsed(e.dtstart.value.astimezone(UTC), e.dtend.value.astimezone(UTC), e.summary.value,
                            int(e.sequence.value), e.status.value)
        for e in events
    }


def icaljs_dump(path: Path) -> dict:
    """What ical.js makes of a feed (tests/icaljs/parse.mjs); fails, never skips, when it cannot run."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed, and the ical.js cross-check needs it: install Node.js (>= 18), "
                    "then run `npm install --prefix tests/icaljs`")
    if not (ICALJS / "node_modules" / "ical.js").is_dir():
        pytest.fail("ical.js is not installed for the cross-check: run `npm install --prefix tests/icaljs` "
                    "(or `npm ci --prefix tests/icaljs`) from the repository root")
    # TZ=UTC: a TZID ical.js cannot resolve must not borrow the host's zone and pass by luck.
    result = subprocess.run([node, str(ICALJS / "parse.mjs"), str(path)], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "TZ": "UTC"}, check=False)
    assert result.returncode == 0, f"ical.js failed on {path}:\n{result.stderr}"
    return json.loads(result.stdout)


def with_icaljs(path: Path) -> dict[str, Parsed]:
    dump = icaljs_dump(path)
    assert dump["errors"] == []
    return {
        e["uid"]: Parsed(_utc(e["start_utc"]), _utc(e["end_utc"]), e["summary"], e["sequence"], e["status"])
        for e in dump["events"]
    }


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def all_parsers(data: bytes, tmp_path: Path) -> dict[str, dict[str, Parsed]]:
    path = tmp_path / "feed.ics"
    path.write_bytes(data)
    return {"icalendar": with_icalendar(data), "ical": with_ical(data), "vobject": with_vobject(data),
            "ical.js": with_icaljs(path)}


# ---------------------------------------------------------------------------------------------------------------
# Every feed kind, in every parser
# ---------------------------------------------------------------------------------------------------------------

# name -> (selector factory, independent predicate over the session and where it is placed)
FEEDS = {
    "conference": (lambda c: None, lambda s, a: True),
    "speaker": (lambda c: for_speaker("s2"), lambda s, a: "s2" in s.speakers),
    "room": (lambda c: for_room("R3"), lambda s, a: a.room_id == "R3" or "R3" in s.overflow_rooms),
    "main room": (lambda c: for_room("R1"), lambda s, a: a.room_id == "R1" or "R1" in s.overflow_rooms),
    "track": (lambda c: for_track("war-zone"), lambda s, a: s.track == "war-zone"),
    "language": (lambda c: for_language("en"), lambda s, a: s.language == "en" or "en" in s.interpretation),
    "agenda": (lambda c: for_sessions(["p3", "p4", "p6"]), lambda s, a: s.session_id in {"p3", "p4", "p6"}),
}


def expected_sessions(conference: Conference, timetable: Timetable, predicate) -> dict[str, Assignment]:
    return {a.session_id: a for a in timetable.assignments
            if predicate(conference.session_by_id[a.session_id], a)}


@pytest.mark.parametrize("feed", list(FEEDS))
def test_every_feed_reads_the_same_in_four_parsers(feed, tmp_path):
    conference = rome_conference()
    timetable = first_solve(conference)
    select, predicate = FEEDS[feed]
    data = calendar_for_timetable(conference, timetable, published_at=T1, name=f"Rome – {feed}",
                                  select=select(conference))
    expected = expected_sessions(conference, timetable, predicate)
    assert expected, "each feed must select something for the test to mean anything"
    uids = {session_uid(conference, sid): a for sid, a in expected.items()}
    for parser, events in all_parsers(data, tmp_path).items():
        assert set(events) == set(uids), parser
        for uid, event in events.items():
            assignment = uids[uid]
            session = conference.session_by_id[assignment.session_id]
            assert (event.start_utc, event.end_utc) == (assignment.start.astimezone(UTC),
                                                         assignment.end.astimezone(UTC)), (parser, uid)
            assert event.summary == session.title, parser
            assert (event.sequence, event.status) == (0, "CONFIRMED"), parser


def test_times_straddle_the_dst_change_at_the_right_utc_instants(tmp_path):
    conference = rome_conference()
    data = calendar_for_timetable(conference, first_solve(conference), published_at=T1, name="Rome")
    uid = {sid: session_uid(conference, sid) for sid in conference.session_by_id}
    for parser, events in all_parsers(data, tmp_path).items():
        # 09:00 in Rome is 07:00Z in summer time (Saturday) and 08:00Z in standard time (Sunday).
        assert events[uid["p1"]].start_utc == datetime(2023, 10, 28, 7, 0, tzinfo=UTC), parser
        assert events[uid["p4"]].start_utc == datetime(2023, 10, 29, 8, 0, tzinfo=UTC), parser


def test_local_times_are_written_in_the_conference_zone(tmp_path):
    conference = rome_conference()
    timetable = first_solve(conference)
    # A timetable read from CSV may carry bare offsets; the feed must still speak Europe/Rome.
    offsets = Timetable(tuple(replace(a, start=a.start.astimezone(UTC), end=a.end.astimezone(UTC))
                              for a in timetable.assignments))
    data = calendar_for_timetable(conference, offsets, published_at=T1, name="Rome")
    calendar = icalendar.Calendar.from_ical(data)
    by_uid = {session_uid(conference, a.session_id): a for a in timetable.assignments}
    for event in calendar.walk("VEVENT"):
        assert event["DTSTART"].params["TZID"] == "Europe/Rome"
        wall = by_uid[str(event["UID"])].start.astimezone(ROME).replace(tzinfo=None)
        assert event.decoded("DTSTART").replace(tzinfo=None) == wall
    path = tmp_path / "feed.ics"
    path.write_bytes(data)
    assert {e["tzid"] for e in icaljs_dump(path)["events"]} == {"Europe/Rome"}


def test_event_content_location_description_and_url(tmp_path):
    conference = rome_conference()
    data = calendar_for_timetable(conference, first_solve(conference), published_at=T1, name="Rome",
                                  session_url=lambda sid: f"https://rome.example.org/sessions/{sid}")
    path = tmp_path / "feed.ics"
    path.write_bytes(data)
    events = {e["uid"]: e for e in icaljs_dump(path)["events"]}
    p1 = events[session_uid(conference, "p1")]
    assert p1["location"] == 'Aula Magna, Palazzo; "Centrale"'
    assert p1["description"].startswith("Truth commissions, after the war.")
    for fact in ("Speakers: Anna Rossi", "Language: it", "Interpretation: en, ru"):
        assert fact in p1["description"]
    p3 = events[session_uid(conference, "p3")]
    assert "Speakers: Олена Коваленко, محمد علي" in p3["description"]
    parsed = icalendar.Calendar.from_ical(data)
    urls = {str(e["UID"]): str(e["URL"]) for e in parsed.walk("VEVENT")}
    assert urls[session_uid(conference, "p5")] == "https://rome.example.org/sessions/p5"


def test_calendar_properties_clients_need():
    conference = rome_conference()
    data = calendar_for_timetable(conference, first_solve(conference), published_at=T1, name="Rome – all sessions")
    text = data.decode()
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"]) == "Rome – all sessions"
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "\r\nX-PUBLISHED-TTL:PT1H\r\n" in text
    for forbidden in ("X-WR-TIMEZONE", "ORGANIZER", "ATTENDEE"):
        assert forbidden not in text
    assert ICAL_CONTENT_TYPE == "text/calendar; charset=utf-8"
    stamps = {e.decoded("DTSTAMP") for e in calendar.walk("VEVENT")}
    assert stamps == {T1}
    assert all(line.endswith("Z") for line in re.findall(r"^DTSTAMP:.*$", text.replace("\r\n", "\n"), re.M))


def test_a_vtimezone_for_every_tzid_used():
    data = calendar_for_timetable(rome_conference(), first_solve(rome_conference()), published_at=T1, name="Rome")
    text = data.decode()
    used = set(re.findall(r";TZID=([^:;]+)", text))
    defined = {str(tz["TZID"]) for tz in icalendar.Calendar.from_ical(data).walk("VTIMEZONE")}
    assert used == {"Europe/Rome"}
    assert used <= defined


def test_lines_fold_at_75_octets_without_splitting_a_character():
    data = calendar_for_timetable(rome_conference(), first_solve(rome_conference()), published_at=T1, name="Rome")
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # a character split across a fold would not decode on its own
    assert sum(1 for line in lines if line.startswith(b" ")) > 5  # the long title and descriptions did fold


def test_hostile_text_is_escaped_and_comes_back_whole(tmp_path):
    conference = rome_conference()
    data = calendar_for_timetable(conference, first_solve(conference), published_at=T1, name="Rome")
    assert "SUMMARY:Peace\\, justice\\; and \\\\ reconciliation" in data.decode()
    assert "SUMMARY:Line one\\nLine two" in data.decode()
    for parser, events in all_parsers(data, tmp_path).items():
        summaries = {e.summary for e in events.values()}
        assert summaries == set(TITLES.values()), parser


def test_control_characters_are_dropped_and_carriage_returns_become_newlines():
    conference = rome_conference()
    sessions = tuple(replace(s, title="Bell\x07 ring\r\nnext", abstract="a\x00b") if s.session_id == "p6" else s
                     for s in conference.sessions)
    conference = replace(conference, sessions=sessions)
    data = calendar_for_timetable(conference, first_solve(conference), published_at=T1, name="Rome")
    events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}
    p6 = events[session_uid(conference, "p6")]
    assert str(p6["SUMMARY"]) == "Bell ring\nnext"
    assert str(p6["DESCRIPTION"]).startswith("ab")


def test_events_are_sorted_by_uid_and_output_is_byte_identical_for_identical_input():
    first = calendar_for_timetable(rome_conference(), first_solve(rome_conference()), published_at=T1, name="Rome")
    again = calendar_for_timetable(rome_conference(), first_solve(rome_conference()), published_at=T1, name="Rome")
    assert first == again
    uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(first).walk("VEVENT")]
    assert uids == sorted(uids)
    shuffled = Timetable(tuple(reversed(first_solve(rome_conference()).assignments)))
    assert calendar_for_timetable(rome_conference(), shuffled, published_at=T1, name="Rome") == first


def test_an_empty_feed_is_still_a_valid_calendar(tmp_path):
    data = calendar_for_timetable(rome_conference(), first_solve(rome_conference()), published_at=T1,
                                  name="nothing", select=for_sessions([]))
    for parser, events in all_parsers(data, tmp_path).items():
        assert events == {}, parser


# ---------------------------------------------------------------------------------------------------------------
# Two solves: stable UIDs, SEQUENCE on the moved session only, CANCELLED for the withdrawn one
# ---------------------------------------------------------------------------------------------------------------


def second_solve_versions() -> tuple[list[PublishedVersion], Conference]:
    """Version 1, then a re-solve in which p2 moved and p6 was withdrawn from the conference."""
    conference = rome_conference()
    first = first_solve(conference)
    withdrawn = replace(conference, sessions=tuple(s for s in conference.sessions if s.session_id != "p6"))
    second = Timetable(tuple(
        placed("p2", "R2", SATURDAY, "14:30", conference) if a.session_id == "p2" else a
        for a in first.assignments if a.session_id != "p6"
    ))
    return [PublishedVersion(1, T1, conference, first), PublishedVersion(2, T2, withdrawn, second)], withdrawn


def test_uids_are_stable_across_two_solves(tmp_path):
    versions, now = second_solve_versions()
    before = build_calendar(versions[0].conference, versions[:1], name="Rome")
    after = build_calendar(now, versions, name="Rome")
    assert set(with_icalendar(before)) == set(with_icalendar(after))
    assert set(with_icaljs(_write(tmp_path / "a.ics", after))) == set(with_icalendar(before))


def test_uids_survive_a_renamed_conference_when_it_has_a_slug():
    versions, now = second_solve_versions()
    slugged = [replace(v, conference=replace(v.conference, slug="rome-2023")) for v in versions]
    renamed = replace(now, name="Rome Peace Conference 2023 (programme fixed)", slug="rome-2023")
    before = set(with_icalendar(build_calendar(slugged[0].conference, slugged[:1], name="Rome")))
    after = set(with_icalendar(build_calendar(renamed, slugged, name="Rome")))
    assert before == after == {f"{sid}@rome-2023" for sid in ("p1", "p2", "p3", "p4", "p5", "p6")}
    # without a slug the UIDs follow the name: the reason the slug exists
    assert session_uid(replace(now, name="Rome Peace Conference 2024"), "p1") != session_uid(now, "p1")


def test_names_without_ascii_letters_give_distinct_uids():
    versions, _ = second_solve_versions()
    kyiv = replace(versions[0].conference, name="Київська мирна конференція 2024")
    moscow = replace(versions[0].conference, name="Московская мирная конференция 2024")
    uids = {session_uid(kyiv, "p1"), session_uid(moscow, "p1")}
    assert len(uids) == 2 and not any(uid.endswith("@2024") for uid in uids)
    assert session_uid(kyiv, "p1") == session_uid(replace(kyiv), "p1")  # and each is stable


def test_sequence_moves_on_the_moved_session_and_nothing_else(tmp_path):
    versions, now = second_solve_versions()
    data = build_calendar(now, versions, name="Rome")
    uid = {sid: session_uid(now, sid) for sid in ("p1", "p2", "p3", "p4", "p5", "p6")}
    for parser, events in all_parsers(data, tmp_path).items():
        assert events[uid["p2"]].sequence == 1, parser
        assert events[uid["p2"]].start_utc == local(SATURDAY, "14:30").astimezone(UTC), parser
        for unchanged in ("p1", "p3", "p4", "p5"):
            assert (events[uid[unchanged]].sequence, events[uid[unchanged]].status) == (0, "CONFIRMED"), parser
    modified = {str(e["UID"]): e.decoded("LAST-MODIFIED") for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}
    assert modified[uid["p2"]] == modified[uid["p6"]] == T2
    assert {modified[uid[s]] for s in ("p1", "p3", "p4", "p5")} == {T1}


def test_a_withdrawn_session_stays_as_cancelled_with_its_last_time(tmp_path):
    versions, now = second_solve_versions()
    data = build_calendar(now, versions, name="Rome")
    uid = session_uid(now, "p6")
    for parser, events in all_parsers(data, tmp_path).items():
        assert len(events) == 6, parser
        assert (events[uid].status, events[uid].sequence) == ("CANCELLED", 1), parser
        assert events[uid].start_utc == local(SUNDAY, "14:30").astimezone(UTC), parser
        assert events[uid].summary == TITLES["p6"], parser


def test_a_feed_untouched_by_the_re_solve_is_byte_identical():
    versions, now = second_solve_versions()
    # Anna Rossi's sessions (p1, p5) did not change: her subscribers get the same bytes (ETag/304 hit).
    before = build_calendar(versions[0].conference, versions[:1], name="Anna", select=for_speaker("s1"))
    after = build_calendar(now, versions, name="Anna", select=for_speaker("s1"))
    assert before == after
    whole_before = build_calendar(versions[0].conference, versions[:1], name="Rome")
    assert build_calendar(now, versions, name="Rome") != whole_before


def test_a_cancelled_session_still_reaches_its_room_feed():
    versions, now = second_solve_versions()
    events = with_icalendar(build_calendar(now, versions, name="R2", select=for_room("R2")))
    assert events[session_uid(now, "p6")].status == "CANCELLED"
    assert set(events) == {session_uid(now, s) for s in ("p2", "p4", "p6")}


def leaving_feeds_versions() -> tuple[list[PublishedVersion], Conference]:
    """Version 1; version 2 moves p4 from R2 to R1 (same time) and takes s3 off p3; version 3 puts p4 back."""
    conference = rome_conference()
    first = first_solve(conference)
    fewer = replace(conference, sessions=tuple(
        replace(s, speakers=("s2",)) if s.session_id == "p3" else s for s in conference.sessions))
    moved = Timetable(tuple(
        placed("p4", "R1", SUNDAY, "09:00", conference) if a.session_id == "p4" else a for a in first.assignments))
    t3 = T2 + timedelta(days=1)
    return [PublishedVersion(1, T1, conference, first), PublishedVersion(2, T2, fewer, moved),
            PublishedVersion(3, t3, fewer, first)], fewer


def test_a_session_moved_to_another_room_is_cancelled_in_the_old_rooms_feed(tmp_path):
    versions, now = leaving_feeds_versions()
    uid = session_uid(now, "p4")
    old_room = build_calendar(now, versions[:2], name="R2", select=for_room("R2"))
    for parser, events in all_parsers(old_room, tmp_path).items():
        assert (events[uid].status, events[uid].sequence) == ("CANCELLED", 1), parser
        assert events[uid].start_utc == local(SUNDAY, "09:00").astimezone(UTC), parser
        assert events[session_uid(now, "p2")].status == "CONFIRMED", parser
    new_room = with_icalendar(build_calendar(now, versions[:2], name="R1", select=for_room("R1")))
    assert new_room[uid].status == "CONFIRMED"
    # Back in R2: the old room's subscribers see it reinstated, with a higher SEQUENCE than the cancellation.
    back = with_icalendar(build_calendar(now, versions, name="R2", select=for_room("R2")))
    assert (back[uid].status, back[uid].sequence) == ("CONFIRMED", 2)
    assert with_icalendar(build_calendar(now, versions, name="R1", select=for_room("R1")))[uid].status == "CANCELLED"


def test_a_speaker_taken_off_a_session_gets_it_cancelled_in_their_feed(tmp_path):
    versions, now = leaving_feeds_versions()
    data = build_calendar(now, versions[:2], name="s3", select=for_speaker("s3"))
    events = all_parsers(data, tmp_path)
    for parser, by_uid in events.items():
        status = {uid: e.status for uid, e in by_uid.items()}
        assert status == {session_uid(now, "p3"): "CANCELLED", session_uid(now, "p4"): "CONFIRMED",
                          session_uid(now, "p5"): "CONFIRMED"}, parser
    # The speaker who stays on it keeps it unchanged: p3's visible state did change (its speakers), so SEQUENCE 1.
    stays = with_icalendar(build_calendar(now, versions[:2], name="s2", select=for_speaker("s2")))
    assert (stays[session_uid(now, "p3")].status, stays[session_uid(now, "p3")].sequence) == ("CONFIRMED", 1)


def test_the_calendar_name_is_escaped_text_on_one_line(tmp_path):
    # A session feed is named after its title, and titles hold commas (and, from a spreadsheet, newlines).
    name = "Pace, insieme; «Мир»\nbis"
    data = calendar_for_timetable(rome_conference(), first_solve(rome_conference()), published_at=T1, name=name)
    assert "\r\nNAME:Pace\\, insieme\\; «Мир» bis\r\n" in data.decode()
    calendar = vobject.readOne(data.decode())
    names = {calendar.contents[key][0].value for key in ("name", "x-wr-calname")}
    assert names == {"Pace, insieme; «Мир» bis"}
    assert icaljs_dump(_write(tmp_path / "named.ics", data))["errors"] == []


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------------------------------
# VTIMEZONE: RRULE-based, right for a whole year in every VTIMEZONE-driven parser, across zone shapes
# ---------------------------------------------------------------------------------------------------------------

ZONES = ["Europe/Rome", "America/New_York", "Australia/Sydney", "Europe/Dublin", "Asia/Tokyo", "Asia/Kolkata",
         "America/Sao_Paulo", "Pacific/Chatham", "Africa/Casablanca"]


def year_round_conference(zone_name: str) -> tuple[Conference, Timetable]:
    """A session at 09:00 local on the 1st, 10th and 20th of every month of 2024, and one every half hour from
    a day before to a day after each of the zone's changes of offset (the hours clients most often get wrong,
    including the repeated hour of a fall-back)."""
    zone = ZoneInfo(zone_name)
    days = [date(2024, m, d) for m in range(1, 13) for d in (1, 10, 20)]
    starts = [local(d, "09:00", zone) for d in days]
    for change in _change_days(zone):
        around = datetime(change.year, change.month, change.day, 12, tzinfo=UTC) - timedelta(days=1)
        starts += [(around + timedelta(minutes=30 * k)).astimezone(zone) for k in range(96)]
    sessions = tuple(Session(f"e{i:03d}", f"Event {i}", 30) for i in range(len(starts)))
    conference = Conference(name="Year round", timezone=zone_name, granularity_min=30, days=(),
                            rooms=(make_room("R1"),), speakers=(), sessions=sessions)
    timetable = Timetable(tuple(
        Assignment(s.session_id, "R1", t, (t.astimezone(UTC) + timedelta(minutes=30)).astimezone(zone))
        for s, t in zip(sessions, starts, strict=True)
    ))
    return conference, timetable


def _change_days(zone: ZoneInfo) -> list[date]:
    """The days of 2024 at whose UTC noon the zone's offset differs from the day before's."""
    day, found = date(2024, 1, 2), []
    while day.year == 2024:
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        if noon.astimezone(zone).utcoffset() != (noon - timedelta(days=1)).astimezone(zone).utcoffset():
            found.append(day)
        day += timedelta(days=1)
    return found


@pytest.mark.parametrize("zone_name", ZONES)
def test_vtimezone_gives_zoneinfo_instants_all_year(zone_name, tmp_path):
    conference, timetable = year_round_conference(zone_name)
    data = calendar_for_timetable(conference, timetable, published_at=T1, name=zone_name)
    expected = {session_uid(conference, a.session_id): a.start.astimezone(UTC) for a in timetable.assignments}
    for parser, events in all_parsers(data, tmp_path).items():
        got = {uid: e.start_utc for uid, e in events.items()}
        wrong = {uid: (got.get(uid), t) for uid, t in expected.items() if got.get(uid) != t}
        assert not wrong, f"{parser} in {zone_name}: {sorted(wrong.items())[:3]}"


@pytest.mark.parametrize("zone_name, observances", [
    ("Europe/Rome", ["DAYLIGHT", "STANDARD"]),
    ("America/New_York", ["DAYLIGHT", "STANDARD"]),
    ("Australia/Sydney", ["STANDARD", "DAYLIGHT"]),
    ("Asia/Tokyo", ["STANDARD"]),
])
def test_vtimezone_has_the_shape_outlook_reads(zone_name, observances):
    conference, timetable = year_round_conference(zone_name)
    data = calendar_for_timetable(conference, timetable, published_at=T1, name=zone_name)
    (vtimezone,) = icalendar.Calendar.from_ical(data).walk("VTIMEZONE")
    assert [c.name for c in vtimezone.subcomponents] == observances
    for observance in vtimezone.subcomponents:
        assert "RDATE" not in observance
        assert ("RRULE" in observance) == (len(observances) == 2)
        assert observance.decoded("DTSTART").year == 1970


def test_a_utc_conference_writes_utc_times_and_no_vtimezone(tmp_path):
    conference, timetable = year_round_conference("UTC")
    data = calendar_for_timetable(conference, timetable, published_at=T1, name="UTC")
    assert b"VTIMEZONE" not in data and b"TZID" not in data
    expected = {session_uid(conference, a.session_id): a.start.astimezone(UTC) for a in timetable.assignments}
    for parser, events in all_parsers(data, tmp_path).items():
        assert {uid: e.start_utc for uid, e in events.items()} == expected, parser


def test_icaljs_reports_a_tzid_without_vtimezone(tmp_path):
    """The Node harness itself must be able to fail: strip the VTIMEZONE and it must notice."""
    data = calendar_for_timetable(rome_conference(), first_solve(rome_conference()), published_at=T1, name="Rome")
    stripped = re.sub(rb"BEGIN:VTIMEZONE.*END:VTIMEZONE\r\n", b"", data, flags=re.S)
    dump = icaljs_dump(_write(tmp_path / "stripped.ics", stripped))
    assert any("has no VTIMEZONE" in e for e in dump["errors"])
