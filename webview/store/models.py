"""The store's tables (SQLAlchemy 2 declarative models). Schema changes go through Alembic: webview/migrations.

What lives where:
- `conferences`: one row per conference with its current draft (conference document and draft timetable) and
  `lock_version`, the optimistic-locking counter every draft save must match and bump.
- `draft_revisions`: every draft ever saved, append-only, so nothing the committee entered is lost; the current
  draft is also the newest revision.
- `runs`: background solves, their live progress and their results.
- `published_versions`: frozen, numbered versions with their changelog; the public site reads only these.
- `users`: committee accounts, their roles and their session token (see `User.get_id`).

Documents are JSON built by `webview.store.documents` (schema-versioned domain dataclasses).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

ROLES = ("viewer", "editor", "admin")  # each role may do everything the previous one may

# Stable constraint names, so migrations can name what they alter on every database (SQLite batch mode too).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as naive UTC: SQLite keeps no offset, and comparisons must not depend on one."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class User(Base):
    """A committee member. Flask-Login reads `get_id`, `is_active`, `is_authenticated` and `is_anonymous`.

    `get_id()` is what Flask-Login keeps in the session and remember-me cookies: the id and the member's
    `session_token` (Flask-Login's "alternative token"). Replacing the token (`service.end_sessions`, on log-out
    and deactivation) makes every cookie issued before stop authenticating, on every device.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def may(self, role: str) -> bool:
        """Whether this member has `role` or a higher one."""
        return ROLES.index(self.role) >= ROLES.index(role)


class ConferenceRow(Base):
    __tablename__ = "conferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Optimistic locking: a save names the lock_version it started from and fails if it is no longer current.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    document: Mapped[dict[str, Any]]
    timetable: Mapped[dict[str, Any] | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(254), default="")
    last_change: Mapped[str] = mapped_column(Text, default="")

    revisions: Mapped[list[DraftRevision]] = relationship(back_populates="conference", order_by="DraftRevision.id",
                                                          viewonly=True)


class DraftRevision(Base):
    __tablename__ = "draft_revisions"
    __table_args__ = (UniqueConstraint("conference_id", "lock_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    lock_version: Mapped[int] = mapped_column(Integer)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    saved_by: Mapped[str] = mapped_column(String(254), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[dict[str, Any]]
    timetable: Mapped[dict[str, Any] | None]

    conference: Mapped[ConferenceRow] = relationship(back_populates="revisions")


class RunRow(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    lock_version: Mapped[int] = mapped_column(Integer)  # the draft revision that was solved
    state: Mapped[str] = mapped_column(String(16))  # see webview.jobs: running, done, failed, interrupted
    reference_version: Mapped[int | None] = mapped_column(Integer)  # minimal change against this published number
    time_limit_s: Mapped[float] = mapped_column(Float)
    allow_unplaced: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_by: Mapped[str] = mapped_column(String(254), default="")
    worker: Mapped[str] = mapped_column(String(200), default="")  # host:pid of the process running it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    progress: Mapped[dict[str, Any] | None]
    status: Mapped[str] = mapped_column(String(16), default="")  # the solver's: OPTIMAL, FEASIBLE, INFEASIBLE...
    objective: Mapped[int | None] = mapped_column(Integer)
    best_bound: Mapped[float | None] = mapped_column(Float)
    gap: Mapped[float | None] = mapped_column(Float)
    wall_time_s: Mapped[float | None] = mapped_column(Float)
    result: Mapped[dict[str, Any] | None]  # soft terms, explanation, unplaced reasons, changes (see webview.jobs)
    timetable: Mapped[dict[str, Any] | None]
    error: Mapped[str] = mapped_column(Text, default="")
    adopted: Mapped[bool] = mapped_column(Boolean, default=False)


class PublishedVersionRow(Base):
    __tablename__ = "published_versions"
    __table_args__ = (UniqueConstraint("conference_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by: Mapped[str] = mapped_column(String(254), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    lock_version: Mapped[int] = mapped_column(Integer)  # the draft revision it froze
    document: Mapped[dict[str, Any]]
    timetable: Mapped[dict[str, Any]]
    changelog: Mapped[list[Any]]  # attendee-visible changes against the previous version, in words
