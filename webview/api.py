"""JSON API under /api/ (documented in webview/openapi.yaml, served at /api/openapi.yaml) and the frab exports at
their conventional paths, /schedule.xml and /schedule.json (from `scheduler.frab`).

Records carry absolute URLs, so an app can link back to the pages and feeds. Every response has an ETag and
answers conditional requests with 304 (see create_app); Last-Modified is when the schedule was published.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from flask import Blueprint, Response, abort, request, send_file
from werkzeug.exceptions import HTTPException

from scheduler.frab import schedule_json, schedule_xml
from webview.data import Filters, Programme, Slot, current_programme
from webview.links import external_url, selection_from_args, selection_token, webcal_url
from webview.responses import document_response

bp = Blueprint("api", __name__)

OPENAPI_FILE = Path(__file__).parent / "openapi.yaml"


@bp.after_request
def _api_headers(response: Response) -> Response:
    if request.path.startswith("/api/"):
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        programme = current_programme()
        if programme.versions and response.last_modified is None:
            response.last_modified = _last_published(programme)
    return response


# Also app-wide: a wrong method (405) or a refused Host (400) is raised while routing, before the request belongs
# to this blueprint, and would be an HTML page. The app's own 404 handler and other blueprints' handlers come
# first (Flask tries handlers for the status code before those for a class of errors).
@bp.app_errorhandler(HTTPException)
@bp.errorhandler(HTTPException)
def _json_error(error: HTTPException):
    """Errors of the API in JSON, as documented; frab's and the pages' are left as they are."""
    if request.path.startswith("/api/"):
        # Keep what the error says in headers (Allow of a 405), but not its HTML content type.
        headers = [(key, value) for key, value in error.get_headers() if key.lower() != "content-type"]
        # Routing errors never reach the blueprint's after_request: the CORS header is set here too, or a script
        # on another site could not read why its request failed.
        headers.append(("Access-Control-Allow-Origin", "*"))
        return {"error": error.description or error.name, "path": request.path}, error.code, headers
    return error


# ---- records


def _room_ref(programme: Programme, room_id: str) -> dict:
    room = programme.room(room_id)
    return {"id": room_id, "name": room.name if room else room_id}


def session_record(programme: Programme, slot: Slot) -> dict:
    """A session as the API shows it: what the session page shows, plus links."""
    s = slot.session
    a = slot.assignment
    tz = programme.conference.tz
    return {
        "id": s.session_id,
        "title": s.title,
        "abstract": s.abstract,
        "language": s.language,
        "interpretation": sorted(s.interpretation),
        "track": s.track,
        "kind": s.kind,
        "plenary": s.plenary,
        "duration_min": s.duration_min,
        "speakers": [{"id": sp, "name": p.name} for sp in s.speakers if (p := programme.speaker(sp))],
        "room": _room_ref(programme, a.room_id) if a else None,
        "overflow_rooms": [_room_ref(programme, r) for r in s.overflow_rooms],
        "start": a.start.astimezone(tz).isoformat() if a else None,
        "end": a.end.astimezone(tz).isoformat() if a else None,
        "day": slot.day.isoformat() if slot.day else None,
        "url": external_url("public.session", session_id=s.session_id),
        "ics": external_url("feeds.session", session_id=s.session_id),
    }


def _speaker_record(programme: Programme, speaker_id: str) -> dict:
    p = programme.speaker(speaker_id)
    return {
        "id": p.speaker_id,
        "name": p.name,
        "country": p.country,
        "bio": p.bio,
        "languages": sorted(p.languages),
        "sessions": [s.session_id for s in programme.by_speaker.get(p.speaker_id, [])],
        "url": external_url("public.speaker", speaker_id=p.speaker_id),
        "ics": external_url("feeds.speaker", speaker_id=p.speaker_id),
    }


def _room_record(programme: Programme, room_id: str) -> dict:
    r = programme.room(room_id)
    return {
        "id": r.room_id,
        "name": r.name,
        "capacity": r.capacity,
        "booths": r.booths,
        "features": sorted(r.features),
        "open": [{"start": w.start.astimezone(programme.conference.tz).isoformat(),
                  "end": w.end.astimezone(programme.conference.tz).isoformat()} for w in r.availability],
        "sessions": [s.session_id for s in programme.by_room.get(r.room_id, [])],
        "relays": [s.session_id for s in programme.relays_by_room.get(r.room_id, [])],
        "url": external_url("public.room", room_id=r.room_id),
        "ics": external_url("feeds.room", room_id=r.room_id),
    }


def _published(programme: Programme) -> dict | None:
    version = programme.version
    if version is None:
        return None
    # When this version was published, as the public pages say (feed_stamp would give an older version's time
    # after a publication that changed no session's time, room or text).
    return {"version": version.number, "published_at": version.published_at.astimezone(UTC).isoformat()}


def _last_published(programme: Programme) -> datetime:
    """Last-Modified of every document here: the latest publication. Not feed_stamp, which moves only with what
    a calendar event shows: a track, a kind, a speaker's bio or a newly unplaced session change these documents
    too, and a client revalidating with If-Modified-Since alone would get 304 and keep the old ones."""
    return max(v.published_at for v in programme.versions)


# ---- routes


@bp.get("/api/")
def index() -> dict:
    """Where everything is."""
    return {
        "openapi": external_url("api.openapi"),
        "conference": external_url("api.conference"),
        "sessions": external_url("api.sessions"),
        "speakers": external_url("api.speakers"),
        "rooms": external_url("api.rooms"),
        "timetable": external_url("api.timetable"),
        "frab_xml": external_url("api.frab_xml"),
        "frab_json": external_url("api.frab_json"),
    }


@bp.get("/api/openapi.yaml")
def openapi() -> Response:
    return send_file(OPENAPI_FILE, mimetype="application/yaml")


@bp.get("/api/conference")
def conference() -> dict:
    programme = current_programme()
    conf = programme.conference
    return {
        "name": conf.name,
        "timezone": conf.timezone,
        "granularity_min": conf.granularity_min,
        "languages": list(programme.languages),
        "days": [
            {
                "date": d.isoformat(),
                "periods": [{"start": p.start.isoformat(), "end": p.end.isoformat()}
                            for day in conf.days if day.date == d for p in day.periods],
                "sessions": len(programme.by_day.get(d, ())),
                "url": external_url("public.day", day=d.isoformat()),
            }
            for d in programme.days
        ],
        "tracks": list(programme.tracks),
        "kinds": list(programme.kinds),
        "published": _published(programme),
    }


@bp.get("/api/sessions")
def sessions() -> dict:
    """All sessions (placed in time order, then the unplaced), narrowed by the timetable's filters and `day`."""
    programme = current_programme()
    filters = Filters.from_args(request.args)
    pool = None
    if request.args.get("day"):
        try:
            pool = programme.by_day.get(_date_arg(request.args["day"]), [])
        except ValueError:
            abort(400, description="day must be a date like 2023-10-13")
    return {"sessions": [session_record(programme, s) for s in programme.select(filters, pool)]}


