"""`StoreSource`: the public site's view of the store (a `webview.data.ScheduleSource`).

The public site shows one conference: the one named by the PUBLIC_CONFERENCE setting (a slug), else the first
one ever published, else (nothing published yet) the oldest one. Publishing another conference never takes the
site over, since feeds people subscribed to would silently change conference; showing it takes the setting.
The site sees only published versions, never a draft: before the first publication it gets an empty conference
with the draft's name and zone, so nothing the committee is still working on leaks out.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import NamedTuple

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.domain import Conference
from scheduler.revisions import PublishedVersion
from webview.store.db import Store, get_store
from webview.store.documents import conference_from_document
from webview.store.models import ConferenceRow, PublishedVersionRow
from webview.store.service import published_versions

NOTHING_YET = "Conference agenda"


class PublicConference(NamedTuple):
    conference_id: int
    slug: str
    name: str
    number: int | None  # the latest published version; None before the first
    lock_version: int  # of the draft


def public_conference(session: Session, slug: str | None = None) -> PublicConference | None:
    """The conference the public site shows (see the module's note): `slug` if given, else the first published."""
    published = (select(PublishedVersionRow.conference_id, func.max(PublishedVersionRow.number).label("number"),
                        func.min(PublishedVersionRow.published_at).label("first"))
                 .group_by(PublishedVersionRow.conference_id).subquery())
    query = (select(ConferenceRow.id, ConferenceRow.slug, ConferenceRow.name, published.c.number,
                    ConferenceRow.lock_version)
             .outerjoin(published, published.c.conference_id == ConferenceRow.id))
    if slug:
        query = query.where(ConferenceRow.slug == slug)
    else:
        # Published ones first (NULLs last on every database), by when they were first published.
        query = query.order_by(published.c.first.is_(None), published.c.first, ConferenceRow.created_at,
                               ConferenceRow.id)
    row = session.execute(query.limit(1)).first()
    return PublicConference(*row) if row is not None else None


class StoreSource:
    """Published versions of one conference of the store, for `webview.data.ScheduleCache`."""

    def __init__(self, store: Store, slug: str | None = None):
        self.store = store
        self.slug = slug

    def fingerprint(self) -> Hashable:
        """Changes when a version is published (or, before any, when the draft's name or zone may have)."""
        with self.store.read() as session:
            picked = public_conference(session, self.slug)
        if picked is None:
            return ("empty",)
        if picked.number is not None:
            return (picked.conference_id, picked.number)
        return (picked.conference_id, None, picked.lock_version)

    def load(self) -> tuple[Conference, tuple[PublishedVersion, ...]]:
        with self.store.read() as session:
            picked = public_conference(session, self.slug)
            if picked is None:
                return placeholder(NOTHING_YET, "UTC", 15), ()
            conference_id, number = picked.conference_id, picked.number
            if number is None:
                draft = conference_from_document(session.get(ConferenceRow, conference_id).document)
                return placeholder(draft.name, draft.timezone, draft.granularity_min), ()
            versions = published_versions(session, conference_id)
        return versions[-1].conference, versions


def placeholder(name: str, timezone: str, granularity_min: int) -> Conference:
    """An empty conference: what the public sees before anything is published."""
    return Conference(name=name, timezone=timezone, granularity_min=granularity_min, days=(), rooms=(), speakers=(),
                      sessions=())


def public_slug(app: Flask) -> str | None:
    """The PUBLIC_CONFERENCE setting, as a slug (AGENDA_PUBLIC_CONFERENCE=2024 arrives as a number: Flask reads
    prefixed environment variables as JSON)."""
    slug = app.config.get("PUBLIC_CONFERENCE")
    return str(slug) if slug else None


def source_for_app(app: Flask) -> StoreSource:
    """The factory for the SCHEDULE_SOURCE setting: the app's store, showing PUBLIC_CONFERENCE if set."""
    return StoreSource(get_store(app), public_slug(app))
