"""Forms of the programme pages. The level form is built for the level it edits: one
group of inputs per requirement, named as ``editing.field_name`` names them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from airm_training.core.forms import Form
from airm_training.programme.editing import SECTIONS, field_name, params_of
from airm_training.programme.labels import requirement_label


@dataclass(frozen=True)
class RequirementGroup:
    """The inputs of one requirement, for the template."""

    title: str
    kind: str
    purpose: str  # requirements, renewal or reinstatement
    names: list[str]


class _LevelForm(Form):
    validity_months = IntegerField(
        "Valid for (months)",
        validators=[Optional()],
        description="Leave empty for a level that does not expire.",
    )
    note = TextAreaField(
        "What changed and why", validators=[Length(max=500)], description="Kept in the audit trail."
    )
    submit = SubmitField("Save as a new version")

    groups: list[RequirementGroup]

    def values(self) -> dict[str, Any]:
        """Every input by name, as the service takes them."""
        names = ["validity_months"] + [name for group in self.groups for name in group.names]
        return {name: self[name].data for name in names}


def level_form(
    level: dict[str, Any],
    choices: dict[str, list[str]],
    data: dict | None = None,
    category_names: dict[str, str] | None = None,
    subject_names: dict[str, str] | None = None,
):
    """A form for ``level`` (its document), prefilled with ``data`` on GET."""

    class LevelForm(_LevelForm):
        pass

    category_names = category_names or {}
    groups = []
    for prefix, key in SECTIONS:
        for index, requirement in enumerate(level.get(key, [])):
            names = [field_name(prefix, index, "description")]
            setattr(
                LevelForm,
                names[0],
                StringField(
                    "Description (optional; the label follows from the numbers)",
                    validators=[Optional(), Length(max=200)],
                ),
            )
            for param in params_of(requirement):
                name = field_name(prefix, index, param.key)
                setattr(LevelForm, name, _field(param, choices))
                names.append(name)
            groups.append(
                RequirementGroup(
                    requirement_label(requirement, category_names, subject_names),
                    requirement.get("kind", ""),
                    key,
                    names,
                )
            )
    form = LevelForm(data=data) if data is not None else LevelForm()
    form.groups = groups
    return form


def _field(param, choices: dict[str, list[str]]):
    validators = [Optional()] if param.optional else [InputRequired()]
    if param.kind == "hours":
        return DecimalField(param.label, places=2, validators=validators)
    if param.kind == "int":
        return IntegerField(param.label, validators=validators)
    if param.kind == "level":
        options = [SelectChoice("", "Anyone")] if param.optional else []
        options += [SelectChoice(code, code) for code in choices["levels"]]
        return SelectField(param.label, choices=options, validators=[Optional()])
    return SelectMultipleField(
        param.label,
        choices=[SelectChoice(code, code) for code in choices[param.choices]],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # the service names unknown codes
    )


class MoveForm(Form):
    version = SelectField("Move to", coerce=int)
    confirm = BooleanField(
        "I understand that this person's requirements change to those of the chosen version."
    )
    submit = SubmitField("Move")


class CompareForm(Form):
    class Meta:
        csrf = False  # a GET form that only chooses what to show

    old = SelectField("From version", coerce=int, validators=[Optional()])
    new = SelectField("To version", coerce=int, validators=[Optional()])
