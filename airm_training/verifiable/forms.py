"""The public form that checks a credential or a PDF someone holds."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import Length, Optional


class CheckForm(FlaskForm):
    credential = TextAreaField(
        "Paste a credential (the JWT, or the JSON with its proof)",
        validators=[Optional(), Length(max=200_000)],
    )
    document = FileField("…or upload a certificate or transcript PDF")
