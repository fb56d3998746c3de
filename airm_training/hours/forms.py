"""Forms for logging, filtering, importing and signing hours."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from airm_training.core.clock import today
from airm_training.core.forms import Form
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.hours.rules import MAX_NOTE_LENGTH, EntryInput
from airm_training.people.models import Person
from airm_training.privacy.forms import PrivacyChecked
from airm_training.programme.models import HoursCategory, ModuleStage

PRIVACY_NOTICE = (
    "This is a training record, not a clinical record. Never write anything that could "
    "identify a client: no names, initials, dates of birth, contact details or record numbers."
)


class EntryForm(PrivacyChecked, Form):
    privacy_fields = ("note",)
    session_date = DateField("Date of the session", validators=[DataRequired()], default=today)
    duration_hours = IntegerField(
        "Hours", validators=[InputRequired(), NumberRange(min=0, max=12)], default=1
    )
    duration_minutes = IntegerField(
        "Minutes", validators=[InputRequired(), NumberRange(min=0, max=59)], default=0
    )
    category = SelectField("Category", validators=[DataRequired()])
    supervisor = SelectField(
        "Supervisor",
        coerce=lambda value: int(value) if value not in (None, "", "None") else None,
        description="The AIRT-S who will sign this entry (for consultation: who led it).",
    )
    stages = SelectMultipleField(
        "AIRM stages",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        choices=[
            SelectChoice(stage.value, stage.label)
            for stage in ModuleStage
            if stage not in (ModuleStage.FOUNDATIONS, ModuleStage.SUPERVISION)
        ],
    )
    modalities = SelectMultipleField(
        "Modalities", widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    group_size = IntegerField(
        "Group size",
        validators=[Optional(), NumberRange(min=2, max=100)],
        description="Only for group categories: how many clinicians took part.",
    )
    note = TextAreaField(
        "Note", validators=[Length(max=MAX_NOTE_LENGTH)], description=PRIVACY_NOTICE
    )
    confirm_duplicate = BooleanField(
        "This is a second session, not the same one logged twice: log it."
    )
    save_draft = SubmitField("Save as draft")
    submit_entry = SubmitField("Submit for sign-off")

    def set_choices(
        self, categories: list[HoursCategory], supervisors: list[Person], modalities
    ) -> None:
        self.category.choices = [SelectChoice("", "Choose…")] + [
            SelectChoice(c.code, c.name) for c in categories
        ]
        self.supervisor.choices = [SelectChoice("", "Choose…")] + [
            SelectChoice(p.id, p.display_name) for p in supervisors
        ]
        self.modalities.choices = [SelectChoice(m, m) for m in sorted(modalities)]

    def fill_from(self, entry: HoursEntry) -> None:
        self.session_date.data = entry.session_date
        self.duration_hours.data, self.duration_minutes.data = divmod(entry.minutes, 60)
        self.category.data = entry.category.code
        self.supervisor.data = entry.supervisor_id
        self.stages.data = list(entry.stages or [])
        self.modalities.data = list(entry.modalities or [])
        self.group_size.data = entry.group_size
        self.note.data = entry.note

    def to_input(self) -> EntryInput:
        return EntryInput(
            session_date=self.session_date.data,
            minutes=self.duration_hours.data * 60 + self.duration_minutes.data,
            category_code=self.category.data,
            supervisor_id=self.supervisor.data,
            stages=list(self.stages.data or []),
            modalities=list(self.modalities.data or []),
            group_size=self.group_size.data,
            note=self.note.data or "",
        )

    @property
    def submitting(self) -> bool:
        return bool(self.submit_entry.data)


class HoursFilterForm(Form):
    class Meta:
        csrf = False  # a GET form that only filters

    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any status")]
        + [SelectChoice(s.value, s.label) for s in HoursStatus],
        validators=[Optional()],
    )
    category = SelectField("Category", validators=[Optional()])
    supervisor = SelectField(
        "Supervisor",
        coerce=lambda value: int(value) if value not in (None, "", "None") else None,
        validators=[Optional()],
    )
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    order = SelectField(
        "Order",
        choices=[
            SelectChoice("", "Newest session first"),
            SelectChoice("oldest", "Waiting longest first"),
        ],
        validators=[Optional()],
    )


class ReturnForm(PrivacyChecked, Form):
    privacy_fields = ("reason",)

    reason = TextAreaField(
        "What needs to change",
        validators=[DataRequired(message="Say what needs to change."), Length(max=1000)],
    )
    submit = SubmitField("Return to clinician")


class SignForm(Form):
    attest = BooleanField("I confirm the attestation above.")
    submit = SubmitField("Sign selected entries")


class ImportForm(PrivacyChecked, Form):
    """The notes are checked in the file; the form carries the confirmation."""

    file = FileField(
        "CSV file",
        validators=[
            FileRequired("Choose a CSV file."),
            FileAllowed(["csv"], "Upload a .csv file."),
        ],
    )
    submit = SubmitField("Import and submit for sign-off")
