"""Accounts: every committee route is behind login and refuses under-privileged roles; CSRF (enabled here),
secure session cookies, login rate limiting, safe redirects; the store commands (create-admin, db, load...)."""

from __future__ import annotations

import argparse
import io
import re
import shutil

import pytest
from committee_support import (
    PASSWORD,
    TINY,
    as_stored,
    csrf_token,
    folder_zip_bytes,
    login,
    published_conference,
    repeated_ids,
    slug_from,
    upload,
)
from flask_login.utils import encode_cookie
from sqlalchemy import text
from werkzeug.routing import Rule
from werkzeug.security import generate_password_hash

from scheduler.loader import load_conference
from scheduler.solve import SolveSettings, solve
from scheduler.timetable_io import read_timetable, write_timetable
from webview import admin_cli
from webview.migrations import head_revision, upgrade
from webview.store import service
from webview.store.db import Store, get_store

# Arguments for routes with variables: the conference and ids need not exist, the guard answers first.
ARGS = {"slug": "x", "session_id": "s1", "speaker_id": "sp1", "room_id": "r1", "run_id": 1, "number": 1,
        "lock_version": 1, "user_id": 1}


def committee_rules(app) -> list[Rule]:
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("committee.")]


def url_of(rule: Rule) -> str:
    return rule.build({k: v for k, v in ARGS.items() if k in rule.arguments})[1]


def test_every_committee_route_sends_anonymous_visitors_to_the_login_form(app):
    rules = [r for r in committee_rules(app) if r.endpoint != "committee.login"]
    assert len(rules) >= 20  # the whole workspace, not a sample
    client = app.test_client()
    for rule in rules:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url_of(rule), method=method)
            if rule.rule.endswith(".json"):
                assert response.status_code == 401, rule.rule
            else:
                assert response.status_code == 302, (method, rule.rule)
                assert "/committee/login" in response.headers["Location"], rule.rule


def test_public_pages_stay_public_and_cacheable(client_as):
    """Anonymous visitors and logged-in members alike get the public pages; the committee's login machinery
    neither sets a cookie there nor makes responses vary by cookie (shared caches keep serving them)."""
    for client in (client_as("viewer").application.test_client(), client_as("viewer")):
        for path in ("/", "/speakers", "/feeds/"):
            response = client.get(path)
            assert response.status_code == 200
            assert "Cookie" not in response.headers.get("Vary", "")
            assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(("role", "allowed"), [("viewer", set()), ("editor", {"editor"}),
                                                ("admin", {"editor", "admin"})])
def test_roles_limit_what_a_member_may_do(role, allowed, client_as, tmp_path):
    """A viewer reads but changes nothing; an editor edits, solves and publishes; only an admin manages accounts."""
    editor = client_as("editor")
    slug = slug_from(upload(editor, folder_zip_bytes(TINY), "tiny.zip"))
    client = client_as(role)
    for path in (f"/committee/c/{slug}/", f"/committee/c/{slug}/session/s1", f"/committee/c/{slug}/versions",
                 f"/committee/c/{slug}/history", f"/committee/c/{slug}/export.zip"):
        assert client.get(path).status_code == 200, path
    edits = [
        ("/committee/upload", {"file": (io.BytesIO(folder_zip_bytes(TINY)), "tiny.zip")}),
        (f"/committee/c/{slug}/session/s1", {"form": "withdraw", "withdraw-lock_version": "1",
                                             "withdraw-preview": "y"}),
        (f"/committee/c/{slug}/publish", {"publish-lock_version": "1"}),
        (f"/committee/c/{slug}/versions/1/republish", {}),
        (f"/committee/c/{slug}/history/1/restore", {"lock_version": "1"}),
    ]
    for path, data in edits:
        status = client.post(path, data=data, content_type="multipart/form-data").status_code
        assert (status != 403) == ("editor" in allowed), (role, path, status)
    assert (client.get("/committee/users").status_code == 200) == ("admin" in allowed)
    assert (client.post("/committee/users", data={"email": "n@example.org", "password": "x" * 12,
                                                  "role": "viewer"}).status_code != 403) == ("admin" in allowed)


