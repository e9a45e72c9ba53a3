"""The committee's pictures: each function on a tiny hand-built conference, checked against counts made here.

Two days (13 Oct: 09:00-10:30 and 11:00-12:00; 14 Oct: 09:00-11:00), a 30-minute grid, rooms A (100 seats) and
B (50 seats). The base timetable:

    13 Oct  A 09:00-10:00 s1 (it, interpreted into en, track peace, 80 expected)
            B 09:30-10:00 s2 (en, track peace, 40 expected)
            A 11:00-12:00 s3 (de, track dialogue, audience unknown)
    14 Oct  B 09:00-10:00 s4 (uk, interpreted into en, no track, 30 expected)
    s5 is left out.
"""

from __future__ import annotations

import argparse
import shutil
from datetime import UTC, timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot, which the tests use only to prove the plots never touch it

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from factories import DAY1, at, make_conference, make_day, make_room, make_session, make_speaker, window  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: E402

from scheduler import plots  # noqa: E402
from scheduler.domain import Assignment, Attendee, Timetable, Window  # noqa: E402

DAY2 = DAY1 + timedelta(days=1)
LANGUAGES = ("it", "en", "de", "uk")


def place(session_id: str, room_id: str, start: str, end: str, day=DAY1) -> Assignment:
    return Assignment(session_id, room_id, at(start, day), at(end, day))


@pytest.fixture
def conference():
    sessions = [
        make_session("s1", 60, ("p1",), title="Peace in our time", language="it", interpretation=frozenset({"en"}),
                     track="peace", expected_audience=80),
        make_session("s2", 30, ("p2",), title="Ceasefire monitoring", language="en", track="peace",
                     expected_audience=40),
        make_session("s3", 60, ("p1", "p2"), title="Religion and reconciliation", language="de", track="dialogue"),
        make_session("s4", 60, ("p3",), title="Children in conflict", language="uk",
                     interpretation=frozenset({"en"}), expected_audience=30),
        make_session("s5", 30, (), title="Poetry reading", language="it"),
    ]
    speakers = [make_speaker("p1", availability=(Window(at("09:00"), at("11:00", DAY2)),)),  # both days
                make_speaker("p2", availability=(window("09:00", "12:00"),)),  # day 1 only
                make_speaker("p3")]  # no windows: available throughout
    attendees = (
        Attendee("a1", frozenset({"en"}), ("s1", "s2")),        # 1 clash
        Attendee("a2", frozenset({"it"}), ("s1", "s3")),        # 0
        Attendee("a3", frozenset({"en", "uk"}), ("s1", "s2", "s4")),  # 1
        Attendee("a4", frozenset({"de"}), ()),                   # 0
        Attendee("a5", frozenset({"en"}), ("s2", "s1", "s5")),  # 1 (s5 is not placed)
    )
    return make_conference(
        sessions, speakers=speakers, attendees=attendees, languages=LANGUAGES,
        rooms=[make_room("A", 100, name="Sala A"), make_room("B", 50, name="Sala B")],
        days=[make_day("09:00-10:30", "11:00-12:00"), make_day("09:00-11:00", day=DAY2)],
    )


@pytest.fixture
def timetable():
    return Timetable((
        place("s1", "A", "09:00", "10:00"),
        place("s2", "B", "09:30", "10:00"),
        place("s3", "A", "11:00", "12:00"),
        place("s4", "B", "09:00", "10:00", DAY2),
    ), unplaced=("s5",))


def session_bars(ax, session_ids) -> dict[str, Rectangle]:
    return {p.get_gid(): p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid() in session_ids}


def test_plots_never_register_figures_with_pyplot(conference, timetable):
    before = plt.get_fignums()
    moved = Timetable((place("s1", "A", "11:00", "12:00", DAY2), *timetable.assignments[1:]))
    figures = [plots.gantt(conference, timetable, DAY1), plots.language_coverage(conference, timetable),
               plots.room_utilisation(conference, timetable), plots.speaker_load(conference, timetable),
               plots.attendee_conflicts(conference, timetable), plots.changes(conference, timetable, moved)]
    assert all(isinstance(f, Figure) for f in figures)
    assert plt.get_fignums() == before


