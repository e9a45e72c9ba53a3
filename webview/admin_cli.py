"""Store commands of `agenda`: `db upgrade`, `create-admin`, `load`, `publish`, `dump`.

They work on the store the web app uses: `--database-url`, else the app's DATABASE_URL setting (instance
config.py), else the AGENDA_DATABASE_URL environment variable, else SQLite in the instance folder.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from scheduler.folder import normalise, write_folder
from scheduler.loader import load_conference
from scheduler.timetable_io import read_timetable
from webview.store import service
from webview.store.db import Store, database_url

EXIT_OK, EXIT_FAILURE = 0, 1


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register the store commands."""
    db = subparsers.add_parser("db", help="the committee store's database")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    up = db_commands.add_parser("upgrade", help="create the database or migrate it to the newest schema")
    _database_option(up)
    up.set_defaults(func=run_db_upgrade)

    admin = subparsers.add_parser("create-admin", help="create a committee admin account (password from a prompt, "
                                                       "or the first line of stdin when it is not a terminal)")
    admin.add_argument("--email", required=True, help="the admin's e-mail address (their login)")
    admin.add_argument("--role", default="admin", choices=("viewer", "editor", "admin"), help=argparse.SUPPRESS)
    _database_option(admin)
    admin.set_defaults(func=run_create_admin)

    load = subparsers.add_parser("load", help="import a conference folder or workbook into the store as a new "
                                              "conference")
    load.add_argument("conference", help="conference folder or .xlsx workbook")
    load.add_argument("--slug", help="short name in URLs (default: from the conference name)")
    load.add_argument("--timetable", help="timetable.csv to start the draft with")
    load.add_argument("--if-absent", action="store_true", help="do nothing when a conference with this slug is "
                      "already in the store (so a re-run never touches the committee's work)")
    load.add_argument("--publish", action="store_true", help="publish the draft at once as version 1 (needs "
                                                             "--timetable, and the checker must accept it)")
    _database_option(load)
    load.set_defaults(func=run_load)

    publish = subparsers.add_parser("publish", help="publish a conference's current draft as its next version")
    publish.add_argument("slug", help="the conference's short name")
    publish.add_argument("--note", default="", help="a note kept with the version")
    _database_option(publish)
    publish.set_defaults(func=run_publish)

    dump = subparsers.add_parser("dump", help="write a conference of the store back as a conference folder")
    dump.add_argument("slug", help="the conference's short name")
    dump.add_argument("--out", required=True, help="folder to write (conference files and timetable.csv)")
    dump.add_argument("--version", type=int, help="a published version (default: the current draft)")
    _database_option(dump)
    dump.set_defaults(func=run_dump)


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", help="SQLAlchemy URL of the store (default: the web app's)")


def open_store(args: argparse.Namespace, *, upgrade: bool = True) -> Store:
    """The store named by --database-url or by the web app's configuration."""
    url = args.database_url
    if not url:
        from webview import create_app

        url = database_url(create_app())
    return Store(url, upgrade=upgrade)


def run_db_upgrade(args: argparse.Namespace) -> int:
    store = open_store(args)
    from webview.migrations import current_revision

    print(f"database at revision {current_revision(store.engine)}: {store.engine.url.render_as_string()}")
    store.dispose()
    return EXIT_OK


def read_password(prompt_twice: bool) -> str:
    """From a prompt (twice, to catch typos) on a terminal; else the first line of stdin (scripts, containers)."""
    if not prompt_twice:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def run_create_admin(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        password = read_password(sys.stdin.isatty())
        with store.write() as session:
            user = service.create_user(session, args.email, password, args.role)
            print(f"created {user.role} account {user.email}")
    except ValueError as err:
        print(f"not created: {err}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        store.dispose()
    return EXIT_OK


def run_load(args: argparse.Namespace) -> int:
    conference = normalise(load_conference(args.conference))  # InputError: exit 2 with every problem
    timetable = read_timetable(args.timetable, conference) if args.timetable else None
    if args.publish and timetable is None:
        print("--publish needs --timetable", file=sys.stderr)
        return EXIT_FAILURE
    store = open_store(args)
    try:
        if args.if_absent:
            # the slug create_conference will give it: --slug, else the conference's identity (its own slug)
            slug = service.slugify(args.slug or conference.identity)
            with store.write() as session:
                if slug in {row.slug for row in service.list_conferences(session)}:
                    print(f"'{slug}' is already in the store; left as it is")
                    return EXIT_OK
        with store.write() as session:
            row = service.create_conference(session, conference, timetable, by="agenda load", slug=args.slug,
                                            summary=f"loaded from {Path(args.conference).name}")
            if args.publish:
                service.publish(session, row.slug, row.lock_version, by="agenda load")
            print(f"loaded '{conference.name}' as {row.slug}" + (" and published version 1" if args.publish else ""))
    except service.PublishRefused as err:
        print(f"nothing stored: {err}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        store.dispose()
    return EXIT_OK


def run_publish(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        with store.write() as session:
            draft = service.load_draft(session, args.slug)
            version = service.publish(session, args.slug, draft.lock_version, by="agenda publish", note=args.note)
            print(f"published version {version.number} of {args.slug}")
            for line in version.changelog:
                print(f"  {line}")
    except (service.NotFound, service.PublishRefused) as err:
        print(f"not published: {err}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        store.dispose()
    return EXIT_OK


def run_dump(args: argparse.Namespace) -> int:
    store = open_store(args)
    try:
        with store.read() as session:
            if args.version is None:
                draft = service.load_draft(session, args.slug)
                conference, timetable = draft.conference, draft.timetable
            else:
                row = service.conference_row(session, args.slug)
                found = [v for v in service.published_versions(session, row.id) if v.number == args.version]
                if not found:
                    raise service.NotFound(f"no published version {args.version}")
                conference, timetable = found[0].conference, found[0].timetable
    except service.NotFound as err:
        print(str(err), file=sys.stderr)
        return EXIT_FAILURE
    finally:
        store.dispose()
    write_folder(conference, args.out, timetable)
    print(f"wrote {args.out}")
    return EXIT_OK
