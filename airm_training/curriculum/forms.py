"""Forms of the curriculum pages."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, SubmitField
from wtforms.validators import DataRequired
from wtforms.widgets import CheckboxInput, ListWidget


class CompleteModuleForm(FlaskForm):
    submit = SubmitField("Mark as complete")


class AttendanceForm(FlaskForm):
    attended_on = DateField("Date of the training", validators=[DataRequired()])
    people = SelectMultipleField(
        "Who attended",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    submit = SubmitField("Record attendance")
