"""Shared form pieces: the base of every form, a CSRF-only action form, and putting a
service's DomainError back onto the form that caused it."""

from typing import Any

from flask import flash
from flask_wtf import FlaskForm
from wtforms import Field

from airm_training.core.errors import DomainError


class Form(FlaskForm):
    """Base of the app's forms. A page often holds several forms (one per action button),
    and an id must be unique on a page, so the hidden CSRF field is rendered without one."""

    class Meta:
        def render_field(self, field: Field, render_kw: dict[str, Any]) -> Any:
            if field.type == "CSRFTokenField":
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)


def show_problems(form: FlaskForm, error: DomainError) -> None:
    """Attach each problem to its field; problems without a field become a flash."""
    for field_name, reason in error.problems:
        field = getattr(form, field_name, None) if field_name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, reason]
        else:
            flash(reason, "danger")


def flash_problems(error: DomainError, category: str = "danger") -> None:
    """Show every problem of a refused action as a message (for pages without a form)."""
    for _field, reason in error.problems:
        flash(reason, category)


def flash_form_errors(form: FlaskForm) -> None:
    """Show a form's validation errors as messages (for forms posted from another page)."""
    for errors in form.errors.values():
        for message in errors:
            flash(message, "danger")


class ActionForm(Form):
    """CSRF-only form for one-button actions (submit, withdraw, retire, ...)."""
