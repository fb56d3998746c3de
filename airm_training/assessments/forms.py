"""Forms for case presentations, grading, evaluations and the question bank."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from airm_training.assessments.bank import MAX_OPTIONS, QuestionInput, QuizSettings
from airm_training.assessments.case_rubric import CaseRubric
from airm_training.assessments.cases import MAX_TEXT_LENGTH, MIN_TEXT_LENGTH, CaseInput
from airm_training.core.clock import today
from airm_training.core.forms import Form
from airm_training.privacy.forms import PdfPrivacyChecked, PrivacyChecked
from airm_training.programme.models import ModuleStage

DEIDENTIFIED = (
    "I confirm this case is de-identified: no names, initials, dates of birth, places, "
    "employers, contact details or record numbers of any client."
)


def _checkboxes(label: str, **kwargs) -> SelectMultipleField:
    return SelectMultipleField(
        label, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(), **kwargs
    )


# The page counts characters against both limits as the case is written (app.js).
CASE_TEXT_LIMITS = {"data-minlength": MIN_TEXT_LENGTH, "maxlength": MAX_TEXT_LENGTH}


class CaseForm(PdfPrivacyChecked, Form):
    privacy_fields = ("title", "text")

    title = StringField(
        "Title",
        validators=[DataRequired(), Length(max=200)],
        description="Describe the case, never the client: e.g. “Romantic bond, stage 2 pacing”.",
    )
    supervisor = SelectField("Supervisor who will grade it", coerce=int)
    bond_type = SelectField("Bond type")
    stages = _checkboxes(
        "AIRM stages",
        choices=[
            SelectChoice(s.value, s.label)
            for s in ModuleStage
            if s not in (ModuleStage.FOUNDATIONS, ModuleStage.SUPERVISION)
        ],
    )
    modalities = _checkboxes("Modalities")
    text = TextAreaField(
        "De-identified case write-up", validators=[DataRequired()], render_kw=CASE_TEXT_LIMITS
    )
    pdf = FileField(
        "Optional PDF",
        validators=[FileAllowed(["pdf"], "Upload a PDF file.")],
        description="Up to 4 MB. It must be de-identified too.",
    )
    deidentified = BooleanField(DEIDENTIFIED)
    submit = SubmitField("Submit for grading")

    def to_input(self) -> CaseInput:
        upload = self.pdf.data
        content = upload.read() if upload else None
        return CaseInput(
            title=self.title.data or "",
            stages=list(self.stages.data or []),
            bond_type=self.bond_type.data or "",
            modalities=list(self.modalities.data or []),
            text=self.text.data or "",
            deidentified_confirmed=bool(self.deidentified.data),
            supervisor_id=self.supervisor.data,
            pdf=content or None,
            pdf_filename=upload.filename if upload else None,
        )


class ExtraAttemptForm(Form):
    person = IntegerField("Person", validators=[InputRequired("Choose the person.")])
    reason = StringField(
        "Reason",
        validators=[
            DataRequired("Say why another attempt is allowed."),
            Length(max=1000, message="Keep the reason under 1000 characters."),
        ],
    )


class RevisionForm(PdfPrivacyChecked, Form):
    privacy_fields = ("text",)

    text = TextAreaField(
        "Revised write-up", validators=[DataRequired()], render_kw=CASE_TEXT_LIMITS
    )
    pdf = FileField("Optional PDF", validators=[FileAllowed(["pdf"], "Upload a PDF file.")])
    deidentified = BooleanField(DEIDENTIFIED)
    submit = SubmitField("Submit the new version")


class GradeForm(PrivacyChecked, Form):
    privacy_fields = ("feedback",)

    grade = RadioField(
        "Grade",
        choices=[
            SelectChoice("pass", "Pass"),
            SelectChoice("revise", "Revise and resubmit"),
            SelectChoice("fail", "Fail"),
        ],
        validators=[InputRequired(message="Choose a grade.")],
    )
    feedback = TextAreaField("Feedback", validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField("Record the grade")


def grade_form(rubric: CaseRubric) -> GradeForm:
    """The grade form with one rating per criterion of ``rubric``, none preselected."""

    class RubricGradeForm(GradeForm):
        pass

    for code, name in rubric.criteria:
        setattr(
            RubricGradeForm,
            f"rubric_{code}",
            SelectField(
                name,
                choices=[SelectChoice("", "Choose a rating…")]
                + [SelectChoice(c, label) for c, label in reversed(rubric.ratings)],
                validators=[InputRequired(message=f"Rate “{name}”.")],
            ),
        )
    return RubricGradeForm()


class EvaluationForm(PrivacyChecked, Form):
    privacy_fields = ("overall_comment",)  # and each item's comment, see the view

    candidate = SelectField("Candidate", coerce=int)
    session_date = DateField(
        "Date of the observed session", validators=[DataRequired()], default=today
    )
    observation = RadioField(
        "Observed",
        choices=[SelectChoice("live", "Live"), SelectChoice("recorded", "Recorded")],
        validators=[InputRequired(message="Say how the session was observed.")],
    )
    overall_comment = TextAreaField("Overall comment", validators=[Length(max=2000)])
    submit = SubmitField("Submit the evaluation (it cannot be changed afterwards)")


class OptionForm(Form):
    class Meta:
        csrf = False

    text = StringField("Option", validators=[Optional(), Length(max=500)])
    correct = BooleanField("Correct")


class QuestionForm(Form):
    kind = SelectField(
        "Kind",
        choices=[
            SelectChoice("single", "Single choice (one correct option)"),
            SelectChoice("multiple", "Multiple choice (two or more correct options)"),
        ],
    )
    prompt = TextAreaField("Question", validators=[DataRequired(), Length(max=2000)])
    options = FieldList(FormField(OptionForm), min_entries=MAX_OPTIONS, max_entries=MAX_OPTIONS)
    explanation = TextAreaField("Explanation shown after submission", validators=[Length(max=2000)])
    submit = SubmitField("Save question")

    def to_input(self) -> QuestionInput:
        return QuestionInput(
            kind=self.kind.data,
            prompt=self.prompt.data or "",
            explanation=self.explanation.data or "",
            options=[(o.form.text.data or "", bool(o.form.correct.data)) for o in self.options],
        )


class QuizSettingsForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    pass_mark_percent = IntegerField(
        "Pass mark (%)", validators=[InputRequired(), NumberRange(1, 100)]
    )
    questions_per_attempt = IntegerField(
        "Questions drawn per attempt", validators=[InputRequired(), NumberRange(1, 100)]
    )
    attempt_limit = IntegerField(
        "Attempts allowed", validators=[InputRequired(), NumberRange(1, 20)]
    )
    wait_hours = IntegerField(
        "Hours to wait between attempts", validators=[InputRequired(), NumberRange(0, 1440)]
    )
    submit = SubmitField("Save settings")

    def to_settings(self) -> QuizSettings:
        return QuizSettings(
            title=self.title.data,
            pass_mark_percent=self.pass_mark_percent.data,
            questions_per_attempt=self.questions_per_attempt.data,
            attempt_limit=self.attempt_limit.data,
            wait_hours=self.wait_hours.data,
        )
