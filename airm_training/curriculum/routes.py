"""Module list, module page, completion and attendance."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from airm_training.access.needs import CANDIDATE, DIRECTOR
from airm_training.core.markdown import render_markdown
from airm_training.core.permissions import requires
from airm_training.core.work import unit_of_work
from airm_training.curriculum.editing import (
    all_modules,
    create_module,
    move_module,
    set_retired,
    update_module,
)
from airm_training.curriculum.forms import AttendanceForm, CompleteModuleForm, ModuleForm
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
    with unit_of_work(
        category="warning",
        conflict=f"{module.code} is already recorded as complete.",
        conflict_category="info",
    ) as work:
        complete_module(current_user, module)
    if work.ok:
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
        with unit_of_work(
            form,
            conflict="Someone else recorded some of these completions meanwhile; check and retry.",
        ) as work:
            recorded = record_attendance(
                module, chosen, form.attended_on.data, director=current_user
            )
        if work.ok:
            noun = "person" if len(recorded) == 1 else "people"
            flash(f"Attendance recorded for {len(recorded)} {noun}.", "success")
            return redirect(url_for("curriculum.show", code=module.code))
    return render_template(
        "curriculum/attendance.html", module=module, form=form, has_candidates=bool(candidates)
    )


# --- directors edit the curriculum -----------------------------------------------------------
def _module_form(module: Module | None = None) -> ModuleForm:
    form = ModuleForm()
    form.prerequisites.choices = [
        SelectChoice(m.code, f"{m.code} · {m.title}")
        for m in all_modules()
        if module is None or m.id != module.id
    ]
    return form


@bp.route("/manage")
@requires(DIRECTOR)
def manage():
    return render_template(
        "curriculum/manage.html", modules=all_modules(), action_form=CompleteModuleForm()
    )


@bp.route("/manage/new", methods=["GET", "POST"])
@requires(DIRECTOR)
def create():
    form = _module_form()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            module = create_module(current_user, form.to_input())
        if work.ok:
            flash(f"{module.code} created.", "success")
            return redirect(url_for("curriculum.show", code=module.code))
    return render_template("curriculum/edit.html", form=form, module=None)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@requires(DIRECTOR)
def edit(code: str):
    module = _module_or_404(code)
    form = _module_form(module)
    if request.method == "GET":
        form.fill_from(module)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            update_module(current_user, module, form.to_input())
        if work.ok:
            flash(f"{module.code} saved.", "success")
            return redirect(url_for("curriculum.show", code=module.code))
    return render_template("curriculum/edit.html", form=form, module=module)


@bp.route("/<code>/move/<direction>", methods=["POST"])
@requires(DIRECTOR)
def move(code: str, direction: str):
    module = _module_or_404(code)
    return _manage_action(lambda: move_module(current_user, module, -1 if direction == "up" else 1))


@bp.route("/<code>/retire", methods=["POST"])
@requires(DIRECTOR)
def retire(code: str):
    module = _module_or_404(code)
    done = f"{module.code} retired: it stays in existing records but can no longer be completed."
    return _manage_action(lambda: set_retired(current_user, module, True), done)


@bp.route("/<code>/restore", methods=["POST"])
@requires(DIRECTOR)
def restore(code: str):
    module = _module_or_404(code)
    return _manage_action(
        lambda: set_retired(current_user, module, False), f"{module.code} restored."
    )


def _manage_action(action, done: str | None = None):
    if not CompleteModuleForm().validate_on_submit():
        abort(400)
    with unit_of_work(category="warning") as work:
        action()
    if work.ok and done:
        flash(done, "success")
    return redirect(url_for("curriculum.manage"))
