"""Import a pretalx schedule export (`schedule.json`, or its frab `schedule.xml`) into our conference format.

pretalx exports the frab/c3voc format (see `scheduler.frab`), with its own identifiers: a submission is known
by its six-character code (the `code` field in recent versions; older ones, such as the c3voc fixture
`pretalx-democon.json`, show it only in the talk URL `.../talk/G9JGWY/`), and a speaker by a code too. We keep
those codes as session and speaker ids, so the committee recognises its sessions, and our frab export writes
them back as `code`: a solved timetable goes back to pretalx under the same names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scheduler.frab import ImportedSchedule, read_frab

# The submission code in a pretalx talk URL: https://pretalx.example.org/<event>/talk/<CODE>/
_TALK_URL = re.compile(r"/talk/([A-Za-z0-9]+)/?$")


def read_pretalx(path: str | Path, *, timezone: str | None = None) -> ImportedSchedule:
    """Read a pretalx schedule export into a conference and its published times (the reference timetable)."""
    return read_frab(path, timezone=timezone, session_key=submission_code)


def submission_code(event: Mapping[str, Any]) -> str:
    """The pretalx submission code of an event: `code`, else the one in its talk URL, else its numeric id."""
    if event.get("code"):
        return str(event["code"])
    match = _TALK_URL.search(str(event.get("url") or ""))
    if match:
        return match[1]
    return str(event.get("id") or event.get("guid") or "")
