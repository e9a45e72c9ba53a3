"""The committee's pages. Every route needs a logged-in member (viewer to look, editor to change, admin to manage
accounts); every POST is CSRF-checked. Views only parse forms and render: edits are in
`webview.committee.workspace`, storage in `webview.store.service`, solving in `webview.jobs`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from scheduler.checker import Violation
from scheduler.diff import format_moment
from scheduler.domain import Conference, Timetable, Window
from scheduler.errors import InputError
from scheduler.folder import folder_zip, normalise
from webview.committee import bp, runner
from webview.committee.auth import (
    UNSAFE_METHODS,
    csrf,
    limiter,
    login_account_key,
    login_account_limit,
    login_limit,
    requires,
    unauthorized,
)
from webview.committee.forms import (
    ActionForm,
    AvailabilityForm,
    ButtonForm,
    LoginForm,
    MoveForm,
    PinForm,
    ReplaceForm,
    RoleForm,
    RoomAvailabilityForm,
    SolveForm,
    UploadForm,
    UserForm,
    WithdrawForm,
    choices,
)
from webview.committee.workspace import (
    Edit,
    EditError,
    check_draft,
    describe_windows,
    format_windows,
    grid_starts,
    linkify,
    local_input,
    move_session,
    parse_moment,
    parse_windows,
    pin_session,
    preview,
    remove_room,
    set_availability,
    set_room_availability,
    window_example,
    withdraw_session,
    withdraw_speaker,
)
from webview.jobs import RunInProgress, adopt
from webview.store import service
from webview.store.db import get_store
from webview.store.documents import timetable_from_document
from webview.store.models import RunRow
from webview.store.source import PublicConference, public_conference, public_slug, source_for_app
from webview.store.uploads import ZipLimits, read_upload

RECENT_RUNS = 10
PUBLIC_ENDPOINTS = frozenset({"committee.login"})


# ---------------------------------------------------------------------------------------------------------------
# Guards for every committee request


@bp.before_request
def _guard() -> Any:
    """CSRF on every state-changing request, then a logged-in member on every route except the login form."""
    if request.method in UNSAFE_METHODS and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    if request.endpoint not in PUBLIC_ENDPOINTS and not current_user.is_authenticated:
        return unauthorized()
    return None


@bp.after_request
def _no_store(response: Response) -> Response:
    # Committee pages show drafts: never kept by shared caches, and not re-shown from the back button after logout.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError) -> tuple[str, int]:
    return render_template("committee/error.html", title="Form expired",
                           message="This form has expired or did not come from this site (its CSRF token is "
                                   f"missing or wrong: {error.description}). Go back, reload the page and send it "
                                   "again."), 400


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return render_template("committee/error.html", title="File too large",
                           message=f"The upload is larger than {limit // (1024 * 1024)} MB, the largest this site "
                                   "accepts. Nothing was stored."), 413


@bp.errorhandler(TooManyRequests)
def _too_many(_error: TooManyRequests) -> tuple[str, int]:
    return render_template("committee/login.html", form=LoginForm(),
                           error="Too many login attempts: wait a few minutes before trying again."), 429


@bp.errorhandler(403)
def _forbidden(_error: Exception) -> tuple[str, int]:
    return render_template("committee/error.html", title="Not allowed",
                           message="Your role does not allow this. Ask an admin if you need it."), 403


@bp.errorhandler(service.NotFound)
def _not_found(error: service.NotFound) -> tuple[str, int]:
    return render_template("committee/error.html", title="Not found", message=str(error)), 404


@bp.errorhandler(service.EditConflict)
def _conflict(error: service.EditConflict) -> tuple[str, int]:
    return render_template("committee/error.html", title="Someone else saved first", message=str(error),
                           conflict=True), 409


@bp.context_processor
def _helpers() -> dict[str, Any]:
    # formdata=None: a button rendered on any page (even the error page of a too-large upload) never reads the body.
    return {"member": current_user, "when": when, "local_input": local_input, "window_example": window_example,
            "button_form": lambda: ButtonForm(formdata=None)}


def when(moment: datetime | None, conference: Conference) -> str:
    """"Fri 13 Oct 09:30" in the conference's zone."""
    return format_moment(moment, conference) if moment else ""


