"""Attendee-visible changes between two timetables, and their plain-language wording."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from factories import DAY1, at, make_conference, make_day, make_room, make_session

from scheduler.diff import Change, describe, diff_timetables
from scheduler.domain import Assignment, Timetable

DAY2 = DAY1 + timedelta(days=1)


def place(session_id: str, room_id: str, start: str, end: str, day=DAY1) -> Assignment:
    return Assignment(session_id, room_id, at(start, day), at(end, day))


@pytest.fixture
def conference():
    return make_conference(
        [make_session("s1", 90, title="Peace in our time"), make_session("s2", title="Ceasefire monitoring"),
         make_session("s3", title="Poetry reading")],
        rooms=[make_room("A", name="Sala A"), make_room("B", name="Sala B")],
        days=[make_day("09:00-13:00"), make_day("09:00-13:00", day=DAY2)],
    )


def test_identical_timetables_have_no_changes():
    t = Timetable((place("s1", "A", "09:00", "10:30"), place("s2", "B", "09:00", "10:00")))
    assert diff_timetables(t, t) == []


def test_same_instant_written_in_another_offset_is_not_a_change():
    local = place("s1", "A", "09:00", "10:30")
    as_utc = Assignment("s1", "A", local.start.astimezone(UTC), local.end.astimezone(UTC))
    assert diff_timetables(Timetable((local,)), Timetable((as_utc,))) == []


def test_kinds_of_change_sorted_by_session_id():
    old = Timetable((
        place("s4", "A", "09:00", "10:00"),   # keeps time, changes room
        place("s3", "A", "11:00", "12:00"),   # removed
        place("s2", "B", "09:00", "10:00"),   # moved and changes room: still "moved"
        place("s1", "A", "12:00", "13:00"),   # unchanged
    ), unplaced=("s5",))
    new = Timetable((
        place("s1", "A", "12:00", "13:00"),
        place("s2", "A", "10:00", "11:00", DAY2),
        place("s4", "B", "09:00", "10:00"),
        place("s5", "B", "11:00", "12:00"),   # was left out, now placed: added
    ), unplaced=("s3",))
    changes = diff_timetables(old, new)
    assert [(c.session_id, c.kind) for c in changes] == [
        ("s2", "moved"), ("s3", "removed"), ("s4", "room"), ("s5", "added")]
    by_id = {c.session_id: c for c in changes}
    assert by_id["s2"].before == old.by_session["s2"] and by_id["s2"].after == new.by_session["s2"]
    assert by_id["s3"].after is None and by_id["s3"].before == old.by_session["s3"]
    assert by_id["s5"].before is None and by_id["s5"].after == new.by_session["s5"]


def test_start_kept_but_end_changed_counts_as_moved():
    old = Timetable((place("s1", "A", "09:00", "10:30"),))
    new = Timetable((place("s1", "A", "09:00", "10:00"),))
    assert [c.kind for c in diff_timetables(old, new)] == ["moved"]


def test_describe_move_in_plain_words(conference):
    change = Change("s1", "moved", place("s1", "A", "09:30", "11:00"), place("s1", "B", "11:00", "12:30", DAY2))
    assert describe(change, conference) == \
        "'Peace in our time' moved from Fri 13 Oct 09:30 (Sala A) to Sat 14 Oct 11:00 (Sala B)"


def test_describe_uses_local_time_whatever_offset_the_assignment_carries(conference):
    before = place("s1", "A", "09:30", "11:00")
    after = place("s1", "A", "10:00", "11:30")
    utc_after = Assignment("s1", "A", after.start.astimezone(UTC), after.end.astimezone(UTC))
    assert describe(Change("s1", "moved", before, utc_after), conference).endswith("to Fri 13 Oct 10:00 (Sala A)")


def test_describe_room_added_and_removed(conference):
    a, b = place("s2", "A", "09:00", "10:00"), place("s2", "B", "09:00", "10:00")
    assert describe(Change("s2", "room", a, b), conference) == \
        "'Ceasefire monitoring' changes room from Sala A to Sala B (Fri 13 Oct 09:00)"
    assert describe(Change("s2", "added", None, b), conference) == \
        "'Ceasefire monitoring' added on Fri 13 Oct 09:00 (Sala B)"
    assert describe(Change("s2", "removed", a, None), conference) == \
        "'Ceasefire monitoring' removed (was Fri 13 Oct 09:00, Sala A)"


def test_describe_withdrawn_session_and_lost_room_use_the_previous_conference(conference):
    after_change = make_conference([make_session("s2")], rooms=[make_room("B", name="Sala B")],
                                   days=conference.days)
    gone = Change("s1", "removed", place("s1", "A", "09:00", "10:30"), None)
    assert describe(gone, after_change) == "'s1' removed (was Fri 13 Oct 09:00, A)"
    assert describe(gone, after_change, previous=conference) == \
        "'Peace in our time' removed (was Fri 13 Oct 09:00, Sala A)"


def test_describe_rejects_a_change_missing_its_assignment(conference):
    with pytest.raises(ValueError):
        describe(Change("s1", "moved", None, place("s1", "A", "09:00", "10:30")), conference)
