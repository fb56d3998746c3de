"""The notification preference form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from airm_training.notifications.models import Channel


class PreferenceForm(FlaskForm):
    channel = RadioField(
        "How do you want to be told?",
        choices=[SelectChoice(c.value, c.label) for c in Channel],
        validators=[InputRequired(message="Choose how you want to be told.")],
    )
    submit = SubmitField("Save preference")
