"""Links that leave the page: absolute URLs for feeds, `webcal://` subscribe links, and the signed token that
encodes a personal agenda's selection in a stable URL.

Absolute URLs start with BASE_URL when it is set. Without it they take the host the request names, which any
client can forge: on a public address, set BASE_URL (create_app then trusts only its host and the loopback names,
so a request naming another host gets 400) or TRUSTED_HOSTS (links then follow the request, among those hosts).

The token is the sorted, de-duplicated list of session ids, signed (itsdangerous, keyed by SECRET_KEY) but not
timestamped: the same selection always gives the same URL, so a calendar subscribed to it keeps working, and
nobody can make the server build feeds of arbitrary size. The key must survive restarts (see create_app).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

from flask import current_app, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

TOKEN_SALT = "agenda.selection"
MAX_SELECTION = 300  # more sessions than anyone can attend in a week; bounds the token and the feed
MAX_TOKEN_CHARS = 8000
# What a health check or a reverse proxy on the same machine may send as Host (nginx sends proxy_pass's host by
# default). IPv6 literals are left out: Werkzeug's TRUSTED_HOSTS matching cannot express them.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


def base_url_hosts(base_url: str) -> list[str]:
    """The TRUSTED_HOSTS of a site whose public root is `base_url`: its host, and the loopback names (links
    still say `base_url` whatever the request names, so trusting them lends a forger nothing)."""
    host = urlsplit(base_url).hostname
    return [host, *LOOPBACK_HOSTS] if host else []


def external_url(endpoint: str, **values) -> str:
    """The absolute https (or http) URL of an endpoint: BASE_URL when configured (behind a proxy), else the
    URL the request came in on (see the module's note on forged hosts)."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def webcal_url(https_url: str) -> str:
    """The same URL with the `webcal` scheme, which calendar apps open as a subscription."""
    parts = urlsplit(https_url)
    return urlunsplit(("webcal", *parts[1:]))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=TOKEN_SALT)


def selection_token(session_ids: Iterable[str]) -> str:
    """The stable token of a selection (order and repeats do not matter)."""
    ids = sorted(set(session_ids))[:MAX_SELECTION]
    return _serializer().dumps(ids)


def selection_from_token(token: str) -> list[str] | None:
    """The session ids a token encodes, or None when it was not made by this server."""
    if len(token) > MAX_TOKEN_CHARS:
        return None
    try:
        ids = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        return None
    return ids[:MAX_SELECTION]


def selection_from_args(name: str = "s") -> list[str]:
    """Session ids from a repeated query parameter, as the agenda page's script sends them: `?s=a&s=b`
    (repeated rather than comma-joined because ids are free text from a spreadsheet)."""
    return list(dict.fromkeys(i for i in request.args.getlist(name) if i))[:MAX_SELECTION]