def _by() -> str:
    return current_user.email


def _may_edit() -> None:
    if not current_user.may("editor"):
        abort(403)


# ---------------------------------------------------------------------------------------------------------------
# Logging in and out


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(login_account_limit, key_func=login_account_key, methods=["POST"])
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        with get_store().read() as session:
            user = service.authenticate(session, form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        return render_template("committee/login.html", form=form, error="Wrong e-mail or password."), 401
    return render_template("committee/login.html", form=form, error=None), 400 if form.errors else 200


def _safe_next(target: str | None) -> str:
    """Back to the committee page asked for, never to another site (an open redirect)."""
    default = url_for("committee.dashboard")
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(default.rstrip("/") or "/"):
        return default
    return target


@bp.post("/logout")
def logout() -> Response:
    # Clearing this client's cookie is not enough: a copy of it (another device, a stolen one) would still
    # authenticate, so the member's session token changes too.
    with get_store().write() as session:
        service.end_sessions(session, current_user.id)
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("committee.login"))


# ---------------------------------------------------------------------------------------------------------------
# Conferences: list, upload, overview, export


@bp.get("/")
@requires("viewer")
def dashboard() -> str:
    return _dashboard(UploadForm())


def _dashboard(form: UploadForm, problems: list[str] | None = None) -> str:
    with get_store().read() as session:
        rows = service.list_conferences(session)
        numbers = service.latest_numbers(session)
        public = _public(session)
        conferences = [{"slug": r.slug, "name": r.name, "lock_version": r.lock_version, "updated_at": r.updated_at,
                        "updated_by": r.updated_by, "published": numbers.get(r.id),
                        "public": public is not None and public.conference_id == r.id} for r in rows]
    return render_template("committee/dashboard.html", conferences=conferences, form=form, problems=problems)


def _public(session: Session) -> PublicConference | None:
    """The conference the public site shows, when it shows the store's (not a folder's)."""
    if current_app.config.get("SCHEDULE_SOURCE") is not source_for_app:
        return None
    return public_conference(session, public_slug(current_app))


def _upload_limits() -> ZipLimits:
    total = int(current_app.config.get("UPLOAD_ZIP_MAX_BYTES", ZipLimits.max_total_bytes))
    return ZipLimits(max_total_bytes=total, max_member_bytes=min(total, ZipLimits.max_member_bytes))


@bp.post("/upload")
@requires("editor")
def upload() -> Any:
    form = UploadForm()
    if not form.validate_on_submit():
        return _dashboard(form), 400
    try:
        imported = read_upload(form.file.data.stream, form.file.data.filename or "upload", form.kind.data,
                               _upload_limits())
    except InputError as err:
        return _dashboard(form, [str(p) for p in err.problems]), 422
    with get_store().write() as session:
        row = service.create_conference(session, imported.conference, imported.timetable, by=_by(),
                                        slug=form.slug.data or None,
                                        summary=f"imported from {form.file.data.filename} ({imported.source})")
        slug = row.slug
    flash(f"Imported '{imported.conference.name}': {len(imported.conference.sessions)} sessions, "
          f"{len(imported.conference.speakers)} speakers, {len(imported.conference.rooms)} rooms.")
    for note in imported.notes:
        flash(note)
    return redirect(url_for("committee.conference", slug=slug))


@bp.get("/c/<slug>/")
@requires("viewer")
def conference(slug: str) -> str:
    return _conference_page(slug)


