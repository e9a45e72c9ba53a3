"""iCalendar feeds under /feeds/: the whole conference, a speaker, a room, a track, a language, one session, and
a personal agenda (a signed token). The calendars come from `scheduler.ical`; this module only picks the
sessions, names the feed, and serves it with ETag, Last-Modified and 304."""

from __future__ import annotations

from collections.abc import Callable

from babel import Locale, UnknownLocaleError
from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response

from scheduler.ical import (
    ICAL_CONTENT_TYPE,
    build_calendar,
    for_language,
    for_room,
    for_sessions,
    for_speaker,
    for_track,
)
from scheduler.revisions import VisibleState
from webview.data import current_programme
from webview.links import external_url, selection_from_token
from webview.responses import document_response

bp = Blueprint("feeds", __name__)


@bp.get("/")
def index() -> str:
    """A page listing the feeds, with subscribe (webcal) and download links."""
    return render_template("feeds/index.html")


@bp.get("/conference.ics")
def conference() -> Response:
    return _feed("", None)


@bp.get("/speaker/<path:speaker_id>.ics")
def speaker(speaker_id: str) -> Response:
    person = current_programme().speaker(speaker_id)
    return _feed(person.name if person else _published("speaker", speaker_id), for_speaker(speaker_id))


@bp.get("/room/<path:room_id>.ics")
def room(room_id: str) -> Response:
    the_room = current_programme().room(room_id)
    return _feed(the_room.name if the_room else _published("room", room_id), for_room(room_id))


@bp.get("/track/<path:name>.ics")
def track(name: str) -> Response:
    if name not in current_programme().by_track:
        _published("track", name)
    return _feed(name, for_track(name))


@bp.get("/language/<code>.ics")
def language(code: str) -> Response:
    if code not in current_programme().languages and not _ever_followable(code):
        abort(404)
    return _feed(_own_name(code), for_language(code))


@bp.get("/session/<path:session_id>.ics")
def session(session_id: str) -> Response:
    slot = current_programme().slot(session_id)
    title = slot.session.title if slot else _published("session", session_id)
    return _feed(title, for_sessions([session_id]))


@bp.get("/agenda/<token>.ics")
def agenda(token: str) -> Response:
    ids = selection_from_token(token)
    if ids is None:
        abort(404)
    return _feed("", for_sessions(ids), personal=True)


def _published(kind: str, key: str) -> str:
    """The name of a deleted session, speaker, room or track from the versions that had it (its feed then holds
    the cancellations), or 404 when none did."""
    return current_programme().published_name(kind, key) or abort(404)


def _ever_followable(code: str) -> bool:
    """Whether a published version placed a session someone speaking `code` could follow. The language may have
    left the conference with its last session, but the feed's subscribers must still be sent the cancellations,
    as those of a deleted session, speaker, room or track are."""
    return any(session.followable_in({code}) for version in current_programme().versions
               for session in version.conference.sessions if session.session_id in version.timetable.by_session)


def _own_name(code: str) -> str:
    """A language's name in itself ("українська"): the feed's name must not depend on who asks first."""
    try:
        return Locale.parse(code).get_display_name(code) or code
    except (ValueError, UnknownLocaleError):
        return code


def _feed(subject: str, select: Callable[[VisibleState], bool] | None, *, personal: bool = False) -> Response:
    """The calendar of the sessions `select` picks, named after the conference and `subject`.

    The body is memoised per snapshot, endpoint and host (it holds absolute links), so the many polls between
    two publications cost a dictionary lookup and a hash comparison.
    """
    programme = current_programme()
    if not programme.versions:
        abort(404, description="The timetable has not been published yet.")
    name = programme.conference.name
    if personal:
        name = f"{name} · ★"
    elif subject:
        name = f"{name} · {subject}"
    source = external_url(request.endpoint, **request.view_args)

    def build() -> bytes:
        return build_calendar(
            programme.conference, programme.versions, name=name, select=select, source_url=source,
            session_url=lambda session_id: external_url("public.session", session_id=session_id),
        )

    body = programme.memo(("ical", source), build)
    # Last-Modified is the latest publication, not the schedule's DTSTAMP (feed_stamp): that follows only what an
    # event shows, while a feed's body also changes with what picks its sessions (a track, an overflow room) and
    # with its name, and a client revalidating with If-Modified-Since alone would get 304 and keep, say, a
    # session that left the feed. An unchanged publication still answers If-None-Match with 304.
    return document_response(body, ICAL_CONTENT_TYPE, max(v.published_at for v in programme.versions))