def test_gantt_draws_one_bar_per_session_of_the_day_in_its_room_and_time(conference, timetable):
    ax = plots.gantt(conference, timetable, DAY1).axes[0]
    bars = session_bars(ax, conference.session_by_id)
    assert set(bars) == {"s1", "s2", "s3"}
    rooms = [t.get_text() for t in ax.get_yticklabels()]
    assert rooms == ["Sala A (100 seats)", "Sala B (50 seats)"]
    # Bars sit on their room's row, from start to end in hours after local midnight.
    assert (bars["s2"].get_x(), bars["s2"].get_width()) == (9.5, 0.5)
    assert bars["s2"].get_y() + bars["s2"].get_height() / 2 == 1  # second row: Sala B
    assert bars["s3"].get_y() + bars["s3"].get_height() / 2 == 0
    assert ax.get_xlabel() and ax.get_ylabel() and "13 Oct" in ax.get_title()
    other_day = plots.gantt(conference, timetable, DAY2.isoformat()).axes[0]
    assert set(session_bars(other_day, conference.session_by_id)) == {"s4"}


def test_gantt_colours_by_track_with_a_legend_and_marks_languages(conference, timetable):
    ax = plots.gantt(conference, timetable, DAY1).axes[0]
    bars = session_bars(ax, conference.session_by_id)
    assert bars["s1"].get_facecolor() == bars["s2"].get_facecolor()  # both track "peace"
    assert bars["s1"].get_facecolor() != bars["s3"].get_facecolor()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["dialogue", "peace"]
    labels = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    assert labels["label s1"].startswith("it → en") or labels["label s1"].startswith("it +1")
    assert labels["label s2"].startswith("en")
    assert labels["label s3"].startswith("de")


def test_gantt_time_axis_is_local_time_whatever_offset_the_timetable_uses(conference, timetable):
    as_utc = Timetable(tuple(Assignment(a.session_id, a.room_id, a.start.astimezone(UTC), a.end.astimezone(UTC))
                             for a in timetable.assignments))
    ax = plots.gantt(conference, as_utc, DAY1).axes[0]
    fig = ax.get_figure()
    fig.canvas.draw()  # tick labels are filled in at draw time
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == "09:00" and ticks[-1] == "12:00"
    assert session_bars(ax, conference.session_by_id)["s1"].get_x() == 9.0


def test_gantt_shows_relay_rooms_of_an_overflow_session(conference):
    sessions = [make_session("big", 60, language="it", overflow_rooms=("B",))]
    conf = make_conference(sessions, rooms=conference.rooms, days=conference.days)
    ax = plots.gantt(conf, Timetable((place("big", "A", "09:00", "10:00"),)), DAY1).axes[0]
    relay = [p for p in ax.patches if p.get_gid() == "big relay"]
    assert len(relay) == 1 and relay[0].get_y() + relay[0].get_height() / 2 == 1  # drawn on Sala B's row


def test_gantt_shades_a_rooms_closed_hours_inside_the_open_periods(conference, timetable):
    # Sala B opens at 09:30 on day 1 and not at all on day 2.
    rooms = (conference.rooms[0], make_room("B", 50, name="Sala B", availability=(window("09:30", "12:00"),)))
    conf = make_conference(conference.sessions, rooms=rooms, days=conference.days)
    ax = plots.gantt(conf, timetable, DAY1).axes[0]
    closed = [(p.get_x(), p.get_width(), p.get_y() + p.get_height() / 2) for p in ax.patches
              if p.get_gid() == "room closed B"]
    assert closed == [(9.0, 0.5, 1.0)]  # 09:00-09:30 on Sala B's row, nothing after it opens
    assert not [p for p in ax.patches if p.get_gid() == "room closed A"]
    assert "room closed" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_gantt_rejects_a_day_outside_the_conference(conference, timetable):
    with pytest.raises(ValueError, match="not a day of the conference"):
        plots.gantt(conference, timetable, DAY1 - timedelta(days=1))


