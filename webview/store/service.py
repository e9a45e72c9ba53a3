"""What the committee does to the store, as functions on a SQLAlchemy session: import a conference, save a draft
under optimistic locking, publish and roll back versions, keep accounts. No Flask here: views, the solve runner
and the `agenda` commands share these.

Guarded writes are single UPDATE statements whose WHERE names the `lock_version` the editor started from: when
someone else saved in between, no row matches and `EditConflict` says who changed what, instead of one save
silently replacing the other. Publishing happens in the caller's one transaction (`Store.write()`): a crash
half-way leaves the previous published version as the latest one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from scheduler.checker import check
from scheduler.diff import describe, diff_timetables
from scheduler.domain import Conference, Timetable, name_slug
from scheduler.revisions import PublishedVersion, visible_state
from webview.store.documents import (
    conference_from_document,
    conference_to_document,
    timetable_from_document,
    timetable_to_document,
)
from webview.store.models import (
    ROLES,
    ConferenceRow,
    DraftRevision,
    PublishedVersionRow,
    User,
    new_session_token,
    utcnow,
)

SLUG_MAX = 60
# A hash to check against when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password")


class EditConflict(Exception):
    """Someone saved the draft after the editor loaded it; nothing of this edit was saved."""

    def __init__(self, row: ConferenceRow, seen: int):
        self.current_version = row.lock_version
        self.seen_version = seen
        who = row.updated_by or "someone"
        when = f"{row.updated_at:%Y-%m-%d %H:%M} UTC" if row.updated_at else "meanwhile"
        what = f": {row.last_change}" if row.last_change else ""
        self.change = f"{who} saved a change to this conference at {when}{what}."  # what happened meanwhile
        super().__init__(f"{self.change} Your change was not saved, so nothing was overwritten: reload the page to "
                         f"see the current draft (revision {row.lock_version}, you started from {seen}) and make "
                         "your change again.")


class NotFound(LookupError):
    """No conference (or version, revision) by that name."""


class PublishRefused(ValueError):
    """The draft cannot be published as it is (no timetable, or the checker finds hard violations)."""


@dataclass(frozen=True)
class Draft:
    """A conference's current draft, read from the store."""

    id: int
    slug: str
    name: str
    lock_version: int
    conference: Conference
    timetable: Timetable | None
    updated_at: datetime
    updated_by: str
    last_change: str


# ---------------------------------------------------------------------------------------------------------------
# Conferences and drafts


def slugify(text: str) -> str:
    """A URL-safe id from a conference name or slug, as calendar identities are made (`domain.name_slug`), cut to
    the column's length."""
    return name_slug(text)[:SLUG_MAX].strip("-")


def _free_slug(session: Session, wanted: str) -> str:
    taken = set(session.scalars(select(ConferenceRow.slug).where(ConferenceRow.slug.like(f"{wanted}%"))))
    slug, n = wanted, 2
    while slug in taken:
        slug, n = f"{wanted}-{n}", n + 1
    return slug


def create_conference(session: Session, conference: Conference, timetable: Timetable | None, *, by: str,
                      slug: str | None = None, summary: str = "imported") -> ConferenceRow:
    """A new conference whose first draft is `conference` (and `timetable`, e.g. the times of an imported
    schedule). The URL slug is the one given, else the conference's `slug` (its identity, see `_with_slug`); a taken
    one gets a numeric suffix."""
    conference = _with_slug(conference, conference)
    document = conference_to_document(conference)
    tt_document = timetable_to_document(timetable) if timetable is not None else None
    now = utcnow()
    row = ConferenceRow(slug=_free_slug(session, slugify(slug or conference.slug)), name=conference.name,
                        lock_version=1, document=document, timetable=tt_document, created_at=now, updated_at=now,
                        updated_by=by, last_change=summary)
    session.add(row)
    session.flush()
    session.add(DraftRevision(conference_id=row.id, lock_version=1, saved_at=now, saved_by=by, summary=summary,
                              document=document, timetable=tt_document))
    session.flush()
    return row


def conference_row(session: Session, slug: str) -> ConferenceRow:
    row = session.scalar(select(ConferenceRow).where(ConferenceRow.slug == slug))
    if row is None:
        raise NotFound(f"no conference '{slug}'")
    return row


def list_conferences(session: Session) -> list[ConferenceRow]:
    return list(session.scalars(select(ConferenceRow).order_by(ConferenceRow.created_at.desc(), ConferenceRow.id)))


def draft_of(row: ConferenceRow) -> Draft:
    conference = conference_from_document(row.document)
    timetable = timetable_from_document(row.timetable, conference.timezone) if row.timetable else None
    return Draft(row.id, row.slug, row.name, row.lock_version, conference, timetable, row.updated_at, row.updated_by,
                 row.last_change)


