"""The agreement's forms: proposing and signing it, the supervisor's signature, declining
(its reason checked for anything that could identify a client) and ending it."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from airm_training.agreements.services import MAX_REASON_LENGTH, AgreementInput
from airm_training.core.clock import today
from airm_training.core.forms import Form
from airm_training.privacy.forms import PrivacyChecked


def _person_id(value) -> int | None:
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class ProposeForm(Form):
    supervisor = SelectField("Supervisor", coerce=_person_id, validate_choice=False)
    starts_on = DateField("Start date", validators=[Optional()], default=today)
    ends_on = DateField(
        "End date", validators=[Optional()], description="Optional: leave empty for open-ended."
    )
    categories = SelectMultipleField(
        "Hours it covers",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )
    attest = BooleanField("I sign: I confirm the attestation above.")
    submit = SubmitField("Sign and send to the supervisor")

    def to_input(self) -> AgreementInput:
        return AgreementInput(
            supervisor_id=self.supervisor.data,
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            categories=list(self.categories.data or []),
            attested=bool(self.attest.data),
        )


class CountersignForm(Form):
    attest = BooleanField("I sign: I confirm the attestation above.")
    submit = SubmitField("Sign the agreement")


class DeclineForm(PrivacyChecked, Form):
    privacy_fields = ("reason",)

    reason = TextAreaField(
        "Why it is declined",
        validators=[DataRequired("Say why."), Length(max=MAX_REASON_LENGTH)],
        description="Both parties read this.",
    )
    submit = SubmitField("Decline")


class EndForm(Form):
    ends_on = DateField("Last day it covers", validators=[Optional()], default=today)
    submit = SubmitField("End the agreement")
