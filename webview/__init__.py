"""Flask web view of a conference timetable: public pages, calendar feeds, JSON API and frab exports.

`create_app(test_config=None)` builds the app (Flask tutorial style). Blueprints by audience are listed in
`BLUEPRINTS`; the committee blueprint of a later issue is one more line there. Views read the schedule through
`webview.data.current_programme()`, never from files or the solver.

Settings (app.config, or `test_config`):
- CONFERENCE_PATH, TIMETABLE_CSV: a conference folder/workbook and its timetable (a `FolderSource`), or
- SCHEDULE_SOURCE: a `webview.data.ScheduleSource`, or a factory taking the app.
- DATABASE_URL (or AGENDA_DATABASE_URL): the committee store (SQLAlchemy URL; SQLite in the instance folder by
  default). Without CONFERENCE_PATH, public pages show the store's published versions (webview.store.source).
- SECRET_KEY: signs personal-agenda tokens; must not change between restarts or subscribed agenda URLs break.
  When not set, a random key is created once in the instance folder and kept there.
- BASE_URL: public root URL (e.g. https://agenda.example.org) for absolute links when behind a proxy. When set,
  TRUSTED_HOSTS (Flask's: requests naming another host get 400) defaults to its host plus localhost and 127.0.0.1.
- TRUSTED_HOSTS: the Host names to accept (Flask's setting; a leading dot accepts subdomains). Without BASE_URL,
  absolute links take the host of the request, so a server on a public address needs one of the two.
- PUBLIC_CONFERENCE: the slug of the store's conference the public site shows (see webview.store.source).
- LANGUAGES: interface languages, first is the default (see webview.i18n).
- TRANSLATIONS_BUILD_DIR: where compiled catalogs go (default: the instance folder).
Every setting can also come from an environment variable with the AGENDA_ prefix (AGENDA_SECRET_KEY=...),
read after the instance's config.py and before `test_config`.
"""

from __future__ import annotations

import importlib
import os
import secrets
from pathlib import Path

from flask import Flask, Response, render_template, request

from webview import data, i18n, links, templating

# (module, url_prefix): each module defines `bp`. The committee pages will add ("webview.committee", "/committee").
BLUEPRINTS: list[tuple[str, str | None]] = [
    ("webview.public", None),
    ("webview.feeds", "/feeds"),
    ("webview.api", None),  # /api/... and the frab exports at /schedule.xml and /schedule.json
    ("webview.committee", "/committee"),
]

# Everything is served from this origin: no CDN, no inline script. Inline style attributes position the boxes of
# the timetable grid (grid-area), which is why style-src allows them.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
ONE_YEAR_S = 365 * 24 * 3600


class AgendaFlask(Flask):
    """Flask with long browser caching for static files requested with a content hash (`static_url`)."""

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        # Versioned URLs change whenever the file does, so phones on the venue's wifi can keep them for long.
        if request and request.args.get("v"):
            return ONE_YEAR_S
        return super().get_send_file_max_age(filename)


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the web view app."""
    app = AgendaFlask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        CONFERENCE_PATH=None,
        TIMETABLE_CSV=None,
        SCHEDULE_SOURCE=None,
        DATABASE_URL=os.environ.get("AGENDA_DATABASE_URL"),
        BASE_URL=None,
        LANGUAGES=i18n.DEFAULT_LANGUAGES,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    # AGENDA_SECRET_KEY, AGENDA_BASE_URL, ... (what a deployment sets); explicit settings still win.
    app.config.from_prefixed_env("AGENDA")
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if app.config.get("BASE_URL") and app.config.get("TRUSTED_HOSTS") is None:
        # Links are built from BASE_URL, so a request naming another host is forged or misrouted; refusing it also
        # keeps such requests out of the per-host caches of feed bodies.
        app.config["TRUSTED_HOSTS"] = links.base_url_hosts(app.config["BASE_URL"])
    app.json.sort_keys = False  # keep the documented field order in API responses

    if app.config.get("DATABASE_URL") and app.config.get("SCHEDULE_SOURCE") is None and not app.config.get(
        "CONFERENCE_PATH"
    ):
        from webview.store import source_for_app

        app.config["SCHEDULE_SOURCE"] = source_for_app  # public pages show the store's published versions only
    i18n.init_app(app)
    data.init_app(app)
    templating.init_app(app)
    for module_name, prefix in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(module_name).bp, url_prefix=prefix)

    app.after_request(_finish_response)
    app.register_error_handler(404, _not_found)
    return app


def _instance_secret(instance: Path) -> str:
    """A random key kept in the instance folder, so agenda tokens stay valid across restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    # Created exclusively with owner-only permissions; if another process won the race, use its key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def _finish_response(response: Response) -> Response:
    """Security headers everywhere; ETag and 304 for pages and JSON too (slow venue wifi, offline-ish phones)."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if response.mimetype == "text/html":
        # The interface language follows Accept-Language, so a shared cache must keep one copy per language.
        response.vary.add("Accept-Language")
        response.headers.setdefault("Cache-Control", "no-cache")
    if (request.method in ("GET", "HEAD") and response.status_code == 200 and not response.direct_passthrough
            and not response.is_streamed and response.get_etag() == (None, None)):
        response.add_etag()
        response.make_conditional(request)
    return response


def _not_found(error) -> tuple[str | Response, int]:
    if request.path.startswith("/api/"):
        # also when no route matched, where the API's after_request (which sets the CORS header) does not run
        return {"error": "not found", "path": request.path}, 404, {"Access-Control-Allow-Origin": "*"}
    return render_template("error.html", code=404, error=error), 404
