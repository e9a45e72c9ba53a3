"""The committee's store: conferences, drafts, runs and published versions in a SQL database (SQLite by default).

- `webview.store.models`: the tables; `webview.migrations`: their Alembic migrations.
- `webview.store.db`: engine and sessions (`Store`, `get_store(app)`).
- `webview.store.documents`: conferences and timetables as schema-versioned JSON documents.
- `webview.store.uploads`: import of uploads (export as a folder is `scheduler.folder`).
- `webview.store.service`: drafts with optimistic locking, publishing, accounts.
- `webview.store.source`: `StoreSource`, the public site's `ScheduleSource`.
"""

from webview.store.db import Store, get_store
from webview.store.source import StoreSource, source_for_app

__all__ = ["Store", "StoreSource", "get_store", "source_for_app"]
