"""`agenda serve`: the public web view (pages, feeds, frab, API) from a production WSGI server (waitress)."""

from __future__ import annotations

import argparse
import ipaddress
import sys
from pathlib import Path

from flask import Flask
from waitress.server import create_server

from webview import create_app
from webview.data import schedule_cache

DEFAULT_PORT = 8000


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register `serve` with `func=run_serve`."""
    p = subparsers.add_parser(
        "serve", help="serve the timetable, calendar feeds, frab exports and JSON API over HTTP (waitress)",
        description="Pages at /, calendar feeds under /feeds/, frab at /schedule.xml and /schedule.json, JSON under "
                    "/api/. The files are re-read when they change; a broken edit keeps the last good version up.")
    p.add_argument("conference", nargs="?", default=".",
                   help="conference folder or .xlsx workbook (default: the current folder)")
    p.add_argument("--timetable", help="timetable.csv to publish (default: timetable.csv in the conference folder "
                                       "if there is one; without it the sessions are shown as not yet scheduled)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    p.add_argument("--threads", type=int, default=4, help="worker threads (default 4)")
    p.add_argument("--base-url", help="public root URL behind a reverse proxy, e.g. https://agenda.example.org, "
                                      "used in feed and subscription links (requests naming another host get "
                                      "400); needed on a public address")
    p.add_argument("--database-url", help="serve the committee store's published versions (SQLAlchemy URL, e.g. "
                                          "sqlite:///build/agenda.sqlite) instead of a conference folder")
    p.set_defaults(func=run_serve)


def timetable_path(conference: Path, given: str | None) -> Path | None:
    """The timetable to publish: the one given, else the conference folder's timetable.csv when present."""
    if given:
        return Path(given)
    candidate = conference / "timetable.csv"
    return candidate if conference.is_dir() and candidate.is_file() else None


def make_server(args: argparse.Namespace):
    """The waitress server for `args`, with the schedule loaded once so input problems stop it before it
    listens (they propagate as InputError and `agenda` reports them with exit code 2)."""
    if getattr(args, "database_url", None):
        return _store_server(args)
    conference = Path(args.conference)
    timetable = timetable_path(conference, args.timetable)
    app = _app(args, {"CONFERENCE_PATH": str(conference), "TIMETABLE_CSV": str(timetable) if timetable else None})
    programme = schedule_cache(app).get()
    if timetable is None:
        print("no timetable given: sessions are shown as not yet scheduled", file=sys.stderr)
    else:
        # A folder is one version: a session deleted or moved out of a room vanishes from feeds instead of
        # reaching subscribers as a cancellation, so this mode is a preview, not for published feeds.
        print("previewing a folder: calendar feeds have no history here, so cancellations and changes do not "
              "reach subscribers reliably; publish through the committee store (agenda load --publish, "
              "agenda serve --database-url) before announcing feed links", file=sys.stderr)
    server = create_server(app, host=args.host, port=args.port, threads=args.threads)
    print(f"serving {programme.conference.name!r} at http://{args.host}:{server.effective_port}/ (Ctrl+C stops)",
          flush=True)
    return server


def _store_server(args: argparse.Namespace):
    """The waitress server for the committee store: public pages from its latest published version, and the
    committee workspace under /committee/."""
    app = _app(args, {"DATABASE_URL": args.database_url})
    server = create_server(app, host=args.host, port=args.port, threads=args.threads)
    print(f"serving the committee store at http://{args.host}:{server.effective_port}/ "
          f"(committee: /committee/; Ctrl+C stops)", flush=True)
    return server


def _app(args: argparse.Namespace, settings: dict) -> Flask:
    """The app with `settings` and --base-url, and a warning when its links would follow forged Host headers."""
    if args.base_url:  # otherwise AGENDA_BASE_URL from the environment, if any, stays in force
        settings = {**settings, "BASE_URL": args.base_url}
    app = create_app(settings)
    if not (app.config.get("BASE_URL") or app.config.get("TRUSTED_HOSTS") or is_loopback(args.host)):
        print(f"warning: listening on {args.host} without a base URL: feed, subscription and API links take their "
              "host from each request's Host header, which any client can forge. Give the public URL with "
              "--base-url or AGENDA_BASE_URL (other hosts are then refused), or list the accepted hosts in "
              "AGENDA_TRUSTED_HOSTS", file=sys.stderr)
    return app


def is_loopback(host: str) -> bool:
    """Whether `host` (a --host value) is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_serve(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    server = make_server(args)
    try:
        server.run()
    finally:
        server.close()
    return 0
