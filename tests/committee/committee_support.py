"""Helpers for the committee tests: logging in, CSRF tokens from pages, conference folders and zips to upload."""

from __future__ import annotations

import io
import re
import threading
import time
import zipfile
from collections import Counter
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

from factories import at, make_conference, make_session
from werkzeug.serving import make_server

from scheduler.domain import Assignment, Conference, Timetable
from scheduler.folder import write_folder
from webview.store import service

REPO = Path(__file__).resolve().parents[2]
ROME = REPO / "data" / "rome-2023"
TINY = REPO / "tests" / "data" / "tiny"
SHARED_FORMATS = REPO.parent / "shared" / "formats"  # the pretalx fixture of tests/test_pretalx.py
PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="(?:[\w-]+-)?csrf_token" type="hidden" value="([^"]+)"')


def login(client, email: str, password: str = PASSWORD):
    """Log in through the form (CSRF token included when the app checks it)."""
    page = client.get("/committee/login")
    data = {"email": email, "password": password}
    token = csrf_token(page.get_data(as_text=True))
    if token:
        data["csrf_token"] = token
    response = client.post("/committee/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def csrf_token(html: str) -> str | None:
    match = _TOKEN.search(html)
    return match.group(1) if match else None


def published_conference(store, name: str, *, versions: int = 1) -> str:
    """A one-session conference (session A by speaker sp1 in room R1) published `versions` times, each from a
    new draft revision; returns its slug."""
    conference = make_conference([make_session("A", speakers=("sp1",))], name=name)
    timetable = Timetable((Assignment("A", "R1", at("09:00"), at("10:00")),))
    with store.write() as session:
        row = service.create_conference(session, conference, timetable, by="t")
        lock_version = row.lock_version
        for n in range(versions):
            if n:
                lock_version = service.save_draft(session, row.slug, lock_version, conference, timetable,
                                                  summary=f"revision {n + 1}", by="t")
            service.publish(session, row.slug, lock_version, by="t")
        return row.slug


class _IdCounter(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(value for name, value in attrs if name == "id" and value is not None)


def repeated_ids(html: str) -> dict[str, int]:
    """The element ids that occur more than once in a page (an HTML document allows each once)."""
    parser = _IdCounter()
    parser.feed(html)
    return {ident: n for ident, n in parser.ids.items() if n > 1}


def as_stored(conference: Conference) -> Conference:
    """The conference as the store keeps it: with its identity fixed as its slug (service._with_slug)."""
    return replace(conference, slug=conference.identity)


def folder_zip_bytes(folder: Path, top: str = "conf") -> bytes:
    """A zip of a conference folder, entries under `top/` as archivers make them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file():
                archive.write(path, f"{top}/{path.name}")
    return buffer.getvalue()


def conference_zip(conference: Conference, tmp_path: Path) -> bytes:
    return folder_zip_bytes(write_folder(conference, tmp_path / "upload"))


def upload(client, data: bytes, filename: str, **fields):
    """POST an upload form; returns the response (302 to the conference page on success)."""
    return client.post("/committee/upload", data={"file": (io.BytesIO(data), filename), **fields},
                       content_type="multipart/form-data")


def slug_from(response) -> str:
    location = response.headers["Location"]
    match = re.search(r"/committee/c/([^/]+)/", location)
    assert match, location
    return match.group(1)


def wait_for_run(client, slug: str, run_id: int, timeout_s: float = 120.0) -> dict:
    """Poll the run's JSON status until it stops running; returns the last status."""
    deadline = time.monotonic() + timeout_s
    while True:
        status = client.get(f"/committee/c/{slug}/run/{run_id}.json").get_json()
        if not status["running"] or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def start_run(client, slug: str, **form) -> int:
    data = {"time_limit_s": "10", "baseline": "published", **form}
    response = client.post(f"/committee/c/{slug}/solve", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


class LiveServer:
    """The app on 127.0.0.1 and a free port, served from a thread until `close()`."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "the server did not stop"
