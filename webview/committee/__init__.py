"""The committee workspace under /committee: log in, upload a conference, solve in the background, pin and move
sessions with the checker's verdict before saving, re-solve with minimal change, publish numbered versions.

Registering `bp` sets everything up on the app (`init_app`, run once per app): Flask-Login, Flask-WTF's CSRF
protection (checked on every committee POST; other blueprints are left alone), Flask-Limiter on the login form and
hardened session cookies. The store and the background solve runner (`runner()`) open on first use.

Settings (app.config):
- DATABASE_URL: SQLAlchemy URL of the store (default: SQLite in the instance folder); DATABASE_AUTO_UPGRADE
  (default true) migrates it to the newest schema on first use.
- SESSION_COOKIE_SECURE: true behind HTTPS (the session cookie is always HttpOnly and SameSite=Lax).
- MAX_CONTENT_LENGTH: largest upload in bytes (default 16 MB); UPLOAD_ZIP_MAX_BYTES: uncompressed zip cap.
- COMMITTEE_LOGIN_LIMIT: rate limit of login attempts per client address (default "10 per minute;50 per hour"),
  COMMITTEE_LOGIN_ACCOUNT_LIMIT: per account, from any address (default "30 per hour");
  RATELIMIT_STORAGE_URI: where Flask-Limiter counts (default in memory, per process).
- SOLVE_MAX_TIME_LIMIT_S (default 900), SOLVE_WORKERS (default 2): bounds of background solves.
"""

from __future__ import annotations

import threading

from flask import Blueprint, Flask, current_app
from flask.blueprints import BlueprintSetupState

from webview.committee.auth import csrf, limiter, login_manager
from webview.jobs import SolveRunner

EXTENSION_KEY = "agenda.committee"
RUNNER_KEY = "agenda.committee.runner"
DEFAULT_MAX_UPLOAD = 16 * 1024 * 1024
_RUNNER_LOCK = threading.Lock()

bp = Blueprint("committee", __name__)


def init_app(app: Flask) -> None:
    """Set up accounts, CSRF, rate limiting and cookie settings on `app` (idempotent). No I/O: the store and the
    solve runner open on first use, so an app made only to list its routes or serve files touches no database."""
    if EXTENSION_KEY in app.extensions:
        return
    # Only committee views are CSRF-checked (views._guard); the public blueprints have no forms to guard.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config.get("SESSION_COOKIE_SECURE", False))
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = DEFAULT_MAX_UPLOAD
    app.config.setdefault("COMMITTEE_LOGIN_LIMIT", "10 per minute;50 per hour")
    app.config.setdefault("COMMITTEE_LOGIN_ACCOUNT_LIMIT", "30 per hour")
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("SOLVE_MAX_TIME_LIMIT_S", 900)
    app.config.setdefault("SOLVE_WORKERS", 2)

    # No app-wide context processor: it would read the session on every public page (and add Vary: Cookie).
    login_manager.init_app(app, add_context_processor=False)
    csrf.init_app(app)
    limiter.init_app(app)
    app.extensions[EXTENSION_KEY] = True


def runner(app: Flask | None = None) -> SolveRunner:
    """The app's background solve runner, started on first use (it then marks runs a dead process left running
    as interrupted)."""
    from webview.store.db import get_store

    app = app or current_app
    with _RUNNER_LOCK:
        found = app.extensions.get(RUNNER_KEY)
        if found is None:
            found = app.extensions[RUNNER_KEY] = SolveRunner(get_store(app), workers=int(app.config["SOLVE_WORKERS"]))
    return found


def shutdown(app: Flask) -> None:
    """Stop the app's solves (each keeps its best timetable) and close its store; for tests and server exit."""
    from webview.store.db import EXTENSION_KEY as STORE_KEY

    found = app.extensions.get(RUNNER_KEY)
    if found is not None:
        found.shutdown()
    store = app.extensions.get(STORE_KEY)
    if store is not None:
        store.dispose()


@bp.record_once
def _set_up(state: BlueprintSetupState) -> None:
    init_app(state.app)


from webview.committee import views  # noqa: E402,F401  (registers the routes on bp)
