"""Interface language: Flask-Babel with the locale the visitor picked (`?lang=it`, from the switcher in the header,
kept by the site's links and forms), else the best match for the browser's Accept-Language. The locale carries
the reader's region when the browser names one for that language (`en_GB`), so dates are written as they read
them; the words still come from the language's catalog (gettext falls back from `en_GB` to `en`).

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
from urllib.parse import urlencode

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, format_date, get_locale
from markupsafe import Markup, escape

SOURCE_DIR = Path(__file__).parent / "translations"
DEFAULT_LANGUAGES = ("en", "it")
LANG_PARAM = "lang"  # ?lang=it picks the interface language
PAGES_ELSEWHERE = frozenset({"feeds.index"})  # HTML pages outside the public blueprint (their links keep ?lang=)
NOT_PAGES = frozenset({"public.service_worker"})


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
    """The formatting locale: the interface language (`_picked_language`), with the region the browser names
    for that language when Babel can format it ("en_GB" for `Accept-Language: en-GB`), else the language alone.
    Without the region an English reader in London or Sydney would read US dates ("October 13")."""
    language = _picked_language()
    return _with_region(language) or language


def _picked_language() -> str:
    """The interface language: the one the visitor picked (`?lang=it`, carried on by the site's own links), else
    the browser's best match among the configured ones, else the default. Picking matters at a multilingual
    conference: a phone set to one language, or a shared computer at the venue, is often not what its reader
    reads best. A query parameter rather than a cookie keeps pages cacheable by URL (no `Vary: Cookie`)."""
    languages = current_app.config["LANGUAGES"]
    return chosen_language() or request.accept_languages.best_match(languages) or languages[0]


def _with_region(language: str) -> str | None:
    """`language` with the region of the browser's most preferred Accept-Language entry for it that names one
    ("en_GB" from "en-GB,en;q=0.9" or from "it,en-GB;q=0.5" when English was picked), when Babel knows that
    locale. Entries of other languages do not count: an Italian page for a British browser keeps Italian dates."""
    for tag, _quality in request.accept_languages:  # most preferred first
        region = _region_of(tag, language)
        if region:
            return region
    return None


def _region_of(tag: str, language: str) -> str | None:
    """"en_GB" for the tag "en-GB" and the language "en"; None for a tag of another language, without a region,
    or that Babel cannot format ("en-XX", "*", BCP 47 extensions such as "-u-ca-...")."""
    try:
        locale = Locale.parse(tag.replace("_", "-"), sep="-")  # some clients write "en_GB"
        if locale.language != language or not locale.territory:
            return None
        # Language and region only: gettext falls back from "en_GB" to the `en` catalog, not from a script variant.
        return str(Locale(language, locale.territory))
    except (ValueError, UnknownLocaleError):
        return None


def interface_language() -> str:
    """The configured interface language of this request ("en" when dates are formatted as en_GB): the one the
    switcher marks as current and the page's `lang`, since every word on it comes from that catalog."""
    locale = get_locale()
    return locale.language if locale.language in current_app.config["LANGUAGES"] else str(locale)


def chosen_language() -> str | None:
    """The interface language named by the request's `?lang=`, when it is one of the configured ones."""
    chosen = request.args.get(LANG_PARAM) if has_request_context() else None
    return chosen if chosen in current_app.config["LANGUAGES"] else None


def keep_language() -> Markup:
    """A hidden field for GET forms (a form replaces its action's query), so a picked language survives them."""
    chosen = chosen_language()
    return Markup('<input type="hidden" name="{}" value="{}">').format(LANG_PARAM, chosen) if chosen else Markup()


def language_choices() -> list[dict]:
    """The interface languages for the switcher: code, own name ("italiano"), this page in that language, and
    whether it is the current one."""
    current = interface_language()
    args = [(k, v) for k, v in request.args.items(multi=True) if k != LANG_PARAM]
    return [{"code": code, "name": own_language_name(code), "current": code == current,
             "url": f"{request.path}?{urlencode([*args, (LANG_PARAM, code)])}"}
            for code in current_app.config["LANGUAGES"]]


def _is_page(endpoint: str | None) -> bool:
    return bool(endpoint) and (endpoint.startswith("public.") or endpoint in PAGES_ELSEWHERE) and \
        endpoint not in NOT_PAGES


def _keep_language(endpoint: str | None, values: dict) -> None:
    """Links from a page viewed with ?lang= to the other pages keep it. Only pages: feeds, the API and files do not
    depend on the interface language, so their URLs (and the links inside them) stay the same for everyone."""
    if LANG_PARAM not in values and _is_page(endpoint) and has_request_context() and _is_page(request.endpoint):
        chosen = chosen_language()
        if chosen:
            values[LANG_PARAM] = chosen


def own_language_name(code: str) -> str:
    """A language's name in itself ("українська")."""
    try:
        return Locale.parse(code).get_display_name(code) or code
    except (ValueError, UnknownLocaleError):
        return code


def language_name(code: str) -> str:
    """The name of a session language in the interface language ("tedesco" for "de" in Italian)."""
    try:
        return Locale.parse(code).get_display_name(get_locale()) or code
    except (ValueError, UnknownLocaleError):
        return code


def language_label(code: str) -> str:
    """Name in the interface language and, when different, in the language itself: "ucraino (українська)",
    so an attendee finds their language whatever the interface language is."""
    name, own = _names(code)
    return f"{name} ({own})" if own else name


def language_label_html(code: str) -> Markup:
    """`language_label` for HTML text: the name in the language itself is marked with its `lang`, so that a
    screen reader reads "tedesco" in Italian and "Deutsch" in German."""
    name, own = _names(code)
    if not own:
        return escape(name)
    return Markup('{} (<span lang="{}">{}</span>)').format(name, code, own)


def _names(code: str) -> tuple[str, str | None]:
    """(name in the interface language, name in the language itself when it differs)."""
    name = language_name(code)
    own = own_language_name(code)
    return name, (own if own and own != code and own.lower() != name.lower() else None)


def day_name(day: date, style: str = "full") -> str:
    """A date as the reader writes it: "Friday, 13 October 2023" in en_GB, "Friday, October 13, 2023" in en_US;
    short: "Fri 13 Oct", "Fri, Oct 13". The short form is a CLDR skeleton (weekday, day, abbreviated month), not a
    pattern, so each locale puts the parts in its own order."""
    if style == "short":
        return format_skeleton("MMMEd", day, locale=get_locale())
    return format_date(day, "full")


def init_app(app: Flask) -> None:
    """Compile catalogs and set up Flask-Babel and the template helpers."""
    app.config.setdefault("LANGUAGES", DEFAULT_LANGUAGES)
    build_dir = Path(app.config.get("TRANSLATIONS_BUILD_DIR") or Path(app.instance_path) / "translations")
    compile_catalogs(SOURCE_DIR, build_dir)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(build_dir)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["LANGUAGES"][0])
    Babel(app, locale_selector=select_locale)
    app.url_defaults(_keep_language)
    app.jinja_env.globals.update(language_name=language_name, language_label=language_label, day_name=day_name,
                                 language_label_html=language_label_html,
                                 language_choices=language_choices, keep_language=keep_language)
