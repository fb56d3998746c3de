"""The reports page's settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from airm_training.reports.people import DEFAULT_STALLED_DAYS

MAX_STALLED_DAYS = 3650


class ReportSettingsForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only changes what is shown

    days = IntegerField(
        "Stalled after (days without activity)",
        default=DEFAULT_STALLED_DAYS,
        validators=[
            Optional(),
            NumberRange(1, MAX_STALLED_DAYS, "Enter a whole number of days from 1 to 3650."),
        ],
    )

    @property
    def stalled_days(self) -> int:
        """The days asked for when valid, otherwise the default."""
        if self.errors or self.days.data is None:
            return DEFAULT_STALLED_DAYS
        return self.days.data
