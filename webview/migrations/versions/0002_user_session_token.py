"""Users get a session token: it is part of what their login cookies hold, and replacing it logs them out
everywhere (see `webview.store.models.User.get_id`).

Every existing account gets its own random token, so cookies issued before the upgrade (which hold no token)
stop authenticating: members log in again once.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TOKEN = sa.String(length=64)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_token", TOKEN, nullable=True))
    # The same kind of token a new account gets (models.new_session_token), made here in Python because databases
    # share no function that makes one. The migration keeps its own copy: models change, migrations must not.
    users = sa.table("users", sa.column("id", sa.Integer()), sa.column("session_token", TOKEN))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(users.c.id)).all():
        connection.execute(users.update().where(users.c.id == user_id)
                           .values(session_token=secrets.token_urlsafe(32)))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("session_token", existing_type=TOKEN, nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_token")
