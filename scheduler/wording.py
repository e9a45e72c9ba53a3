"""Plain words for times, sessions and windows, shared by explanations and reports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from scheduler.domain import Session, Window


def hhmm(dt: datetime) -> str:
    """'Fri 13 Oct 09:30' in the datetime's own (conference) zone."""
    return dt.strftime("%a %d %b %H:%M")


OUTSIDE = "outside every open period"


def outside_all(w: Window, periods: Iterable[Window]) -> bool:
    """No minute of `w` falls in any of `periods`."""
    return not any(w.start.timestamp() < p.end.timestamp() and p.start.timestamp() < w.end.timestamp()
                   for p in periods)


def describe_window(w: Window, periods: Sequence[Window] = ()) -> str:
    """'Fri 13 Oct 09:00-13:00'; given the conference's open periods, a window meeting none of them is written
    with its year and said to be outside them, since it is most often a mistyped date (2024 for 2023)."""
    if periods and outside_all(w, periods):
        return f"{w.start:%a %d %b %Y %H:%M} - {w.end:%a %d %b %Y %H:%M} ({OUTSIDE})"
    if w.start.date() == w.end.date():
        return f"{hhmm(w.start)}-{w.end:%H:%M}"
    return f"{hhmm(w.start)} - {hhmm(w.end)}"


def describe_windows(windows: Iterable[Window], periods: Sequence[Window] = ()) -> str:
    return ", ".join(describe_window(w, periods) for w in windows)


def session_label(s: Session) -> str:
    return f"session {s.session_id} '{s.title}'"
