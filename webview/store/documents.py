"""Conferences and timetables as JSON documents: the form in which the store keeps every draft, run and version.

A document is the domain dataclasses written out field by field, driven by their type hints, so a field added to
`scheduler.domain` with a default is stored without touching this module, and a document written before that
field existed still reads (the default fills in). `SCHEMA_VERSION` is stored in every document; a document from an
unknown schema is refused rather than guessed at.

Losslessness: sets are written sorted (their order carries no meaning), tuples in order, datetimes as ISO 8601
with their UTC offset and read back into the conference's zone, so `conference_from_document(
conference_to_document(c)) == c` for every conference, and the document of equal conferences is identical.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.domain import Conference, Timetable

SCHEMA_VERSION = 1
SCHEMA_KEY = "schema"


class DocumentError(ValueError):
    """A stored document that does not describe a conference or timetable of the schema we read."""


def conference_to_document(conference: Conference) -> dict[str, Any]:
    """The conference as plain JSON data, with the schema version."""
    return {SCHEMA_KEY: SCHEMA_VERSION, **_encode(conference)}


def conference_from_document(document: dict[str, Any]) -> Conference:
    """The conference a document describes; raises `DocumentError` for another schema or a malformed document."""
    _check_schema(document)
    body = {k: v for k, v in document.items() if k != SCHEMA_KEY}
    try:
        zone = ZoneInfo(body["timezone"])
        return _decode(Conference, body, zone)
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentError(f"not a conference document: {err}") from err


def timetable_to_document(timetable: Timetable) -> dict[str, Any]:
    """The timetable as plain JSON data (sorted, so equal timetables give equal documents)."""
    return {SCHEMA_KEY: SCHEMA_VERSION, **_encode(timetable.sorted())}


def timetable_from_document(document: dict[str, Any], timezone: str) -> Timetable:
    """The timetable a document describes, its times in `timezone` (the conference's)."""
    _check_schema(document)
    body = {k: v for k, v in document.items() if k != SCHEMA_KEY}
    try:
        return _decode(Timetable, body, ZoneInfo(timezone))
    except (KeyError, TypeError, ValueError) as err:
        raise DocumentError(f"not a timetable document: {err}") from err


def _check_schema(document: Any) -> None:
    if not isinstance(document, dict):
        raise DocumentError("a document must be a JSON object")
    if document.get(SCHEMA_KEY) != SCHEMA_VERSION:
        raise DocumentError(f"document schema {document.get(SCHEMA_KEY)!r} is not {SCHEMA_VERSION}, the one this "
                            "version of agenda reads")


# ---------------------------------------------------------------------------------------------------------------
# Encoding by value, decoding by type hint


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise DocumentError(f"naive datetime {value.isoformat()} cannot be stored")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(_encode(v) for v in value)
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise DocumentError(f"cannot store a {type(value).__name__}")


@cache
def _hints(cls: type) -> dict[str, Any]:
    # The domain module uses `from __future__ import annotations`: resolve the strings once per class.
    return typing.get_type_hints(cls)


def _decode(cls: Any, data: Any, zone: ZoneInfo) -> Any:
    origin, args = typing.get_origin(cls), typing.get_args(cls)
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _decode(inner, data, zone)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], item, zone) for item in _list(data))
        items = _list(data)
        if len(items) != len(args):
            raise ValueError(f"expected {len(args)} items, got {len(items)}")
        return tuple(_decode(a, item, zone) for a, item in zip(args, items, strict=True))
    if origin is frozenset:
        return frozenset(_decode(args[0], item, zone) for item in _list(data))
    if dataclasses.is_dataclass(cls):
        if not isinstance(data, dict):
            raise ValueError(f"{cls.__name__} must be an object")
        names = {f.name for f in dataclasses.fields(cls) if f.init}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown {cls.__name__} field(s) {sorted(unknown)}")
        hints = _hints(cls)
        return cls(**{name: _decode(hints[name], value, zone) for name, value in data.items()})
    if cls is datetime:
        moment = datetime.fromisoformat(_typed(data, str))
        if moment.tzinfo is None:
            raise ValueError(f"datetime {data!r} has no UTC offset")
        return moment.astimezone(zone)
    if cls is date:
        return date.fromisoformat(_typed(data, str))
    if cls is bool:
        return _typed(data, bool)
    if cls is int:
        if isinstance(data, bool):
            raise ValueError(f"expected a whole number, got {data!r}")
        return _typed(data, int)
    if cls is str:
        return _typed(data, str)
    raise ValueError(f"cannot read type {cls!r}")


def _list(data: Any) -> list:
    if not isinstance(data, list):
        raise ValueError(f"expected a list, got {type(data).__name__}")
    return data


def _typed(data: Any, kind: type) -> Any:
    if not isinstance(data, kind):
        raise ValueError(f"expected {kind.__name__}, got {data!r}")
    return data
