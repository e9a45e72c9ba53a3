"""Small factories for hand-built conferences in tests: only what a test states differs from a plain default."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.domain import Conference, Day, Room, Session, Speaker, Weights, Window

TZ = "Europe/Rome"
ZONE = ZoneInfo(TZ)
DAY1 = date(2023, 10, 13)


def at(hhmm: str, day: date = DAY1) -> datetime:
    """A local datetime of the test conference, e.g. at("09:30")."""
    h, m = map(int, hhmm.split(":"))
    return datetime.combine(day, time(h, m), tzinfo=ZONE)


def window(start: str, end: str, day: date = DAY1) -> Window:
    return Window(at(start, day), at(end, day))


def make_day(*periods: str, day: date = DAY1) -> Day:
    """make_day("09:00-12:00", "14:00-18:00")"""
    return Day(day, tuple(window(*p.split("-"), day=day) for p in periods))


def make_days(n: int, *periods: str) -> tuple[Day, ...]:
    return tuple(make_day(*periods, day=DAY1 + timedelta(days=i)) for i in range(n))


def make_session(session_id: str, duration_min: int = 60, speakers: tuple[str, ...] = (), **kw) -> Session:
    return Session(session_id=session_id, title=kw.pop("title", f"Session {session_id}"),
                   duration_min=duration_min, speakers=tuple(speakers), **kw)


def make_room(room_id: str, capacity: int = 100, **kw) -> Room:
    return Room(room_id=room_id, name=kw.pop("name", f"Room {room_id}"), capacity=capacity, **kw)


def make_speaker(speaker_id: str, **kw) -> Speaker:
    return Speaker(speaker_id=speaker_id, name=kw.pop("name", f"Speaker {speaker_id}"), **kw)


def make_conference(sessions, rooms=None, speakers=None, days=None, **kw) -> Conference:
    """A conference with one 09:00-12:00 day and one room unless told otherwise; speakers default to those named."""
    sessions = tuple(sessions)
    if speakers is None:
        ids = sorted({sp for s in sessions for sp in s.speakers})
        speakers = tuple(make_speaker(i) for i in ids)
    return Conference(
        name=kw.pop("name", "Test conference"),
        timezone=TZ,
        granularity_min=kw.pop("granularity_min", 30),
        days=tuple(days) if days is not None else (make_day("09:00-12:00"),),
        rooms=tuple(rooms) if rooms is not None else (make_room("R1"),),
        speakers=tuple(speakers),
        sessions=sessions,
        languages=kw.pop("languages", ("en", "it")),
        weights=kw.pop("weights", Weights()),
        **kw,
    )
