"""Inviting a person."""

from wtforms import DateField, EmailField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import CheckboxInput, ListWidget

from airm_training.core.forms import Form
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
