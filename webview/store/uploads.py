"""What a committee may upload, read into a conference (and, for published schedules, their published times).

Accepted: a conference workbook (.xlsx), a .zip of a conference folder (optionally with the `timetable.csv` our
own export adds), a frab `schedule.xml`/`schedule.json`, or a pretalx `schedule.json`. Everything is read with
the scheduler's loaders, so every problem comes back at once as an `InputError`, and nothing reaches the store
until the whole upload is valid.

A zip comes from outside: it is extracted member by member with caps on the number of members and on the bytes
actually written (a zip bomb's headers lie about sizes), and any member whose path is absolute, climbs out with
`..`, is a link or is encrypted is refused, so nothing is written outside a fresh temporary folder.
"""

from __future__ import annotations

import json
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from scheduler.domain import Conference, Timetable
from scheduler.errors import InputError, Problem
from scheduler.folder import TIMETABLE_FILE, normalise
from scheduler.frab import read_frab
from scheduler.loader import CONFERENCE_FILE, load_conference
from scheduler.pretalx import read_pretalx
from scheduler.timetable_io import read_timetable

KINDS = ("auto", "workbook", "zip", "frab", "pretalx")
SUFFIXES = {".xlsx": "workbook", ".zip": "zip", ".xml": "frab", ".json": "frab"}
COPY_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """Caps for extracting an uploaded zip."""

    max_members: int = 200
    max_member_bytes: int = 20 * 1024 * 1024
    max_total_bytes: int = 50 * 1024 * 1024


@dataclass(frozen=True)
class Imported:
    """An upload read into a conference, with the published times when the file had them."""

    conference: Conference
    timetable: Timetable | None
    source: str  # "workbook", "zip", "frab" or "pretalx"
    notes: tuple[str, ...] = ()


def read_upload(stream: IO[bytes], filename: str, kind: str = "auto", limits: ZipLimits | None = None) -> Imported:
    """Read an uploaded file (`filename` tells its type unless `kind` does). Raises `InputError` with every problem.

    The conference is normalised (written as a folder and read back by the loader), so what is stored is exactly
    what the loader accepts and what an export gives back.
    """
    name = PurePosixPath(filename.replace("\\", "/")).name or "upload"
    if kind not in KINDS:
        raise InputError([Problem(name, f"unknown kind '{kind}'; choose one of {', '.join(KINDS)}")])
    suffix = PurePosixPath(name).suffix.lower()
    if kind == "auto":
        kind = SUFFIXES.get(suffix, "")
        if not kind:
            raise InputError([Problem(name, "unsupported file type: upload a conference workbook (.xlsx), a .zip of "
                                            "a conference folder, a frab schedule (.xml/.json) or a pretalx "
                                            "schedule.json")])
    with tempfile.TemporaryDirectory(prefix="agenda-upload-") as tmp:
        path = Path(tmp) / ("upload" + (suffix if suffix in SUFFIXES else ""))
        with path.open("wb") as f:
            shutil.copyfileobj(stream, f, COPY_CHUNK)
        if kind == "frab" and suffix == ".json" and _looks_like_pretalx(path):
            kind = "pretalx"
        imported = _read(path, name, kind, Path(tmp), limits or ZipLimits())
    return Imported(normalise(imported.conference), imported.timetable, imported.source, imported.notes)


def _read(path: Path, name: str, kind: str, tmp: Path, limits: ZipLimits) -> Imported:
    labelled = path.with_name(name)  # loaders name the file in their messages
    path.rename(labelled)
    if kind == "workbook":
        _check_workbook_size(labelled, limits)
        return Imported(load_conference(labelled), None, kind)
    if kind in ("frab", "pretalx"):
        schedule = (read_pretalx if kind == "pretalx" else read_frab)(labelled)
        return Imported(schedule.conference, schedule.reference, kind, schedule.notes)
    folder = extract_zip(labelled, tmp / "extracted", limits)
    conference = load_conference(folder)
    timetable_csv = folder / TIMETABLE_FILE
    # named as in the zip, not by the temporary folder it was unpacked into
    timetable = read_timetable(timetable_csv, conference, label=TIMETABLE_FILE) if timetable_csv.is_file() else None
    return Imported(conference, timetable, "zip")