def test_language_coverage_counts_followable_sessions_per_language_and_grid_time(conference, timetable):
    fig = plots.language_coverage(conference, timetable)
    ax1, ax2 = (ax for ax in fig.axes if ax.images)
    m = np.nan  # a break: no value shown
    # Rows: all running, it, en, de, uk. Day 1 columns: 09:00 09:30 10:00 10:30(break) 11:00 11:30.
    expected_day1 = np.ma.masked_invalid([
        [1, 2, 0, m, 1, 1],
        [1, 1, 0, m, 0, 0],   # it: s1 natively
        [1, 2, 0, m, 0, 0],   # en: s1 interpreted, s2 natively
        [0, 0, 0, m, 1, 1],   # de: s3
        [0, 0, 0, m, 0, 0],   # uk: nothing on day 1
    ])
    expected_day2 = np.ma.masked_invalid([[1, 1, 0, 0], [0, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0], [1, 1, 0, 0]])
    for ax, expected in ((ax1, expected_day1), (ax2, expected_day2)):
        shown = ax.images[0].get_array()
        assert shown.shape == expected.shape
        assert (np.ma.getmaskarray(shown) == np.ma.getmaskarray(expected)).all()
        assert (shown.filled(-1) == expected.filled(-1)).all()
    assert [t.get_text() for t in ax1.get_yticklabels()] == [
        "all sessions running", "it (1 attendee)", "en (3 attendees)", "de (1 attendee)", "uk (1 attendee)"]
    # A cross wherever sessions run but none can be followed: 2+2+3+3 on day 1, 2+2 on day 2.
    crosses = [c for ax in (ax1, ax2) for c in ax.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in crosses) == 14


def test_room_utilisation_shares_and_headroom(conference, timetable):
    fig = plots.room_utilisation(conference, timetable)
    ax_share = next(ax for ax in fig.axes if ax.images)
    # Day 1 is open 150 minutes, day 2 120 minutes.
    expected = np.array([[100 * 120 / 150, 0.0], [100 * 30 / 150, 100 * 60 / 120]])
    assert np.allclose(ax_share.images[0].get_array(), expected)
    assert {t.get_text() for t in ax_share.texts} == {"80%", "20%", "0%", "50%"}
    ax_head = next(ax for ax in fig.axes if "headroom" in ax.get_title())
    dots = {c.get_gid(): sorted(c.get_offsets()[:, 0]) for c in ax_head.collections if c.get_gid()}
    assert dots == {"headroom A": [20.0], "headroom B": [10.0, 20.0]}  # s3 has no expected audience
    assert ax_head.get_xlabel() and ax_share.get_ylabel()


def test_room_utilisation_counts_a_relay_once_even_when_overlapping(conference):
    sessions = [make_session("big", 60, overflow_rooms=("B",)), make_session("small", 30)]
    conf = make_conference(sessions, rooms=conference.rooms, days=conference.days)
    # A deliberately broken timetable: B relays "big" while it holds "small". Use is still at most the union.
    t = Timetable((place("big", "A", "09:00", "10:00"), place("small", "B", "09:30", "10:00")))
    share = next(ax for ax in plots.room_utilisation(conf, t).axes if ax.images).images[0].get_array()
    assert np.allclose(share[:, 0], [100 * 60 / 150, 100 * 60 / 150])


