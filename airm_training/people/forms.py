"""Inviting a person."""

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import CheckboxInput, ListWidget

from airm_training.people.models import Role


class InviteForm(FlaskForm):
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
