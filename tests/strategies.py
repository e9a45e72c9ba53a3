"""Hypothesis strategies shared by the property tests: small conferences with every kind of rule."""

from __future__ import annotations

from factories import at, make_conference, make_day, make_room, make_session, make_speaker
from hypothesis import strategies as st

from scheduler.domain import Attendee, InterpreterTeam, Window

HOURS = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00"]


@st.composite
def windows(draw, limited):
    """No window (available or open throughout) or one window on the grid, when `limited` draws True."""
    if not draw(limited):
        return ()
    lo = draw(st.integers(0, len(HOURS) - 2))
    hi = draw(st.integers(lo + 1, len(HOURS) - 1))
    return (Window(at(HOURS[lo]), at(HOURS[hi])),)


@st.composite
def conferences(draw):
    n_rooms = draw(st.integers(1, 3))
    rooms = [make_room(f"R{i}", draw(st.sampled_from([30, 80, 200])), booths=draw(st.integers(0, 2)),
                       availability=draw(windows(st.integers(0, 3).map(lambda k: k == 0))))
             for i in range(n_rooms)]
    n_speakers = draw(st.integers(1, 4))
    speakers = [make_speaker(f"p{i}", availability=draw(windows(st.booleans()))) for i in range(n_speakers)]
    sessions = []
    for i in range(draw(st.integers(1, 6))):
        sid = f"S{i}"
        kw = {}
        if draw(st.integers(0, 4)) == 0:
            kw["fixed_start"] = at(draw(st.sampled_from(HOURS[:4])))
        if draw(st.integers(0, 5)) == 0:
            kw["plenary"] = True
        if i and draw(st.integers(0, 3)) == 0:
            kw["after"] = (f"S{draw(st.integers(0, i - 1))}",)
        if draw(st.integers(0, 2)) == 0:
            kw["language"] = "it"
            kw["interpretation"] = frozenset({"en"})
        else:
            kw["language"] = draw(st.sampled_from(["it", "en"]))
        sessions.append(make_session(
            sid, draw(st.sampled_from([30, 60, 90])),
            tuple(sorted(set(draw(st.lists(st.sampled_from([s.speaker_id for s in speakers]), max_size=2))))),
            expected_audience=draw(st.sampled_from([0, 50, 150])), track=draw(st.sampled_from(["", "a", "b"])), **kw))
    ids = [s.session_id for s in sessions]
    attendees = tuple(Attendee(f"a{i}", frozenset(draw(st.sampled_from([{"it"}, {"en"}, {"it", "en"}]))),
                               tuple(draw(st.lists(st.sampled_from(ids), max_size=3, unique=True))))
                      for i in range(draw(st.integers(0, 4))))
    limited = draw(st.booleans())
    teams = (InterpreterTeam("T1", ("en", "it")),) if limited else ()
    return make_conference(sessions, rooms=rooms, speakers=speakers, days=[make_day("09:00-12:00")],
                           attendees=attendees, interpreters=teams, interpreters_limited=limited,
                           changeover_min=draw(st.sampled_from([0, 10])))
