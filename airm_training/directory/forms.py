"""Filtering the public directory, and a person's own directory profile."""

from wtforms import BooleanField, SelectField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from airm_training.core.forms import Form
from airm_training.directory.models import BIO_MAX
from airm_training.privacy.forms import PrivacyChecked


class DirectoryFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form

    credential = SelectField("Credential", choices=[], validate_choice=False)
    location = SelectField("Licensed in", choices=[], validate_choice=False)


class ProfileForm(PrivacyChecked, Form):
    privacy_fields = ("bio",)

    listed = BooleanField(
        "List me in the public directory",
        description="Off by default. You can turn it off at any time; your entry then "
        "disappears at once.",
    )
    bio = TextAreaField(
        "A short bio",
        validators=[Length(max=BIO_MAX)],
        description=f"At most {BIO_MAX} characters, shown publicly. Describe your practice; "
        "never a client.",
    )
    modalities = SelectMultipleField(
        "Modalities you combine with AIRM",
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )
    preview = SubmitField("Preview")
    save = SubmitField("Save")
