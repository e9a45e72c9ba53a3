"""Initial schema: users, conferences with their draft, draft revisions, runs, published versions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    # webview.store.models.UTCDateTime stores naive UTC in a plain DATETIME column.
    return sa.Column(name, sa.DateTime(), nullable=nullable)


def _document(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.JSON(), nullable=nullable)


def _conference_id(table: str) -> list:
    return [
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["conference_id"], ["conferences.id"],
                                name=op.f(f"fk_{table}_conference_id_conferences"), ondelete="CASCADE"),
    ]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "conferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        _when("created_at"),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        _document("document"),
        _document("timetable", nullable=True),
        _when("updated_at"),
        sa.Column("updated_by", sa.String(length=254), nullable=False),
        sa.Column("last_change", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conferences")),
        sa.UniqueConstraint("slug", name=op.f("uq_conferences_slug")),
    )
    op.create_table(
        "draft_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        *_conference_id("draft_revisions"),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        _when("saved_at"),
        sa.Column("saved_by", sa.String(length=254), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        _document("document"),
        _document("timetable", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_revisions")),
        sa.UniqueConstraint("conference_id", "lock_version",
                            name=op.f("uq_draft_revisions_conference_id_lock_version")),
    )
    op.create_table(
        "published_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        *_conference_id("published_versions"),
        sa.Column("number", sa.Integer(), nullable=False),
        _when("published_at"),
        sa.Column("published_by", sa.String(length=254), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        _document("document"),
        _document("timetable"),
        _document("changelog"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_versions")),
        sa.UniqueConstraint("conference_id", "number", name=op.f("uq_published_versions_conference_id_number")),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        *_conference_id("runs"),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reference_version", sa.Integer(), nullable=True),
        sa.Column("time_limit_s", sa.Float(), nullable=False),
        sa.Column("allow_unplaced", sa.Boolean(), nullable=False),
        sa.Column("requested_by", sa.String(length=254), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        _when("created_at"),
        _when("finished_at", nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        _document("progress", nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("objective", sa.Integer(), nullable=True),
        sa.Column("best_bound", sa.Float(), nullable=True),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("wall_time_s", sa.Float(), nullable=True),
        _document("result", nullable=True),
        _document("timetable", nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("adopted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    for table in ("draft_revisions", "published_versions", "runs"):
        op.create_index(op.f(f"ix_{table}_conference_id"), table, ["conference_id"], unique=False)


def downgrade() -> None:
    for table in ("runs", "published_versions", "draft_revisions"):
        op.drop_index(op.f(f"ix_{table}_conference_id"), table_name=table)
        op.drop_table(table)
    op.drop_table("conferences")
    op.drop_table("users")