def test_a_wrong_password_or_an_inactive_account_does_not_log_in(app, accounts, store):
    client = app.test_client()
    response = client.post("/committee/login", data={"email": accounts["editor"], "password": "wrong password"})
    assert response.status_code == 401
    assert "Wrong e-mail or password" in response.get_data(as_text=True)
    assert client.get("/committee/").status_code == 302
    with store.write() as session:
        user = next(u for u in service.users(session) if u.email == accounts["editor"])
        service.set_role(session, user.id, "editor", active=False)
    response = client.post("/committee/login", data={"email": accounts["editor"], "password": PASSWORD})
    assert response.status_code == 401


def test_a_member_deactivated_while_logged_in_is_logged_out(client_as, accounts, store):
    client = client_as("editor")
    assert client.get("/committee/").status_code == 200
    with store.write() as session:
        user = next(u for u in service.users(session) if u.email == accounts["editor"])
        service.set_role(session, user.id, "editor", active=False)
    assert client.get("/committee/").status_code == 302


def test_passwords_are_stored_hashed(store, accounts):
    with store.read() as session:
        stored = {u.email: u.password_hash for u in service.users(session)}
    assert all(PASSWORD not in h and h.startswith(("scrypt:", "pbkdf2:")) for h in stored.values())


def test_csrf_is_required_on_login_and_on_every_committee_form(make_app, accounts, tmp_path):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    # Without the token the login is refused, even with the right password.
    refused = client.post("/committee/login", data={"email": accounts["editor"], "password": PASSWORD})
    assert refused.status_code == 400
    assert "CSRF" in refused.get_data(as_text=True)
    login(client, accounts["editor"])  # reads the token from the form
    page = client.get("/committee/").get_data(as_text=True)
    token = csrf_token(page)
    assert token
    data = {"file": (io.BytesIO(folder_zip_bytes(TINY)), "tiny.zip")}
    assert client.post("/committee/upload", data=data, content_type="multipart/form-data").status_code == 400
    data = {"file": (io.BytesIO(folder_zip_bytes(TINY)), "tiny.zip"), "csrf_token": token}
    response = client.post("/committee/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    slug = slug_from(response)
    # A form with a prefix carries its token under its own name; a token from another session fails.
    page = client.get(f"/committee/c/{slug}/").get_data(as_text=True)
    publish_token = re.search(r'name="publish-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(f"/committee/c/{slug}/publish", data={"publish-lock_version": "1",
                                                            "publish-csrf_token": "forged"}).status_code == 400
    response = client.post(f"/committee/c/{slug}/publish", data={"publish-lock_version": "1",
                                                                 "publish-csrf_token": publish_token})
    assert response.status_code == 422  # accepted, then refused for lack of a timetable, with a message
    assert "Not published: the draft has no timetable yet" in response.get_data(as_text=True)
    assert client.post("/committee/logout").status_code == 400
    assert client.get("/committee/").status_code == 200  # still logged in: the logout needed its token


def test_pages_with_several_forms_repeat_no_id(make_app, accounts):
    """Every page has the log-out form besides its own; each form's CSRF token (and draft revision) is a hidden
    input, which must not bring the same id along each time."""
    app = make_app(WTF_CSRF_ENABLED=True)
    slug = published_conference(get_store(app), "Ids", versions=2)  # two versions, two revisions: rows of forms
    client = app.test_client()
    login(client, accounts["admin"])
    for path in ("/committee/", f"/committee/c/{slug}/", f"/committee/c/{slug}/session/A",
                 f"/committee/c/{slug}/speaker/sp1", f"/committee/c/{slug}/room/R1", f"/committee/c/{slug}/history",
                 f"/committee/c/{slug}/versions", "/committee/users"):
        html = client.get(path).get_data(as_text=True)
        assert html.count("<form") >= 2, path
        assert csrf_token(html), path
        assert repeated_ids(html) == {}, path


def test_session_cookie_is_httponly_samesite_lax_and_secure_when_configured(make_app, accounts):
    for secure in (False, True):
        app = make_app(SESSION_COOKIE_SECURE=secure)
        response = login(app.test_client(), accounts["viewer"])
        cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
        assert ("Secure" in cookie) == secure


