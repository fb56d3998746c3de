"""Programme versions: list them, change a level's numbers into a new version, compare
two versions, move a person to another version."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from airm_training.access.needs import DIRECTOR
from airm_training.core.errors import DomainError
from airm_training.core.permissions import requires
from airm_training.core.work import unit_of_work
from airm_training.credentials.models import Enrolment
from airm_training.credentials.services import enrolment_of
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.programme.diff import PURPOSES, diff_versions
from airm_training.programme.editing import (
    category_names,
    code_choices,
    current_values,
    edit_level,
    level_document,
)
from airm_training.programme.forms import CompareForm, MoveForm, level_form
from airm_training.programme.models import ProgrammeVersion
from airm_training.programme.services import current_version, programme_level
from airm_training.progression.engine import evaluate_many, next_levels
from airm_training.progression.enrolment import move_enrolment

bp = Blueprint("programme", __name__, url_prefix="/programme")


def _versions() -> list[ProgrammeVersion]:
    return list(
        db.session.scalars(
            sa.select(ProgrammeVersion).order_by(ProgrammeVersion.code, ProgrammeVersion.version)
        )
    )


@bp.route("/")
@requires(DIRECTOR)
def versions():
    enrolled = dict(
        db.session.execute(
            sa.select(Enrolment.programme_version_id, sa.func.count()).group_by(
                Enrolment.programme_version_id
            )
        ).all()
    )
    return render_template(
        "programme/versions.html",
        versions=_versions(),
        current=current_version(),
        enrolled=enrolled,
        compare=_compare_form(),
    )


@bp.route("/versions/<int:version_id>/levels/<level_code>/edit", methods=["GET", "POST"])
@requires(DIRECTOR)
def edit_level_page(version_id: int, level_code: str):
    version = db.get_or_404(ProgrammeVersion, version_id)
    try:
        level = level_document(version, level_code)
    except DomainError:
        abort(404)
    data = current_values(version, level_code) if request.method == "GET" else None
    subjects = {
        str(area.get("code")): str(area.get("name"))
        for area in version.definition.get("continuing_education", {}).get("subject_areas", [])
    }
    form = level_form(level, code_choices(version), data, category_names(), subjects)
    if form.validate_on_submit():
        with unit_of_work(
            form, conflict="Another version was saved at the same moment. Check it and try again."
        ) as work:
            new = edit_level(
                version, level_code, form.values(), actor=current_user, note=form.note.data or ""
            )
        if work.ok:
            flash(
                f"Saved as {new.label}. New enrolments use it; people already enrolled keep "
                "their version until you move them.",
                "success",
            )
            return redirect(url_for("programme.compare", old=version.id, new=new.id))
    return render_template(
        "programme/edit_level.html",
        form=form,
        version=version,
        level=level,
        next_number=_newest_number(version) + 1,
        purposes={
            "requirements": PURPOSES["attain"],
            "renewal": PURPOSES["renew"],
            "reinstatement": PURPOSES["reinstate"],
        },
    )


def _newest_number(version: ProgrammeVersion) -> int:
    return db.session.scalar(
        sa.select(sa.func.max(ProgrammeVersion.version)).where(
            ProgrammeVersion.code == version.code
        )
    )


def _compare_form() -> CompareForm:
    versions = _versions()
    form = CompareForm(request.args)
    form.old.choices = form.new.choices = [SelectChoice(v.id, v.label) for v in versions]
    if not request.args and len(versions) >= 2:
        form.old.data, form.new.data = versions[-2].id, versions[-1].id
    return form


@bp.route("/compare")
@requires(DIRECTOR)
def compare():
    form = _compare_form()
    diff = None
    old = new = None
    if form.validate() and form.old.data and form.new.data:  # only versions on the list
        old = db.session.get(ProgrammeVersion, form.old.data)
        new = db.session.get(ProgrammeVersion, form.new.data)
        if old is None or new is None:
            abort(404)
        diff = diff_versions(old, new)
    return render_template(
        "programme/compare.html", form=form, diff=diff, old=old, new=new, purposes=PURPOSES
    )


@bp.route("/people/<int:person_id>/move", methods=["GET", "POST"])
@requires(DIRECTOR)
def move_person(person_id: int):
    person = db.get_or_404(Person, person_id)
    enrolment = enrolment_of(person)
    if enrolment is None:
        abort(404)
    others = [
        v
        for v in _versions()
        if v.code == enrolment.programme_version.code and v.id != enrolment.programme_version_id
    ]
    form = MoveForm()
    form.version.choices = [SelectChoice(v.id, v.label) for v in others]
    if request.method == "GET" and request.args.get("to", type=int):
        form.version.data = request.args.get("to", type=int)
    if form.validate_on_submit():
        target = db.get_or_404(ProgrammeVersion, form.version.data)
        with unit_of_work(form) as work:
            move_enrolment(person, target, actor=current_user, confirmed=form.confirm.data)
        if work.ok:
            flash(f"{person.full_name} is now evaluated under {target.label}.", "success")
            return redirect(url_for("people.show", person_id=person.id))
    target = db.session.get(ProgrammeVersion, form.version.data) if form.version.data else None
    return render_template(
        "programme/move.html",
        form=form,
        person=person,
        enrolment=enrolment,
        standing=_standing(person, enrolment.programme_version),
        preview=_standing(person, target) if target else None,
        target=target,
    )


def _standing(person: Person, version: ProgrammeVersion):
    """Where ``person`` stands against their next level's rules under ``version``."""
    now = next_levels([person.id]).get(person.id)
    if now is None:
        return None
    try:
        rules = programme_level(version, now.level.code)
    except DomainError:
        return None
    return evaluate_many([person.id], rules)[person.id]
