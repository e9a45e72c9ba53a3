"""Fixtures for the web view: a small hand-built conference with its timetable, the app and its test client,
the Rome sample with a timetable solved here (a few seconds), and a real server plus headless Chromium for the
browser tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from browser_support import chromium_browser

from scheduler.revisions import PublishedVersion
from webview import create_app
from webview.data import StaticSource

# tests/ is not a package; the other tests import `factories` because pytest puts tests/ on sys.path when it
# collects them, which does not happen when only tests/webview is run. (pythonpath = ["tests"] in pyproject.toml
# would do this for everyone.)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from web_rome import greedy_timetable  # noqa: E402
from web_sample import PUBLISHED_AT, small_conference, small_timetable  # noqa: E402
from web_server import LiveServer  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
ROME = REPO / "data" / "rome-2023"


@pytest.fixture
def conference():
    return small_conference()


@pytest.fixture
def versions(conference):
    return (PublishedVersion(1, PUBLISHED_AT, conference, small_timetable()),)


def make_app(source, translations_dir: Path, **config):
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SCHEDULE_SOURCE": source,
                       "TRANSLATIONS_BUILD_DIR": str(translations_dir), **config})


@pytest.fixture
def app_for(translations_dir):
    """Make a test app for another source (and settings)."""
    return lambda source, **config: make_app(source, translations_dir, **config)


@pytest.fixture
def app(conference, versions, translations_dir):
    return make_app(StaticSource(conference, versions), translations_dir)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def unpublished_client(conference, translations_dir):
    return make_app(StaticSource(conference, ()), translations_dir).test_client()


# ---- the Rome sample


@pytest.fixture(scope="session")
def rome_timetable(tmp_path_factory) -> Path:
    """A valid timetable of data/rome-2023 (greedy, confirmed by the checker; see web_rome.py for why not a solve)."""
    from scheduler.loader import load_conference
    from scheduler.timetable_io import write_timetable

    path = tmp_path_factory.mktemp("rome") / "timetable.csv"
    write_timetable(greedy_timetable(load_conference(ROME)), path)
    return path


@pytest.fixture
def rome_client(rome_timetable, translations_dir):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "CONFERENCE_PATH": str(ROME),
                      "TIMETABLE_CSV": str(rome_timetable), "TRANSLATIONS_BUILD_DIR": str(translations_dir)})
    return app.test_client()


# ---- a real server and a real browser


@pytest.fixture
def live_server(app):
    server = LiveServer.for_app(app)
    yield server
    server.close()


@pytest.fixture
def rome_live_server(rome_timetable, translations_dir):
    app = create_app({"SECRET_KEY": "test-secret", "CONFERENCE_PATH": str(ROME),
                      "TIMETABLE_CSV": str(rome_timetable), "TRANSLATIONS_BUILD_DIR": str(translations_dir)})
    server = LiveServer.for_app(app)
    yield server
    server.close()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium from the Debian package, driven by Playwright (never `playwright install`)."""
    with chromium_browser() as browser:
        yield browser


