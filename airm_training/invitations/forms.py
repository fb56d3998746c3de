"""Uploading a CSV of people to invite."""

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SubmitField

from airm_training.core.forms import Form


class BulkInviteForm(Form):
    file = FileField(
        "CSV file",
        validators=[
            FileRequired("Choose a CSV file."),
            FileAllowed(["csv"], "Upload a .csv file."),
        ],
    )
    submit = SubmitField("Check the file and send the invitations")
