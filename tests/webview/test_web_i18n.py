"""Interface translations: catalogs compiled at start, and every interface string translated into Italian."""

from __future__ import annotations

import os
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from webview.i18n import SOURCE_DIR, compile_catalogs

WEBVIEW = Path(__file__).resolve().parents[2] / "webview"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}


def interface_strings() -> set[str | tuple[str, str]]:
    """Every msgid in the templates and Python of webview/, as pybabel extract with webview/babel.cfg finds them."""
    found = set()
    method_map = [("templates/**.html", "jinja2"), ("**.py", "python")]
    for _, _, message, _, _ in extract_from_dir(str(WEBVIEW), method_map, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_catalogs_compile_once_and_again_when_a_po_changes(tmp_path):
    source = tmp_path / "src"
    for locale in ("it", "en"):
        (source / locale / "LC_MESSAGES").mkdir(parents=True)
        (source / locale / "LC_MESSAGES" / "messages.po").write_bytes(
            (SOURCE_DIR / locale / "LC_MESSAGES" / "messages.po").read_bytes())
    target = tmp_path / "build"
    written = compile_catalogs(source, target)
    assert sorted(p.relative_to(target).as_posix() for p in written) == [
        "en/LC_MESSAGES/messages.mo", "it/LC_MESSAGES/messages.mo"]
    with (target / "it" / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        assert read_mo(f).get("My agenda").string == "Il mio programma"
    assert compile_catalogs(source, target) == []  # up to date: nothing rewritten

    po = source / "it" / "LC_MESSAGES" / "messages.po"
    later = (target / "it" / "LC_MESSAGES" / "messages.mo").stat().st_mtime + 5
    os.utime(po, (later, later))
    assert [p.parent.parent.name for p in compile_catalogs(source, target)] == ["it"]


def test_every_interface_string_has_an_italian_translation():
    with (SOURCE_DIR / "it" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="it")
    strings = interface_strings()
    assert "My agenda" in strings and ("%(num)d seat", "%(num)d seats") in strings  # the extraction works
    missing = []
    for msgid in strings:
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        message = catalog.get(key)
        translated = message is not None and not message.fuzzy and (
            all(message.string) if isinstance(message.string, tuple) else bool(message.string))
        if not translated:
            missing.append(msgid)
    assert not missing, f"translate these in webview/translations/it/LC_MESSAGES/messages.po: {missing}"


def test_english_catalog_exists_so_english_is_an_explicit_choice():
    with (SOURCE_DIR / "en" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        assert read_po(f, locale="en").locale.language == "en"
