"""Public HTML pages for attendees and speakers (no login): timetable by day, sessions, speakers, rooms, tracks,
search and the personal agenda. Each view looks things up in the current `Programme` and renders a template."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, date
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from scheduler.domain import Session
from webview.data import Filters, Programme, Slot, current_programme
from webview.links import external_url, selection_from_args, selection_from_token, selection_token, webcal_url
from webview.templating import static_url

bp = Blueprint("public", __name__)


def _feed_links(endpoint: str, **values) -> dict[str, str]:
    https = external_url(endpoint, **values)
    return {"https": https, "webcal": webcal_url(https)}


@bp.get("/")
def index() -> str:
    """Overview: the days, today's when the conference is on, and ways in (speakers, rooms, tracks, feeds)."""
    programme = current_programme()
    counts = {day: len(programme.by_day.get(day, ())) for day in programme.days}
    return render_template("public/index.html", counts=counts, today=programme.today())


@bp.get("/day/<day>")
def day(day: str) -> str:
    """One day as a grid (rooms across, time down) that becomes a list on a phone or with ?view=list.

    Every session of the day is in the page; those the filters exclude carry `hidden`, so the script can filter
    again in place and the page still works without it.
    """
    programme = current_programme()
    try:
        the_day = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if the_day not in programme.days:
        abort(404)
    # No text search here: the page's script filters in place and cannot see abstracts; /search does that.
    filters = replace(Filters.from_args(request.args), q="")
    grid = programme.grid(the_day)
    shown = {s.session_id for s in programme.select(filters, programme.by_day.get(the_day, ()))}
    index = programme.days.index(the_day)
    return render_template(
        "public/day.html",
        day=the_day,
        grid=grid,
        filters=filters,
        shown=shown,
        view="list" if request.args.get("view") == "list" else "grid",
        previous_day=programme.days[index - 1] if index else None,
        next_day=programme.days[index + 1] if index + 1 < len(programme.days) else None,
        today=programme.today(),
    )


@bp.get("/session/<path:session_id>")
def session(session_id: str) -> str | tuple[str, int]:
    programme = current_programme()
    slot = programme.slot(session_id)
    if slot is None:
        # Calendar events of a withdrawn session stay in subscribers' calendars as cancelled, with this page as
        # their link: say what became of it (410 Gone) rather than "no such page".
        gone = _withdrawn(programme, session_id) or abort(404)
        return render_template("public/withdrawn.html", session=gone), 410
    google = _google_calendar_link(programme, slot) if slot.assignment else None
    return render_template("public/session.html", slot=slot, google_link=google)


def _withdrawn(programme: Programme, session_id: str) -> Session | None:
    """The session as the latest published version that placed it had it, if one did (and it is gone now)."""
    for version in sorted(programme.versions, key=lambda v: v.number, reverse=True):
        if session_id in version.timetable.by_session and session_id in version.conference.session_by_id:
            return version.conference.session_by_id[session_id]
    return None


@bp.get("/speakers")
def speakers() -> str:
    return render_template("public/speakers.html")


@bp.get("/speaker/<path:speaker_id>")
def speaker(speaker_id: str) -> str:
    programme = current_programme()
    person = programme.speaker(speaker_id) or abort(404)
    return render_template("public/speaker.html", speaker=person, slots=programme.by_speaker.get(speaker_id, []),
                           feed=_feed_links("feeds.speaker", speaker_id=speaker_id))


@bp.get("/rooms")
def rooms() -> str:
    return render_template("public/rooms.html")


@bp.get("/room/<path:room_id>")
def room(room_id: str) -> str:
    programme = current_programme()
    the_room = programme.room(room_id) or abort(404)
    return render_template("public/room.html", room=the_room, slots=programme.by_room.get(room_id, []),
                           relays=programme.relays_by_room.get(room_id, []),
                           feed=_feed_links("feeds.room", room_id=room_id))


@bp.get("/tracks")
def tracks() -> str:
    return render_template("public/tracks.html")


@bp.get("/track/<path:name>")
def track(name: str) -> str:
    programme = current_programme()
    if name not in programme.by_track:
        abort(404)
    return render_template("public/track.html", track=name, slots=programme.by_track[name],
                           feed=_feed_links("feeds.track", name=name))


@bp.get("/search")
def search() -> str:
    """Text search over titles, abstracts and speakers, with the timetable's filters, across all days."""
    filters = Filters.from_args(request.args)
    results = current_programme().select(filters) if filters else []
    return render_template("public/search.html", filters=filters, results=results)


@bp.get("/agenda")
def agenda() -> str:
    """The personal agenda. The stars live in the browser; its script sends them here as ?s=ID&s=ID."""
    return _agenda_page(selection_from_args(), shared=False)


@bp.get("/agenda/<token>")
def shared_agenda(token: str) -> str | Response:
    """A selection someone saved or shared as a stable link; it can be copied into this browser's stars."""
    ids = selection_from_token(token)
    if ids is None:
        abort(404)
    return _agenda_page(ids, shared=True)


def _agenda_page(ids: list[str], *, shared: bool) -> str:
    programme = current_programme()
    slots = programme.selection(ids)
    token = selection_token(s.session_id for s in slots) if slots else None
    feed = _feed_links("feeds.agenda", token=token) if token and programme.versions else None
    clashes = programme.clashes(slots)
    clashing = {c.first.session_id for c in clashes} | {c.second.session_id for c in clashes}
    return render_template(
        "public/agenda.html", slots=slots, clashes=clashes, clashing=clashing, token=token, feed=feed,
        shared=shared, share_url=external_url("public.shared_agenda", token=token, lang=None) if token else None,
        requested=len(ids), missing=len(ids) - len(slots))


@bp.get("/now")
def now() -> Response:
    """Today's timetable during the conference, else the first day (a short link for posters and QR codes)."""
    programme = current_programme()
    target = programme.today() or (programme.days[0] if programme.days else None)
    if target is None:
        return redirect(url_for("public.index"))
    return redirect(url_for("public.day", day=target.isoformat()))


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker that keeps the overview and every day's page on the device (served from the root so
    that it may serve every page)."""
    programme = current_programme()
    precache = [url_for("public.index"), *(url_for("public.day", day=d.isoformat()) for d in programme.days),
                static_url("agenda.css"), static_url("agenda.js")]
    stamp = programme.version.published_at.isoformat() if programme.version else "unpublished"
    version = hashlib.sha256("\n".join([stamp, *precache]).encode()).hexdigest()[:12]
    body = render_template("public/sw.js", version=version, precache=precache)
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


def _google_calendar_link(programme: Programme, slot: Slot) -> str:
    """An "add to Google Calendar" link (times in UTC), for people who do not use .ics files."""
    fmt = "%Y%m%dT%H%M%SZ"
    room = programme.room(slot.assignment.room_id)
    query = urlencode({
        "action": "TEMPLATE",
        "text": slot.session.title,
        "dates": f"{slot.start.astimezone(UTC):{fmt}}/{slot.end.astimezone(UTC):{fmt}}",
        "details": external_url("public.session", session_id=slot.session_id, lang=None),
        "location": room.name if room else slot.assignment.room_id,
        "ctz": programme.conference.timezone,
    })
    return f"https://calendar.google.com/calendar/render?{query}"

