"""Editing the draft: pin, move, withdraw, availability, a room's opening times, a lost room. Every edit first
shows the checker's verdict (violations caused and cleared, soft-goal changes) without saving; saving needs the
revision the editor saw, so two editors never silently overwrite each other."""

from __future__ import annotations

import html
import io
import re
from dataclasses import replace
from datetime import date

import pytest
from committee_support import conference_zip, folder_zip_bytes, slug_from, upload
from factories import at, make_conference, make_day, make_room, make_session, make_speaker

from scheduler.checker import check
from scheduler.domain import Assignment, Attendee, Timetable
from scheduler.folder import write_folder
from webview.store import service


def start_field(moment) -> str:
    return f"{moment:%Y-%m-%dT%H:%M}"


@pytest.fixture
def slug(editor, store, tmp_path) -> str:
    """Three one-hour sessions on a 09:00-12:00 day (30-minute grid) in two rooms, C after A, an attendee who wants
    A and C and follows English (no session is in English); the draft timetable: A R1 9:00, B R1 10:00, C R2
    10:00."""
    sessions = [make_session("A", speakers=("sp1",)), make_session("B", speakers=("sp2",)),
                make_session("C", speakers=("sp3",), after=("A",))]
    conference = make_conference(sessions, rooms=[make_room("R1"), make_room("R2")],
                                 speakers=[make_speaker(i) for i in ("sp1", "sp2", "sp3")])
    conference = replace(conference, attendees=(Attendee("a1", frozenset({"en"}), ("A", "C")),))
    slug = slug_from(upload(editor, conference_zip(conference, tmp_path), "c.zip"))
    timetable = Timetable((Assignment("A", "R1", at("09:00"), at("10:00")),
                           Assignment("B", "R1", at("10:00"), at("11:00")),
                           Assignment("C", "R2", at("10:00"), at("11:00"))))
    assert check(conference, timetable).ok
    with store.write() as session:
        service.save_draft(session, slug, 1, service.load_draft(session, slug).conference, timetable,
                           summary="a timetable", by="setup")
    return slug


def draft(store, slug):
    with store.read() as session:
        return service.load_draft(session, slug)


def post_edit(client, slug, path, form, button, lock, **fields):
    data = {"form": form, f"{form}-lock_version": str(lock), f"{form}-{button}": "y"}
    data.update({f"{form}-{k}": v for k, v in fields.items()})
    return client.post(f"/committee/c/{slug}/{path}", data=data)


def test_a_pin_is_checked_before_it_is_saved(editor, store, slug):
    before = draft(store, slug)
    response = post_edit(editor, slug, "session/A", "pin", "preview", before.lock_version,
                         start=start_field(at("10:00")), room="R1")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "What this change does (not saved yet)" in page
    new = re.search(r'<ul id="new-violations">(.*?)</ul>', page, re.S).group(1)
    assert "no_room_overlap" in new and "after_order" in new  # B holds R1 at 10:00; C must follow A
    assert 'data-goal="attendee_conflict"' in page  # A and C, both wanted by a1, now overlap
    assert draft(store, slug) == before  # a preview stores nothing

    response = post_edit(editor, slug, "session/A", "pin", "save", before.lock_version,
                         start=start_field(at("10:00")), room="R1")
    assert response.status_code == 302
    after = draft(store, slug)
    assert after.lock_version == before.lock_version + 1
    pinned = after.conference.session_by_id["A"]
    assert (pinned.fixed_start, pinned.fixed_room) == (at("10:00"), "R1")
    assert after.timetable.by_session["A"] == Assignment("A", "R1", at("10:00"), at("11:00"))
    assert after.last_change == "pinned 'Session A' to start Fri 13 Oct 10:00 and room Room R1"
    overview = editor.get(f"/committee/c/{slug}/").get_data(as_text=True)
    assert "hard rule violation(s)" in overview and 'href="/committee/c/' in overview
    refused = editor.post(f"/committee/c/{slug}/publish", data={"publish-lock_version": str(after.lock_version)})
    assert refused.status_code == 422 and "Not published" in refused.get_data(as_text=True)


def publish_note_field(page: str) -> tuple[str, str]:
    """(the note in the publish form, the draft revision that form publishes)."""
    form = re.search(r'<form method="post" action="[^"]*/publish" id="publish-form"(.*?)</form>', page, re.S).group(1)
    note = re.search(r'<input[^>]*name="publish-note"[^>]*>', form).group(0)
    value = re.search(r'value="([^"]*)"', note)
    lock = re.search(r'name="publish-lock_version" type="hidden" value="(\d+)"', form).group(1)
    return html.unescape(value.group(1)) if value else "", lock


