"""Filtering the audit trail."""

from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from airm_training.core.forms import Form
from airm_training.core.input import id_value


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET form that only filters

    person_search = StringField("Find a person", validators=[Optional(), Length(max=100)])
    person = SelectField(
        "Person (actor or subject)",
        coerce=lambda value: id_value(str(value)) if value not in (None, "", "None") else None,
        validators=[Optional()],
        validate_choice=False,
    )
    # Values outside the lists still filter (a history link of an object with no events
    # yet finds nothing rather than everything).
    action = SelectField("Action", validators=[Optional()], validate_choice=False)
    object_type = SelectField("Object type", validators=[Optional()], validate_choice=False)
    object_id = StringField("Object id", validators=[Optional(), Length(max=40)])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
