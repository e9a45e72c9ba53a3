"""Publishing: numbered versions with changelogs, the public site and feeds following the latest one only, a
minimal-change re-solve after a speaker cancels (few sessions move, and the feeds say so with a higher SEQUENCE),
rollback, and a publish that crashes half-way leaving the previous version in place."""

from __future__ import annotations

import html
import re

import pytest
from committee_support import conference_zip, published_conference, slug_from, start_run, upload, wait_for_run
from factories import make_conference, make_days, make_room, make_session, make_speaker
from icalendar import Calendar

from webview.store import service

DAY1, DAY2 = "2023-10-13", "2023-10-14"


@pytest.fixture
def published(editor, store, tmp_path) -> str:
    """Eight one-hour talks by eight speakers, two rooms, two days: solved and published as version 1."""
    sessions = [make_session(f"T{i}", speakers=(f"sp{i}",)) for i in range(1, 9)]
    conference = make_conference(sessions, rooms=[make_room("R1"), make_room("R2")],
                                 speakers=[make_speaker(f"sp{i}") for i in range(1, 9)],
                                 days=make_days(2, "09:00-12:00", "14:00-17:00"), granularity_min=60)
    slug = slug_from(upload(editor, conference_zip(conference, tmp_path), "talks.zip"))
    run_id = start_run(editor, slug, time_limit_s="5", baseline="none")
    assert wait_for_run(editor, slug, run_id)["state"] == "done"
    publish(editor, store, slug)
    return slug


def draft(store, slug):
    with store.read() as session:
        return service.load_draft(session, slug)


def publish(client, store, slug, note: str = "") -> int:
    response = client.post(f"/committee/c/{slug}/publish", data={"publish-lock_version": str(draft(store, slug)
                                                                                             .lock_version),
                                                                 "publish-note": note})
    assert response.status_code == 302 and response.headers["Location"].endswith("/versions"), \
        client.get(response.headers["Location"]).get_data(as_text=True)
    with store.read() as session:
        return service.version_rows(session, service.conference_row(session, slug).id)[-1].number


def event(client, session_id: str):
    response = client.get(f"/feeds/session/{session_id}.ics")
    assert response.status_code == 200
    return next(c for c in Calendar.from_ical(response.data).walk("VEVENT"))


def test_drafts_stay_private_until_published(editor, store, tmp_path):
    conference = make_conference([make_session("A", title="Secret draft talk")])
    slug = slug_from(upload(editor, conference_zip(conference, tmp_path), "c.zip"))
    run_id = start_run(editor, slug, time_limit_s="5", baseline="none")
    wait_for_run(editor, slug, run_id)
    public = editor.application.test_client()  # no login
    assert "Secret draft talk" not in public.get("/search?q=secret").get_data(as_text=True)
    assert public.get("/feeds/session/A.ics").status_code == 404
    assert public.get("/schedule.json").status_code == 404
    publish(editor, store, slug)
    assert "Secret draft talk" in public.get("/search?q=secret").get_data(as_text=True)
    assert public.get("/feeds/session/A.ics").status_code == 200


def test_first_version_changelog_and_versions_page(editor, published):
    page = editor.get(f"/committee/c/{published}/versions").get_data(as_text=True)
    assert "Version 1 (public)" in page and "First published version: 8 sessions." in page


def test_the_drafts_objective_says_which_version_its_moves_are_counted_against(editor, published):
    page = editor.get(f"/committee/c/{published}/").get_data(as_text=True)
    assert "(moves counted against published version 1)" in page


