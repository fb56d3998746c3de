"""The upload form and the director's rejection form; both check their free text for
anything that could identify a client."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from airm_training.core.forms import Form
from airm_training.privacy.forms import PrivacyChecked
from airm_training.supporting.services import MAX_REASON_LENGTH, DocumentInput

NO_LICENCE = 0
FILE_TYPES = ["pdf", "png", "jpg", "jpeg"]


class UploadForm(PrivacyChecked, Form):
    privacy_fields = ("title",)

    kind = SelectField("Kind of document")
    title = StringField(
        "Title",
        validators=[Optional(), Length(max=200)],
        description="Optional, e.g. “Liability insurance 2026 to 2027”. Never a client's name.",
    )
    issued_on = DateField("Issue date", validators=[Optional()])
    expires_on = DateField(
        "Expiry date",
        validators=[Optional()],
        description="Needed for licence copies and insurance; you are reminded before it.",
    )
    licence = SelectField("Licence this copy shows", coerce=int, default=NO_LICENCE)
    file = FileField(
        "File",
        validators=[
            FileRequired("Choose a file to upload."),
            FileAllowed(FILE_TYPES, "Upload a PDF, PNG or JPEG file."),
        ],
    )
    submit = SubmitField("Upload for review")

    def to_input(self) -> DocumentInput:
        upload = self.file.data
        return DocumentInput(
            kind=self.kind.data or "",
            title=self.title.data or "",
            issued_on=self.issued_on.data,
            expires_on=self.expires_on.data,
            data=upload.read() if upload else b"",
            filename=upload.filename or "" if upload else "",
            licence_id=self.licence.data or None,
        )


class RejectForm(PrivacyChecked, Form):
    privacy_fields = ("reason",)

    reason = TextAreaField(
        "Why it is not approved",
        validators=[DataRequired("Say why."), Length(max=MAX_REASON_LENGTH)],
        description="The person reads this, e.g. “The expiry date is not legible.”",
    )
    submit = SubmitField("Do not approve")
