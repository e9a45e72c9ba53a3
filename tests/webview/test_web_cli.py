"""`agenda serve`: argument parsing, the default timetable, a real waitress server, and input errors reported
by `agenda` before anything listens."""

from __future__ import annotations

import argparse
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from web_sample import DAY1, at
from web_server import LiveServer

from scheduler import cli as agenda_cli
from scheduler.domain import Assignment, Timetable
from scheduler.errors import InputError
from scheduler.timetable_io import write_timetable
from webview import cli

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="agenda")
    cli.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


@pytest.fixture(autouse=True)
def environment(tmp_path, monkeypatch):
    """Settings from the environment, as a deployment gives them; they also keep the repository's instance
    folder out of the tests."""
    monkeypatch.setenv("AGENDA_SECRET_KEY", "cli-test-key")
    monkeypatch.setenv("AGENDA_TRANSLATIONS_BUILD_DIR", str(tmp_path / "translations"))


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "tiny"
    shutil.copytree(TINY, target)
    return target


def test_serve_arguments_and_defaults():
    args = parse(["serve"])
    assert (args.conference, args.host, args.port, args.timetable, args.func) == (
        ".", "127.0.0.1", cli.DEFAULT_PORT, None, cli.run_serve)
    args = parse(["serve", "data/x", "--host", "0.0.0.0", "--port", "9000", "--timetable", "t.csv",
                  "--base-url", "https://a.example.org"])
    assert (args.conference, args.host, args.port, args.timetable, args.base_url) == (
        "data/x", "0.0.0.0", 9000, "t.csv", "https://a.example.org")


def test_timetable_defaults_to_the_folders_own(folder):
    assert cli.timetable_path(folder, None) is None
    (folder / "timetable.csv").write_text("session_id,room_id,start,end\n", encoding="utf-8")
    assert cli.timetable_path(folder, None) == folder / "timetable.csv"
    assert cli.timetable_path(folder, "other.csv") == Path("other.csv")


def test_serve_runs_a_real_server(folder, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AGENDA_BASE_URL", "https://agenda.example.org")
    csv = tmp_path / "timetable.csv"
    write_timetable(Timetable((Assignment("open", "aula", at(DAY1, "09:30"), at(DAY1, "10:30")),)), csv)
    live = LiveServer(cli.make_server(parse(["serve", str(folder), "--port", "0", "--timetable", str(csv)])))
    try:
        base = live.url
        printed = capsys.readouterr()
        assert f"serving 'Tiny Test Conference' at {base}/" in printed.out
        assert "calendar feeds have no history here" in printed.err
        with urllib.request.urlopen(f"{base}/day/2023-10-13") as response:
            assert response.status == 200 and "Opening plenary" in response.read().decode()
        with urllib.request.urlopen(f"{base}/feeds/conference.ics") as response:
            assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
            assert b"BEGIN:VEVENT" in response.read()
        with urllib.request.urlopen(f"{base}/schedule.json") as response:
            assert response.status == 200
        with urllib.request.urlopen(f"{base}/speaker/sp1") as response:
            assert "webcal://agenda.example.org/feeds/speaker/sp1.ics" in response.read().decode()
    finally:
        live.close()
    assert (tmp_path / "translations" / "it" / "LC_MESSAGES" / "messages.mo").is_file()


@pytest.mark.parametrize(("argv", "warned"), [
    (["--host", "0.0.0.0"], True),
    (["--host", "0.0.0.0", "--base-url", "https://agenda.example.org"], False),
    (["--host", "127.0.0.1"], False),
    (["--host", "localhost"], False),
])
def test_serving_the_store_on_a_public_address_without_a_base_url_warns(argv, warned, tmp_path, capsys,
                                                                        monkeypatch):
    """Without a base URL, links take the host each request names: fine on loopback, forgeable elsewhere."""
    monkeypatch.delenv("AGENDA_BASE_URL", raising=False)
    monkeypatch.delenv("AGENDA_TRUSTED_HOSTS", raising=False)
    server = cli.make_server(parse(["serve", "--database-url", f"sqlite:///{tmp_path / 'store.sqlite3'}",
                                    "--port", "0", *argv]))
    server.close()
    assert ("without a base URL" in capsys.readouterr().err) == warned


def test_a_base_url_makes_serve_refuse_other_hosts(folder, monkeypatch):
    monkeypatch.setenv("AGENDA_BASE_URL", "https://agenda.example.org")
    live = LiveServer(cli.make_server(parse(["serve", str(folder), "--port", "0"])))
    try:
        forged = urllib.request.Request(f"{live.url}/feeds/", headers={"Host": "evil.example"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged)
        assert refused.value.code == 400
    finally:
        live.close()


def test_broken_conference_stops_serve_before_it_listens(folder):
    (folder / "rooms.csv").write_text("room_id,name,capacity\naula,Aula,many\n", encoding="utf-8")
    with pytest.raises(InputError):
        cli.make_server(parse(["serve", str(folder), "--port", "0"]))


def test_agenda_reports_input_problems_with_exit_code_2(folder, capsys, monkeypatch):
    # What `agenda serve` does once webview.cli is in scheduler.cli.COMMAND_MODULES.
    monkeypatch.setattr(agenda_cli, "COMMAND_MODULES", ["webview.cli"])
    (folder / "rooms.csv").write_text("room_id,name,capacity\naula,Aula,many\n", encoding="utf-8")
    assert agenda_cli.main(["serve", str(folder), "--port", "0"]) == agenda_cli.EXIT_BAD_INPUT
    assert "rooms.csv:2:capacity" in capsys.readouterr().err


def test_run_serve_serves_until_the_server_stops(monkeypatch):
    calls = []

    class FakeServer:
        def run(self):
            calls.append("run")

        def close(self):
            calls.append("close")

    monkeypatch.setattr(cli, "make_server", lambda args: FakeServer())
    assert cli.run_serve(parse(["serve"])) == 0
    assert calls == ["run", "close"]
