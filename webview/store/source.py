"""`StoreSource`: the public site's view of the store (a `webview.data.ScheduleSource`).

The public site shows one conference: the one named by the PUBLIC_CONFERENCE setting (a slug), else the one
published most recently, else the newest one. It sees only published versions, never a draft: before the first
publication it gets an empty conference with the draft's name and zone, so nothing the committee is still
working on leaks out.
"""

from __future__ import annotations

from collections.abc import Hashable

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


class StoreSource:
    """Published versions of one conference of the store, for `webview.data.ScheduleCache`."""

    def __init__(self, store: Store, slug: str | None = None):
        self.store = store
        self.slug = slug

    def _pick(self, session: Session) -> tuple[int, str, int | None, int] | None:
        """(conference id, name, latest published number or None, draft lock version) of the public conference."""
        latest = (select(PublishedVersionRow.conference_id, func.max(PublishedVersionRow.number).label("number"),
                         func.max(PublishedVersionRow.published_at).label("at"))
                  .group_by(PublishedVersionRow.conference_id).subquery())
        query = (select(ConferenceRow.id, ConferenceRow.name, latest.c.number, ConferenceRow.lock_version)
                 .outerjoin(latest, latest.c.conference_id == ConferenceRow.id))
        if self.slug:
            query = query.where(ConferenceRow.slug == self.slug)
        else:
            # Published ones first (NULLs last on every database), then the newest.
            query = query.order_by(latest.c.at.is_(None), latest.c.at.desc(), ConferenceRow.created_at.desc(),
                                   ConferenceRow.id.desc())
        row = session.execute(query.limit(1)).first()
        return tuple(row) if row is not None else None

    def fingerprint(self) -> Hashable:
        """Changes when a version is published (or, before any, when the draft's name or zone may have)."""
        with self.store.read() as session:
            picked = self._pick(session)
        if picked is None:
            return ("empty",)
        conference_id, _, number, lock_version = picked
        return (conference_id, number) if number is not None else (conference_id, None, lock_version)

    def load(self) -> tuple[Conference, tuple[PublishedVersion, ...]]:
        with self.store.read() as session:
            picked = self._pick(session)
            if picked is None:
                return placeholder(NOTHING_YET, "UTC", 15), ()
            conference_id, _, number, _ = picked
            if number is None:
                draft = conference_from_document(session.get(ConferenceRow, conference_id).document)
                return placeholder(draft.name, draft.timezone, draft.granularity_min), ()
            versions = published_versions(session, conference_id)
        return versions[-1].conference, versions


def placeholder(name: str, timezone: str, granularity_min: int) -> Conference:
    """An empty conference: what the public sees before anything is published."""
    return Conference(name=name, timezone=timezone, granularity_min=granularity_min, days=(), rooms=(), speakers=(),
                      sessions=())


def source_for_app(app: Flask) -> StoreSource:
    """The factory for the SCHEDULE_SOURCE setting: the app's store, showing PUBLIC_CONFERENCE if set."""
    return StoreSource(get_store(app), app.config.get("PUBLIC_CONFERENCE"))
