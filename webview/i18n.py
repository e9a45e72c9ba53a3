"""Interface language: Flask-Babel with the locale picked from the browser's Accept-Language.

Only the interface is translated; session titles, abstracts and bios stay in the language they were written in
(templates mark them with their own `lang`). Catalogs live as `.po` files in webview/translations; the `.mo`
files Flask-Babel reads are compiled from them at app start with Babel's own API into the instance folder
(only when a `.po` is newer), so a fresh checkout or CI needs no extra build step and no binaries are committed.

To add a language (from the repository root): `pybabel init -i webview/translations/messages.pot
-d webview/translations -l de`, translate, and add "de" to the LANGUAGES setting. After changing the interface's
strings: the `pybabel extract` command at the top of webview/babel.cfg, then `pybabel update -i
webview/translations/messages.pot -d webview/translations -w 120`; tests/webview/test_web_i18n.py fails until
every string has its Italian translation.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, request
from flask_babel import Babel, format_date, get_locale

SOURCE_DIR = Path(__file__).parent / "translations"
DEFAULT_LANGUAGES = ("en", "it")


def compile_catalogs(source: Path, target: Path) -> list[Path]:
    """Compile every `<locale>/LC_MESSAGES/<domain>.po` under `source` into the same layout under `target`,
    skipping catalogs whose `.mo` is already newer; returns the files written."""
    written = []
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime_ns >= po.stat().st_mtime_ns:
            continue
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parts[-3])
        mo.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: several server processes (or test workers) may start at the same moment.
        tmp = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            write_mo(f, catalog)
        os.replace(tmp, mo)
        written.append(mo)
    return written


def select_locale() -> str:
    """The interface language: the browser's best match among the configured ones, else the default."""
    languages = current_app.config["LANGUAGES"]
    return request.accept_languages.best_match(languages) or languages[0]


def language_name(code: str) -> str:
    """The name of a session language in the interface language ("tedesco" for "de" in Italian)."""
    try:
        return Locale.parse(code).get_display_name(get_locale()) or code
    except (ValueError, UnknownLocaleError):
        return code


def language_label(code: str) -> str:
    """Name in the interface language and, when different, in the language itself: "ucraino (українська)",
    so an attendee finds their language whatever the interface language is."""
    name = language_name(code)
    try:
        own = Locale.parse(code).get_display_name(code)
    except (ValueError, UnknownLocaleError):
        own = None
    return f"{name} ({own})" if own and own.lower() != name.lower() else name


def day_name(day: date, style: str = "full") -> str:
    """A date in the interface language: "Friday, October 13, 2023", or short: "Fri 13 Oct"."""
    return format_date(day, "EEE d MMM" if style == "short" else "full")


def init_app(app: Flask) -> None:
    """Compile catalogs and set up Flask-Babel and the template helpers."""
    app.config.setdefault("LANGUAGES", DEFAULT_LANGUAGES)
    build_dir = Path(app.config.get("TRANSLATIONS_BUILD_DIR") or Path(app.instance_path) / "translations")
    compile_catalogs(SOURCE_DIR, build_dir)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(build_dir)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["LANGUAGES"][0])
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals.update(language_name=language_name, language_label=language_label, day_name=day_name)