@bp.get("/api/sessions/<path:session_id>")
def session(session_id: str) -> dict:
    programme = current_programme()
    slot = programme.slot(session_id) or abort(404)
    return session_record(programme, slot)


@bp.get("/api/speakers")
def speakers() -> dict:
    programme = current_programme()
    return {"speakers": [_speaker_record(programme, p.speaker_id) for p in programme.speakers]}


@bp.get("/api/speakers/<path:speaker_id>")
def speaker(speaker_id: str) -> dict:
    programme = current_programme()
    if programme.speaker(speaker_id) is None:
        abort(404)
    return _speaker_record(programme, speaker_id)


@bp.get("/api/rooms")
def rooms() -> dict:
    programme = current_programme()
    return {"rooms": [_room_record(programme, r.room_id) for r in programme.conference.rooms]}


@bp.get("/api/rooms/<path:room_id>")
def room(room_id: str) -> dict:
    programme = current_programme()
    if programme.room(room_id) is None:
        abort(404)
    return _room_record(programme, room_id)


@bp.get("/api/timetable")
def timetable() -> dict:
    """The published timetable as timetable.csv has it: one assignment per placed session."""
    programme = current_programme()
    tz = programme.conference.tz
    placed = programme.placed
    if request.args.get("day"):
        try:
            placed = programme.by_day.get(_date_arg(request.args["day"]), [])
        except ValueError:
            abort(400, description="day must be a date like 2023-10-13")
    return {
        "published": _published(programme),
        "timezone": programme.conference.timezone,
        "assignments": [
            {"session_id": s.session_id, "room_id": s.assignment.room_id,
             "start": s.start.astimezone(tz).isoformat(), "end": s.end.astimezone(tz).isoformat()}
            for s in placed
        ],
        "unplaced": [s.session_id for s in programme.unplaced],
    }


@bp.get("/api/agenda")
def agenda() -> dict:
    """A selection's stable token, feed links and clashes: what the agenda page shows, for apps."""
    programme = current_programme()
    slots = programme.selection(selection_from_args())
    token = selection_token(s.session_id for s in slots)
    ics = external_url("feeds.agenda", token=token)
    return {
        "token": token,
        "sessions": [s.session_id for s in slots],
        "clashes": [[c.first.session_id, c.second.session_id] for c in programme.clashes(slots)],
        "ics": ics,
        "webcal": webcal_url(ics),
        "share": external_url("public.shared_agenda", token=token),
    }


def _date_arg(text: str) -> date:
    return date.fromisoformat(text)


# ---- frab


@bp.get("/schedule.xml")
def frab_xml() -> Response:
    return _frab(schedule_xml, "application/xml; charset=utf-8")


@bp.get("/schedule.json")
def frab_json() -> Response:
    return _frab(schedule_json, "application/json; charset=utf-8")


def _frab(render, content_type: str) -> Response:
    programme = current_programme()
    if programme.timetable is None:
        abort(404, description="The timetable has not been published yet.")
    base = external_url("public.index")

    def build() -> bytes:
        return render(programme.conference, programme.timetable, base_url=base,
                      session_url=lambda session_id: external_url("public.session", session_id=session_id))

    body = programme.memo((request.endpoint, base), build)
    return document_response(body, content_type, _last_published(programme))
