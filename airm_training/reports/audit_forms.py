"""Filtering the audit trail."""

from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional

from airm_training.core.forms import Form
from airm_training.core.input import id_value


def _person_id(value) -> int | None:
    return id_value(str(value)) if value not in (None, "", "None") else None


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET form that only filters

    # The person is typed (the page suggests names as you type, from the server); the
    # chosen suggestion's id travels in ``person``, a typed name alone in ``person_name``.
    person = HiddenField(validators=[Optional()], filters=[lambda value: _person_id(value)])
    person_name = StringField("Person (actor or subject)", validators=[Optional(), Length(max=120)])
    # Values outside the lists still filter (a history link of an object with no events
    # yet finds nothing rather than everything).
    action = SelectField("Action", validators=[Optional()], validate_choice=False)
    object_type = SelectField("Object type", validators=[Optional()], validate_choice=False)
    object_id = StringField("Object id", validators=[Optional(), Length(max=40)])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
