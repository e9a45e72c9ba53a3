"""The hand-built conference of the web view tests: two days, three rooms, hostile and right-to-left text."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from factories import ZONE, make_conference, make_room, make_session, make_speaker

from scheduler.domain import Assignment, Day, Timetable, Window

DAY1 = date(2023, 10, 13)
DAY2 = date(2023, 10, 14)
PUBLISHED_AT = datetime(2023, 9, 1, 12, 0, tzinfo=UTC)

HOSTILE_TITLE = "Peace <script>alert(1)</script> & \"quoted\" 'single'"
RTL_TITLE = "שלום – سلام <b>Shalom</b>"
HOSTILE_NAME = "Zoë <Ö'Brien>"
HOSTILE_BIO = "<img src=x onerror=alert(1)> Bio line"


def at(day: date, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime.combine(day, time(h, m), tzinfo=ZONE)


def small_conference():
    """Two days, three rooms. A and B overlap on day 1 at 10:30 (the clash of the tests); OPEN is a plenary
    relayed to R2, D a panel relayed to R3; NIGHT runs after midnight in day 2's evening period; TBA is not
    placed; WS/7 has a slash in its id."""
    days = (
        Day(DAY1, (Window(at(DAY1, "09:00"), at(DAY1, "13:00")), Window(at(DAY1, "14:00"), at(DAY1, "18:00")))),
        Day(DAY2, (Window(at(DAY2, "09:00"), at(DAY2, "12:00")),
                   Window(at(DAY2, "20:00"), at(DAY2 + timedelta(days=1), "01:00")))),
    )
    rooms = (make_room("R1", 400, name="Aula Magna", booths=4, features=frozenset({"stage"})),
             make_room("R2", 150, name="Sala Moro", booths=2), make_room("R3", 60, name="Sala Dolci"))
    speakers = (
        make_speaker("S1", name="Anna Rossi", country="IT", bio="Peace researcher.", languages=frozenset({"it"})),
        make_speaker("S2", name="Olena Kovalenko", country="UA"),
        make_speaker("S3", name="Jonas Müller", country="DE"),
        make_speaker("S4", name=HOSTILE_NAME, bio=HOSTILE_BIO),
        make_speaker("S5", name="Sofia García"),
    )
    sessions = (
        make_session("OPEN", 60, ("S1", "S2"), title="Apertura: costruire la pace", language="it",
                     interpretation=frozenset({"en", "de"}), plenary=True, overflow_rooms=("R2",), kind="plenary",
                     abstract="Saluti delle organizzazioni.\n\nPresentazione del programma."),
        make_session("A", 60, ("S3",), title=HOSTILE_TITLE, language="en", track="causes", kind="panel",
                     abstract="Roots of the war."),
        make_session("B", 90, ("S4",), title=RTL_TITLE, language="ru", interpretation=frozenset({"en"}),
                     track="war-zone", kind="report"),
        make_session("WS/7", 60, ("S5",), title="Città e pace", language="it", track="causes", kind="workshop",
                     abstract="Un laboratorio sulla nonviolenza."),
        make_session("D", 90, ("S1", "S3"), title="Europe after the war", language="de",
                     interpretation=frozenset({"it"}), track="europe", kind="panel", overflow_rooms=("R3",)),
        make_session("E", 60, ("S2",), title="Reports from Kharkiv", language="uk",
                     interpretation=frozenset({"en", "it"}), track="war-zone", kind="report"),
        make_session("NIGHT", 30, ("S5",), title="Night vigil", language="es", kind="vigil"),
        make_session("TBA", 60, ("S2",), title="To be announced", language="en"),
    )
    return make_conference(sessions, rooms=rooms, speakers=speakers, days=days, granularity_min=15,
                           languages=("it", "en", "de", "ru", "uk", "es"), name="Test Peace Conference")


def small_timetable() -> Timetable:
    rows = [
        ("OPEN", "R1", at(DAY1, "09:00"), at(DAY1, "10:00")),
        ("A", "R1", at(DAY1, "10:30"), at(DAY1, "11:30")),
        ("B", "R2", at(DAY1, "10:30"), at(DAY1, "12:00")),
        ("WS/7", "R3", at(DAY1, "11:00"), at(DAY1, "12:00")),
        ("D", "R1", at(DAY1, "14:00"), at(DAY1, "15:30")),
        ("E", "R2", at(DAY2, "09:00"), at(DAY2, "10:00")),
        ("NIGHT", "R3", at(DAY2 + timedelta(days=1), "00:15"), at(DAY2 + timedelta(days=1), "00:45")),
    ]
    return Timetable(tuple(Assignment(*row) for row in rows)).sorted()
