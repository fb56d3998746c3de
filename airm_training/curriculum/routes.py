"""Module list, module page, completion and attendance."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from airm_training.core.errors import DomainError
from airm_training.core.forms import show_problems
from airm_training.core.markdown import render_markdown
from airm_training.core.permissions import CANDIDATE, DIRECTOR, requires
from airm_training.curriculum.forms import AttendanceForm, CompleteModuleForm
from airm_training.curriculum.services import (
    complete_module,
    enrolled_candidates,
    module_status,
    module_statuses,
    record_attendance,
)
from airm_training.extensions import db
from airm_training.programme.models import Module, ModuleStage

bp = Blueprint("curriculum", __name__, url_prefix="/curriculum")


def _module_or_404(code: str) -> Module:
    module = db.session.scalar(sa.select(Module).where(Module.code == code))
    if module is None:
        abort(404)
    return module


@bp.route("/")
def index():
    return render_template(
        "curriculum/index.html",
        grouped=module_statuses(current_user),
        stage_label=lambda code: ModuleStage(code).label,
    )


@bp.route("/<code>")
def show(code: str):
    module = _module_or_404(code)
    return render_template(
        "curriculum/module.html",
        module=module,
        status=module_status(current_user, module),
        content=render_markdown(module.content),
        form=CompleteModuleForm(),
    )


@bp.route("/<code>/complete", methods=["POST"])
@requires(CANDIDATE)
def complete(code: str):
    module = _module_or_404(code)
    form = CompleteModuleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        complete_module(current_user, module)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        for _field, reason in error.problems:
            flash(reason, "warning")
    except sa.exc.IntegrityError:  # a second click raced the first
        db.session.rollback()
        flash(f"{module.code} is already recorded as complete.", "info")
    else:
        flash(f"{module.code} is recorded as complete today.", "success")
    return redirect(url_for("curriculum.show", code=module.code))


@bp.route("/<code>/attendance", methods=["GET", "POST"])
@requires(DIRECTOR)
def attendance(code: str):
    module = _module_or_404(code)
    candidates = enrolled_candidates()
    form = AttendanceForm()
    form.people.choices = [SelectChoice(p.id, p.display_name) for p in candidates]
    if form.validate_on_submit():
        chosen = [p for p in candidates if p.id in set(form.people.data)]
        try:
            recorded = record_attendance(
                module, chosen, form.attended_on.data, director=current_user
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_problems(form, error)
        except sa.exc.IntegrityError:
            db.session.rollback()
            flash(
                "Someone else recorded some of these completions meanwhile; check and retry.",
                "warning",
            )
        else:
            noun = "person" if len(recorded) == 1 else "people"
            flash(f"Attendance recorded for {len(recorded)} {noun}.", "success")
            return redirect(url_for("curriculum.show", code=module.code))
    return render_template(
        "curriculum/attendance.html", module=module, form=form, has_candidates=bool(candidates)
    )
