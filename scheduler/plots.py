"""Pictures of a timetable for the programme committee, who would rather look than read.

Every function takes the conference and a timetable (two for `changes`) and returns a new
`matplotlib.figure.Figure`. Figures are built without pyplot, so nothing lingers in a global figure registry and
any number can be made in a server or a test; save them with `fig.savefig("x.png")` or `.svg`.

All times are shown in the conference's local time. Arithmetic on instants is done in UTC because Python compares
and subtracts aware datetimes that share a tzinfo by wall clock, which is wrong across a clock change.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from scheduler.diff import ADDED, MOVED, REMOVED, ROOM, diff_timetables, format_day
from scheduler.domain import Assignment, Conference, Day, Session, Timetable

_NO_TRACK = "(no track)"
_NO_TRACK_COLOUR = "#c8c8c8"
_CLOSED_COLOUR = "#eeeeee"
_TEXT_PT = 7.0
# Rough width of one character of small sans-serif text in inches per point of font size; used only to decide
# whether a label fits in a bar, so an estimate is enough.
_CHAR_IN_PER_PT = 0.62 / 72


# --- time helpers ------------------------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _midnight(conference: Conference, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=conference.tz)


def _hours_after_midnight(conference: Conference, moment: datetime, day: date) -> float:
    """Wall-clock hours since the local midnight that starts `day` (25.0 is 01:00 the next night)."""
    local = moment.astimezone(conference.tz).replace(tzinfo=None)
    return (local - datetime.combine(day, time(0))).total_seconds() / 3600


def _clock(hours: float, _pos: object = None) -> str:
    minutes_total = round(hours * 60)
    return f"{(minutes_total // 60) % 24:02d}:{minutes_total % 60:02d}"


def _overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return _utc(a_start) < _utc(b_end) and _utc(b_start) < _utc(a_end)


def _day_of(conference: Conference, assignment: Assignment) -> date:
    """The conference day a session belongs to: the one whose open period holds its start, else its local date."""
    start = _utc(assignment.start)
    for day in conference.days:
        if any(_utc(p.start) <= start < _utc(p.end) for p in day.periods):
            return day.date
    return assignment.start.astimezone(conference.tz).date()


def _as_date(day: date | Day | str) -> date:
    if isinstance(day, Day):
        return day.date
    if isinstance(day, str):
        return date.fromisoformat(day)
    return day


@dataclass(frozen=True)
class _Column:
    instant: datetime  # UTC
    is_open: bool


def _grid_columns(conference: Conference, day: Day) -> list[_Column]:
    """Grid instants (local midnight + k * granularity, in elapsed minutes) from the day's first opening to its
    last closing; the ones in a break are kept, marked closed, so the picture shows the break as a gap."""
    if not day.periods:
        return []
    midnight = _utc(_midnight(conference, day.date))
    first = min(_utc(p.start) for p in day.periods)
    last = max(_utc(p.end) for p in day.periods)
    step = timedelta(minutes=conference.granularity_min)
    k = -(-int((first - midnight).total_seconds() // 60) // conference.granularity_min)  # ceiling division
    columns = []
    instant = midnight + k * step
    while instant < last:
        is_open = any(_utc(p.start) <= instant < _utc(p.end) for p in day.periods)
        columns.append(_Column(instant, is_open))
        instant += step
    return columns


# --- shared drawing helpers --------------------------------------------------------------------------------------


def _track_colours(conference: Conference) -> dict[str, str]:
    """One stable colour per track, so a track looks the same in every picture of the same conference."""
    tracks = sorted({s.track for s in conference.sessions if s.track})
    palette = mpl.colormaps["tab10" if len(tracks) <= 10 else "tab20"]
    colours = {track: mpl.colors.to_hex(palette(i % palette.N)) for i, track in enumerate(tracks)}
    colours[""] = _NO_TRACK_COLOUR
    return colours


def _session(conference: Conference, session_id: str) -> Session:
    # A timetable may name a session the conference no longer holds (withdrawn); draw it untitled, not crash.
    return conference.session_by_id.get(session_id) or Session(session_id, session_id, 0)


def _room_label(conference: Conference, room_id: str) -> str:
    room = conference.room_by_id.get(room_id)
    return f"{room.name} ({room.capacity} seats)" if room else room_id


def _room_order(conference: Conference, timetables: Iterable[Timetable]) -> list[str]:
    rooms = [r.room_id for r in conference.rooms]
    extra = sorted({a.room_id for t in timetables for a in t.assignments} - set(rooms))
    return rooms + extra


def _language_label(session: Session, width_chars: float) -> str:
    """The session language, with its interpretation targets when they fit: "it → en de fr" or "it +6"."""
    if not session.language:
        return ""
    if not session.interpretation:
        return session.language
    full = f"{session.language} → {' '.join(sorted(session.interpretation))}"
    return full if len(full) <= width_chars else f"{session.language} +{len(session.interpretation)}"


def _shorten(text: str, width_chars: float) -> str:
    limit = int(width_chars)
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…" if limit >= 4 else ""


def _message_figure(title: str, message: str) -> Figure:
    fig = Figure(figsize=(8, 2.5), layout="constrained")
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    return fig


# --- gantt -------------------------------------------------------------------------------------------------------


def gantt(conference: Conference, timetable: Timetable, day: date | Day | str) -> Figure:
    """One day of the timetable: rooms as rows, sessions as bars coloured by track, each marked with its language.

    A bar reads "it → en de" for a session held in Italian with interpretation into English and German (or
    "it +6" when the list does not fit). Hatched bars are rooms relaying another room's session (overflow); grey
    columns are breaks. Each session bar carries the session id as its gid (also in SVG output).
    """
    the_day = _as_date(day)
    conf_day = next((d for d in conference.days if d.date == the_day), None)
    todays = [a for a in timetable.assignments if _day_of(conference, a) == the_day]
    if conf_day is None and not todays:
        known = ", ".join(d.date.isoformat() for d in conference.days)
        raise ValueError(f"{the_day.isoformat()} is not a day of the conference (days: {known})")
    periods = conf_day.periods if conf_day else ()

    hours = [_hours_after_midnight(conference, p.start, the_day) for p in periods]
    hours += [_hours_after_midnight(conference, p.end, the_day) for p in periods]
    hours += [_hours_after_midnight(conference, a.start, the_day) for a in todays]
    hours += [_hours_after_midnight(conference, a.end, the_day) for a in todays]
    x_min, x_max = float(np.floor(min(hours))), float(np.ceil(max(hours)))

    rooms = _room_order(conference, [timetable])
    row = {room_id: i for i, room_id in enumerate(rooms)}
    width_in = min(max(6.0, (x_max - x_min) * 1.4 + 4.0), 40.0)
    fig = Figure(figsize=(width_in, 1.3 + 0.6 * len(rooms)), layout="constrained")
    ax = fig.add_subplot()

    # Breaks and the time before opening / after closing, so the open periods stand out.
    open_spans = sorted(
        (_hours_after_midnight(conference, p.start, the_day), _hours_after_midnight(conference, p.end, the_day))
        for p in periods
    )
    cursor = x_min
    for start, end in [*open_spans, (x_max, x_max)]:
        if start > cursor:
            ax.axvspan(cursor, start, color=_CLOSED_COLOUR, zorder=0, gid="closed")
        cursor = max(cursor, end)

    # A room's own closed hours inside the day's open periods: why its row is empty there.
    day_spans = [(_utc(p.start), _utc(p.end)) for p in periods]
    room_closed = False
    for room_id in rooms:
        for closed_start, closed_end in _room_closed(conference, room_id, day_spans):
            room_closed = True
            left = _hours_after_midnight(conference, closed_start, the_day)
            width = _hours_after_midnight(conference, closed_end, the_day) - left
            ax.add_patch(Rectangle((left, row[room_id] - 0.5), width, 1.0, facecolor=_CLOSED_COLOUR, hatch="xx",
                                   edgecolor="#bbbbbb", linewidth=0, zorder=1, gid=f"room closed {room_id}"))

    colours = _track_colours(conference)
    used_tracks: set[str] = set()
    has_relay = False
    labels: list[tuple[Session, float, float, int]] = []
    for a in sorted(todays, key=lambda a: (_utc(a.start), a.room_id)):
        session = _session(conference, a.session_id)
        left = _hours_after_midnight(conference, a.start, the_day)
        width = _hours_after_midnight(conference, a.end, the_day) - left
        colour = colours.get(session.track, _NO_TRACK_COLOUR)
        used_tracks.add(session.track)
        ax.add_patch(
            Rectangle(
                (left, row[a.room_id] - 0.4),
                width,
                0.8,
                facecolor=colour,
                edgecolor="black",
                linewidth=1.6 if session.plenary else 0.6,
                gid=a.session_id,
                zorder=2,
            )
        )
        labels.append((session, left, width, row[a.room_id]))
        for relay in session.overflow_rooms:
            if relay not in row:
                continue
            has_relay = True
            ax.add_patch(
                Rectangle(
                    (left, row[relay] - 0.4),
                    width,
                    0.8,
                    facecolor=colour,
                    alpha=0.35,
                    hatch="///",
                    edgecolor="black",
                    linewidth=0.4,
                    gid=f"{a.session_id} relay",
                    zorder=2,
                )
            )

    ax.set_xlim(x_min, x_max)
    ax.set_ylim(len(rooms) - 0.5, -0.5)  # first room on top
    ax.set_yticks(range(len(rooms)), [_room_label(conference, r) for r in rooms])
    ax.xaxis.set_major_locator(FixedLocator(np.arange(x_min, x_max + 0.01, 1.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(_clock))
    ax.grid(axis="x", color="#bbbbbb", linewidth=0.5, zorder=1)
    ax.set_axisbelow(True)
    ax.set_xlabel(f"local time ({conference.timezone})")
    ax.set_ylabel("room")
    placed = len(todays)
    ax.set_title(f"{conference.name}: {format_day(the_day)}, {placed} session{'s' * (placed != 1)} by room and time")

    handles = [
        Patch(facecolor=colours.get(t, _NO_TRACK_COLOUR), edgecolor="black", label=t or _NO_TRACK)
        for t in sorted(used_tracks, key=lambda t: (t == "", t))
    ]
    if has_relay:
        handles.append(Patch(facecolor="white", hatch="///", edgecolor="black", label="relays another room"))
    if room_closed:
        handles.append(Patch(facecolor=_CLOSED_COLOUR, hatch="xx", edgecolor="#bbbbbb", label="room closed"))
    if handles:
        ax.legend(
            handles=handles,
            title="track",
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize=8,
            title_fontsize=8,
            frameon=False,
        )

    # Bar labels are cut to what fits, which depends on the axes width once room names and legend have their
    # space: lay the figure out first, then measure.
    fig.get_layout_engine().execute(fig)
    inches_per_hour = ax.get_position().width * fig.get_figwidth() / max(x_max - x_min, 1.0)
    for session, left, width, y in labels:
        chars = width * inches_per_hour / (_TEXT_PT * _CHAR_IN_PER_PT) - 1
        label = _language_label(session, chars)
        title = _shorten(session.title, chars)
        text = ax.text(
            left + width / 2,
            y,
            "\n".join(part for part in (label, title) if part),
            ha="center",
            va="center",
            fontsize=_TEXT_PT,
            clip_on=True,
            zorder=3,
            gid=f"label {session.session_id}",
        )
        text.set_in_layout(False)
    return fig


# --- language coverage -------------------------------------------------------------------------------------------


def _coverage_languages(conference: Conference) -> list[str]:
    if conference.languages:
        return list(conference.languages)
    found = {s.language for s in conference.sessions} | {lang for a in conference.attendees for lang in a.languages}
    return sorted(found - {""})


def language_coverage(conference: Conference, timetable: Timetable) -> Figure:
    """For each language and grid time, how many running sessions someone who understands only that language can
    follow (natively or through interpretation). The top row counts all sessions running. A red cross marks a time
    when sessions run but none can be followed in that language. Breaks are blank."""
    languages = _coverage_languages(conference)
    days = [d for d in conference.days if d.periods]
    if not days or not languages:
        return _message_figure("Language coverage", "No open periods or no languages to show.")
    columns_by_day = [_grid_columns(conference, d) for d in days]
    placed = [(a, _session(conference, a.session_id)) for a in timetable.assignments]
    matrices = []
    for columns in columns_by_day:
        matrix = np.ma.masked_all((len(languages) + 1, len(columns)), dtype=float)
        for j, col in enumerate(columns):
            if not col.is_open:
                continue
            running = [s for a, s in placed if _utc(a.start) <= col.instant < _utc(a.end)]
            matrix[0, j] = len(running)
            for i, lang in enumerate(languages, start=1):
                matrix[i, j] = sum(1 for s in running if s.followable_in({lang}))
        matrices.append(matrix)

    top = max(1, max(int(m.max()) if m.count() else 0 for m in matrices))
    # Discrete colours: a count is a count, and 0 must look clearly different from 1.
    cmap = ListedColormap(mpl.colormaps["YlGnBu"](np.linspace(0.05, 0.95, top + 1))).with_extremes(bad="white")
    norm = BoundaryNorm(np.arange(-0.5, top + 1.5), cmap.N)

    attendee_count = Counter(lang for a in conference.attendees for lang in a.languages)
    row_labels = ["all sessions running"] + [
        f"{lang} ({attendee_count[lang]} attendee{'s' * (attendee_count[lang] != 1)})" if conference.attendees else lang
        for lang in languages
    ]
    widths = [max(len(c), 1) for c in columns_by_day]
    fig = Figure(
        figsize=(min(3.0 + sum(widths) * 0.12 + 1.5 * len(days), 40.0), 1.8 + 0.35 * len(row_labels)),
        layout="constrained",
    )
    axes = fig.subplots(1, len(days), sharey=True, width_ratios=widths, squeeze=False)[0]
    image = None
    for ax, day, columns, matrix in zip(axes, days, columns_by_day, matrices, strict=True):
        image = ax.imshow(matrix, aspect="auto", cmap=cmap, norm=norm, interpolation="nearest")
        stranded = [
            (j, i)
            for i in range(1, matrix.shape[0])
            for j in range(matrix.shape[1])
            if not np.ma.is_masked(matrix[i, j]) and matrix[i, j] == 0 and matrix[0, j] > 0
        ]
        if stranded:
            xs, ys = zip(*stranded, strict=True)
            ax.scatter(xs, ys, marker="x", color="#d62728", s=18, linewidths=1.2, zorder=3, gid="stranded")
        hour_cols = [j for j, c in enumerate(columns) if c.instant.astimezone(conference.tz).minute == 0]
        step = max(1, len(hour_cols) // 8)  # keep hour labels legible on long days
        ax.set_xticks(
            hour_cols[::step],
            [f"{columns[j].instant.astimezone(conference.tz):%H:%M}" for j in hour_cols[::step]],
            fontsize=8,
        )
        ax.axhline(0.5, color="black", linewidth=1.0)
        ax.set_title(format_day(day.date), fontsize=10)
        ax.set_xlabel("local time")
    axes[0].set_yticks(range(len(row_labels)), row_labels)
    axes[0].set_ylabel("attendee who understands")
    colorbar = fig.colorbar(image, ax=list(axes), label="sessions they can follow", shrink=0.9)
    colorbar.set_ticks(range(0, top + 1, max(1, (top + 1) // 8)))
    fig.suptitle(
        f"{conference.name}: how many running sessions each language group can follow\n"
        "(natively or through interpretation; a red × means sessions run but none in that language)"
    )
    return fig


# --- room utilisation --------------------------------------------------------------------------------------------


def _busy_minutes(intervals: list[tuple[datetime, datetime]], periods: Sequence[tuple[datetime, datetime]]) -> float:
    """Minutes of the open periods covered by the union of `intervals` (all UTC)."""
    total = 0.0
    for p_start, p_end in periods:
        clipped = sorted((max(s, p_start), min(e, p_end)) for s, e in intervals if s < p_end and p_start < e)
        cursor = p_start
        for s, e in clipped:
            s = max(s, cursor)
            if e > s:
                total += (e - s).total_seconds() / 60
                cursor = e
    return total


def _room_open(conference: Conference, room_id: str, periods: Sequence[tuple[datetime, datetime]]
               ) -> list[tuple[datetime, datetime]]:
    """The parts of `periods` (UTC) when the room is open: all of them for a room without opening times."""
    room = conference.room_by_id.get(room_id)
    if room is None or not room.availability:
        return list(periods)
    windows = [(_utc(w.start), _utc(w.end)) for w in room.availability]
    return [(max(p_start, w_start), min(p_end, w_end)) for p_start, p_end in periods for w_start, w_end in windows
            if max(p_start, w_start) < min(p_end, w_end)]


def _room_closed(conference: Conference, room_id: str, periods: Sequence[tuple[datetime, datetime]]
                 ) -> list[tuple[datetime, datetime]]:
    """The parts of `periods` (UTC) when the room is closed."""
    closed = []
    open_spans = sorted(_room_open(conference, room_id, periods))
    for p_start, p_end in periods:
        cursor = p_start
        for o_start, o_end in open_spans:
            if o_end <= p_start or o_start >= p_end:
                continue
            if o_start > cursor:
                closed.append((cursor, o_start))
            cursor = max(cursor, o_end)
        if cursor < p_end:
            closed.append((cursor, p_end))
    return closed


def room_utilisation(conference: Conference, timetable: Timetable) -> Figure:
    """Left: for each room and day, the share of the open time the room is in use (holding a session or relaying
    one as an overflow room); open time is the day's open periods while the room is open, and a room closed all
    day has no share. Right: empty seats per session (capacity minus expected audience) in each room;
    sessions without an expected audience are left out of it."""
    rooms = _room_order(conference, [timetable])
    days = list(conference.days)
    busy: dict[tuple[str, date], list[tuple[datetime, datetime]]] = defaultdict(list)
    headroom: dict[str, list[int]] = defaultdict(list)
    for a in timetable.assignments:
        session = _session(conference, a.session_id)
        day = _day_of(conference, a)
        for room_id in (a.room_id, *session.overflow_rooms):
            busy[(room_id, day)].append((_utc(a.start), _utc(a.end)))
        room = conference.room_by_id.get(a.room_id)
        if room is not None and session.expected_audience > 0:
            headroom[a.room_id].append(room.capacity - session.expected_audience)

    share = np.ma.masked_all((len(rooms), len(days)), dtype=float)
    for j, day in enumerate(days):
        for i, room_id in enumerate(rooms):
            periods = _room_open(conference, room_id, [(_utc(p.start), _utc(p.end)) for p in day.periods])
            open_min = sum((e - s).total_seconds() / 60 for s, e in periods)
            if open_min > 0:
                share[i, j] = 100.0 * _busy_minutes(busy[(room_id, day.date)], periods) / open_min

    fig = Figure(figsize=(max(9.0, 5.0 + 1.1 * len(days)), 1.8 + 0.45 * len(rooms)), layout="constrained")
    ax_share, ax_head = fig.subplots(1, 2, sharey=True, width_ratios=[max(len(days), 1), 4])
    image = ax_share.imshow(share, aspect="auto", cmap="Blues", vmin=0, vmax=100, interpolation="nearest")
    for i in range(len(rooms)):
        for j in range(len(days)):
            if not np.ma.is_masked(share[i, j]):
                value = float(share[i, j])
                ax_share.text(
                    j,
                    i,
                    f"{value:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if value > 60 else "black",
                )
    ax_share.set_xticks(range(len(days)), [format_day(d.date) for d in days])
    ax_share.set_yticks(range(len(rooms)), [_room_label(conference, r) for r in rooms])
    ax_share.set_xlabel("day")
    ax_share.set_ylabel("room")
    ax_share.set_title("share of open time in use")
    fig.colorbar(image, ax=ax_share, label="% of open time in use", location="bottom", shrink=0.8)

    data = [headroom.get(r, []) for r in rooms]
    filled = [i for i, values in enumerate(data) if values]
    boxed = [i for i in filled if len(data[i]) >= 5]  # a box over two or three dots says less than the dots
    if boxed:
        ax_head.boxplot(
            [data[i] for i in boxed],
            positions=boxed,
            orientation="horizontal",
            widths=0.5,
            showfliers=False,
            manage_ticks=False,
            medianprops={"color": "black"},
        )
    for i in filled:
        # Small deterministic vertical spread so equal values stay visible as separate sessions.
        offsets = np.linspace(-0.15, 0.15, len(data[i])) if len(data[i]) > 1 else np.zeros(1)
        ax_head.scatter(data[i], i + offsets, s=14, color="#1f77b4", alpha=0.7, zorder=3, gid=f"headroom {rooms[i]}")
    ax_head.axvline(0, color="#d62728", linewidth=1.0)
    ax_head.set_xlabel("empty seats per session (capacity − expected audience)")
    ax_head.set_title("capacity headroom (each dot is a session)")
    ax_head.tick_params(axis="y", labelleft=False)
    ax_share.set_ylim(len(rooms) - 0.5, -0.5)  # first room on top, whatever the boxplot autoscaled to
    fig.suptitle(f"{conference.name}: how the rooms are used")
    return fig


# --- speaker load ------------------------------------------------------------------------------------------------


def _has_windows(conference: Conference, speaker_id: str) -> bool:
    speaker = conference.speaker_by_id.get(speaker_id)
    return speaker is not None and bool(speaker.availability)


def _available_on(conference: Conference, speaker_id: str, day: Day) -> bool:
    speaker = conference.speaker_by_id.get(speaker_id)
    if speaker is None or not speaker.availability:
        return True
    return any(_overlaps(w.start, w.end, p.start, p.end) for w in speaker.availability for p in day.periods)


def speaker_load(conference: Conference, timetable: Timetable) -> Figure:
    """Sessions per speaker and day, the number written in the cell.

    Grey cells are days a speaker is not available at all. Hatched orange cells are idle days: the speaker is in
    town but has no session. "In town" means inside their availability windows when they gave some (arrival to
    departure); for a speaker available throughout it means between their first and last session, since nothing
    says when they travel. The count of idle days is written after each speaker's name.
    """
    days = list(conference.days)
    speaking = sorted(
        {sp for s in conference.sessions for sp in s.speakers}
        | {sp for a in timetable.assignments for sp in _session(conference, a.session_id).speakers}
    )
    if not speaking or not days:
        return _message_figure("Speaker load", "No speakers or no days to show.")
    speaking.sort(key=lambda sp: (conference.speaker_by_id[sp].name if sp in conference.speaker_by_id else sp, sp))
    index = {sp: i for i, sp in enumerate(speaking)}
    day_index = {d.date: j for j, d in enumerate(days)}

    counts = np.zeros((len(speaking), len(days)))
    for a in timetable.assignments:
        j = day_index.get(_day_of(conference, a))
        if j is None:
            continue
        for sp in _session(conference, a.session_id).speakers:
            counts[index[sp], j] += 1
    available = np.array([[_available_on(conference, sp, d) for d in days] for sp in speaking], dtype=bool)
    in_town = available.copy()
    for i, sp in enumerate(speaking):
        if not _has_windows(conference, sp):
            busy = np.flatnonzero(counts[i])
            in_town[i] = False
            if busy.size:
                in_town[i, busy[0] : busy[-1] + 1] = True
    shown = np.ma.masked_array(counts, mask=~available)
    idle = in_town & (counts == 0)

    top = max(1, int(counts.max()))
    cmap = ListedColormap(mpl.colormaps["Blues"](np.linspace(0.0, 0.75, top + 1))).with_extremes(bad="#9e9e9e")
    norm = BoundaryNorm(np.arange(-0.5, top + 1.5), cmap.N)

    fig = Figure(figsize=(max(7.0, 4.5 + 1.0 * len(days)), 1.6 + 0.2 * len(speaking)), layout="constrained")
    ax = fig.add_subplot()
    ax.imshow(shown, aspect="auto", cmap=cmap, norm=norm, interpolation="nearest")
    for i, sp in enumerate(speaking):
        for j, d in enumerate(days):
            if idle[i, j]:
                ax.add_patch(
                    Rectangle(
                        (j - 0.5, i - 0.5),
                        1,
                        1,
                        facecolor="#fdd0a2",
                        hatch="///",
                        edgecolor="#e6550d",
                        linewidth=0.0,
                        gid=f"idle {sp} {d.date.isoformat()}",
                    )
                )
            elif counts[i, j] > 0:
                ax.text(
                    j,
                    i,
                    f"{int(counts[i, j])}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if counts[i, j] > top / 2 else "black",
                )
    names = [conference.speaker_by_id[sp].name if sp in conference.speaker_by_id else sp for sp in speaking]
    idle_days = idle.sum(axis=1)
    ax.set_yticks(
        range(len(speaking)),
        [f"{name}  ({n} idle)" if n else name for name, n in zip(names, idle_days, strict=True)],
        fontsize=7,
    )
    ax.set_xticks(range(len(days)), [format_day(d.date) for d in days])
    ax.tick_params(axis="x", top=True, labeltop=True)  # long lists: day names visible at both ends
    ax.set_xlabel("day (the number is the sessions that day)")
    ax.set_ylabel("speaker")
    ax.legend(
        handles=[
            Patch(facecolor="#9e9e9e", label="not available"),
            Patch(facecolor="#fdd0a2", hatch="///", edgecolor="#e6550d", label="in town, no session (idle)"),
        ],
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0 + 0.6 / fig.get_figheight()),
        ncols=2,
        fontsize=8,
        frameon=False,
    )
    fig.suptitle(f"{conference.name}: sessions per speaker and day ({int(idle.sum())} idle speaker-days)")
    return fig


# --- attendee conflicts ------------------------------------------------------------------------------------------


def _attendee_conflicts(conference: Conference, timetable: Timetable) -> tuple[list[int], Counter]:
    """Per attendee, the number of pairs of wanted sessions that overlap; and per session pair, how many
    attendees want both."""
    placed = timetable.by_session
    per_attendee = []
    pairs: Counter = Counter()
    for attendee in conference.attendees:
        wanted = sorted({s for s in attendee.interests if s in placed})
        clashes = 0
        for a, b in combinations(wanted, 2):
            if _overlaps(placed[a].start, placed[a].end, placed[b].start, placed[b].end):
                clashes += 1
                pairs[(a, b)] += 1
        per_attendee.append(clashes)
    return per_attendee, pairs


def attendee_conflicts(conference: Conference, timetable: Timetable, top_pairs: int = 10) -> Figure:
    """Left: how many attendees have 0, 1, 2, ... clashes (pairs of sessions they want that run at the same time).
    Right: the session pairs that clash for the most attendees."""
    if not conference.attendees:
        return _message_figure("Attendee conflicts", "No attendee interests were given, so there is nothing to count.")
    per_attendee, pairs = _attendee_conflicts(conference, timetable)
    histogram = Counter(per_attendee)
    xs = list(range(max(per_attendee) + 1))

    fig = Figure(figsize=(12, 4.5), layout="constrained")
    ax_hist, ax_pairs = fig.subplots(1, 2, width_ratios=[1, 1.3])
    bars = ax_hist.bar(
        xs,
        [histogram[x] for x in xs],
        color=["#2ca02c" if x == 0 else "#ff7f0e" for x in xs],
        edgecolor="black",
        linewidth=0.5,
    )
    ax_hist.bar_label(bars, fontsize=8)
    ax_hist.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_hist.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax_hist.set_xlabel("clashes per attendee (pairs of wanted sessions at the same time)")
    ax_hist.set_ylabel("number of attendees")
    happy = histogram[0]
    ax_hist.set_title(f"{happy} of {len(per_attendee)} attendees can attend everything they want")

    worst = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:top_pairs]
    if worst:
        labels = [
            f"{_shorten(_session(conference, a).title, 28)}  ×  {_shorten(_session(conference, b).title, 28)}"
            for (a, b), _ in worst
        ]
        ax_pairs.barh(range(len(worst)), [n for _, n in worst], color="#ff7f0e", edgecolor="black", linewidth=0.5)
        ax_pairs.set_yticks(range(len(worst)), labels, fontsize=7)
        ax_pairs.invert_yaxis()
        ax_pairs.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax_pairs.set_xlabel("attendees who want both")
        ax_pairs.set_title(f"session pairs that clash for the most attendees (top {len(worst)})")
    else:
        ax_pairs.set_axis_off()
        ax_pairs.text(0.5, 0.5, "No wanted sessions clash.", ha="center", va="center", transform=ax_pairs.transAxes)
    fig.suptitle(
        f"{conference.name}: sessions attendees want that run at the same time ({sum(per_attendee)} clashes in all)"
    )
    return fig


# --- changes -----------------------------------------------------------------------------------------------------


class _DaysAxis:
    """Maps instants to x on an axis that lays the days side by side and skips the nights."""

    def __init__(self, conference: Conference, moments: Iterable[datetime]):
        self.conference = conference
        moments = list(moments)
        dates = {d.date for d in conference.days} | {m.astimezone(conference.tz).date() for m in moments}
        self.days = sorted(dates)
        hours = [
            h
            for d in conference.days
            for p in d.periods
            for h in (
                _hours_after_midnight(conference, p.start, d.date),
                _hours_after_midnight(conference, p.end, d.date),
            )
        ]
        hours += [_hours_after_midnight(conference, m, m.astimezone(conference.tz).date()) for m in moments]
        self.first = float(np.floor(min(hours, default=8.0)))
        self.last = float(np.ceil(max(hours, default=20.0)))
        self.gap = 0.5
        self.span = self.last - self.first + self.gap

    def x(self, moment: datetime) -> float:
        local_day = moment.astimezone(self.conference.tz).date()
        k = self.days.index(local_day)
        return k * self.span + _hours_after_midnight(self.conference, moment, local_day) - self.first

    def decorate(self, ax: Axes) -> None:
        ticks, labels = [], []
        step = 2.0 if self.last - self.first > 6 else 1.0
        for k, day in enumerate(self.days):
            base = k * self.span
            for h in np.arange(self.first, self.last + 0.01, step):
                ticks.append(base + h - self.first)
                labels.append(_clock(h))
            if k:
                ax.axvline(base - self.gap / 2, color="black", linewidth=0.8)
            ax.text(
                base + (self.last - self.first) / 2,
                1.0,
                format_day(day),
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=9,
                fontweight="bold",
            )
        ax.set_xticks(ticks, labels, fontsize=7, rotation=90)
        # Margins for the room names written beside boxes at the very start or end of a day.
        ax.set_xlim(-1.5, len(self.days) * self.span - self.gap + 1.5)


def changes(conference: Conference, old: Timetable, new: Timetable, previous: Conference | None = None) -> Figure:
    """The attendee-visible changes from `old` to `new` as a picture: one row per changed session, its old place as
    a grey outline, its new place as a coloured bar, an arrow for a move; the room is written beside each bar.

    `old` may be an earlier timetable naming rooms and sessions the conference no longer has. A room closed since
    is written "Sala C (closed)" beside the old place, so its sessions read as moved out of it; a session withdrawn
    since is removed, its row labelled "Title (withdrawn)". `previous` (the conference before the change) supplies
    titles of withdrawn sessions and names of closed rooms; without it their ids stand in."""
    found = diff_timetables(old, new)
    if not found:
        return _message_figure(
            f"{conference.name}: what changes for attendees",
            "Nothing changes for attendees: every session keeps its time and room.",
        )
    sources = (conference,) if previous is None else (conference, previous)

    def title_of(session_id: str) -> str:
        title = next((c.session_by_id[session_id].title for c in sources if session_id in c.session_by_id), session_id)
        if session_id in conference.session_by_id:
            return _shorten(title, 40)
        return f"{_shorten(title, 28)} (withdrawn)"

    def room_of(room_id: str) -> str:
        name = next((c.room_by_id[room_id].name for c in sources if room_id in c.room_by_id), room_id)
        return name if room_id in conference.room_by_id else f"{name} (closed)"

    moments = [m for c in found for a in (c.before, c.after) if a for m in (a.start, a.end)]
    axis = _DaysAxis(conference, moments)
    # Rows in the order the old programme ran, so the picture reads like the printed programme.
    found.sort(key=lambda c: (_utc((c.before or c.after).start), c.session_id))
    colours = {MOVED: "#1f77b4", ROOM: "#9467bd", ADDED: "#2ca02c", REMOVED: "#d62728"}

    fig = Figure(
        figsize=(min(max(9.0, 2.2 * len(axis.days) * axis.span / 5 + 4), 30.0), 1.8 + 0.42 * len(found)),
        layout="constrained",
    )
    ax = fig.add_subplot()
    # Within a row the old place is drawn in the upper half and the new one in the lower half, so a small move
    # or a room change stays visible instead of one box hiding the other.
    upper, lower, half = -0.22, 0.22, 0.18
    for row, change in enumerate(found):
        colour = colours[change.kind]
        # Room names sit on the side the arrow does not use: an earlier move has its arrow leave the old box on
        # the left and enter the new box on the right.
        earlier = change.kind == MOVED and _utc(change.after.end) <= _utc(change.before.start)
        if change.before is not None:
            x0, x1 = axis.x(change.before.start), axis.x(change.before.end)
            removed = change.kind == REMOVED
            ax.add_patch(
                Rectangle(
                    (x0, row + upper - half),
                    x1 - x0,
                    2 * half,
                    facecolor="#f4c7c7" if removed else "#e0e0e0",
                    edgecolor=colour if removed else "#777777",
                    linestyle="--",
                    linewidth=0.9,
                    hatch="xx" if removed else None,
                    gid=f"before {change.session_id}",
                    zorder=2,
                )
            )
            ax.text(
                x1 + 0.05 if earlier else x0 - 0.05,
                row + upper,
                room_of(change.before.room_id),
                ha="left" if earlier else "right",
                va="center",
                fontsize=6.5,
                color="#555555",
            )
        if change.after is not None:
            x0, x1 = axis.x(change.after.start), axis.x(change.after.end)
            ax.add_patch(
                Rectangle(
                    (x0, row + lower - half),
                    x1 - x0,
                    2 * half,
                    facecolor=colour,
                    edgecolor="black",
                    linewidth=0.6,
                    gid=f"after {change.session_id}",
                    zorder=3,
                )
            )
            ax.text(
                x0 - 0.05 if earlier else x1 + 0.05,
                row + lower,
                room_of(change.after.room_id),
                ha="right" if earlier else "left",
                va="center",
                fontsize=6.5,
                fontweight="bold",
            )
        if change.kind == MOVED:
            b0, b1 = axis.x(change.before.start), axis.x(change.before.end)
            a0, a1 = axis.x(change.after.start), axis.x(change.after.end)
            if a0 >= b1:  # later: from the old end to the new start
                tail, head = b1, a0
            elif a1 <= b0:  # earlier: from the old start to the new end
                tail, head = b0, a1
            else:  # overlapping: start to start
                tail, head = b0, a0
            ax.add_patch(
                FancyArrowPatch(
                    (tail, row + upper),
                    (head, row + lower),
                    arrowstyle="-|>",
                    mutation_scale=10,
                    color="black",
                    linewidth=0.9,
                    zorder=4,
                    shrinkA=0,
                    shrinkB=0,
                    gid=f"arrow {change.session_id}",
                )
            )
    axis.decorate(ax)
    ax.set_ylim(len(found) - 0.5, -0.5)
    ax.set_yticks(range(len(found)), [title_of(c.session_id) for c in found], fontsize=8)
    ax.set_xlabel(f"local time ({conference.timezone})")
    ax.set_ylabel("session")
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    tally = Counter(c.kind for c in found)
    words = {MOVED: "moved", ROOM: "changed room", ADDED: "added", REMOVED: "removed"}
    summary = ", ".join(f"{tally[k]} {words[k]}" for k in (MOVED, ROOM, ADDED, REMOVED) if tally[k])
    ax.set_title(f"{conference.name}: what changes for attendees ({summary})", pad=22)
    ax.legend(
        handles=[
            Patch(facecolor="#e0e0e0", edgecolor="#777777", linestyle="--", label="before"),
            *(
                Patch(facecolor=colours[k], edgecolor="black", label=f"after: {words[k]}")
                for k in (MOVED, ROOM, ADDED)
                if tally[k]
            ),
            *(
                [Patch(facecolor="#f4c7c7", edgecolor=colours[REMOVED], hatch="xx", label="removed")]
                if tally[REMOVED]
                else []
            ),
        ],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        frameon=False,
    )
    return fig


__all__ = [
    "attendee_conflicts",
    "changes",
    "gantt",
    "language_coverage",
    "room_utilisation",
    "speaker_load",
]
