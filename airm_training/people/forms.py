"""Inviting a person, their roles, account and supervisor; filtering the directory."""

from wtforms import (
    DateField,
    EmailField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from airm_training.core.forms import Form
from airm_training.core.input import id_value
from airm_training.people.models import Role


class InviteForm(Form):
    full_name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    post_nominals = StringField(
        "Degrees and licences after the name",
        validators=[Length(max=120)],
        description="For example: MA, LMHC, LPC",
    )
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    roles = SelectMultipleField(
        "Roles",
        choices=[SelectChoice(role.value, role.label) for role in Role],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description="Supervisor is not a role: it follows from holding a current AIRT-S.",
    )
    submit = SubmitField("Send invitation")


class LicenceForm(Form):
    licence_type = StringField(
        "Licence type",
        validators=[DataRequired(), Length(max=40)],
        description="LMHC, LPC, LCSW, LMFT, psychologist, …",
    )
    number = StringField("Licence number", validators=[DataRequired(), Length(max=60)])
    jurisdiction = StringField(
        "Issued by (state or country)", validators=[DataRequired(), Length(max=80)]
    )
    expires_on = DateField("Expires on", validators=[DataRequired()])
    submit = SubmitField("Add licence")


def _optional_int(value) -> int | None:
    """An id, or None; a value that is not an id is a field error (see core.input)."""
    return id_value(str(value)) if value not in (None, "", "None") else None


class RolesForm(Form):
    roles = SelectMultipleField(
        "Roles",
        choices=[SelectChoice(role.value, role.label) for role in Role],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description="Only an administrator grants or removes the administrator role.",
    )
    submit = SubmitField("Save roles")


class DeactivateForm(Form):
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired(message="Say why the account is deactivated."), Length(max=500)],
        description="Kept in the audit trail.",
    )
    submit = SubmitField("Deactivate")


class SupervisorForm(Form):
    supervisor = SelectField("Primary supervisor", coerce=_optional_int, validators=[Optional()])
    submit = SubmitField("Save supervisor")


class DirectoryFilterForm(Form):
    class Meta:
        csrf = False  # a GET form that only filters

    q = SearchField("Name or e-mail", validators=[Optional()])
    role = SelectField(
        "Role",
        choices=[SelectChoice("", "Any role")]
        + [SelectChoice(role.value, role.label) for role in Role],
        validators=[Optional()],
    )
    credential = SelectField("Credential", validators=[Optional()])
    status = SelectField(
        "Status",
        choices=[
            SelectChoice("", "Any status"),
            SelectChoice("active", "Active"),
            SelectChoice("deactivated", "Deactivated"),
        ],
        validators=[Optional()],
    )
    supervisor_search = StringField("Find a supervisor", validators=[Optional(), Length(max=100)])
    supervisor = SelectField(
        "Primary supervisor", coerce=_optional_int, validators=[Optional()], validate_choice=False
    )