NOTE = 'Pinned A after the "speakers\' dinner" & moved B'


def test_a_publish_the_checker_refuses_keeps_the_note_the_editor_typed(editor, store, slug):
    before = draft(store, slug)
    post_edit(editor, slug, "session/A", "pin", "save", before.lock_version, start=start_field(at("10:00")),
              room="R1")  # B holds R1 at 10:00: a hard violation, so publishing is refused
    seen = draft(store, slug).lock_version
    refused = editor.post(f"/committee/c/{slug}/publish", data={"publish-lock_version": str(seen),
                                                                "publish-note": NOTE})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Not published: the checker finds" in page
    assert publish_note_field(page) == (NOTE, str(seen))  # nothing to type again once the draft is fixed
    with store.read() as session:
        assert service.latest_version(session, before.id) is None


def test_a_publish_after_someone_saved_keeps_the_note_on_the_current_draft(client_as, store, slug, accounts):
    first, second = client_as("editor"), client_as("admin")
    seen = draft(store, slug).lock_version
    post_edit(first, slug, "session/C", "move", "save", seen, start=start_field(at("11:00")), room="R2")
    clash = second.post(f"/committee/c/{slug}/publish", data={"publish-lock_version": str(seen),
                                                              "publish-note": NOTE})
    assert clash.status_code == 409
    page = clash.get_data(as_text=True)
    assert f"{accounts['editor']} saved a change" in page and "Not published" in page
    assert publish_note_field(page) == (NOTE, str(seen + 1))  # the note, now on the revision the page shows
    with store.read() as session:
        assert service.latest_version(session, draft(store, slug).id) is None

    again = second.post(f"/committee/c/{slug}/publish", data={"publish-lock_version": str(seen + 1),
                                                              "publish-note": NOTE})
    assert again.status_code == 302
    with store.read() as session:
        assert [v.note for v in service.version_rows(session, draft(store, slug).id)] == [NOTE]


def test_a_pin_the_input_rules_forbid_is_refused_with_the_reason(editor, store, slug):
    before = draft(store, slug)
    response = post_edit(editor, slug, "session/A", "pin", "save", before.lock_version,
                         start=start_field(at("09:10")), room="")
    assert response.status_code == 422
    assert "grid" in response.get_data(as_text=True)
    assert draft(store, slug) == before


