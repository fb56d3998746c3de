"""Forms of the progression workflow."""

from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from airm_training.core.forms import Form
from airm_training.privacy.forms import PrivacyChecked


class ApplyForm(PrivacyChecked, Form):
    privacy_fields = ("statement",)

    endorser = SelectField("Supervisor who will endorse your application", coerce=int)
    statement = TextAreaField(
        "Personal statement (optional)",
        validators=[Length(max=5000)],
        description="What you bring to AIRM supervision. No client-identifying information.",
    )
    submit = SubmitField("Apply")


class EndorseForm(PrivacyChecked, Form):
    privacy_fields = ("reason",)

    decision = RadioField(
        "Your decision",
        choices=[SelectChoice("endorse", "Endorse"), SelectChoice("decline", "Decline")],
        validators=[InputRequired(message="Choose endorse or decline.")],
    )
    reason = TextAreaField("Comment (required when declining)", validators=[Length(max=5000)])
    submit = SubmitField("Record my decision")


class VoteForm(PrivacyChecked, Form):
    privacy_fields = ("comment",)

    decision = RadioField(
        "Your vote",
        choices=[SelectChoice("approve", "Approve"), SelectChoice("reject", "Reject")],
        validators=[InputRequired(message="Choose approve or reject.")],
    )
    comment = TextAreaField("Comment (required when rejecting)", validators=[Length(max=5000)])
    submit = SubmitField("Cast my vote")


class RevokeForm(Form):
    reason = TextAreaField("Reason for revocation", validators=[Length(max=5000)])
    submit = SubmitField("Revoke the certificate")
