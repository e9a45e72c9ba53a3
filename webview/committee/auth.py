"""Accounts for the committee: Flask-Login sessions, roles, CSRF protection (Flask-WTF) and login rate limits
(Flask-Limiter). Passwords are hashed by werkzeug.security (see webview.store.service). Login cookies hold the
member's session token (`User.get_id`), so logging out invalidates every copy of them."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, abort, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect

from webview.store.db import get_store
from webview.store.models import ROLES, User

F = TypeVar("F", bound=Callable[..., Any])
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})



class CommitteeLoginManager(LoginManager):
    """Flask-Login, confined to the committee's pages.

    Flask-Login refreshes its remember-me cookie after every response of the app, which reads the session and so
    makes Flask add `Vary: Cookie` to every public page and feed, defeating shared caches. The committee uses no
    remember-me cookie, so outside its blueprint that step is skipped.
    """

    def _update_remember_cookie(self, response: Response) -> Response:
        if request.blueprint != "committee":
            return response
        return super()._update_remember_cookie(response)


login_manager = CommitteeLoginManager()
login_manager.login_view = "committee.login"
login_manager.login_message = "Please log in to use the committee workspace."
login_manager.session_protection = "strong"  # a session cookie replayed from another client is dropped
csrf = CSRFProtect()
# Counts per client address (behind a reverse proxy, wrap the app in werkzeug's ProxyFix so this is the client's).
limiter = Limiter(get_remote_address)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The active member whose `User.get_id()` this is (from the session or a remember-me cookie); None once
    their session token has changed, i.e. after they logged out."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    with get_store().read() as session:
        user = session.get(User, int(user_id))
        if user is None or not user.active:
            return None
        return user if hmac.compare_digest(user.get_id().encode(), session_id.encode()) else None


@login_manager.unauthorized_handler
def unauthorized() -> Any:
    """JSON endpoints answer 401; pages send the visitor to the login form and back."""
    from flask import redirect, url_for

    if request.path.endswith(".json"):
        return {"error": "log in first"}, 401
    return redirect(url_for("committee.login", next=request.full_path.rstrip("?")))


def requires(role: str) -> Callable[[F], F]:
    """Only members with `role` (or a higher one) may use the view; others get 403 (anonymous: the login form)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role}")

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return unauthorized()
            if not current_user.may(role):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_role = role  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def login_limit() -> str:
    return current_app.config["COMMITTEE_LOGIN_LIMIT"]


def login_account_limit() -> str:
    return current_app.config["COMMITTEE_LOGIN_ACCOUNT_LIMIT"]


def login_account_key() -> str:
    """Attempts on one account from anywhere are limited too (a botnet changes addresses, not the target)."""
    return "account:" + (request.form.get("email") or "").strip().lower()