def load_draft(session: Session, slug: str) -> Draft:
    """The current draft of conference `slug`; raises `NotFound`."""
    return draft_of(conference_row(session, slug))


def save_draft(session: Session, slug: str, seen_version: int, conference: Conference, timetable: Timetable | None,
               *, summary: str, by: str) -> int:
    """Store a new draft if the current one is still revision `seen_version`; returns the new revision number.

    Raises `EditConflict` (and stores nothing) when someone saved since. A timetable whose sessions are no longer
    in the conference is trimmed to the conference, so a draft never refers to a withdrawn session.
    """
    row = conference_row(session, slug)
    conference = _with_slug(conference, conference_from_document(row.document))
    if timetable is not None:
        timetable = restrict(timetable, conference)
    document = conference_to_document(conference)
    tt_document = timetable_to_document(timetable) if timetable is not None else None
    now = utcnow()
    result = session.execute(
        update(ConferenceRow)
        .where(ConferenceRow.id == row.id, ConferenceRow.lock_version == seen_version)
        .values(lock_version=seen_version + 1, name=conference.name, document=document, timetable=tt_document,
                updated_at=now, updated_by=by, last_change=summary)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.refresh(row)
        raise EditConflict(row, seen_version)
    session.add(DraftRevision(conference_id=row.id, lock_version=seen_version + 1, saved_at=now, saved_by=by,
                              summary=summary, document=document, timetable=tt_document))
    session.flush()
    session.refresh(row)
    return seen_version + 1


def _with_slug(conference: Conference, stored: Conference) -> Conference:
    """`conference` with a slug: its own, else the identity `stored` (the draft it replaces) had.

    Calendar UIDs and frab guids derive from the identity, so the store fixes it when a conference arrives:
    a corrected name in a later upload, or a workbook without the `slug` setting, then changes none of them.
    """
    return conference if conference.slug else dataclasses.replace(conference, slug=stored.identity)


def restrict(timetable: Timetable, conference: Conference) -> Timetable:
    """The timetable without sessions the conference no longer has."""
    known = conference.session_by_id
    return Timetable(tuple(a for a in timetable.assignments if a.session_id in known),
                     tuple(s for s in timetable.unplaced if s in known))


def revisions(session: Session, conference_id: int) -> list[DraftRevision]:
    """Every saved draft, newest first."""
    return list(session.scalars(select(DraftRevision).where(DraftRevision.conference_id == conference_id)
                                .order_by(DraftRevision.lock_version.desc())))


def revision(session: Session, conference_id: int, lock_version: int) -> DraftRevision:
    found = session.scalar(select(DraftRevision).where(DraftRevision.conference_id == conference_id,
                                                       DraftRevision.lock_version == lock_version))
    if found is None:
        raise NotFound(f"no draft revision {lock_version}")
    return found


# ---------------------------------------------------------------------------------------------------------------
# Published versions


def version_rows(session: Session, conference_id: int) -> list[PublishedVersionRow]:
    """Published versions, oldest first."""
    return list(session.scalars(select(PublishedVersionRow).where(PublishedVersionRow.conference_id == conference_id)
                                .order_by(PublishedVersionRow.number)))


def as_published(row: PublishedVersionRow) -> PublishedVersion:
    conference = conference_from_document(row.document)
    return PublishedVersion(row.number, row.published_at, conference,
                            timetable_from_document(row.timetable, conference.timezone))


def published_versions(session: Session, conference_id: int) -> tuple[PublishedVersion, ...]:
    """What `scheduler.revisions` and the public site need: every published version, oldest first."""
    return tuple(as_published(r) for r in version_rows(session, conference_id))


def latest_version(session: Session, conference_id: int) -> PublishedVersion | None:
    row = session.scalar(select(PublishedVersionRow).where(PublishedVersionRow.conference_id == conference_id)
                         .order_by(PublishedVersionRow.number.desc()).limit(1))
    return as_published(row) if row is not None else None


def changelog(previous: PublishedVersion | None, conference: Conference, timetable: Timetable) -> list[str]:
    """The attendee-visible differences from the previous version, one sentence each: moved, re-roomed, added and
    cancelled sessions, and sessions whose title, speakers, language or description changed."""
    if previous is None:
        return [f"First published version: {len(timetable.assignments)} sessions."]
    lines = [describe(c, conference, previous.conference).replace(" removed (was", " cancelled (was")
             for c in diff_timetables(previous.timetable, timetable)]
    for assignment in timetable.assignments:
        sid = assignment.session_id
        before = visible_state(previous.conference, previous.timetable, sid)
        after = visible_state(conference, timetable, sid)
        if before is None or after is None:
            continue
        fields = [name for name in ("title", "speakers", "language", "interpretation", "abstract", "room_name")
                  if getattr(before, name) != getattr(after, name)]
        if fields:
            lines.append(f"'{after.title}' details changed: {', '.join(f.replace('_', ' ') for f in fields)}")
    return lines or ["No attendee-visible change."]


def publish(session: Session, slug: str, seen_version: int, *, by: str, note: str = "") -> PublishedVersionRow:
    """Freeze the current draft as the next numbered version, with its changelog against the previous one.

    Refused (`PublishRefused`) without a timetable or when the checker finds a hard violation; `EditConflict`
    when the draft is no longer revision `seen_version` (the editor would publish something they have not seen).
    Run it inside one `Store.write()` transaction: nothing is visible until the commit.
    """
    row = conference_row(session, slug)
    # Taking the row's write lock first serialises concurrent publishes and saves of this conference.
    guard = session.execute(update(ConferenceRow)
                            .where(ConferenceRow.id == row.id, ConferenceRow.lock_version == seen_version)
                            .values(lock_version=ConferenceRow.lock_version)
                            .execution_options(synchronize_session=False))
    if guard.rowcount != 1:
        session.refresh(row)
        raise EditConflict(row, seen_version)
    draft = draft_of(row)
    if draft.timetable is None:
        raise PublishRefused("the draft has no timetable yet: solve first")
    report = check(draft.conference, draft.timetable, allow_unplaced=bool(draft.timetable.unplaced))
    if not report.ok:
        raise PublishRefused(f"the checker finds {len(report.violations)} hard rule violation(s) in the draft "
                             "timetable; fix them (or re-solve) before publishing")
    return _add_version(session, row, draft.conference, draft.timetable, by=by, note=note,
                        lock_version=row.lock_version)


def republish(session: Session, slug: str, number: int, *, by: str) -> PublishedVersionRow:
    """Roll the public schedule back to version `number`: published again as the next number, so calendar clients
    see the change as a new revision (SEQUENCE only ever grows); earlier versions stay as they were."""
    row = conference_row(session, slug)
    old = session.scalar(select(PublishedVersionRow).where(PublishedVersionRow.conference_id == row.id,
                                                           PublishedVersionRow.number == number))
    if old is None:
        raise NotFound(f"no published version {number}")
    version = as_published(old)
    return _add_version(session, row, version.conference, version.timetable, by=by,
                        note=f"rollback to version {number}", lock_version=old.lock_version)


def _add_version(session: Session, row: ConferenceRow, conference: Conference, timetable: Timetable, *, by: str,
                 note: str, lock_version: int) -> PublishedVersionRow:
    previous = latest_version(session, row.id)
    number = (previous.number if previous else 0) + 1
    version = PublishedVersionRow(conference_id=row.id, number=number, published_at=utcnow(), published_by=by,
                                  note=note, lock_version=lock_version,
                                  document=conference_to_document(conference),
                                  timetable=timetable_to_document(timetable),
                                  changelog=changelog(previous, conference, timetable))
    session.add(version)
    session.flush()  # the unique (conference, number) constraint stops a concurrent publish of the same number
    return version


def latest_numbers(session: Session) -> dict[int, int]:
    """conference id -> latest published number, for every conference with a published version."""
    rows = session.execute(select(PublishedVersionRow.conference_id, func.max(PublishedVersionRow.number))
                           .group_by(PublishedVersionRow.conference_id))
    return {conference_id: number for conference_id, number in rows}


# ---------------------------------------------------------------------------------------------------------------
# Accounts


def normal_email(email: str) -> str:
    return email.strip().lower()


def create_user(session: Session, email: str, password: str, role: str) -> User:
    """A committee member; raises ValueError for an unknown role, a taken e-mail or a short password."""
    if role not in ROLES:
        raise ValueError(f"unknown role '{role}': one of {', '.join(ROLES)}")
    email = normal_email(email)
    if "@" not in email:
        raise ValueError(f"'{email}' is not an e-mail address")
    if len(password) < 10:
        raise ValueError("the password must have at least 10 characters")
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise ValueError(f"there is already an account for {email}")
    user = User(email=email, password_hash=generate_password_hash(password), role=role, active=True)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active member with this e-mail and password, else None (same work either way: no account probing)."""
    user = session.scalar(select(User).where(User.email == normal_email(email)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def users(session: Session) -> Sequence[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def set_role(session: Session, user_id: int, role: str, active: bool) -> User:
    """Change a member's role; deactivating them also ends their sessions, so reactivating the account later
    does not bring old (perhaps stolen) cookies back to life."""
    if role not in ROLES:
        raise ValueError(f"unknown role '{role}'")
    user = _user(session, user_id)
    user.role, user.active = role, active
    if not active:
        user.session_token = new_session_token()
    session.flush()
    return user


def end_sessions(session: Session, user_id: int) -> None:
    """Log the member out everywhere: a new session token, so every session and remember-me cookie issued with
    the old one (see `User.get_id`) stops authenticating."""
    _user(session, user_id).session_token = new_session_token()
    session.flush()
