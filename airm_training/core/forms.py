"""Shared form pieces: a CSRF-only action form, and putting a service's DomainError
back onto the form that caused it."""

from flask import flash
from flask_wtf import FlaskForm

from airm_training.core.errors import DomainError


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


class ActionForm(FlaskForm):
    """CSRF-only form for one-button actions (submit, withdraw, retire, ...)."""
