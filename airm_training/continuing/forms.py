"""The CE record form, the director's rejection, drawing an audit and an audit finding;
free text is checked for anything that could identify a client."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from airm_training.continuing.services import MAX_REASON_LENGTH, TEXT_LIMITS, CeInput
from airm_training.core.clock import today
from airm_training.core.forms import Form
from airm_training.privacy.forms import PrivacyChecked
from airm_training.supporting.forms import FILE_TYPES


class CeForm(PrivacyChecked, Form):
    privacy_fields = ("provider", "course_title")

    provider = StringField(
        "Provider",
        validators=[DataRequired("Enter the provider."), Length(max=TEXT_LIMITS["provider"])],
        description="Who offered the course, e.g. “Northwest Trauma Institute”.",
    )
    course_title = StringField(
        "Course title",
        validators=[
            DataRequired("Enter the course's title."),
            Length(max=TEXT_LIMITS["course_title"]),
        ],
        description="As on the certificate. Never a client's name or details.",
    )
    approval_number = StringField(
        "Course or approval number",
        validators=[
            DataRequired("Enter the course or approval number from the certificate."),
            Length(max=TEXT_LIMITS["approval_number"]),
        ],
    )
    completed_on = DateField(
        "Date of the course", validators=[DataRequired("Enter the date.")], default=today
    )
    credit_hours = IntegerField(
        "Credit hours", validators=[InputRequired(), NumberRange(min=0, max=200)], default=1
    )
    credit_minutes = IntegerField(
        "Minutes", validators=[InputRequired(), NumberRange(min=0, max=59)], default=0
    )
    subject_area = SelectField("Subject area")  # the choice itself is checked
    certificate = FileField(
        "Certificate",
        validators=[
            FileRequired("Choose the certificate's file."),
            FileAllowed(FILE_TYPES, "Upload a PDF, PNG or JPEG file."),
        ],
        description="A PDF, PNG or JPEG; it is cleaned and kept with your documents.",
    )
    submit = SubmitField("Send for verification")

    def to_input(self) -> CeInput:
        upload = self.certificate.data
        return CeInput(
            provider=self.provider.data or "",
            course_title=self.course_title.data or "",
            approval_number=self.approval_number.data or "",
            completed_on=self.completed_on.data,
            minutes=(self.credit_hours.data or 0) * 60 + (self.credit_minutes.data or 0),
            subject_area=self.subject_area.data or "",
            certificate=upload.read() if upload else b"",
            filename=(upload.filename or "") if upload else "",
        )


class CeRejectForm(PrivacyChecked, Form):
    privacy_fields = ("reason",)

    reason = TextAreaField(
        "Why it is not verified",
        validators=[DataRequired("Say why."), Length(max=MAX_REASON_LENGTH)],
        description="The person reads this, e.g. “The certificate shows no approval number.”",
    )
    submit = SubmitField("Do not verify")


class DrawAuditForm(Form):
    award = SelectField("Renewal cycle", coerce=int)
    submit = SubmitField("Draw a random sample")


class AuditFindingForm(PrivacyChecked, Form):
    privacy_fields = ("note",)

    finding = RadioField(
        "Finding",
        choices=[
            SelectChoice("verified", "Verified"),
            SelectChoice("not-verified", "Not verified"),
        ],
        validators=[InputRequired("Choose verified or not verified.")],
    )
    note = TextAreaField(
        "Note",
        validators=[Optional(), Length(max=MAX_REASON_LENGTH)],
        description="Required when not verified: the person reads it.",
    )
    submit = SubmitField("Record the finding")
