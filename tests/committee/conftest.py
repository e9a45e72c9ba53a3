"""Fixtures for the committee workspace: an app on a fresh SQLite store with the committee blueprint registered
(as create_app will once it is wired), accounts of each role, logged-in clients, and a real server plus headless
Chromium for the browser test."""

from __future__ import annotations

import pytest
from browser_support import chromium_browser
from committee_support import PASSWORD, LiveServer, login

from webview import create_app
from webview.committee import bp, shutdown
from webview.store import service, source_for_app
from webview.store.db import get_store


@pytest.fixture
def make_app(tmp_path, translations_dir):
    """make_app(**config): the web app on this test's own store; solves stopped and the store closed afterwards."""
    apps = []

    def make(**config):
        settings = {"TESTING": True, "SECRET_KEY": "test-secret", "TRANSLATIONS_BUILD_DIR": str(translations_dir),
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}", "SCHEDULE_SOURCE": source_for_app,
                    "WTF_CSRF_ENABLED": False, "SOLVE_WORKERS": 1, **config}
        app = create_app(settings)
        if "committee" not in app.blueprints:  # until create_app lists the committee blueprint itself
            app.register_blueprint(bp, url_prefix="/committee")
        apps.append(app)
        return app

    yield make
    for app in apps:
        shutdown(app)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def store(app):
    return get_store(app)


@pytest.fixture
def accounts(store) -> dict[str, str]:
    """role -> e-mail of an account with that role (password PASSWORD)."""
    emails = {role: f"{role}@example.org" for role in ("viewer", "editor", "admin")}
    with store.write() as session:
        for role, email in emails.items():
            service.create_user(session, email, PASSWORD, role)
    return emails


@pytest.fixture
def client_as(app, accounts):
    """client_as(role): a test client logged in with that role."""
    def make(role: str):
        client = app.test_client()
        login(client, accounts[role])
        return client

    return make


@pytest.fixture
def editor(client_as):
    return client_as("editor")


# ---- a real server and a real browser


@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    yield server
    server.close()


@pytest.fixture(scope="module")
def chromium():
    """Headless Chromium from the Debian package, driven by Playwright (never `playwright install`). Module scope:
    Playwright's sync API allows one instance at a time, and tests/webview starts its own."""
    with chromium_browser() as browser:
        yield browser


