"""The signature upload form."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SubmitField

from airm_training.core.forms import Form


class SignatureForm(Form):
    file = FileField(
        "Signature image",
        validators=[
            FileRequired("Choose an image to upload."),
            FileAllowed(["png", "jpg", "jpeg"], "Upload a PNG or JPEG image."),
        ],
        description="A PNG (best with a transparent background) or JPEG of up to 1 MB: "
        "your signature in dark ink on white, cropped close.",
    )
    submit = SubmitField("Upload")