def _check_workbook_size(path: Path, limits: ZipLimits) -> None:
    """An .xlsx is a zip too: refuse one that would unpack beyond the caps before the spreadsheet reader opens it
    (zipfile never produces more than a member's declared size, so the declared sizes bound the work)."""
    try:
        with zipfile.ZipFile(path) as workbook:
            unpacked = sum(member.file_size for member in workbook.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip at all: the loader says the workbook cannot be read
    if unpacked > limits.max_total_bytes:
        raise InputError([Problem(path.name, f"unpacks to {unpacked} bytes; at most {limits.max_total_bytes} are "
                                             "accepted")])


def _looks_like_pretalx(path: Path) -> bool:
    """pretalx names its events by a submission code (`code`, or `/talk/CODE/` in their URL); frab does not."""
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
        days = document["schedule"]["conference"]["days"]
        events = [e for day in days for room in day["rooms"].values() for e in room]
    except (ValueError, KeyError, TypeError, AttributeError):
        return False  # the frab reader reports what is wrong with the file
    return any(isinstance(e, dict) and (e.get("code") or "/talk/" in str(e.get("url") or "")) for e in events)


def extract_zip(archive: Path, target: Path, limits: ZipLimits | None = None) -> Path:
    """Extract a conference folder from `archive` into `target` and return the folder holding conference.toml.

    Raises `InputError` naming every refused member, or when no single conference folder is found.
    """
    label = archive.name
    limits = limits or ZipLimits()
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as err:
        raise InputError([Problem(label, f"is not a readable .zip file ({err})")]) from None
    problems: list[Problem] = []
    with zf:
        members = [m for m in zf.infolist() if not m.is_dir() and not _ignored(m.filename)]
        if len(members) > limits.max_members:
            raise InputError([Problem(label, f"holds {len(members)} files; at most {limits.max_members} are "
                                             "accepted")])
        target.mkdir(parents=True)
        total = 0
        for member in members:
            relative = _safe_relative(member, label, problems)
            if relative is None:
                continue
            destination = target.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            cap = min(limits.max_member_bytes, limits.max_total_bytes - total)
            try:
                written = _copy_capped(zf, member, destination, cap)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, zlib.error) as err:
                problems.append(Problem(label, f"{member.filename}: cannot be extracted ({err})"))
                continue
            if written is None:
                problems.append(Problem(label, f"{member.filename}: larger than allowed once uncompressed (at most "
                                               f"{limits.max_member_bytes} bytes per file, {limits.max_total_bytes} "
                                               "in total)"))
                break
            total += written
    if problems:
        raise InputError(problems)
    return _conference_root(target, label)


def _ignored(name: str) -> bool:
    # Archivers add these beside the content; they are never part of a conference.
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return any(p == "__MACOSX" or (p.startswith(".") and p not in (".", "..")) for p in parts)


def _safe_relative(member: zipfile.ZipInfo, label: str, problems: list[Problem]) -> PurePosixPath | None:
    name = member.filename
    path = PurePosixPath(name.replace("\\", "/"))
    mode = member.external_attr >> 16
    if stat.S_ISLNK(mode):
        reason = "is a symbolic link"
    elif member.flag_bits & 0x1:
        reason = "is encrypted"
    elif path.is_absolute() or (path.parts and path.parts[0].endswith(":")):
        reason = "has an absolute path"
    elif ".." in path.parts:
        reason = "points outside the archive ('..')"
    elif not path.parts:
        reason = "has no name"
    else:
        return path
    problems.append(Problem(label, f"{name}: refused, the member {reason}"))
    return None


def _copy_capped(zf: zipfile.ZipFile, member: zipfile.ZipInfo, destination: Path, cap: int) -> int | None:
    """Copy one member, counting the bytes really produced; None (and nothing kept) past `cap`."""
    written = 0
    with zf.open(member) as source, destination.open("wb") as out:
        while chunk := source.read(COPY_CHUNK):
            written += len(chunk)
            if written > cap:
                break
            out.write(chunk)
    if written > cap:
        destination.unlink()
        return None
    return written


def _conference_root(target: Path, label: str) -> Path:
    roots = sorted(p.parent for p in target.rglob(CONFERENCE_FILE))
    if len(roots) == 1:
        return roots[0]
    if not roots:
        raise InputError([Problem(label, f"no {CONFERENCE_FILE} in the archive: zip a conference folder "
                                         "(docs/format.md)")])
    where = ", ".join(str(r.relative_to(target)) or "." for r in roots)
    raise InputError([Problem(label, f"holds {len(roots)} conference folders ({where}); upload one at a time")])
