"""The notification preference form."""

from __future__ import annotations

from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from airm_training.core.forms import Form
from airm_training.notifications.models import Channel


class PreferenceForm(Form):
    channel = RadioField(
        "How do you want to be told?",
        choices=[SelectChoice(c.value, c.label) for c in Channel],
        validators=[InputRequired(message="Choose how you want to be told.")],
    )
    submit = SubmitField("Save preference")