def test_re_solve_after_a_speaker_cancels_a_day_moves_few_sessions_and_feeds_follow(editor, store, published):
    v1 = draft(store, published)
    # The speaker of a day-1 talk can no longer come on day 1.
    talk = next(a for a in v1.timetable.assignments if a.start.date().isoformat() == DAY1)
    speaker = v1.conference.session_by_id[talk.session_id].speakers[0]
    unmoved = next(a.session_id for a in v1.timetable.assignments if a.session_id != talk.session_id)
    before = {sid: event(editor, sid) for sid in (talk.session_id, unmoved)}
    assert [int(e["SEQUENCE"]) for e in before.values()] == [0, 0]

    response = editor.post(f"/committee/c/{published}/speaker/{speaker}", data={
        "form": "availability", "availability-lock_version": str(v1.lock_version), "availability-save": "y",
        "availability-availability": f"{DAY2} 09:00 - {DAY2} 17:00", "availability-preferred": ""})
    assert response.status_code == 302
    overview = editor.get(f"/committee/c/{published}/").get_data(as_text=True)
    assert "speaker_availability" in overview  # the published placement is now wrong, and the page says so

    run_id = start_run(editor, published, time_limit_s="10", baseline="published")
    status = wait_for_run(editor, published, run_id)
    assert status["state"] == "done"
    page = editor.get(f"/committee/c/{published}/run/{run_id}").get_data(as_text=True)
    moved = re.findall(r'<li data-session="([^"]+)">', page)
    assert talk.session_id in moved
    assert 1 <= len(moved) <= 2  # minimal change: the cancelled slot, at most one knock-on move
    assert "against published version 1" in page
    reason = re.search(rf'<li data-session="{re.escape(talk.session_id)}">.*?Why: (.*?)</span>', page, re.S).group(1)
    assert "its old place breaks a rule now" in reason and "available" in reason
    assert f'href="/committee/c/{published}/speaker/{speaker}"' in reason  # ids in the reason are links

    assert publish(editor, store, published, note="speaker cancelled day 1") == 2
    versions = editor.get(f"/committee/c/{published}/versions").get_data(as_text=True)
    assert re.search(rf"&#39;Session {talk.session_id}&#39; moved from Fri 13 Oct", versions)
    after = {sid: event(editor, sid) for sid in (talk.session_id, unmoved)}
    assert int(after[talk.session_id]["SEQUENCE"]) == 1
    assert after[talk.session_id].decoded("DTSTART").date().isoformat() == DAY2
    with store.read() as session:
        v2 = service.version_rows(session, v1.id)[-1]
    assert after[talk.session_id]["LAST-MODIFIED"].dt == v2.published_at.replace(microsecond=0)
    if unmoved not in moved:
        assert int(after[unmoved]["SEQUENCE"]) == 0  # an untouched session keeps its revision


def test_rollback_republishes_an_older_version_as_a_new_number(editor, store, published):
    v1 = draft(store, published)
    moved = next(a for a in v1.timetable.assignments)
    free = next(t for t in ("09:00", "10:00", "11:00", "14:00", "15:00", "16:00")
                if not any(a.room_id == moved.room_id and f"{a.start:%H:%M}" == t and a.start.date().isoformat()
                           == DAY2 for a in v1.timetable.assignments))
    editor.post(f"/committee/c/{published}/session/{moved.session_id}", data={
        "form": "move", "move-lock_version": str(v1.lock_version), "move-save": "y",
        "move-start": f"{DAY2}T{free}", "move-room": moved.room_id})
    assert publish(editor, store, published) == 2
    assert event(editor, moved.session_id).decoded("DTSTART").date().isoformat() == DAY2

    response = editor.post(f"/committee/c/{published}/versions/1/republish")
    assert response.status_code == 302
    page = editor.get(f"/committee/c/{published}/versions").get_data(as_text=True)
    assert "Version 3 (public)" in page and "rollback to version 1" in page
    back = event(editor, moved.session_id)
    assert back.decoded("DTSTART") == moved.start
    assert int(back["SEQUENCE"]) == 2  # moved away and back: two revisions, calendars update both times


def test_a_withdrawn_session_is_cancelled_in_the_feeds(editor, store, published):
    v1 = draft(store, published)
    editor.post(f"/committee/c/{published}/session/T3", data={
        "form": "withdraw", "withdraw-lock_version": str(v1.lock_version), "withdraw-save": "y"})
    publish(editor, store, published)
    assert "&#39;Session T3&#39; cancelled (was" in editor.get(f"/committee/c/{published}/versions").get_data(
        as_text=True)
    feed = Calendar.from_ical(editor.get("/feeds/conference.ics").data)
    t3 = next(e for e in feed.walk("VEVENT") if str(e["SUMMARY"]) == "Session T3")
    assert str(t3["STATUS"]) == "CANCELLED" and int(t3["SEQUENCE"]) == 1


