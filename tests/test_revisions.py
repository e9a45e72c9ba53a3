"""Per-session revisions across published versions: SEQUENCE/LAST-MODIFIED move on visible changes only."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from factories import at, make_conference, make_room, make_session, make_speaker

from scheduler.domain import Assignment, Conference, Timetable
from scheduler.revisions import PublishedVersion, feed_stamp, last_seen, session_revisions

T1 = datetime(2023, 9, 1, 12, 0, tzinfo=UTC)
T2 = T1 + timedelta(days=1)
T3 = T1 + timedelta(days=2)


def conference() -> Conference:
    sessions = [
        make_session("a", speakers=("s1",), language="it", interpretation=frozenset({"en"}), abstract="Peace."),
        make_session("b", speakers=("s2",), language="en", track="war-zone"),
        make_session("c", speakers=("s1", "s2")),
    ]
    return make_conference(sessions, rooms=[make_room("R1"), make_room("R2")], languages=("en", "it", "ru"))


def timetable(**moves: tuple[str, str]) -> Timetable:
    """a 09:00 R1, b 09:00 R2, c 10:00 R1, unless `moves` gives a session another (HH:MM, room)."""
    slots = {"a": ("09:00", "R1"), "b": ("09:00", "R2"), "c": ("10:00", "R1")} | moves
    return Timetable(tuple(
        Assignment(sid, room, at(hhmm), at(hhmm) + timedelta(hours=1)) for sid, (hhmm, room) in slots.items()
    ))


def version(number: int, published_at: datetime, conf: Conference, table: Timetable) -> PublishedVersion:
    return PublishedVersion(number, published_at, conf, table)


def test_first_appearance_has_sequence_zero_and_its_publication_time():
    revisions = session_revisions([version(1, T1, conference(), timetable())])
    assert set(revisions) == {"a", "b", "c"}
    for revision in revisions.values():
        assert (revision.sequence, revision.last_modified, revision.cancelled) == (0, T1, False)


def test_a_moved_session_bumps_and_nothing_else_does():
    conf = conference()
    revisions = session_revisions([
        version(1, T1, conf, timetable()),
        version(2, T2, conf, timetable(a=("11:00", "R1"))),
    ])
    assert (revisions["a"].sequence, revisions["a"].last_modified) == (1, T2)
    for other in ("b", "c"):
        assert (revisions[other].sequence, revisions[other].last_modified) == (0, T1)


def test_a_room_change_alone_is_a_revision():
    conf = conference()
    moved = timetable(c=("10:00", "R2"))
    revisions = session_revisions([version(1, T1, conf, timetable()), version(2, T2, conf, moved)])
    assert revisions["c"].sequence == 1


def _edit(conf: Conference, session_id: str, **changes) -> Conference:
    sessions = tuple(replace(s, **changes) if s.session_id == session_id else s for s in conf.sessions)
    return replace(conf, sessions=sessions)


@pytest.mark.parametrize("changes", [
    {"title": "A new title"},
    {"abstract": "Another abstract."},
    {"speakers": ("s2",)},
    {"language": "en"},
    {"interpretation": frozenset({"en", "ru"})},
])
def test_each_visible_content_change_is_a_revision(changes):
    conf = conference()
    revisions = session_revisions([version(1, T1, conf, timetable()),
                                   version(2, T2, _edit(conf, "a", **changes), timetable())])
    assert (revisions["a"].sequence, revisions["a"].last_modified) == (1, T2)
    assert revisions["b"].sequence == 0


@pytest.mark.parametrize("changes", [
    {"priority": 5},
    {"expected_audience": 80},
    {"needs": frozenset({"stage"})},
    {"track": "another"},
    {"fixed_room": "R1"},
])
def test_changes_attendees_do_not_see_are_not_revisions(changes):
    conf = conference()
    revisions = session_revisions([version(1, T1, conf, timetable()),
                                   version(2, T2, _edit(conf, "a", **changes), timetable())])
    assert (revisions["a"].sequence, revisions["a"].last_modified) == (0, T1)


def test_a_renamed_speaker_is_a_revision_of_their_sessions_only():
    conf = conference()
    renamed = replace(conf, speakers=(make_speaker("s1", name="Dr. Anna Rossi"), make_speaker("s2")))
    revisions = session_revisions([version(1, T1, conf, timetable()), version(2, T2, renamed, timetable())])
    assert {sid: r.sequence for sid, r in revisions.items()} == {"a": 1, "b": 0, "c": 1}


def test_a_withdrawn_session_is_cancelled_once_with_its_last_time_and_room():
    conf = conference()
    withdrawn = replace(conf, sessions=tuple(s for s in conf.sessions if s.session_id != "b"))
    without_b = Timetable(tuple(a for a in timetable().assignments if a.session_id != "b"))
    versions = [
        version(1, T1, conf, timetable(b=("11:00", "R2"))),
        version(2, T2, withdrawn, without_b),
        version(3, T3, withdrawn, without_b),
    ]
    revision = session_revisions(versions)["b"]
    assert (revision.sequence, revision.last_modified, revision.cancelled) == (1, T2, True)
    state = last_seen(versions)["b"]
    assert (state.start, state.room_id, state.cancelled) == (at("11:00"), "R2", True)
    assert not session_revisions(versions)["a"].cancelled


def test_an_unplaced_session_is_cancelled_and_a_reinstated_one_is_not():
    conf = conference()
    unplaced = Timetable(tuple(a for a in timetable().assignments if a.session_id != "c"), unplaced=("c",))
    versions = [version(1, T1, conf, timetable()), version(2, T2, conf, unplaced)]
    assert session_revisions(versions)["c"].cancelled
    back = session_revisions(versions + [version(3, T3, conf, timetable())])["c"]
    assert (back.sequence, back.last_modified, back.cancelled) == (2, T3, False)


def test_a_session_first_published_later_starts_at_zero_then():
    conf = conference()
    early = Timetable(tuple(a for a in timetable().assignments if a.session_id != "c"))
    revisions = session_revisions([version(1, T1, conf, early), version(2, T2, conf, timetable())])
    assert (revisions["c"].sequence, revisions["c"].last_modified) == (0, T2)


def test_versions_are_walked_by_number_not_list_order():
    conf = conference()
    moved = timetable(a=("11:00", "R1"))
    revisions = session_revisions([version(2, T2, conf, moved), version(1, T1, conf, timetable())])
    assert (revisions["a"].sequence, revisions["a"].last_modified) == (1, T2)
    assert last_seen([version(2, T2, conf, moved), version(1, T1, conf, timetable())])["a"].start == at("11:00")


def test_published_at_is_compared_as_utc():
    rome_noon = datetime(2023, 9, 1, 14, 0, tzinfo=at("09:00").tzinfo)
    revisions = session_revisions([version(1, rome_noon, conference(), timetable())])
    assert revisions["a"].last_modified == T1
    assert revisions["a"].last_modified.utcoffset() == timedelta(0)


def test_feed_stamp_is_the_last_change_not_the_last_publication():
    conf = conference()
    unchanged = [version(1, T1, conf, timetable()), version(2, T2, conf, timetable())]
    assert feed_stamp(unchanged) == T1
    assert feed_stamp(unchanged + [version(3, T3, conf, timetable(a=("11:00", "R1")))]) == T3


@pytest.mark.parametrize("versions, message", [
    ([], "at least one"),
    ([version(1, T1, conference(), timetable()), version(1, T2, conference(), timetable())], "repeat"),
    ([version(1, datetime(2023, 9, 1), conference(), timetable())], "no time zone"),
])
def test_bad_version_lists_are_refused(versions, message):
    with pytest.raises(ValueError, match=message):
        session_revisions(versions)
