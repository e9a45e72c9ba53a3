"""HTTP responses for documents that clients poll (calendar feeds, frab): exact bytes, a strong ETag from
them, Last-Modified from the schedule, and 304 for a conditional request that already has them."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Response, request

FEED_MAX_AGE_S = 300  # a proxy or client may reuse a feed for five minutes before asking again


def document_response(body: bytes, content_type: str, last_modified: datetime | None) -> Response:
    """`body` as a cacheable, conditional response (Werkzeug answers If-None-Match / If-Modified-Since)."""
    response = Response(body, content_type=content_type)
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE_S
    # Public data meant for other sites and apps (conference apps read frab, calendars read iCal).
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)
