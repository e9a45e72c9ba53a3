"""The committee workspace under /committee: log in, upload a conference, solve in the background, pin and move
sessions with the checker's verdict before saving, re-solve with minimal change, publish numbered versions.

Registering `bp` sets everything up on the app (`init_app`, run once per app): Flask-Login, Flask-WTF's CSRF
protection (checked on every committee POST; other blueprints are left alone), Flask-Limiter on the login form,
hardened session cookies, the store and the background solve runner.

Settings (app.config):
- DATABASE_URL: SQLAlchemy URL of the store (default: SQLite in the instance folder); DATABASE_AUTO_UPGRADE
  (default true) migrates it to the newest schema on first use.
- SESSION_COOKIE_SECURE: true behind HTTPS (the session cookie is always HttpOnly and SameSite=Lax).
- MAX_CONTENT_LENGTH: largest upload in bytes (default 16 MB); UPLOAD_ZIP_MAX_BYTES: uncompressed zip cap.
- COMMITTEE_LOGIN_LIMIT: rate limit of login attempts per client address (default "10 per minute;50 per hour");
  RATELIMIT_STORAGE_URI: where Flask-Limiter counts (default in memory, per process).
- SOLVE_MAX_TIME_LIMIT_S (default 900), SOLVE_WORKERS (default 2): bounds of background solves.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask.blueprints import BlueprintSetupState

from webview.committee.auth import csrf, limiter, login_manager

EXTENSION_KEY = "agenda.committee"
DEFAULT_MAX_UPLOAD = 16 * 1024 * 1024

bp = Blueprint("committee", __name__)


def init_app(app: Flask) -> None:
    """Set up accounts, CSRF, rate limiting, the store and the solve runner on `app` (idempotent)."""
    if EXTENSION_KEY in app.extensions:
        return
    from webview.jobs import SolveRunner
    from webview.store.db import get_store

    # Only committee views are CSRF-checked (in auth.protect); the public blueprints have no forms to guard.
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
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("SOLVE_MAX_TIME_LIMIT_S", 900)
    app.config.setdefault("SOLVE_WORKERS", 2)

    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    app.extensions[EXTENSION_KEY] = SolveRunner(get_store(app), workers=int(app.config["SOLVE_WORKERS"]))


def runner(app: Flask | None = None):
    """The app's background solve runner."""
    from flask import current_app

    return (app or current_app).extensions[EXTENSION_KEY]


@bp.record_once
def _set_up(state: BlueprintSetupState) -> None:
    init_app(state.app)


from webview.committee import views  # noqa: E402,F401  (registers the routes on bp)
