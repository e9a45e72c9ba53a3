"""The store: lossless round trips (documents, conference folders, uploads and downloads), upload validation and
safe zip extraction, migrations, and what the public site sees of it."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from committee_support import (
    ROME,
    SHARED_FORMATS,
    TINY,
    as_stored,
    conference_zip,
    folder_zip_bytes,
    login,
    published_conference,
    slug_from,
    upload,
)
from factories import at, make_conference, make_day, make_room, make_session, make_speaker, window
from sqlalchemy import select

from scheduler.domain import Assignment, Attendee, Day, InterpreterTeam, Timetable, Weights, Window
from scheduler.errors import InputError
from scheduler.folder import normalise, write_folder
from scheduler.frab import schedule_xml
from scheduler.ical import session_uid
from scheduler.loader import load_conference
from scheduler.pretalx import submission_code
from webview.migrations import current_revision, downgrade, head_revision, upgrade
from webview.store import StoreSource, service
from webview.store.db import Store
from webview.store.documents import (
    DocumentError,
    conference_from_document,
    conference_to_document,
    timetable_from_document,
    timetable_to_document,
)
from webview.store.models import Base, ConferenceRow, DraftRevision
from webview.store.uploads import ZipLimits, extract_zip


def odd_conference():
    """Edge cases of the format: a night period across midnight, the autumn daylight-saving night, a speaker with
    only preferred windows, interpreter teams with and without windows, non-default weights, ids with '/', texts
    with commas, quotes, newlines and non-Latin scripts."""
    autumn = date(2023, 10, 28)  # Europe/Rome falls back in the night to the 29th
    night = Window(at("20:00", autumn), at("02:00", autumn + timedelta(1)))
    days = (Day(autumn, (window("09:00", "12:00", autumn), night)), make_day("09:00-13:00", day=autumn + timedelta(1)))
    speakers = (make_speaker("sp1", name="Ольга, \"Оля\" Петренко", languages=frozenset({"en", "it"}),
                             preferred=(window("09:00", "10:00", autumn),)),
                make_speaker("sp2", bio="Line one\nline two", availability=(window("20:00", "23:00", autumn),)))
    sessions = (make_session("A/1", 60, ("sp1",), abstract="عن السلام", interpretation=frozenset({"it"}),
                             language="en", fixed_start=window("09:00", "10:00", autumn).start),
                make_session("B", 45, ("sp2",), after=("A/1",), track="night", plenary=True, priority=3,
                             needs=frozenset({"stage"})))
    conference = make_conference(sessions, rooms=[make_room("R1", features=frozenset({"stage"}), booths=1)],
                                 speakers=speakers, days=days, granularity_min=15, changeover_min=5,
                                 weights=Weights(attendee_conflict=3, moved=77), interpreters_limited=True,
                                 interpreters=(InterpreterTeam("t1", ("en", "it"), (window("09:00", "12:00", autumn),
                                                                                    window("20:00", "23:00", autumn))),
                                               InterpreterTeam("t2", ("en", "it"))))
    return replace(conference, attendees=(Attendee("a1", frozenset({"it"}), ("B", "A/1")),))


@pytest.mark.parametrize("source", ["rome", "tiny", "odd"])
def test_documents_round_trip_every_conference_exactly(source):
    conference = {"rome": lambda: load_conference(ROME), "tiny": lambda: load_conference(TINY),
                  "odd": odd_conference}[source]()
    document = json.loads(json.dumps(conference_to_document(conference)))  # what the database keeps
    back = conference_from_document(document)
    assert back == conference
    assert conference_to_document(back) == document


def test_a_document_of_another_schema_or_shape_is_refused():
    document = conference_to_document(load_conference(TINY))
    with pytest.raises(DocumentError, match="schema"):
        conference_from_document({**document, "schema": 99})
    with pytest.raises(DocumentError, match="unknown Conference field"):
        conference_from_document({**document, "colour": "red"})
    with pytest.raises(DocumentError, match="expected int"):
        conference_from_document({**document, "granularity_min": "15"})


def test_timetable_documents_keep_every_instant():
    conference = load_conference(TINY)
    timetable = Timetable((Assignment("s1", "sala1", at("14:30"), at("16:00")),), ("s3",))
    document = json.loads(json.dumps(timetable_to_document(timetable)))
    assert timetable_from_document(document, conference.timezone) == timetable.sorted()


@pytest.mark.parametrize("source", ["tiny", "odd"])
def test_the_folder_writer_is_the_loaders_exact_inverse(source, tmp_path):
    conference = load_conference(TINY) if source == "tiny" else odd_conference()
    folder = write_folder(conference, tmp_path / "out")
    assert load_conference(folder) == conference
    assert normalise(conference) == conference


@pytest.mark.parametrize("source", [ROME, TINY], ids=["rome", "tiny"])
def test_upload_then_download_gives_back_the_same_conference(source, editor, tmp_path):
    """The committee's round trip: a conference folder uploaded as a zip, stored, downloaded as a zip: the loader
    reads the download as exactly the conference that was uploaded, and re-uploading it stores the same document."""
    response = upload(editor, folder_zip_bytes(source), "conference.zip")
    assert response.status_code == 302
    slug = slug_from(response)
    download = editor.get(f"/committee/c/{slug}/export.zip")
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        archive.extractall(tmp_path / "download")
    assert load_conference(tmp_path / "download" / slug) == as_stored(load_conference(source))

    again = slug_from(upload(editor, download.data, "again.zip"))
    assert again != slug
    store = editor.application.extensions["agenda.store"]
    with store.read() as session:
        first, second = (session.scalar(select(ConferenceRow.document).where(ConferenceRow.slug == s))
                         for s in (slug, again))
    assert first == second


def workbook_of(folder, path):
    """The conference folder as one .xlsx workbook (docs/format.md, "One workbook instead of a folder")."""
    toml = load_conference(folder)
    settings = [("name", toml.name), ("timezone", toml.timezone), ("granularity_min", toml.granularity_min),
                ("languages", ";".join(toml.languages)), ("changeover_min", toml.changeover_min)]
    settings += [(f"weight.{k}", v) for k, v in vars(toml.weights).items()]
    days = [(d.date.isoformat(), ";".join(f"{p.start:%H:%M}-{p.end:%H:%M}" for p in d.periods)) for d in toml.days]
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame(settings, columns=["key", "value"]).to_excel(writer, sheet_name="conference", index=False)
        pd.DataFrame(days, columns=["date", "open"]).to_excel(writer, sheet_name="days", index=False)
        for table in ("rooms", "speakers", "sessions", "availability", "attendees", "interpreters"):
            frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
            frame.to_excel(writer, sheet_name=table, index=False)
    return path


def test_a_workbook_upload_stores_the_conference_it_describes(editor, store, tmp_path):
    path = workbook_of(TINY, tmp_path / "tiny.xlsx")
    response = upload(editor, path.read_bytes(), "tiny.xlsx")
    assert response.status_code == 302, response.get_data(as_text=True)
    with store.read() as session:
        draft = service.load_draft(session, slug_from(response))
    assert draft.conference == as_stored(load_conference(TINY))
    assert draft.timetable is None


def test_a_frab_xml_upload_keeps_the_published_times_as_the_draft_timetable(editor, store):
    conference = make_conference([make_session("A"), make_session("B", 90)], rooms=[make_room("R1"),
                                                                                     make_room("R2")])
    published = Timetable((Assignment("A", "R1", at("09:00"), at("10:00")),
                           Assignment("B", "R2", at("09:00"), at("10:30"))))
    response = upload(editor, schedule_xml(conference, published), "schedule.xml")
    assert response.status_code == 302, response.get_data(as_text=True)
    with store.read() as session:
        draft = service.load_draft(session, slug_from(response))
    assert {s.title for s in draft.conference.sessions} == {"Session A", "Session B"}
    assert sorted((a.start, a.end) for a in draft.timetable.assignments) == sorted(
        (a.start, a.end) for a in published.assignments)


def test_a_pretalx_json_upload_keeps_submission_codes_and_shows_the_importers_notes(editor, store):
    data = (SHARED_FORMATS / "pretalx-democon.json").read_bytes()
    response = upload(editor, data, "schedule.json")
    assert response.status_code == 302, response.get_data(as_text=True)
    page = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert "UTC offset" in page  # the importer's note about the file's zone, flashed
    with store.read() as session:
        draft = service.load_draft(session, slug_from(response))
    expected = json.loads(data)["schedule"]["conference"]["days"][0]["rooms"]
    codes = {submission_code(e) for events in expected.values() for e in events}
    assert codes and codes <= set(draft.conference.session_by_id)
    assert len(draft.timetable.assignments) == len(draft.conference.sessions)


def test_a_bad_timetable_in_an_uploaded_zip_is_named_as_in_the_zip(editor, store, tmp_path):
    folder = write_folder(load_conference(TINY), tmp_path / "with-timetable")
    (folder / "timetable.csv").write_text("session_id,room_id,start,end\n"
                                          "nobody,aula,2023-10-13T09:30,2023-10-13T10:30\n")
    page = upload(editor, folder_zip_bytes(folder), "programme.zip").get_data(as_text=True)
    assert "timetable.csv:2:session_id" in page  # not the temporary folder the zip was unpacked into
    assert "/tmp" not in page and str(tmp_path) not in page


def test_an_invalid_upload_lists_every_problem_and_stores_nothing(editor, store, tmp_path):
    folder = write_folder(load_conference(TINY), tmp_path / "broken")
    sessions = (folder / "sessions.csv").read_text().replace(",90,sp2,", ",ninety,sp2,").replace(
        ",45,sp3,", ",45,nobody,")
    (folder / "sessions.csv").write_text(sessions)
    response = upload(editor, folder_zip_bytes(folder), "broken.zip")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "sessions.csv:3:duration_min" in page and "sessions.csv:4:speakers" in page
    assert "nothing was stored" in page
    with store.read() as session:
        assert session.scalars(select(ConferenceRow)).all() == []


def test_an_unknown_file_type_is_refused(editor):
    response = upload(editor, b"hello", "notes.txt")
    assert response.status_code == 422
    assert "unsupported file type" in response.get_data(as_text=True)


def test_an_upload_over_the_size_limit_is_refused_before_reading(make_app, accounts, store):
    app = make_app(MAX_CONTENT_LENGTH=20_000)
    client = app.test_client()
    login(client, accounts["editor"])
    data = folder_zip_bytes(ROME)
    assert len(data) > 20_000
    response = upload(client, data, "rome.zip")
    assert response.status_code == 413
    assert "larger than" in response.get_data(as_text=True)
    with store.read() as session:
        assert session.scalars(select(ConferenceRow)).all() == []


# ---- zips from outside


def _zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buffer.getvalue()


def _tiny_entries(top: str = "tiny/") -> list[tuple[str, bytes]]:
    return [(f"{top}{p.name}", p.read_bytes()) for p in sorted(TINY.iterdir())]


def test_zip_members_that_climb_out_or_link_are_refused_and_nothing_lands_outside(tmp_path):
    link = zipfile.ZipInfo("tiny/link.csv")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive = tmp_path / "evil.zip"
    archive.write_bytes(_zip([*_tiny_entries(), ("../escaped.txt", b"x"), ("/abs.txt", b"x"), (link, b"/etc/passwd")]))
    with pytest.raises(InputError) as caught:
        extract_zip(archive, tmp_path / "target")
    messages = [p.message for p in caught.value.problems]
    assert any("../escaped.txt" in m and "outside" in m for m in messages)
    assert any("/abs.txt" in m and "absolute" in m for m in messages)
    assert any("link.csv" in m and "symbolic link" in m for m in messages)
    assert not (tmp_path / "escaped.txt").exists()
    assert not list((tmp_path / "target").rglob("link.csv"))


def test_a_zip_bomb_is_stopped_at_the_cap_whatever_its_headers_say(tmp_path):
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(_zip([*_tiny_entries(), ("tiny/notes.txt", b"0" * 2_000_000)]))  # compresses to ~2 KB
    assert archive.stat().st_size < 20_000
    with pytest.raises(InputError, match="larger than allowed once uncompressed"):
        extract_zip(archive, tmp_path / "target", ZipLimits(max_member_bytes=1_000_000, max_total_bytes=1_500_000))
    assert all(p.stat().st_size <= 1_000_000 for p in (tmp_path / "target").rglob("*") if p.is_file())


def test_too_many_members_or_no_conference_folder_are_reported(tmp_path):
    many = tmp_path / "many.zip"
    many.write_bytes(_zip([(f"f{i}.txt", b"") for i in range(30)]))
    with pytest.raises(InputError, match="holds 30 files"):
        extract_zip(many, tmp_path / "a", ZipLimits(max_members=20))
    empty = tmp_path / "empty.zip"
    empty.write_bytes(_zip([("readme.txt", b"hi")]))
    with pytest.raises(InputError, match="no conference.toml"):
        extract_zip(empty, tmp_path / "b")
    not_zip = tmp_path / "fake.zip"
    not_zip.write_bytes(b"PK not really")
    with pytest.raises(InputError, match="not a readable .zip"):
        extract_zip(not_zip, tmp_path / "c")


def test_archiver_clutter_is_ignored(tmp_path):
    archive = tmp_path / "mac.zip"
    archive.write_bytes(_zip([*_tiny_entries("tiny/"), ("__MACOSX/tiny/._rooms.csv", b"junk"),
                              ("tiny/.DS_Store", b"junk")]))
    folder = extract_zip(archive, tmp_path / "t")
    assert load_conference(folder) == load_conference(TINY)


# ---- the database


def test_migrations_build_exactly_the_models_schema_and_go_both_ways(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    assert current_revision(store.engine) == head_revision()
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                Base.metadata) == []
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    downgrade(store.engine, "base")
    assert current_revision(store.engine) is None
    upgrade(store.engine)
    assert current_revision(store.engine) == head_revision()
    store.dispose()


def test_every_draft_save_is_kept_in_the_history(store):
    conference = make_conference([make_session("A")])
    with store.write() as session:
        row = service.create_conference(session, conference, None, by="a@example.org")
        service.save_draft(session, row.slug, 1, replace(conference, name="Renamed"), None, summary="renamed",
                           by="b@example.org")
    with store.read() as session:
        history = session.scalars(select(DraftRevision).order_by(DraftRevision.lock_version)).all()
        assert [(r.lock_version, r.saved_by, r.summary) for r in history] == [
            (1, "a@example.org", "imported"), (2, "b@example.org", "renamed")]
        assert conference_from_document(history[0].document) == as_stored(conference)


def test_a_renamed_or_slugless_upload_keeps_the_identity_feeds_use_and_an_explicit_slug_wins(store):
    conference = load_conference(TINY)  # no slug: its UIDs are SESSION@tiny-test-conference
    with store.write() as session:
        row = service.create_conference(session, conference, None, by="a@example.org")
        service.save_draft(session, row.slug, 1, replace(conference, name="Tiny Test Conference (fixed)"), None,
                           summary="typo", by="a@example.org")
        renamed = service.load_draft(session, row.slug).conference
        service.save_draft(session, row.slug, 2, replace(conference, slug="tiny-2023"), None, summary="slug",
                           by="a@example.org")
        chosen = service.load_draft(session, row.slug).conference
    assert (renamed.name, renamed.identity) == ("Tiny Test Conference (fixed)", "tiny-test-conference")
    assert session_uid(renamed, "s1") == session_uid(conference, "s1") == "s1@tiny-test-conference"
    assert chosen.identity == "tiny-2023"


# ---- what the public site sees


def test_the_public_source_shows_only_published_versions(store, editor, tmp_path):
    source = StoreSource(store)
    conference, versions = source.load()
    assert versions == () and conference.sessions == ()

    slug = slug_from(upload(editor, conference_zip(make_conference([make_session("A")]), tmp_path), "c.zip"))
    before = source.fingerprint()
    conference, versions = source.load()
    assert versions == () and conference.sessions == ()  # a draft is never public
    assert conference.name == "Test conference"

    with store.write() as session:
        draft = service.load_draft(session, slug)
        version = service.save_draft(session, slug, draft.lock_version, draft.conference,
                                     Timetable((Assignment("A", "R1", at("09:00"), at("10:00")),)),
                                     summary="placed", by="t")
        service.publish(session, slug, version, by="t")
        service.save_draft(session, slug, version, replace(draft.conference, name="Secret new name"),
                           Timetable((Assignment("A", "R1", at("10:00"), at("11:00")),)), summary="later", by="t")
    assert source.fingerprint() != before
    conference, versions = source.load()
    assert [v.number for v in versions] == [1]
    assert conference.name == "Test conference"
    assert versions[0].timetable.by_session["A"].start == at("09:00")


def test_a_workbook_that_would_unpack_beyond_the_cap_is_refused_unread(editor, make_app, accounts, store, tmp_path):
    path = workbook_of(TINY, tmp_path / "tiny.xlsx")
    app = make_app(UPLOAD_ZIP_MAX_BYTES=5_000)
    client = app.test_client()
    login(client, accounts["editor"])
    response = upload(client, path.read_bytes(), "tiny.xlsx")
    assert response.status_code == 422
    assert "unpacks to" in response.get_data(as_text=True)
    with store.read() as session:
        assert session.scalars(select(ConferenceRow)).all() == []


def test_the_store_sites_links_name_the_base_url_and_other_hosts_are_refused(make_app, store):
    published_conference(store, "Hosts")
    client = make_app(BASE_URL="https://agenda.example.org").test_client()
    for path in ("/feeds/", "/feeds/conference.ics", "/schedule.json"):
        assert client.get(path, headers={"Host": "evil.example"}).status_code == 400, path
    feed = client.get("/feeds/conference.ics", headers={"Host": "agenda.example.org"})
    assert feed.status_code == 200
    assert "URL:https://agenda.example.org/session/A" in feed.get_data(as_text=True)


def test_the_url_slug_follows_the_conferences_own_slug_unless_one_is_given(store):
    conference = replace(load_conference(TINY), slug="tiny-2023")
    with store.write() as session:
        own = service.create_conference(session, conference, None, by="a@example.org").slug
        given = service.create_conference(session, conference, None, by="a@example.org", slug="other").slug
        unnamed = service.create_conference(session, load_conference(TINY), None, by="a@example.org").slug
    assert (own, given, unnamed) == ("tiny-2023", "other", "tiny-test-conference")