def test_login_attempts_are_rate_limited(make_app, accounts):
    app = make_app(COMMITTEE_LOGIN_LIMIT="3 per minute")
    client = app.test_client()
    statuses = [client.post("/committee/login", data={"email": accounts["viewer"], "password": "guess"}).status_code
                for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    # Even the right password waits now.
    response = client.post("/committee/login", data={"email": accounts["viewer"], "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many login attempts" in response.get_data(as_text=True)


def test_login_attempts_on_one_account_are_limited_from_any_address(make_app, accounts):
    app = make_app(COMMITTEE_LOGIN_ACCOUNT_LIMIT="2 per minute")
    client = app.test_client()
    statuses = [client.post("/committee/login", data={"email": accounts["admin"], "password": "guess"},
                            environ_base={"REMOTE_ADDR": f"203.0.113.{n}"}).status_code for n in range(3)]
    assert statuses == [401, 401, 429]
    other = client.post("/committee/login", data={"email": accounts["viewer"], "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert other.status_code == 302  # another account is not locked by it


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(app, accounts):
    client = app.test_client()
    response = client.get("/committee/users")
    assert response.headers["Location"].endswith("/committee/login?next=/committee/users")
    ok = client.post("/committee/login?next=/committee/users", data={"email": accounts["admin"],
                                                                     "password": PASSWORD})
    assert ok.headers["Location"] == "/committee/users"
    client = app.test_client()
    evil = client.post("/committee/login?next=https://evil.example/committee/", data={"email": accounts["admin"],
                                                                                     "password": PASSWORD})
    assert evil.headers["Location"] == "/committee/"


def test_logout_ends_the_session(client_as):
    client = client_as("viewer")
    assert client.get("/committee/").status_code == 200
    assert client.post("/committee/logout").status_code == 302
    assert client.get("/committee/").status_code == 302


def replay(app, cookie: str, name: str = "session"):
    """A fresh client presenting a copy of a cookie (another device, or someone who copied it)."""
    client = app.test_client()
    client.set_cookie(name, cookie)
    return client


def test_a_copy_of_the_session_cookie_stops_working_at_logout_on_every_device(app, client_as):
    client, other_device = client_as("editor"), client_as("editor")
    copied = client.get_cookie("session").value
    assert replay(app, copied).get("/committee/").status_code == 200
    assert client.post("/committee/logout").status_code == 302
    assert replay(app, copied).get("/committee/").status_code == 302
    assert other_device.get("/committee/").status_code == 302  # logging out logs out everywhere


def member(store, email: str):
    with store.read() as session:
        return next(u for u in service.users(session) if u.email == email)


def test_a_remember_me_cookie_stops_working_when_the_session_token_changes(app, store, accounts):
    with app.test_request_context():
        remembered = encode_cookie(member(store, accounts["editor"]).get_id())  # what login_user(remember=True) sets
    name = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    assert replay(app, remembered, name).get("/committee/").status_code == 200
    with store.write() as session:
        service.end_sessions(session, member(store, accounts["editor"]).id)
    assert replay(app, remembered, name).get("/committee/").status_code == 302


def test_a_reactivated_member_must_log_in_again(app, client_as, store, accounts):
    copied = client_as("editor").get_cookie("session").value
    user_id = member(store, accounts["editor"]).id
    for active in (False, True):
        with store.write() as session:
            service.set_role(session, user_id, "editor", active=active)
    assert replay(app, copied).get("/committee/").status_code == 302


def test_an_admin_creates_accounts_and_cannot_lock_themselves_out(client_as, store, accounts):
    admin = client_as("admin")
    response = admin.post("/committee/users", data={"email": "new@example.org", "password": "long enough pw",
                                                    "role": "editor"})
    assert response.status_code == 302
    with store.read() as session:
        members = {u.email: u for u in service.users(session)}
    assert members["new@example.org"].role == "editor"
    short = admin.post("/committee/users", data={"email": "x@example.org", "password": "short", "role": "viewer"})
    assert short.status_code == 400
    me = members[accounts["admin"]]
    admin.post(f"/committee/users/{me.id}", data={f"u{me.id}-role": "viewer", f"u{me.id}-active": "y"})
    with store.read() as session:
        assert next(u for u in service.users(session) if u.id == me.id).role == "admin"


# ---- the store commands


def run_command(argv: list[str], monkeypatch, stdin: str = "") -> int:
    parser = argparse.ArgumentParser(prog="agenda")
    admin_cli.add_parser(parser.add_subparsers(dest="command", required=True))
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    args = parser.parse_args(argv)
    return args.func(args)


def test_create_admin_reads_the_password_from_stdin_and_the_admin_can_log_in(tmp_path, monkeypatch, make_app,
                                                                              capsys):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert run_command(["db", "upgrade", "--database-url", url], monkeypatch) == 0
    assert f"revision {head_revision()}" in capsys.readouterr().out
    code = run_command(["create-admin", "--email", "Chair@Example.org", "--database-url", url], monkeypatch,
                       stdin="a long admin password\n")
    assert code == 0
    assert run_command(["create-admin", "--email", "chair@example.org", "--database-url", url], monkeypatch,
                       stdin="another long password\n") == 1  # taken
    assert "already an account" in capsys.readouterr().err
    app = make_app()
    client = app.test_client()
    login(client, "chair@example.org", "a long admin password")
    assert client.get("/committee/users").status_code == 200


def test_db_upgrade_of_a_store_made_before_session_tokens_keeps_its_accounts(tmp_path, monkeypatch, make_app,
                                                                              capsys):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    old = Store(url, upgrade=False)
    upgrade(old.engine, "0001")
    with old.engine.begin() as connection:
        for email in ("chair@example.org", "second@example.org"):
            connection.execute(text("INSERT INTO users (email, password_hash, role, active, created_at) "
                                    "VALUES (:email, :hash, 'admin', 1, '2024-01-01 00:00:00')"),
                               {"email": email, "hash": generate_password_hash(PASSWORD)})
    old.dispose()
    assert run_command(["db", "upgrade", "--database-url", url], monkeypatch) == 0
    assert f"revision {head_revision()}" in capsys.readouterr().out
    with Store(url, upgrade=False).read() as session:
        tokens = [u.session_token for u in service.users(session)]
    assert len(set(tokens)) == 2 and all(len(t) >= 32 for t in tokens)

    app = make_app(DATABASE_AUTO_UPGRADE=False)  # the command did the upgrade
    client = app.test_client()
    login(client, "chair@example.org")
    copied = client.get_cookie("session").value
    assert client.get("/committee/users").status_code == 200
    assert client.post("/committee/logout").status_code == 302
    assert replay(app, copied).get("/committee/").status_code == 302


def test_load_publish_and_dump_commands(tmp_path, monkeypatch, capsys):
    conference = load_conference(TINY)
    timetable = solve(conference, SolveSettings(time_limit_s=5, workers=1)).timetable
    write_timetable(timetable, tmp_path / "timetable.csv")
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"

    assert run_command(["load", str(TINY), "--slug", "tiny", "--database-url", url], monkeypatch) == 0
    assert "loaded 'Tiny Test Conference' as tiny" in capsys.readouterr().out
    assert run_command(["publish", "tiny", "--database-url", url], monkeypatch) == 1  # no timetable yet
    assert "solve first" in capsys.readouterr().err
    assert run_command(["dump", "tiny", "--out", str(tmp_path / "dump"), "--database-url", url], monkeypatch) == 0
    assert load_conference(tmp_path / "dump") == as_stored(conference)
    assert not (tmp_path / "dump" / "timetable.csv").exists()

    assert run_command(["load", str(TINY), "--timetable", str(tmp_path / "timetable.csv"), "--publish",
                        "--database-url", url], monkeypatch) == 0
    assert "as tiny-test-conference and published version 1" in capsys.readouterr().out
    out = tmp_path / "v1"
    assert run_command(["dump", "tiny-test-conference", "--version", "1", "--out", str(out), "--database-url", url],
                       monkeypatch) == 0
    assert load_conference(out) == as_stored(conference)
    assert read_timetable(out / "timetable.csv", conference) == timetable
    assert run_command(["dump", "tiny", "--version", "1", "--out", str(tmp_path / "none"), "--database-url", url],
                       monkeypatch) == 1


def test_load_if_absent_recognises_a_conference_stored_under_its_own_slug(tmp_path, monkeypatch, capsys):
    """A conference.toml with `slug` is stored under that slug when no --slug is given; loading it again with
    --if-absent must find it there, not look under a slug of its name and store a second copy."""
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    toml = folder / "conference.toml"
    toml.write_text('slug = "tiny-2024"\n' + toml.read_text())
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert run_command(["load", str(folder), "--if-absent", "--database-url", url], monkeypatch) == 0
    assert "as tiny-2024" in capsys.readouterr().out
    assert run_command(["load", str(folder), "--if-absent", "--database-url", url], monkeypatch) == 0
    assert "'tiny-2024' is already in the store" in capsys.readouterr().out
    store = Store(url)
    with store.read() as session:
        assert [row.slug for row in service.list_conferences(session)] == ["tiny-2024"]
    store.dispose()