def test_a_move_by_hand_shows_soft_score_changes_then_saves_without_pinning(editor, store, slug):
    before = draft(store, slug)
    response = post_edit(editor, slug, "session/C", "move", "preview", before.lock_version,
                         start=start_field(at("11:00")), room="R2")
    page = response.get_data(as_text=True)
    assert 'id="no-new-violations"' in page
    # Sessions now run 9-12 instead of 9-11, none followable in English: two more half-hour steps uncovered.
    row = re.search(r'<tr data-goal="language_coverage">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row) == ["language_coverage", "4", "6", "+10"]
    assert draft(store, slug) == before
    post_edit(editor, slug, "session/C", "move", "save", before.lock_version, start=start_field(at("11:00")),
              room="R2")
    after = draft(store, slug)
    assert after.timetable.by_session["C"] == Assignment("C", "R2", at("11:00"), at("12:00"))
    assert after.conference == before.conference  # no pin


@pytest.mark.parametrize(("start", "rule"), [("2023-10-13T09:20", "on_grid"), ("2023-10-13T11:30", "in_open_period")])
def test_a_move_off_the_grid_or_out_of_the_day_shows_the_broken_rule(editor, store, slug, start, rule):
    before = draft(store, slug)
    page = post_edit(editor, slug, "session/B", "move", "preview", before.lock_version, start=start,
                     room="R2").get_data(as_text=True)
    assert rule in re.search(r'<ul id="new-violations">(.*?)</ul>', page, re.S).group(1)


def test_two_editors_never_silently_overwrite_each_other(client_as, store, slug, accounts):
    first, second = client_as("editor"), client_as("admin")
    seen = draft(store, slug).lock_version
    for client in (first, second):  # both open the page on the same revision
        assert f'value="{seen}"' in client.get(f"/committee/c/{slug}/session/C").get_data(as_text=True)
    ok = post_edit(first, slug, "session/C", "move", "save", seen, start=start_field(at("11:00")), room="R2")
    assert ok.status_code == 302
    clash = post_edit(second, slug, "session/C", "pin", "save", seen, start=start_field(at("09:00")), room="R1")
    assert clash.status_code == 409
    message = clash.get_data(as_text=True)
    assert f"{accounts['editor']} saved a change" in message and "moved &#39;Session C&#39;" in message
    assert "Your change was not saved" in message
    final = draft(store, slug)
    assert final.lock_version == seen + 1
    assert final.timetable.by_session["C"].start == at("11:00")
    assert final.conference.session_by_id["C"].fixed_start is None


def test_a_conflicting_save_keeps_what_the_editor_entered(client_as, store, slug, accounts):
    first, second = client_as("editor"), client_as("admin")
    seen = draft(store, slug).lock_version
    post_edit(first, slug, "speaker/sp2", "availability", "save", seen, availability="",
              preferred="2023-10-13 09:00 - 2023-10-13 10:00")
    typed = "2023-10-13 09:00 - 2023-10-13 10:00\n2023-10-13 11:00 - 2023-10-13 12:00"
    clash = post_edit(second, slug, "speaker/sp2", "availability", "save", seen, availability=typed, preferred="")
    assert clash.status_code == 409
    page = clash.get_data(as_text=True)
    assert f"{accounts['editor']} saved a change" in page and "Your change was not saved" in page
    form = re.search(r'<form method="post" id="availability-form">(.*?)</form>', page, re.S).group(1)
    assert typed in form.replace("\r\n", "\n")  # nothing to type again
    assert f'name="availability-lock_version" type="hidden" value="{seen + 1}"' in form  # on the current draft
    assert draft(store, slug).lock_version == seen + 1  # nothing of the second save stored

    again = post_edit(second, slug, "speaker/sp2", "availability", "save", seen + 1, availability=typed,
                      preferred="2023-10-13 09:00 - 2023-10-13 10:00")
    assert again.status_code == 302


def test_a_window_over_several_days_is_described_with_both_days(editor, store, slug):
    before = draft(store, slug)
    post_edit(editor, slug, "speaker/sp2", "availability", "save", before.lock_version,
              availability="2023-10-13 09:00 - 2023-10-15 17:00", preferred="")
    summary = "Speaker sp2 is now available only Fri 13 Oct 09:00-Sun 15 Oct 17:00"
    assert draft(store, slug).last_change == summary
    page = editor.get(f"/committee/c/{slug}/speaker/sp2").get_data(as_text=True)
    assert re.search(r'<dd id="availability">Fri 13 Oct 09:00-Sun 15 Oct 17:00</dd>', page)


def test_a_window_typed_in_another_year_is_described_with_its_year(editor, store, slug):
    before = draft(store, slug)
    post_edit(editor, slug, "speaker/sp2", "availability", "save", before.lock_version,
              availability="2024-10-13 09:00 - 2024-10-15 17:00", preferred="")
    described = "Sun 13 Oct 2024 09:00-Tue 15 Oct 2024 17:00 (outside every open period)"
    assert draft(store, slug).last_change == f"Speaker sp2 is now available only {described}"
    page = editor.get(f"/committee/c/{slug}/speaker/sp2").get_data(as_text=True)
    assert f'<dd id="availability">{described}</dd>' in page


def test_withdrawing_a_session_removes_it_and_every_reference_to_it(editor, store, slug):
    before = draft(store, slug)
    post_edit(editor, slug, "session/A", "withdraw", "save", before.lock_version)
    after = draft(store, slug)
    assert "A" not in after.conference.session_by_id and "A" not in after.timetable.by_session
    assert after.conference.session_by_id["C"].after == ()
    assert after.conference.attendees[0].interests == ("C",)


def test_a_speakers_new_availability_is_validated_then_checked(editor, store, slug):
    before = draft(store, slug)
    bad = post_edit(editor, slug, "speaker/sp2", "availability", "save", before.lock_version,
                    availability="tomorrow morning", preferred="")
    assert bad.status_code == 422
    assert "line 1: write a start and an end" in bad.get_data(as_text=True)
    assert draft(store, slug) == before
    page = post_edit(editor, slug, "speaker/sp2", "availability", "preview", before.lock_version,
                     availability="2023-10-13 11:00 - 2023-10-13 12:00", preferred="").get_data(as_text=True)
    assert "speaker_availability" in re.search(r'<ul id="new-violations">(.*?)</ul>', page, re.S).group(1)
    post_edit(editor, slug, "speaker/sp2", "availability", "save", before.lock_version,
              availability="2023-10-13 11:00 - 2023-10-13 12:00", preferred="")
    after = draft(store, slug)
    assert [(w.start, w.end) for w in after.conference.speaker_by_id["sp2"].availability] == [(at("11:00"),
                                                                                               at("12:00"))]


def test_a_lost_room_leaves_its_sessions_flagged_until_a_re_solve(editor, store, slug):
    before = draft(store, slug)
    page = post_edit(editor, slug, "room/R2", "remove", "preview", before.lock_version).get_data(as_text=True)
    assert "C" in re.search(r'<ul id="new-violations">(.*?)</ul>', page, re.S).group(1)
    post_edit(editor, slug, "room/R2", "remove", "save", before.lock_version)
    after = draft(store, slug)
    assert [r.room_id for r in after.conference.rooms] == ["R1"]
    assert "(gone)" in editor.get(f"/committee/c/{slug}/").get_data(as_text=True)


def room_form(page: str) -> str:
    return re.search(r'<form method="post" id="availability-form">(.*?)</form>', page, re.S).group(1)


def room_windows_typed(page: str) -> str:
    """What the room form's text area holds."""
    area = re.search(r'<textarea[^>]*name="availability-availability"[^>]*>(.*?)</textarea>', room_form(page), re.S)
    return html.unescape(area.group(1)).replace("\r\n", "\n").strip()


def test_a_rooms_opening_times_are_checked_saved_and_shown(editor, store, slug):
    before = draft(store, slug)
    page = editor.get(f"/committee/c/{slug}/room/R1").get_data(as_text=True)
    assert '<dd id="availability">throughout</dd>' in page and room_windows_typed(page) == ""
    preview = post_edit(editor, slug, "room/R1", "availability", "preview", before.lock_version,
                        availability="2023-10-13 09:00 - 2023-10-13 12:00").get_data(as_text=True)
    assert 'id="no-new-violations"' in preview  # A and B, both in R1, lie inside
    assert draft(store, slug) == before

    saved = post_edit(editor, slug, "room/R1", "availability", "save", before.lock_version,
                      availability="2023-10-13 09:00 - 2023-10-13 12:00")
    assert saved.status_code == 302
    after = draft(store, slug)
    assert after.lock_version == before.lock_version + 1
    assert [(w.start, w.end) for w in after.conference.room_by_id["R1"].availability] == [(at("09:00"),
                                                                                          at("12:00"))]
    assert after.conference.room_by_id["R2"].availability == ()
    assert after.timetable == before.timetable
    assert after.last_change == "room Room R1 is now open only Fri 13 Oct 09:00-12:00"
    page = editor.get(f"/committee/c/{slug}/room/R1").get_data(as_text=True)
    assert '<dd id="availability">Fri 13 Oct 09:00-12:00</dd>' in page
    assert room_windows_typed(page) == "2023-10-13 09:00 - 2023-10-13 12:00"
    assert "room Room R1 is now open only" in editor.get(f"/committee/c/{slug}/history").get_data(as_text=True)

    post_edit(editor, slug, "room/R1", "availability", "save", after.lock_version, availability="")
    assert draft(store, slug).conference.room_by_id["R1"].availability == ()
    assert draft(store, slug).last_change == "room Room R1 is now open throughout"


def test_a_malformed_opening_time_is_shown_at_its_field_and_saves_nothing(editor, store, slug):
    before = draft(store, slug)
    typed = "2023-10-13 09:00 - 2023-10-13 12:00\nmornings only\n2023-10-13 11:00 - 2023-10-13 10:00"
    bad = post_edit(editor, slug, "room/R1", "availability", "save", before.lock_version, availability=typed)
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    problems = ["line 2: write a start and an end", "line 3: the end must come after the start"]
    assert all(p in re.search(r'id="edit-error">(.*?)</p>', page, re.S).group(1) for p in problems)
    field_errors = re.search(r'<ul class="problems" id="availability-availability-errors">(.*?)</ul>',
                             room_form(page), re.S).group(1)
    assert all(p in field_errors for p in problems)
    assert re.search(r'<textarea[^>]*aria-describedby="availability-availability-errors"[^>]*aria-invalid="true"'
                     r'|<textarea[^>]*aria-invalid="true"[^>]*aria-describedby="availability-availability-errors"',
                     page)
    assert room_windows_typed(page) == typed  # corrected in place, not typed again
    assert draft(store, slug) == before


def test_opening_times_that_leave_a_session_outside_are_flagged_until_it_moves(editor, store, slug):
    before = draft(store, slug)
    preview = post_edit(editor, slug, "room/R1", "availability", "preview", before.lock_version,
                        availability="2023-10-13 09:00 - 2023-10-13 10:00").get_data(as_text=True)
    new = re.search(r'<ul id="new-violations">(.*?)</ul>', preview, re.S).group(1)
    assert "room_availability" in new and 'class="ref session">B</a>' in new  # B holds R1 10:00-11:00
    post_edit(editor, slug, "room/R1", "availability", "save", before.lock_version,
              availability="2023-10-13 09:00 - 2023-10-13 10:00")
    after = draft(store, slug)
    assert after.timetable == before.timetable  # nothing moves by itself
    report = check(after.conference, after.timetable)
    assert [(v.rule, v.sessions) for v in report.violations] == [("room_availability", ("B",))]

    room_page = editor.get(f"/committee/c/{slug}/room/R1").get_data(as_text=True)
    listed = re.search(r'<ul id="violations">(.*?)</ul>', room_page, re.S).group(1)
    assert "room_availability" in listed and "is not open for the whole of" in listed
    sessions = re.search(r'<ul id="room-sessions">(.*?)</ul>', room_page, re.S).group(1)
    flags = dict(re.findall(r'<li data-session="(\w+)">(.*?)</li>', sessions, re.S))
    assert "room_availability" in flags["B"] and "room_availability" not in flags["A"]
    assert 'id="violations"' not in editor.get(f"/committee/c/{slug}/room/R2").get_data(as_text=True)
    overview = editor.get(f"/committee/c/{slug}/").get_data(as_text=True)
    assert "room_availability" in re.search(r'<ul id="violations">(.*?)</ul>', overview, re.S).group(1)
    row = re.search(r'<tr data-session="B">(.*?)</tr>', overview, re.S).group(1)
    assert '<span class="bad">room_availability</span>' in row

    post_edit(editor, slug, "session/B", "move", "save", after.lock_version, start=start_field(at("11:00")),
              room="R2")
    assert 'id="violations"' not in editor.get(f"/committee/c/{slug}/room/R1").get_data(as_text=True)


def test_a_relay_into_a_room_must_fit_its_opening_times_too(editor, store, slug):
    with store.write() as session:
        current = service.load_draft(session, slug)
        relayed = replace(current.conference, sessions=tuple(
            replace(s, overflow_rooms=("R2",)) if s.session_id == "A" else s for s in current.conference.sessions))
        assert check(relayed, current.timetable).ok  # A (R1 9:00-10:00) is relayed into R2, free until 10:00
        service.save_draft(session, slug, current.lock_version, relayed, current.timetable, summary="relay A",
                           by="setup")
    before = draft(store, slug)
    post_edit(editor, slug, "room/R2", "availability", "save", before.lock_version,
              availability="2023-10-13 10:00 - 2023-10-13 12:00")
    page = editor.get(f"/committee/c/{slug}/room/R2").get_data(as_text=True)
    relays = re.search(r'<ul id="room-relays">(.*?)</ul>', page, re.S).group(1)
    assert 'data-session="A"' in relays and "room_availability" in relays
    listed = re.search(r'<ul id="violations">(.*?)</ul>', page, re.S).group(1)
    assert "relayed there as an overflow room" in listed


def test_a_conflicting_save_of_opening_times_keeps_what_the_editor_typed(client_as, store, slug, accounts):
    first, second = client_as("editor"), client_as("admin")
    seen = draft(store, slug).lock_version
    post_edit(first, slug, "session/C", "move", "save", seen, start=start_field(at("11:00")), room="R2")
    typed = "2023-10-13 09:00 - 2023-10-13 10:30\n2023-10-13 11:00 - 2023-10-13 12:00"
    clash = post_edit(second, slug, "room/R1", "availability", "save", seen, availability=typed)
    assert clash.status_code == 409
    page = clash.get_data(as_text=True)
    assert f"{accounts['editor']} saved a change" in page and "Your change was not saved" in page
    assert room_windows_typed(page) == typed
    assert f'name="availability-lock_version" type="hidden" value="{seen + 1}"' in room_form(page)
    stored = draft(store, slug)
    assert stored.lock_version == seen + 1 and stored.conference.room_by_id["R1"].availability == ()

    again = post_edit(second, slug, "room/R1", "availability", "save", seen + 1, availability=typed)
    assert again.status_code == 302
    assert len(draft(store, slug).conference.room_by_id["R1"].availability) == 2


def test_the_history_keeps_every_revision_and_restores_one(editor, store, slug):
    original = draft(store, slug)
    post_edit(editor, slug, "session/A", "withdraw", "save", original.lock_version)
    page = editor.get(f"/committee/c/{slug}/history").get_data(as_text=True)
    assert "withdrew &#39;Session A&#39;" in page and "a timetable" in page
    current = draft(store, slug).lock_version
    response = editor.post(f"/committee/c/{slug}/history/{original.lock_version}/restore",
                           data={"lock_version": str(current)})
    assert response.status_code == 302
    restored = draft(store, slug)
    assert restored.lock_version == current + 1
    assert (restored.conference, restored.timetable) == (original.conference, original.timetable)


def test_a_speaker_who_cancels_leaves_the_conference_and_their_sessions(editor, store, slug):
    before = draft(store, slug)
    post_edit(editor, slug, "speaker/sp2", "withdraw", "save", before.lock_version)
    after = draft(store, slug)
    assert "sp2" not in after.conference.speaker_by_id
    assert after.conference.session_by_id["B"].speakers == ()
    assert after.timetable == before.timetable  # the session itself goes ahead where it was


def replace_upload(client, slug, data: bytes, lock: int, keep: bool = True):
    fields = {"replace-file": (io.BytesIO(data), "edited.zip"), "replace-lock_version": str(lock),
              "replace-kind": "auto"}
    if keep:
        fields["replace-keep_timetable"] = "y"
    return client.post(f"/committee/c/{slug}/replace", data=fields, content_type="multipart/form-data")


def test_new_data_for_the_conference_becomes_the_next_revision(editor, store, slug, tmp_path):
    before = draft(store, slug)
    edited = replace(before.conference, sessions=tuple(
        replace(s, title="Renamed A") if s.session_id == "A" else s
        for s in before.conference.sessions if s.session_id != "B"))
    response = replace_upload(editor, slug, conference_zip(edited, tmp_path), before.lock_version)
    assert response.status_code == 302
    after = draft(store, slug)
    assert after.lock_version == before.lock_version + 1
    assert after.conference == edited
    assert sorted(after.timetable.by_session) == ["A", "C"]  # kept, without the session that is gone

    stale = replace_upload(editor, slug, conference_zip(before.conference, tmp_path / "again"), before.lock_version)
    assert stale.status_code == 409
    broken = tmp_path / "broken"
    write_folder(before.conference, broken)
    (broken / "rooms.csv").write_text("room_id,name,capacity\nR1,Room R1,many\n")
    bad = replace_upload(editor, slug, folder_zip_bytes(broken), after.lock_version)
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "rooms.csv:2:capacity" in page
    # Said at the top of the page, not below the whole draft timetable where the form is.
    assert page.index('id="problems"') < page.index("<h2>Check of the draft timetable</h2>")
    assert "The draft&#39;s data was not replaced" in page
    assert draft(store, slug) == after


def test_the_window_example_is_in_the_conference_s_own_dates(editor, tmp_path):
    # Next month's conference, not the sample's 2023 dates: the hint and the error both show its first period.
    day = date(2027, 1, 15)
    conference = make_conference([make_session("A", speakers=("sp1",))], rooms=[make_room("R1")],
                                 days=[make_day("14:00-18:00", day=day)])
    slug = slug_from(upload(editor, conference_zip(conference, tmp_path), "c.zip"))
    page = editor.get(f"/committee/c/{slug}/room/R1").get_data(as_text=True)
    assert "e.g. <code>2027-01-15 14:00 - 2027-01-15 18:00</code>" in page
    assert "2023-10-13" not in page
    lock = re.search(r'name="availability-lock_version"[^>]*value="(\d+)"', page).group(1)
    bad = post_edit(editor, slug, "room/R1", "availability", "save", lock, availability="afternoons")
    assert "line 1: write a start and an end, e.g. 2027-01-15 14:00 - 2027-01-15 18:00" in bad.get_data(as_text=True)
