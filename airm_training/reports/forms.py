"""The reports page's settings."""

from __future__ import annotations

from wtforms import IntegerField
from wtforms.validators import Optional, ValidationError
from wtforms.widgets import TextInput

from airm_training.core.forms import Form
from airm_training.reports.people import DEFAULT_STALLED_DAYS

MAX_STALLED_DAYS = 3650


class ReportSettingsForm(Form):
    class Meta:
        csrf = False  # a GET form that only changes what is shown

    days = IntegerField(
        "Stalled after (days without activity)",
        default=DEFAULT_STALLED_DAYS,
        validators=[Optional()],
        # A text box: a number box would echo back a typed "abc" as an invalid value.
        widget=TextInput(),
    )

    def validate_days(self, field: IntegerField) -> None:
        if field.data is not None and not 1 <= field.data <= MAX_STALLED_DAYS:
            raise ValidationError(f"Enter a whole number of days from 1 to {MAX_STALLED_DAYS}.")

    @property
    def stalled_days(self) -> int:
        """The days asked for when valid, otherwise the default."""
        if self.errors or self.days.data is None:
            return DEFAULT_STALLED_DAYS
        return self.days.data
