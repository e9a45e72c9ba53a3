"""Filters and helpers the templates use: times in the conference's zone, names looked up in the programme,
and the strings the browser script shows (translated here, so the script holds no text of its own)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time
from pathlib import Path

from babel.dates import get_timezone_location
from flask import Flask, current_app, url_for
from flask_babel import get_locale, gettext

from scheduler.domain import Session, Speaker
from webview.data import Slot, current_programme
from webview.i18n import interface_language, language_name
from webview.links import external_url, webcal_url

TRACK_COLOURS = 8  # distinct border colours in agenda.css (.c0 to .c7)


def static_url(filename: str) -> str:
    """URL of a static file with its content hash, so browsers may keep it for a year (see AgendaFlask)."""
    hashes = current_app.extensions.setdefault("agenda.static_hashes", {})
    if filename not in hashes or current_app.debug:
        digest = hashlib.sha256(Path(current_app.static_folder, filename).read_bytes()).hexdigest()
        hashes[filename] = digest[:12]
    return url_for("static", filename=filename, v=hashes[filename])


def hm(moment: datetime | None) -> str:
    """"09:30" in the conference's zone, whatever zone the timetable file used."""
    if moment is None:
        return ""
    return f"{moment.astimezone(current_programme().conference.tz):%H:%M}"


def local_day(moment: datetime) -> date:
    """The day `moment` falls on in the conference's zone, for `day_name`."""
    return moment.astimezone(current_programme().conference.tz).date()


def iso(moment: datetime | None) -> str:
    """ISO 8601 with the conference zone's offset, for <time datetime>."""
    return moment.astimezone(current_programme().conference.tz).isoformat() if moment else ""


def epoch(moment: datetime) -> int:
    """Seconds since 1970 (UTC): what the script compares with the clock, free of any time zone."""
    return int(moment.timestamp())


def room_name(room_id: str) -> str:
    room = current_programme().room(room_id)
    return room.name if room else room_id


def speaker_names(session: Session) -> list[str]:
    return current_programme().speaker_names(session)


def speaker_or_none(speaker_id: str) -> Speaker | None:
    return current_programme().speaker(speaker_id)


def slot_rooms(slot: Slot) -> list[str]:
    """The rooms a session occupies (main, then overflow), for the room filter and each room's "next" session;
    a list (JSON in the page) because room ids are free text."""
    if slot.assignment is None:
        return []
    return [slot.assignment.room_id, *slot.session.overflow_rooms]


def track_colour(track: str) -> int:
    position = current_programme().track_position.get(track)
    return TRACK_COLOURS if position is None else position % TRACK_COLOURS  # .c8: no track, neutral


def lang_summary(session: Session) -> str:
    """"In Italian, interpretation into English, German": the spoken form of the grid's "IT → EN DE"."""
    parts = []
    if session.language:
        parts.append(gettext("In %(language)s", language=language_name(session.language)))
    if session.interpretation:
        names = ", ".join(language_name(c) for c in sorted(session.interpretation))
        parts.append(gettext("interpretation into %(languages)s", languages=names))
    return ", ".join(parts)


def zone_city() -> str:
    """The conference zone's city in the interface language ("Rome", "Roma")."""
    return get_timezone_location(current_programme().conference.timezone, locale=get_locale(), return_city=True)


def utc_offset(day: date | None) -> str:
    """"UTC+02:00" on `day` (noon) in the conference zone: the offset changes with summer time."""
    if day is None:
        return ""
    tz = current_programme().conference.tz
    offset = datetime.combine(day, time(12), tzinfo=tz).strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:]}"


def hash_id(text: str) -> str:
    """A short id for a form field derived from its value (ids from free text would need escaping)."""
    return hashlib.sha1(text.encode()).hexdigest()[:8]


def js_strings() -> dict[str, str]:
    """Everything agenda.js shows, in the interface language. {placeholders} are filled in by the script."""
    return {
        "star": gettext("Add to my agenda"),
        "unstar": gettext("Remove from my agenda"),
        "clash": gettext("Clash"),
        "now": gettext("Now"),
        "next": gettext("Next"),
        "clock": gettext("Now in %(city)s: {time}", city=zone_city()),
        "shown": gettext("{shown} of {total} sessions shown"),
        "copied": gettext("Copied"),
        "adopted": gettext("Added to your stars"),
    }


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(hm=hm, iso=iso, epoch=epoch, speaker_or_none=speaker_or_none, hash_id=hash_id,
                                 local_day=local_day)
    app.jinja_env.globals.update(
        room_name=room_name, speaker_names=speaker_names, slot_rooms=slot_rooms, track_color=track_colour,
        lang_summary=lang_summary, zone_city=zone_city, utc_offset=utc_offset, js_strings=js_strings,
        external_url=external_url, webcal_url=webcal_url, ui_locale=interface_language, static_url=static_url,
    )

    @app.context_processor
    def conference_context() -> dict:
        """Every template (the error page too) can name the conference and link its days."""
        programme = current_programme()
        return {"programme": programme, "conference_slug": programme.conference.identity}
