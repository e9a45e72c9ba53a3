"""The store's database: engine, sessions, and the one `Store` per app.

SQLite is the default (a file in the instance folder) and is opened in WAL mode, so the public site keeps reading
while a solve or an editor writes, with a busy timeout instead of immediate "database is locked" errors and
foreign keys enforced. Any other SQLAlchemy URL (PostgreSQL) works unchanged: every guarded write in
`webview.store.service` is a single UPDATE ... WHERE lock_version = :seen, which both databases serialise.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

EXTENSION_KEY = "agenda.store"
DATABASE_FILE = "agenda.sqlite3"
SQLITE_BUSY_TIMEOUT_S = 30


def default_database_url(instance_path: str | Path) -> str:
    """SQLite in the instance folder: what `agenda serve` and the committee use unless DATABASE_URL says otherwise."""
    return f"sqlite:///{Path(instance_path) / DATABASE_FILE}"


def database_url(app: Flask) -> str:
    """The app's DATABASE_URL setting, else the AGENDA_DATABASE_URL environment variable, else the default."""
    return (app.config.get("DATABASE_URL") or os.environ.get("AGENDA_DATABASE_URL")
            or default_database_url(app.instance_path))


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout, foreign keys, and a folder for its file."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **options)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    # Solves finish in worker threads: connections move between threads (never used by two at once).
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
                           **options)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    return engine


class Store:
    """An engine and its session factory; `upgrade=True` brings the schema to the newest migration first."""

    def __init__(self, url: str, *, upgrade: bool = True):
        self.url = url
        self.engine = make_engine(url)
        # Objects stay readable after commit: views render what they just saved.
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if upgrade:
            from webview.migrations import upgrade as run_upgrade

            run_upgrade(self.engine)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (rolled back at the end)."""
        with self.sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work is committed at the end, or rolled back entirely if anything raises."""
        with self.sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def get_store(app: Flask | None = None) -> Store:
    """The app's store, opened (and migrated, unless DATABASE_AUTO_UPGRADE is false) on first use."""
    app = app or current_app
    store = app.extensions.get(EXTENSION_KEY)
    if store is None:
        store = Store(database_url(app), upgrade=app.config.get("DATABASE_AUTO_UPGRADE", True))
        app.extensions[EXTENSION_KEY] = store
    return store
