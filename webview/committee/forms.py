"""The committee's forms (Flask-WTF): every one carries a CSRF token, and every edit carries the draft revision
(`lock_version`) it was made on, which the save must still match (optimistic locking). All derive from
`CommitteeForm`, which renders hidden inputs without an id."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import HiddenInput

from webview.store.models import ROLES
from webview.store.uploads import KINDS


def choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


UPLOAD_KINDS = choices([(k, {"auto": "Detect from the file name", "workbook": "Conference workbook (.xlsx)",
                             "zip": "Zip of a conference folder", "frab": "frab schedule (XML or JSON)",
                             "pretalx": "pretalx schedule.json"}[k]) for k in KINDS])
BASELINE_CHOICES = choices([("published", "Keep close to the latest published version (minimal change)"),
                            ("draft", "Keep close to the current draft timetable"),
                            ("none", "Solve from scratch")])
ROLE_CHOICES = choices([(r, r) for r in ROLES])


class CommitteeForm(FlaskForm):
    """A committee form whose hidden inputs (CSRF token, draft revision) carry no id.

    Pages hold several forms (every page has the log-out button), and WTForms would give each form's token the
    same id="csrf_token": invalid HTML, and `label for=` or a script could reach the wrong form's field. A hidden
    input has no label and no script looks for one by id, so it needs none.
    """

    class Meta:
        def render_field(self, field: Field, render_kw: dict[str, Any]) -> Markup:
            if getattr(field.widget, "input_type", None) == "hidden":
                render_kw = {"id": False, **render_kw}  # False: WTForms leaves the attribute out
            return super().render_field(field, render_kw)  # type: ignore[misc]


class LoginForm(CommitteeForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    submit = SubmitField("Log in")


class LockedForm(CommitteeForm):
    """A form that acts on the draft as it was when the page was shown."""

    lock_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ActionForm(LockedForm):
    """A button: publish, withdraw, adopt, restore..."""

    note = StringField("Note", validators=[Optional(), Length(max=500)])
    submit = SubmitField("Go")


class ButtonForm(CommitteeForm):
    """A button that needs no draft revision (log out, cancel a run, roll back)."""

    submit = SubmitField("Go")


class UploadForm(CommitteeForm):
    file = FileField("File", validators=[FileRequired()])
    kind = SelectField("Kind", choices=UPLOAD_KINDS, default="auto")
    slug = StringField("Short name in URLs (optional)", validators=[Optional(), Length(max=60),
                                                                    Regexp(r"^[a-z0-9-]*$", message="lower-case "
                                                                           "letters, digits and '-' only")])
    submit = SubmitField("Upload")


class ReplaceForm(LockedForm):
    file = FileField("File", validators=[FileRequired()])
    kind = SelectField("Kind", choices=UPLOAD_KINDS, default="auto")
    keep_timetable = BooleanField("Keep the draft timetable (for sessions that are still there)", default=True)
    submit = SubmitField("Replace the draft's data")


class SolveForm(CommitteeForm):
    time_limit_s = IntegerField("Time limit (seconds)", default=60, validators=[InputRequired(), NumberRange(1)])
    baseline = SelectField("Changes", choices=BASELINE_CHOICES, default="published")
    allow_unplaced = BooleanField("Leave out sessions that cannot fit (lowest priority first)")
    submit = SubmitField("Solve")


class PinForm(LockedForm):
    start = StringField("Start (local time)", validators=[Optional(), Length(max=40)])
    room = SelectField("Room", choices=[], validate_choice=False)
    preview = SubmitField("Check this pin")
    save = SubmitField("Save the pin")


class MoveForm(LockedForm):
    start = StringField("Start (local time)", validators=[DataRequired(), Length(max=40)])
    room = SelectField("Room", choices=[], validate_choice=False, validators=[DataRequired()])
    preview = SubmitField("Check this move")
    save = SubmitField("Save the move")


class WithdrawForm(LockedForm):
    preview = SubmitField("Check withdrawing it")
    save = SubmitField("Withdraw")


def windows_field(label: str) -> TextAreaField:
    """A text area of time windows, one a line, as `workspace.parse_windows` reads them."""
    return TextAreaField(label, validators=[Length(max=20000)])


class AvailabilityForm(LockedForm):
    availability = windows_field("Available (one window per line; empty: throughout)")
    preferred = windows_field("Would rather present (one window per line)")
    preview = SubmitField("Check this availability")
    save = SubmitField("Save the availability")


class RoomAvailabilityForm(LockedForm):
    availability = windows_field("Open (one window per line; empty: throughout)")
    preview = SubmitField("Check these opening times")
    save = SubmitField("Save the opening times")


class UserForm(CommitteeForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254),
                                             Regexp(r"^[^@\s]+@[^@\s]+$", message="an e-mail address")])
    password = PasswordField("Password (at least 10 characters)", validators=[DataRequired(), Length(10, 200)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="viewer")
    submit = SubmitField("Create the account")


class RoleForm(CommitteeForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Active")
    submit = SubmitField("Save")
