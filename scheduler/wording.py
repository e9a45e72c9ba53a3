"""Plain words for times, sessions and windows, shared by explanations and reports."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from scheduler.domain import Session, Window


def hhmm(dt: datetime) -> str:
    """'Fri 13 Oct 09:30' in the datetime's own (conference) zone."""
    return dt.strftime("%a %d %b %H:%M")


def describe_window(w: Window) -> str:
    if w.start.date() == w.end.date():
        return f"{hhmm(w.start)}-{w.end:%H:%M}"
    return f"{hhmm(w.start)} - {hhmm(w.end)}"


def describe_windows(windows: Iterable[Window]) -> str:
    return ", ".join(describe_window(w) for w in windows)


def session_label(s: Session) -> str:
    return f"session {s.session_id} '{s.title}'"