def _conference_page(slug: str, *, solve_form: SolveForm | None = None, replace_form: ReplaceForm | None = None,
                     publish_form: ActionForm | None = None, publish_error: str | None = None,
                     problems: list[str] | None = None) -> str:
    with get_store().read() as session:
        row = service.conference_row(session, slug)
        draft = service.draft_of(row)
        latest = service.latest_version(session, row.id)
        runs = list(session.scalars(select(RunRow).where(RunRow.conference_id == row.id)
                                    .order_by(RunRow.id.desc()).limit(RECENT_RUNS)))
    conf = draft.conference
    report = check_draft(conf, draft.timetable, latest.timetable if latest else None)
    flagged = _flagged(report.violations if report else ())
    solve_form = solve_form or SolveForm(baseline="published" if latest else "none")
    replace_form = replace_form or ReplaceForm(prefix="replace", lock_version=draft.lock_version)
    if publish_form is None:
        publish_form = ActionForm(prefix="publish", lock_version=draft.lock_version)
    else:  # a refused publish: the note typed stays, and the button publishes the revision this page shows
        _on_revision(publish_form, draft.lock_version)
    return render_template(
        "committee/conference.html", draft=draft, conf=conf, report=report, latest=latest, runs=runs,
        days=_by_day(conf, draft.timetable), missing=_missing(conf, draft.timetable), flagged=flagged,
        solve_form=solve_form, publish_form=publish_form, publish_error=publish_error, replace_form=replace_form,
        problems=problems, link=_linker(slug, conf),
    )


def _flagged(violations: Iterable[Violation]) -> dict[str, list[str]]:
    """Session id -> the hard rules it breaks, for the notes beside it in a timetable."""
    flagged: dict[str, list[str]] = defaultdict(list)
    for violation in violations:
        for sid in violation.sessions:
            flagged[sid].append(violation.rule)
    return flagged


def _by_day(conference: Conference, timetable: Timetable | None) -> list[tuple[date, list]]:
    if timetable is None:
        return []
    days: dict[date, list] = defaultdict(list)
    for a in sorted(timetable.assignments, key=lambda a: (a.start.timestamp(), a.room_id)):
        days[a.start.astimezone(conference.tz).date()].append((a, conference.session_by_id.get(a.session_id)))
    return sorted(days.items())


def _missing(conference: Conference, timetable: Timetable | None) -> list:
    placed = timetable.by_session if timetable else {}
    return [s for s in conference.sessions if s.session_id not in placed]


def _linker(slug: str, conference: Conference) -> Callable[[str], Any]:
    """Plain text with every id in it linked to its committee page."""
    def url(kind: str, ident: str) -> str:
        return url_for(f"committee.{kind}", slug=slug, **{f"{kind}_id": ident})

    return lambda line: linkify(line, conference, url)


@bp.post("/c/<slug>/replace")
@requires("editor")
def replace(slug: str) -> Any:
    """New data for an existing conference (an edited workbook): stored as the next draft revision."""
    form = ReplaceForm(prefix="replace")
    if not form.validate_on_submit():
        return _conference_page(slug, replace_form=form), 400
    try:
        imported = read_upload(form.file.data.stream, form.file.data.filename or "upload", form.kind.data,
                               _upload_limits())
    except InputError as err:
        return _conference_page(slug, replace_form=form, problems=[str(p) for p in err.problems]), 422
    with get_store().write() as session:
        draft = service.load_draft(session, slug)
        timetable = imported.timetable
        if timetable is None and form.keep_timetable.data and draft.timetable is not None:
            timetable = service.restrict(draft.timetable, imported.conference)
        service.save_draft(session, slug, form.lock_version.data, imported.conference, timetable,
                           summary=f"data replaced from {form.file.data.filename}", by=_by())
    flash(f"The draft now holds the data of {form.file.data.filename}.")
    return redirect(url_for("committee.conference", slug=slug))