def test_room_utilisation_shares_are_of_the_time_the_room_is_open(conference, timetable):
    # Sala B is open only 09:00-10:00 on day 1: s2 fills half of that; on day 2 it is closed, so it has no share.
    rooms = (conference.rooms[0], make_room("B", 50, name="Sala B", availability=(window("09:00", "10:00"),)))
    conf = make_conference(conference.sessions, rooms=rooms, days=conference.days)
    share = next(ax for ax in plots.room_utilisation(conf, timetable).axes if ax.images).images[0].get_array()
    assert np.isclose(share[1, 0], 50.0) and np.ma.is_masked(share[1, 1])
    assert np.isclose(share[0, 0], 100 * 120 / 150)  # Sala A, open throughout, as before


def idle_cells(ax) -> list[str]:
    return sorted(p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith("idle"))


def test_speaker_load_counts_sessions_and_marks_idle_and_unavailable_days(conference, timetable):
    ax = plots.speaker_load(conference, timetable).axes[0]
    shown = ax.images[0].get_array()
    # Rows by name: p1, p2, p3. p2 is available on day 1 only (masked on day 2).
    assert (shown.filled(-1) == np.array([[2, 0], [2, -1], [0, 1]])).all()
    # p1 stays for both days but speaks on day 1 only. p3 gave no windows and speaks once: never idle.
    assert idle_cells(ax) == ["idle p1 2023-10-14"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Speaker p1  (1 idle)", "Speaker p2", "Speaker p3"]
    assert ax.get_xlabel().startswith("day") and ax.get_ylabel() == "speaker"


def test_speaker_load_without_windows_counts_idle_days_between_first_and_last_session():
    days = [make_day("09:00-12:00", day=DAY1 + timedelta(days=i)) for i in range(4)]
    conf = make_conference([make_session("x1", speakers=("q",)), make_session("x2", speakers=("q",)),
                            make_session("y1", speakers=("r",))], days=days)
    t = Timetable((place("x1", "R1", "09:00", "10:00"), place("x2", "R1", "09:00", "10:00", DAY1 + timedelta(days=2)),
                   place("y1", "R1", "10:00", "11:00", DAY1 + timedelta(days=3))))
    ax = plots.speaker_load(conf, t).axes[0]
    assert idle_cells(ax) == ["idle q 2023-10-14"]  # q speaks on days 1 and 3: day 2 is spent waiting
    assert (ax.images[0].get_array() == np.array([[1, 0, 1, 0], [0, 0, 0, 1]])).all()


def test_attendee_conflicts_histogram_and_worst_pairs(conference, timetable):
    fig = plots.attendee_conflicts(conference, timetable)
    ax_hist, ax_pairs = fig.axes
    heights = [p.get_height() for p in ax_hist.patches]
    assert heights == [2, 3]  # two attendees without a clash, three with one
    assert "3 clashes in all" in fig.get_suptitle()
    assert [p.get_width() for p in ax_pairs.patches] == [3]
    assert [t.get_text() for t in ax_pairs.get_yticklabels()] == ["Peace in our time  ×  Ceasefire monitoring"]
    assert ax_hist.get_xlabel() and ax_hist.get_ylabel()


def test_attendee_conflicts_without_attendees_says_so(timetable):
    conf = make_conference([make_session("s1")])
    fig = plots.attendee_conflicts(conf, timetable)
    assert any("No attendee interests" in t.get_text() for t in fig.axes[0].texts)


def test_changes_draws_before_after_and_an_arrow_per_move(conference, timetable):
    new = Timetable((
        place("s1", "B", "10:00", "11:00", DAY2),   # moved
        place("s2", "A", "09:30", "10:00"),          # room
        place("s4", "B", "09:00", "10:00", DAY2),    # unchanged
        place("s5", "A", "11:00", "11:30"),          # added; s3 removed
    ))
    ax = plots.changes(conference, timetable, new).axes[0]
    gids = {p.get_gid() for p in ax.patches}
    assert {g for g in gids if g.startswith("before")} == {"before s1", "before s2", "before s3"}
    assert {g for g in gids if g.startswith("after")} == {"after s1", "after s2", "after s5"}
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert [a.get_gid() for a in arrows] == ["arrow s1"]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Peace in our time", "Ceasefire monitoring", "Religion and reconciliation", "Poetry reading"]
    assert "1 moved, 1 changed room, 1 added, 1 removed" in ax.get_title()
    # The move goes right, past the 3 open hours of day 1: days are laid side by side.
    before, after = (next(p for p in ax.patches if p.get_gid() == g) for g in ("before s1", "after s1"))
    assert after.get_x() > before.get_x() + 3


def test_changes_shows_sessions_of_a_closed_room_moving_out_and_withdrawn_sessions_removed(conference, timetable):
    # Before: s1 ran in room C, closed since (same time, now in A); s9 was withdrawn since (no longer a session).
    old = Timetable((place("s1", "C", "09:00", "10:00"), *timetable.assignments[1:],
                     place("s9", "B", "11:00", "11:30")))
    new = Timetable((place("s1", "A", "09:00", "10:00"), *timetable.assignments[1:]))
    ax = plots.changes(conference, old, new).axes[0]
    gids = {p.get_gid() for p in ax.patches}
    assert {"before s1", "after s1", "before s9"} <= gids and "after s9" not in gids
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Peace in our time", "s9 (withdrawn)"]
    texts = {t.get_text() for t in ax.texts}
    assert {"C (closed)", "Sala A", "Sala B"} <= texts
    assert "1 changed room, 1 removed" in ax.get_title()
    # The conference before the change still knows the closed room's name and the withdrawn session's title.
    previous = make_conference([*conference.sessions, make_session("s9", 30, (), title="Dropped talk")],
                               rooms=[*conference.rooms, make_room("C", 20, name="Sala C")])
    ax = plots.changes(conference, old, new, previous).axes[0]
    assert "Sala C (closed)" in {t.get_text() for t in ax.texts}
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Peace in our time", "Dropped talk (withdrawn)"]


def test_changes_without_changes_says_so(conference, timetable):
    fig = plots.changes(conference, timetable, timetable)
    assert any("Nothing changes" in t.get_text() for t in fig.axes[0].texts)


def test_figures_save_as_png_and_svg(conference, timetable, tmp_path):
    fig = plots.gantt(conference, timetable, DAY1)
    fig.savefig(tmp_path / "g.png", dpi=50)
    fig.savefig(tmp_path / "g.svg")
    assert (tmp_path / "g.png").read_bytes().startswith(b"\x89PNG")
    assert 'id="s1"' in (tmp_path / "g.svg").read_text()  # session bars keep their id in SVG


# --- the `agenda plot` command -----------------------------------------------------------------------------------

CONFERENCE_TOML = """\
name = "Tiny peace conference"
timezone = "Europe/Rome"
granularity_min = 30
languages = ["it", "en"]

[[days]]
date = "2023-10-13"
open = ["09:00-12:00"]

[[days]]
date = "2023-10-14"
open = ["09:00-12:00"]
"""


@pytest.fixture
def conference_folder(tmp_path):
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "conference.toml").write_text(CONFERENCE_TOML)
    (folder / "rooms.csv").write_text("room_id,name,capacity,booths\nA,Sala A,100,1\nB,Sala B,30,0\n")
    (folder / "speakers.csv").write_text("speaker_id,name,languages\np1,Anna,it\np2,Boris,en\n")
    (folder / "sessions.csv").write_text(
        "session_id,title,duration_min,speakers,language,interpretation,track,expected_audience\n"
        "s1,Opening,60,p1,it,en,peace,80\n"
        "s2,Workshop,60,p2,en,,dialogue,20\n"
        "s3,Closing,30,p1,it,en,peace,50\n")
    (folder / "attendees.csv").write_text("attendee_id,languages,interests\na1,en,s1;s2\n")
    timetable_csv = tmp_path / "timetable.csv"
    timetable_csv.write_text(
        "session_id,room_id,start,end\n"
        "s1,A,2023-10-13T09:00:00+02:00,2023-10-13T10:00:00+02:00\n"
        "s2,B,2023-10-13T09:00:00+02:00,2023-10-13T10:00:00+02:00\n"
        "s3,A,2023-10-14T11:00:00+02:00,2023-10-14T11:30:00+02:00\n")
    return folder, timetable_csv


