"""webview.data: sources, the schedule cache, and what Programme computes (grid layout, filters, search,
clashes, days)."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from web_sample import DAY1, DAY2, HOSTILE_TITLE, PUBLISHED_AT, at, small_conference, small_timetable

from scheduler.domain import Assignment, Timetable
from scheduler.errors import InputError
from scheduler.revisions import PublishedVersion
from scheduler.timetable_io import write_timetable
from webview import create_app
from webview.data import Filters, FolderSource, Programme, ScheduleCache, StaticSource, fold, source_from_config

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.fixture
def programme():
    conference = small_conference()
    return Programme(conference, (PublishedVersion(1, PUBLISHED_AT, conference, small_timetable()),))


def ids(slots) -> list[str]:
    return [s.session_id for s in slots]


# ---- days and lookups


def test_days_and_sessions_after_midnight_belong_to_the_evening_they_started(programme):
    assert programme.days == (DAY1, DAY2)
    assert programme.slot("NIGHT").day == DAY2  # 00:15 on the 15th, in day 2's 20:00-01:00 period
    assert ids(programme.by_day[DAY1]) == ["OPEN", "A", "B", "WS/7", "D"]
    assert ids(programme.by_day[DAY2]) == ["E", "NIGHT"]


def test_unplaced_sessions_are_kept_apart(programme):
    assert ids(programme.unplaced) == ["TBA"]
    assert programme.slot("TBA").assignment is None and programme.slot("TBA").day is None


def test_unpublished_programme_has_every_session_unplaced():
    programme = Programme(small_conference(), ())
    assert programme.timetable is None and programme.version is None
    assert len(programme.unplaced) == 8 and not programme.placed


def test_today_is_judged_in_the_conference_zone(programme):
    # 22:30 UTC on the 13th is already 00:30 on the 14th in Rome.
    assert programme.today(datetime(2023, 10, 13, 22, 30, tzinfo=UTC)) == DAY2
    assert programme.today(datetime(2023, 10, 13, 21, 30, tzinfo=UTC)) == DAY1
    assert programme.today(datetime(2023, 11, 1, 12, 0, tzinfo=UTC)) is None


def test_speaker_track_and_room_indexes(programme):
    assert ids(programme.by_speaker["S2"]) == ["OPEN", "E", "TBA"]
    assert ids(programme.by_track["causes"]) == ["A", "WS/7"]
    assert programme.tracks == ("causes", "europe", "war-zone")
    assert ids(programme.by_room["R1"]) == ["OPEN", "A", "D"]
    assert ids(programme.relays_by_room["R3"]) == ["D"]


# ---- filters and search


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters(follow="en"), ["OPEN", "A", "B", "E", "TBA"]),  # held in English or interpreted into it
    (Filters(language="en"), ["A", "TBA"]),
    (Filters(follow="it", track="war-zone"), ["E"]),
    (Filters(room="R3"), ["WS/7", "D", "NIGHT"]),  # D is relayed into R3
    (Filters(kind="report"), ["B", "E"]),
    (Filters(speaker="muller"), ["A", "D"]),  # "Jonas Müller", accents and case ignored
    (Filters(q="CITTA"), ["WS/7"]),
    (Filters(q="nonviolenza"), ["WS/7"]),  # the abstract
    (Filters(q="olena apertura"), ["OPEN"]),  # every word, in title or speakers
    (Filters(q="olena kharkiv"), ["E"]),
    (Filters(q="nothing-like-this"), []),
])
def test_filters_select_the_right_sessions(programme, filters, expected):
    assert ids(programme.select(filters)) == expected


def test_filters_from_request_args_trim_and_ignore_unknown_keys():
    f = Filters.from_args({"follow": " uk ", "q": "x" * 500, "evil": "1"})
    assert f.follow == "uk" and len(f.q) == 200
    assert f.as_args() == {"follow": "uk", "q": "x" * 200}
    assert not Filters() and Filters(kind="panel")


def test_fold_ignores_case_and_accents():
    assert fold("Città ÉTÉ Müller") == "citta ete muller"


# ---- agenda: selection and clashes


def test_selection_keeps_known_sessions_in_time_order_then_unplaced(programme):
    assert ids(programme.selection(["TBA", "D", "nope", "A"])) == ["A", "D", "TBA"]


def test_clashes_are_overlapping_pairs_and_touching_is_not_a_clash(programme):
    clashes = programme.clashes(programme.selection(["A", "B", "WS/7", "D", "OPEN", "TBA"]))
    assert [(c.first.session_id, c.second.session_id) for c in clashes] == [("A", "B"), ("A", "WS/7"), ("B", "WS/7")]
    conference = small_conference()
    touching = Timetable((Assignment("A", "R1", at(DAY1, "10:00"), at(DAY1, "11:00")),
                          Assignment("B", "R2", at(DAY1, "11:00"), at(DAY1, "12:30"))))
    other = Programme(conference, (PublishedVersion(1, PUBLISHED_AT, conference, touching),))
    assert other.clashes(other.selection(["A", "B"])) == []


# ---- the day grid


def test_grid_puts_rooms_across_and_time_down_with_breaks_compressed(programme):
    grid = programme.grid(DAY1)
    assert [r.room_id for r in grid.rooms] == ["R1", "R2", "R3"]
    assert grid.step_min == 15
    boxes = {(i.slot.session_id, i.relay): i for i in grid.items}
    a = boxes[("A", False)]
    # Row line 2 is 09:00; 10:30 is six 15-minute rows later, 11:30 ten.
    assert (a.row_start, a.row_end, a.col_start, a.col_end) == (8, 12, 2, 3)
    assert (boxes[("B", False)].col_start, boxes[("B", False)].row_end) == (3, 14)
    breaks = [m for m in grid.marks if m.kind == "break"]
    assert [(b.start, b.end, b.row_start) for b in breaks] == [(at(DAY1, "13:00"), at(DAY1, "14:00"), 18)]
    assert boxes[("D", False)].row_start == 19  # the row right after the one-row break
    assert grid.rows == 34  # header, 16 rows, break, 16 rows


def test_grid_plenary_spans_every_room_and_relays_appear_in_overflow_rooms(programme):
    grid = programme.grid(DAY1)
    opening = [i for i in grid.items if i.slot.session_id == "OPEN"]
    assert [(i.col_start, i.col_end, i.relay) for i in opening] == [(2, 5, False)]
    relays = [(i.slot.session_id, i.col_start) for i in grid.items if i.relay]
    assert relays == [("D", 4)]


def test_grid_reading_order_is_time_then_column(programme):
    sequence = programme.grid(DAY1).sequence()
    sessions = [x.slot.session_id for x in sequence if hasattr(x, "slot") and not x.relay]
    assert sessions == ["OPEN", "A", "B", "WS/7", "D"]
    labels = [x.start.astimezone(small_conference().tz).strftime("%H:%M") for x in sequence
              if getattr(x, "kind", "") == "time"]
    assert labels[:3] == ["09:00", "09:30", "10:00"]


def test_grid_rows_are_never_finer_than_five_minutes():
    conference = small_conference()
    odd = Timetable((Assignment("A", "R1", at(DAY1, "09:00"), at(DAY1, "09:47")),))
    grid = Programme(conference, (PublishedVersion(1, PUBLISHED_AT, conference, odd),)).grid(DAY1)
    item = grid.items[0]
    assert grid.step_min == 5
    assert (item.row_start, item.row_end) == (2, 2 + 10)  # 47 minutes rounded up to ten 5-minute rows


def test_grid_of_the_night_crosses_midnight(programme):
    grid = programme.grid(DAY2)
    night = next(i for i in grid.items if i.slot.session_id == "NIGHT")
    assert [(m.start, m.end) for m in grid.marks if m.kind == "break"] == [(at(DAY2, "12:00"), at(DAY2, "20:00"))]
    assert night.row_start > next(m.row_start for m in grid.marks if m.kind == "break")


def test_memo_builds_once_per_key(programme):
    calls = []
    for _ in range(3):
        programme.memo("k", lambda: calls.append(1) or b"body")
    assert calls == [1]


# ---- sources and the cache


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "tiny"
    shutil.copytree(TINY, target)
    return target


def write_tiny_timetable(folder: Path, path: Path) -> None:
    conference = FolderSource(folder).load()[0]
    day = DAY1
    rows = [("open", "aula", "09:30", "10:30"), ("s1", "sala1", "14:30", "16:00"), ("s2", "sala2", "11:00", "11:45")]
    write_timetable(Timetable(tuple(Assignment(s, r, at(day, a), at(day, b)) for s, r, a, b in rows)), path)
    assert {s.session_id for s in conference.sessions} >= {"open", "s1", "s2"}


def test_folder_source_without_timetable_is_unpublished(folder):
    conference, versions = FolderSource(folder).load()
    assert conference.name == "Tiny Test Conference" and versions == ()


def test_folder_source_publishes_the_timetable_as_one_version(folder, tmp_path):
    csv = tmp_path / "timetable.csv"
    write_tiny_timetable(folder, csv)
    stamp = datetime(2023, 9, 20, 8, 0, tzinfo=UTC)
    for path in [csv, *folder.iterdir()]:
        os.utime(path, (stamp.timestamp(), stamp.timestamp()))
    conference, versions = FolderSource(folder, csv).load()
    assert len(versions) == 1
    version = versions[0]
    assert version.number == 1 and version.published_at == stamp and version.conference is conference
    assert version.timetable.by_session["s2"].start == at(DAY1, "11:00")
    # A corrected title is a change too: Last-Modified (the published time) moves with it, not only with the CSV.
    edited = stamp + timedelta(hours=2)
    os.utime(folder / "sessions.csv", (edited.timestamp(), edited.timestamp()))
    assert FolderSource(folder, csv).load()[1][0].published_at == edited


def test_cache_reloads_when_a_file_changes_and_keeps_the_last_good_one_on_a_broken_edit(folder, tmp_path):
    csv = tmp_path / "timetable.csv"
    write_tiny_timetable(folder, csv)
    cache = ScheduleCache(lambda: FolderSource(folder, csv))
    first = cache.get()
    assert cache.get() is first  # nothing changed: the same programme, no reload

    rooms = folder / "rooms.csv"
    rooms.write_text(rooms.read_text().replace("Aula Magna", "Aula Nuova"), encoding="utf-8")
    _bump(rooms)
    second = cache.get()
    assert second is not first and second.room("aula").name == "Aula Nuova"

    (folder / "sessions.csv").write_text("session_id,title\nbroken,\n", encoding="utf-8")
    _bump(folder / "sessions.csv")
    assert cache.get() is second  # still serving the last good programme
    assert isinstance(cache.last_error, InputError)


def test_cache_raises_when_the_first_load_fails(tmp_path):
    (tmp_path / "conference.toml").write_text('name = "x"\n', encoding="utf-8")
    with pytest.raises(InputError):
        ScheduleCache(lambda: FolderSource(tmp_path)).get()


def test_source_is_chosen_by_configuration(folder, translations_dir):
    conference = small_conference()
    static = StaticSource(conference)
    assert source_from_config(create_app({"SECRET_KEY": "k", "SCHEDULE_SOURCE": static,
                                          "TRANSLATIONS_BUILD_DIR": str(translations_dir)})) is static
    made = create_app({"SECRET_KEY": "k", "SCHEDULE_SOURCE": lambda app: static,
                       "TRANSLATIONS_BUILD_DIR": str(translations_dir)})
    assert source_from_config(made) is static
    from_folder = source_from_config(create_app({"SECRET_KEY": "k", "CONFERENCE_PATH": str(folder),
                                                 "TRANSLATIONS_BUILD_DIR": str(translations_dir)}))
    assert isinstance(from_folder, FolderSource) and from_folder.conference_path == folder
    with pytest.raises(RuntimeError, match="CONFERENCE_PATH"):
        source_from_config(create_app({"SECRET_KEY": "k", "TRANSLATIONS_BUILD_DIR": str(translations_dir)}))


def test_hostile_text_is_kept_verbatim_in_the_data_layer(programme):
    # Escaping is the templates' job; the data layer must not mangle titles.
    assert programme.slot("A").session.title == HOSTILE_TITLE


def _bump(path: Path) -> None:
    """Move the file's mtime forward (filesystems with coarse timestamps would otherwise hide the edit)."""
    later = path.stat().st_mtime + 5
    os.utime(path, (later, later))