@bp.get("/c/<slug>/export.zip")
@requires("viewer")
def export(slug: str) -> Response:
    """The draft as a conference folder (with timetable.csv), as the committee would write it by hand."""
    with get_store().read() as session:
        draft = service.load_draft(session, slug)
    body = folder_zip(draft.conference, draft.timetable, top=slug)
    return Response(body, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{slug}-draft-{draft.lock_version}.zip"'})


# ---------------------------------------------------------------------------------------------------------------
# Editing: sessions, speakers, rooms. A POST with "preview" shows the checker's verdict; "save" stores the edit.


def _edit_flow(slug: str, forms: dict[str, Any], build: Callable[[str, Any, service.Draft], Edit],
               render: Callable[..., str]) -> Any:
    """Shared by the edit pages: validate the submitted form, build the edit on the current draft, then either
    show the checker's preview or save it (optimistic lock: the form's lock_version must still be current)."""
    with get_store().read() as session:
        draft = service.load_draft(session, slug)
        latest = service.latest_version(session, draft.id)
    if request.method == "GET":
        return render(draft, None, None)
    _may_edit()
    name = request.form.get("form", "")
    form = forms.get(name) or abort(400)
    if not form.validate_on_submit():
        return render(draft, None, "Please correct the form: " + "; ".join(
            f"{field}: {', '.join(errors)}" for field, errors in form.errors.items())), 400
    try:
        edit = build(name, form, draft)
        edit = Edit(normalise(edit.conference), edit.timetable, edit.summary)
    except EditError as err:
        return render(draft, None, str(err)), 422
    except InputError as err:
        return render(draft, None, "The change breaks the input rules: " + "; ".join(str(p) for p in err.problems)
                      ), 422
    if form.save.data:
        try:
            with get_store().write() as session:
                service.save_draft(session, slug, form.lock_version.data, edit.conference, edit.timetable,
                                   summary=edit.summary, by=_by())
        except service.EditConflict as err:
            return _conflicting(slug, form, err, render), 409
        flash(f"Saved: {edit.summary}.")
        return redirect(request.path)
    verdict = preview((draft.conference, draft.timetable), edit, latest.timetable if latest else None)
    return render(draft, (edit, verdict), None)


def _conflicting(slug: str, form: Any, conflict: service.EditConflict, render: Callable[..., str]) -> str:
    """The edit page again after a conflicting save: the current draft, and the submitted form still holding what
    the editor entered (now on the current revision), so they can check it and save again without retyping."""
    with get_store().read() as session:
        current = service.load_draft(session, slug)
    _on_revision(form, current.lock_version)
    return render(current, None, f"{conflict.change} Your change was not saved, so nothing was overwritten. What "
                                 "you entered is still in the form below, now on the current draft (revision "
                                 f"{current.lock_version}): check it against the page, then save it again.")


def _on_revision(form: Any, lock_version: int) -> None:
    """A submitted form shown again, now acting on draft revision `lock_version` (the one the page shows)."""
    form.lock_version.data = lock_version
    form.lock_version.raw_data = [str(lock_version)]  # what the hidden input renders


def _windows(field: Any, conference: Conference) -> tuple[Window, ...]:
    """The windows typed in a form's text area. A mistake is also kept on the field, so the form shows it beside
    the text area it is in (the speaker's form has two)."""
    try:
        return parse_windows(field.data or "", conference)
    except EditError as err:
        field.errors = [*field.errors, str(err)]
        raise


def _untouched(forms: dict[str, Any]) -> list[str]:
    """The forms of an edit page that were not just submitted: they show the current draft."""
    submitted = request.form.get("form") if request.method == "POST" else None
    return [key for key in forms if key != submitted]


@bp.route("/c/<slug>/session/<path:session_id>", methods=["GET", "POST"])
@requires("viewer")
def session(slug: str, session_id: str) -> Any:
    forms = {"pin": PinForm(prefix="pin"), "move": MoveForm(prefix="move"),
             "withdraw": WithdrawForm(prefix="withdraw")}

    def build(name: str, form: Any, draft: service.Draft) -> Edit:
        conf = draft.conference
        if name == "pin":
            start = parse_moment(form.start.data, conf) if form.start.data else None
            return pin_session(conf, draft.timetable, session_id, start, form.room.data or None)
        if name == "move":
            return move_session(conf, draft.timetable, session_id, parse_moment(form.start.data, conf),
                                form.room.data)
        return withdraw_session(conf, draft.timetable, session_id)

    def render(draft: service.Draft, result: tuple | None, error: str | None) -> str:
        conf = draft.conference
        item = conf.session_by_id.get(session_id) or abort(404)
        placed = draft.timetable.by_session.get(session_id) if draft.timetable else None
        rooms = [(r.room_id, f"{r.name} ({r.capacity} seats)") for r in conf.rooms]
        forms["pin"].room.choices = choices([("", "(not pinned)"), *rooms])
        forms["move"].room.choices = choices(rooms)
        for key in _untouched(forms):  # the submitted form keeps what the editor typed
            forms[key].lock_version.data = draft.lock_version
            if key == "pin":
                forms[key].start.data = local_input(item.fixed_start, conf)
                forms[key].room.data = item.fixed_room or ""
            elif key == "move":
                forms[key].start.data = local_input(placed.start if placed else None, conf)
                forms[key].room.data = placed.room_id if placed else ""
        return render_template("committee/session.html", draft=draft, conf=conf, item=item, placed=placed,
                               forms=forms, result=result, error=error, starts=grid_starts(conf),
                               link=_linker(slug, conf))

    return _edit_flow(slug, forms, build, render)


@bp.route("/c/<slug>/speaker/<path:speaker_id>", methods=["GET", "POST"])
@requires("viewer")
def speaker(slug: str, speaker_id: str) -> Any:
    forms = {"availability": AvailabilityForm(prefix="availability"), "withdraw": WithdrawForm(prefix="withdraw")}

    def build(name: str, form: Any, draft: service.Draft) -> Edit:
        conf = draft.conference
        if name == "availability":
            return set_availability(conf, draft.timetable, speaker_id, _windows(form.availability, conf),
                                    _windows(form.preferred, conf))
        return withdraw_speaker(conf, draft.timetable, speaker_id)

    def render(draft: service.Draft, result: tuple | None, error: str | None) -> str:
        conf = draft.conference
        person = conf.speaker_by_id.get(speaker_id) or abort(404)
        for key in _untouched(forms):
            forms[key].lock_version.data = draft.lock_version
            if key == "availability":
                forms[key].availability.data = format_windows(person.availability, conf)
                forms[key].preferred.data = format_windows(person.preferred, conf)
        sessions = [s for s in conf.sessions if speaker_id in s.speakers]
        return render_template("committee/speaker.html", draft=draft, conf=conf, person=person, sessions=sessions,
                               forms=forms, result=result, error=error, link=_linker(slug, conf),
                               windows=describe_windows)

    return _edit_flow(slug, forms, build, render)


@bp.route("/c/<slug>/room/<path:room_id>", methods=["GET", "POST"])
@requires("viewer")
def room(slug: str, room_id: str) -> Any:
    forms = {"availability": RoomAvailabilityForm(prefix="availability"), "remove": WithdrawForm(prefix="remove")}

    def build(name: str, form: Any, draft: service.Draft) -> Edit:
        if name == "availability":
            return set_room_availability(draft.conference, draft.timetable, room_id,
                                         _windows(form.availability, draft.conference))
        return remove_room(draft.conference, draft.timetable, room_id)

    def render(draft: service.Draft, result: tuple | None, error: str | None) -> str:
        conf = draft.conference
        the_room = conf.room_by_id.get(room_id) or abort(404)
        for key in _untouched(forms):
            forms[key].lock_version.data = draft.lock_version
            if key == "availability":
                forms[key].availability.data = format_windows(the_room.availability, conf)
        assignments = sorted(draft.timetable.assignments if draft.timetable else (),
                             key=lambda a: (a.start.timestamp(), a.room_id))
        placed = [(a, conf.session_by_id.get(a.session_id)) for a in assignments if a.room_id == room_id]
        # The room's windows bind live relays into it too, so the page lists them and their violations as well.
        relayed = [(a, s) for a, s in ((a, conf.session_by_id.get(a.session_id)) for a in assignments)
                   if s is not None and room_id in s.overflow_rooms]
        here = {a.session_id for a, _ in placed + relayed}
        report = check_draft(conf, draft.timetable)
        violations = [v for v in (report.violations if report else ()) if here.intersection(v.sessions)]
        return render_template("committee/room.html", draft=draft, conf=conf, room=the_room, placed=placed,
                               relayed=relayed, violations=violations, flagged=_flagged(violations), forms=forms,
                               result=result, error=error, link=_linker(slug, conf), windows=describe_windows)

    return _edit_flow(slug, forms, build, render)


# ---------------------------------------------------------------------------------------------------------------
# Solving in the background


@bp.post("/c/<slug>/solve")
@requires("editor")
def solve(slug: str) -> Any:
    form = SolveForm()
    limit = float(current_app.config["SOLVE_MAX_TIME_LIMIT_S"])
    if not form.validate_on_submit():
        return _conference_page(slug, solve_form=form), 400
    if form.time_limit_s.data > limit:
        form.time_limit_s.errors.append(f"at most {limit:.0f} seconds")
        return _conference_page(slug, solve_form=form), 400
    try:
        run_id = runner().start(slug, time_limit_s=float(form.time_limit_s.data), baseline=form.baseline.data,
                                allow_unplaced=form.allow_unplaced.data, by=_by())
    except RunInProgress as err:
        flash(str(err))
        return redirect(url_for("committee.run", slug=slug, run_id=err.run_id))
    return redirect(url_for("committee.run", slug=slug, run_id=run_id))


def _run_row(slug: str, run_id: int) -> tuple[service.Draft, RunRow, bool]:
    """The run (404 unless it belongs to `slug`), the current draft, and whether the run solved that draft."""
    with get_store().read() as session:
        row = service.conference_row(session, slug)
        run = session.get(RunRow, run_id)
        if run is None or run.conference_id != row.id:
            abort(404)
        draft = service.draft_of(row)
        solved = service.revision(session, row.id, run.lock_version).document == row.document
    return draft, run, solved


@bp.get("/c/<slug>/run/<int:run_id>")
@requires("viewer")
def run(slug: str, run_id: int) -> str:
    solves = runner()  # first: starting it marks a run a dead process left running as interrupted, with why
    draft, run_row, solved_current = _run_row(slug, run_id)
    status = solves.status(run_id)
    conf = draft.conference
    timetable = timetable_from_document(run_row.timetable, conf.timezone) if run_row.timetable else None
    in_draft = timetable is not None and draft.timetable is not None and timetable == draft.timetable.sorted()
    return render_template("committee/run.html", draft=draft, conf=conf, run=run_row, status=status,
                           result=run_row.result or {}, timetable=timetable, solved_current=solved_current,
                           in_draft=in_draft,
                           link=_linker(slug, conf), adopt_form=ActionForm(lock_version=draft.lock_version))


@bp.get("/c/<slug>/run/<int:run_id>.json")
@requires("viewer")
def run_status(slug: str, run_id: int) -> Any:
    _run_row(slug, run_id)
    return runner().status(run_id)


@bp.post("/c/<slug>/run/<int:run_id>/cancel")
@requires("editor")
def cancel(slug: str, run_id: int) -> Any:
    _run_row(slug, run_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if runner().cancel(run_id):
        flash("Cancelling: the best timetable found so far is kept.")
    return redirect(url_for("committee.run", slug=slug, run_id=run_id))


@bp.post("/c/<slug>/run/<int:run_id>/adopt")
@requires("editor")
def adopt_run(slug: str, run_id: int) -> Any:
    _run_row(slug, run_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        adopt(get_store(), run_id, form.lock_version.data, by=_by())
    except ValueError as err:
        flash(str(err))
        return redirect(url_for("committee.run", slug=slug, run_id=run_id))
    flash(f"The timetable of run {run_id} is now the draft's.")
    return redirect(url_for("committee.conference", slug=slug))


# ---------------------------------------------------------------------------------------------------------------
# Publishing, versions, history


@bp.post("/c/<slug>/publish")
@requires("editor")
def publish(slug: str) -> Any:
    form = ActionForm(prefix="publish")
    if not form.validate_on_submit():
        abort(400)
    kept = " Your note is still in the form." if form.note.data else ""
    try:
        with get_store().write() as session:
            version = service.publish(session, slug, form.lock_version.data, by=_by(), note=form.note.data or "")
            number = version.number
            public = _public(session)
    except service.PublishRefused as err:
        # The page again rather than a redirect to it, so the note typed for the changelog is still in the form.
        return _conference_page(slug, publish_form=form, publish_error=f"Not published: {err}.{kept}"), 422
    except service.EditConflict as err:
        # As after a conflicting edit: the current draft, and the form (note included) now publishing that one.
        return _conference_page(slug, publish_form=form, publish_error=(
            f"Not published: {err.change} Check the draft as it is now on this page; publishing from the form "
            f"publishes it.{kept}")), 409
    if public is None or public.slug == slug:
        flash(f"Published version {number}: the public pages and calendar feeds show it now.")
    else:
        why = "the PUBLIC_CONFERENCE setting names it" if public_slug(current_app) else "it was published first"
        flash(f"Published version {number}. The public site still shows '{public.name}' ({why}); to show this one "
              f"instead, set PUBLIC_CONFERENCE={slug} and restart the server.")
    return redirect(url_for("committee.versions", slug=slug))


@bp.get("/c/<slug>/versions")
@requires("viewer")
def versions(slug: str) -> str:
    with get_store().read() as session:
        row = service.conference_row(session, slug)
        rows = service.version_rows(session, row.id)
        listed = [{"number": v.number, "published_at": v.published_at, "published_by": v.published_by,
                   "note": v.note, "changelog": v.changelog, "lock_version": v.lock_version}
                  for v in reversed(rows)]
    return render_template("committee/versions.html", slug=slug, name=row.name, versions=listed)


@bp.post("/c/<slug>/versions/<int:number>/republish")
@requires("editor")
def republish(slug: str, number: int) -> Any:
    if not ButtonForm().validate_on_submit():
        abort(400)
    with get_store().write() as session:
        version = service.republish(session, slug, number, by=_by())
        new_number = version.number
    flash(f"Rolled back: version {new_number} republishes version {number}.")
    return redirect(url_for("committee.versions", slug=slug))


@bp.get("/c/<slug>/history")
@requires("viewer")
def history(slug: str) -> str:
    with get_store().read() as session:
        row = service.conference_row(session, slug)
        listed = [{"lock_version": r.lock_version, "saved_at": r.saved_at, "saved_by": r.saved_by,
                   "summary": r.summary} for r in service.revisions(session, row.id)]
        current = row.lock_version
    return render_template("committee/history.html", slug=slug, name=row.name, revisions=listed, current=current,
                           form=ActionForm(lock_version=current))


@bp.post("/c/<slug>/history/<int:lock_version>/restore")
@requires("editor")
def restore(slug: str, lock_version: int) -> Any:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    with get_store().write() as session:
        row = service.conference_row(session, slug)
        old = service.revision(session, row.id, lock_version)
        conference = service.conference_from_document(old.document)
        timetable = timetable_from_document(old.timetable, conference.timezone) if old.timetable else None
        service.save_draft(session, slug, form.lock_version.data, conference, timetable,
                           summary=f"restored revision {lock_version}", by=_by())
    flash(f"The draft is revision {lock_version} again (saved as a new revision).")
    return redirect(url_for("committee.conference", slug=slug))


# ---------------------------------------------------------------------------------------------------------------
# Accounts (admins)


@bp.route("/users", methods=["GET", "POST"])
@requires("admin")
def users() -> Any:
    form = UserForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            with get_store().write() as session:
                service.create_user(session, form.email.data, form.password.data, form.role.data)
        except ValueError as err:
            error, status = str(err), 422
        else:
            flash(f"Account created for {form.email.data} ({form.role.data}).")
            return redirect(url_for("committee.users"))
    elif form.errors:
        status = 400
    with get_store().read() as session:
        members = [{"id": u.id, "email": u.email, "role": u.role, "active": u.active} for u in service.users(session)]
    role_forms = {m["id"]: RoleForm(prefix=f"u{m['id']}", role=m["role"], active=m["active"]) for m in members}
    return render_template("committee/users.html", form=form, members=members, role_forms=role_forms,
                           error=error), status


@bp.post("/users/<int:user_id>")
@requires("admin")
def set_role(user_id: int) -> Any:
    form = RoleForm(prefix=f"u{user_id}")
    if not form.validate_on_submit():
        abort(400)
    if user_id == current_user.id and (form.role.data != "admin" or not form.active.data):
        flash("You cannot remove your own admin role or deactivate yourself; ask another admin.")
        return redirect(url_for("committee.users"))
    with get_store().write() as session:
        user = service.set_role(session, user_id, form.role.data, form.active.data)
        flash(f"{user.email} is now {'an active' if user.active else 'an inactive'} {user.role}.")
    return redirect(url_for("committee.users"))