def run_plot(*argv: str) -> int:
    from scheduler import plots_cli

    parser = argparse.ArgumentParser(prog="agenda")
    plots_cli.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["plot", *argv])
    return args.func(args)


@pytest.mark.parametrize("name", ["gantt.png", "gantt.svg"])
def test_cli_writes_one_picture_in_the_format_of_the_extension(conference_folder, tmp_path, name):
    folder, timetable_csv = conference_folder
    out = tmp_path / "figs" / name
    assert run_plot(str(folder), "--timetable", str(timetable_csv), "--kind", "gantt", "--day", "2023-10-13",
                    "--out", str(out), "--dpi", "40") == 0
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG") if name.endswith(".png") else b"<svg" in data[:2000]
    assert len(data) > 1000


def test_cli_all_writes_every_picture_into_a_folder(conference_folder, tmp_path):
    folder, timetable_csv = conference_folder
    out = tmp_path / "all"
    assert run_plot(str(folder), "--timetable", str(timetable_csv), "--kind", "all", "--out", str(out),
                    "--format", "svg") == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "conflicts.svg", "coverage.svg", "gantt-2023-10-13.svg", "gantt-2023-10-14.svg", "rooms.svg", "speakers.svg"]
    assert all(p.stat().st_size > 1000 for p in out.iterdir())


