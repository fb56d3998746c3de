"""Forms of the curriculum pages."""

from decimal import Decimal

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from airm_training.core.forms import Form
from airm_training.curriculum.editing import ModuleInput
from airm_training.programme.models import ModuleStage


class CompleteModuleForm(Form):
    submit = SubmitField("Mark as complete")


class AttendanceForm(Form):
    attended_on = DateField("Date of the training", validators=[DataRequired()])
    people = SelectMultipleField(
        "Who attended",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    submit = SubmitField("Record attendance")


class ModuleForm(Form):
    code = StringField(
        "Code", validators=[DataRequired(), Length(max=20)], description="For example AIRM-205."
    )
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    stage = SelectField("Stage", choices=[SelectChoice(s.value, s.label) for s in ModuleStage])
    ce_hours = DecimalField("CE hours", places=2, validators=[InputRequired(), NumberRange(0, 100)])
    objectives = TextAreaField("Learning objectives", description="One per line.")
    content = TextAreaField(
        "Content",
        description=(
            "Markdown. HTML is not allowed and is shown as text. "
            "Case material must be de-identified."
        ),
    )
    self_paced = BooleanField("Self-paced (candidates mark it complete themselves)")
    prerequisites = SelectMultipleField(
        "Prerequisites", widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    submit = SubmitField("Save module")

    def to_input(self) -> ModuleInput:
        return ModuleInput(
            code=self.code.data or "",
            title=self.title.data or "",
            stage=self.stage.data,
            ce_minutes=round(self.ce_hours.data * 60),
            objectives=(self.objectives.data or "").splitlines(),
            content=self.content.data or "",
            self_paced=bool(self.self_paced.data),
            prerequisite_codes=list(self.prerequisites.data or []),
        )

    def fill_from(self, module) -> None:
        self.code.data = module.code
        self.title.data = module.title
        self.stage.data = module.stage
        self.ce_hours.data = Decimal(module.ce_minutes) / 60
        self.objectives.data = "\n".join(module.objectives or [])
        self.content.data = module.content
        self.self_paced.data = module.self_paced
        self.prerequisites.data = [p.code for p in module.prerequisites]