def test_a_crash_during_publish_leaves_the_last_version_public(editor, store, published, monkeypatch):
    v1 = draft(store, published)
    schedule_before = editor.get("/schedule.json").data
    original = service._add_version

    def crash_after_writing(*args, **kwargs):
        original(*args, **kwargs)  # the new version row is written...
        raise RuntimeError("power cut")  # ...and the process dies before the commit

    monkeypatch.setattr(service, "_add_version", crash_after_writing)
    with pytest.raises(RuntimeError, match="power cut"):
        editor.post(f"/committee/c/{published}/publish", data={"publish-lock_version": str(v1.lock_version)})
    with store.read() as session:
        assert [v.number for v in service.version_rows(session, v1.id)] == [1]
    assert editor.get("/schedule.json").data == schedule_before


def test_publishing_a_draft_someone_changed_meanwhile_is_refused(editor, store, published):
    seen = draft(store, published).lock_version
    editor.post(f"/committee/c/{published}/session/T1", data={
        "form": "withdraw", "withdraw-lock_version": str(seen), "withdraw-save": "y"})
    response = editor.post(f"/committee/c/{published}/publish", data={"publish-lock_version": str(seen)})
    assert response.status_code == 409
    with store.read() as session:
        assert [v.number for v in service.version_rows(session, draft(store, published).id)] == [1]


def test_re_solve_after_a_room_is_lost_moves_only_its_sessions(editor, store, published):
    v1 = draft(store, published)
    lost = v1.timetable.assignments[0].room_id
    kept = ({"R1", "R2"} - {lost}).pop()
    in_lost = {a.session_id for a in v1.timetable.assignments if a.room_id == lost}
    editor.post(f"/committee/c/{published}/room/{lost}", data={
        "form": "remove", "remove-lock_version": str(v1.lock_version), "remove-save": "y"})
    run_id = start_run(editor, published, time_limit_s="10", baseline="published")
    assert wait_for_run(editor, published, run_id)["state"] == "done"
    page = editor.get(f"/committee/c/{published}/run/{run_id}").get_data(as_text=True)
    assert set(re.findall(r'<li data-session="([^"]+)">', page)) == in_lost
    after = draft(store, published)
    assert {a.room_id for a in after.timetable.assignments} == {kept}
    assert all(after.timetable.by_session[a.session_id] == a for a in v1.timetable.assignments
               if a.session_id not in in_lost)


def public_name(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r"<title>[^<]*· ([^<]+)</title>", page).group(1)


def test_publishing_another_conference_does_not_take_over_the_public_site(app, editor, store, make_app):
    """The first conference published keeps the public site and its feeds; the committee is told, and a setting
    shows another one."""
    first = published_conference(store, "First conference")
    visitor = app.test_client()
    assert public_name(visitor) == "First conference"
    second = published_conference(store, "Second conference", versions=2)
    assert public_name(visitor) == "First conference"
    assert "X-WR-CALNAME:First conference" in visitor.get("/feeds/conference.ics").get_data(as_text=True)

    third = published_conference(store, "Third conference", versions=0)  # a draft, published below
    response = editor.post(f"/committee/c/{third}/publish", data={"publish-lock_version": "1"},
                           follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    assert "Published version 1. The public site still shows 'First conference'" in page
    assert f"PUBLIC_CONFERENCE={third}" in page
    dashboard = editor.get("/committee/").get_data(as_text=True)
    shown = re.findall(r'href="/committee/c/([^/]+)/">[^<]*</a>(?:(?!</tr>).)*class="public-conference"',
                       dashboard, re.S)
    assert shown == [first]

    chosen = make_app(PUBLIC_CONFERENCE=second)
    assert public_name(chosen.test_client()) == "Second conference"
    assert public_name(visitor) == "First conference"