def test_cli_changes_against_an_earlier_timetable(conference_folder, tmp_path):
    folder, timetable_csv = conference_folder
    earlier = tmp_path / "earlier.csv"
    earlier.write_text(timetable_csv.read_text().replace(  # s2 ran an hour later before
        "s2,B,2023-10-13T09:00:00+02:00,2023-10-13T10:00:00+02:00",
        "s2,B,2023-10-13T10:00:00+02:00,2023-10-13T11:00:00+02:00"))
    assert earlier.read_text() != timetable_csv.read_text()
    out = tmp_path / "changes.png"
    assert run_plot(str(folder), "--timetable", str(timetable_csv), "--kind", "changes", "--before", str(earlier),
                    "--out", str(out), "--dpi", "40") == 0
    assert out.read_bytes().startswith(b"\x89PNG")


def write_earlier(conference_folder, tmp_path, *rows: str) -> Path:
    """The fixture's timetable with `rows` (session_id,room_id,start,end, times on 13 Oct) added to it."""
    _, timetable_csv = conference_folder
    earlier = tmp_path / "earlier.csv"
    earlier.write_text(timetable_csv.read_text() + "".join(
        f"{sid},{room},2023-10-13T{start}:00+02:00,2023-10-13T{end}:00+02:00\n"
        for sid, room, start, end in (r.split(",") for r in rows)))
    return earlier


def test_cli_changes_from_an_earlier_timetable_with_a_room_closed_since(conference_folder, tmp_path):
    folder, timetable_csv = conference_folder
    # Before, s1 ran in room C (closed since) and s3 too; now both are in A.
    earlier = tmp_path / "earlier.csv"
    earlier.write_text(timetable_csv.read_text().replace("s1,A,", "s1,C,").replace("s3,A,", "s3,C,"))
    out = tmp_path / "changes.svg"
    assert run_plot(str(folder), "--timetable", str(timetable_csv), "--kind", "changes", "--before", str(earlier),
                    "--out", str(out)) == 0
    svg = out.read_text()
    assert all(f'id="{gid}"' in svg for gid in ("before s1", "after s1", "before s3", "after s3"))


