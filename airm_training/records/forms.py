"""Choosing the period of a verification of supervised hours."""

from wtforms import DateField, SubmitField
from wtforms.validators import Optional

from airm_training.core.forms import Form


class VerificationForm(Form):
    # Optional here: the service checks the range and says what is wrong with it.
    starts_on = DateField("First day", validators=[Optional()])
    ends_on = DateField("Last day", validators=[Optional()])
    submit = SubmitField("Issue the verification")