def test_cli_changes_from_an_earlier_timetable_with_a_session_withdrawn_since(conference_folder, tmp_path):
    folder, timetable_csv = conference_folder
    earlier = write_earlier(conference_folder, tmp_path, "s4,B,11:00,11:30")  # s4 is no longer a session
    out = tmp_path / "all"
    assert run_plot(str(folder), "--timetable", str(timetable_csv), "--kind", "all", "--before", str(earlier),
                    "--out", str(out), "--format", "svg") == 0
    svg = (out / "changes.svg").read_text()
    assert 'id="before s4"' in svg and 'id="after s4"' not in svg


def test_cli_changes_name_what_was_withdrawn_and_closed_from_the_earlier_conference(conference_folder, tmp_path):
    folder, timetable_csv = conference_folder
    v1 = tmp_path / "v1"
    shutil.copytree(folder, v1)
    (v1 / "rooms.csv").write_text((v1 / "rooms.csv").read_text() + "C,Sala Capitini,40,0\n")
    (v1 / "sessions.csv").write_text((v1 / "sessions.csv").read_text() + "s4,Poetry for peace,30,p2,en,,,10\n")
    earlier = write_earlier(conference_folder, tmp_path, "s4,C,11:00,11:30")
    out = tmp_path / "changes.svg"
    assert run_plot(str(folder), "--timetable", str(timetable_csv), "--kind", "changes", "--before", str(earlier),
                    "--before-conference", str(v1), "--out", str(out)) == 0
    svg = out.read_text()
    assert "Poetry for peace (withdrawn)" in svg and "Sala Capitini (closed)" in svg


def test_cli_before_conference_without_before_is_refused(conference_folder, tmp_path, capsys):
    folder, timetable_csv = conference_folder
    assert run_plot(str(folder), "--timetable", str(timetable_csv), "--kind", "rooms", "--before-conference",
                    str(folder), "--out", str(tmp_path / "r.png")) == 2
    assert "give --before" in capsys.readouterr().err and not (tmp_path / "r.png").exists()


@pytest.mark.parametrize(("earlier_text", "where"), [
    ("Dear committee,\nplease find the programme attached.\n", "earlier.csv:1:session_id: missing column"),
    ("session_id,room_id,start,end\ns1,C,2023-10-13T09:00:00+02:00,2023-10-13T10:00:00+02:00\n"
     "s2,B,2023-10-13 at nine,2023-10-13T10:00:00+02:00\n", "earlier.csv:3:start: '2023-10-13 at nine'"),
])
def test_cli_reports_a_bad_earlier_timetable_with_its_place_and_writes_nothing(
        conference_folder, tmp_path, capsys, earlier_text, where):
    from scheduler.cli import main

    folder, timetable_csv = conference_folder
    earlier = tmp_path / "earlier.csv"
    earlier.write_text(earlier_text)
    out = tmp_path / "all"
    assert main(["plot", str(folder), "--timetable", str(timetable_csv), "--kind", "all", "--before", str(earlier),
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert where in err and "Traceback" not in err
    assert not out.exists()  # nothing drawn from the good timetable before the bad one was found


def test_cli_refuses_ambiguous_requests(conference_folder, tmp_path, capsys):
    folder, timetable_csv = conference_folder
    base = [str(folder), "--timetable", str(timetable_csv)]
    assert run_plot(*base, "--kind", "gantt", "--out", str(tmp_path / "g.png")) == 2  # two days, no --day
    assert "needs --day" in capsys.readouterr().err
    assert run_plot(*base, "--kind", "all", "--out", str(tmp_path / "all.png")) == 2
    assert run_plot(*base, "--kind", "gantt", "--day", "2024-01-01", "--out", str(tmp_path / "g.png")) == 2
    assert run_plot(*base, "--kind", "changes", "--out", str(tmp_path / "c.png")) == 2
    assert not list(tmp_path.glob("*.png"))
