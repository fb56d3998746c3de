"""The people directory, a person's record and invitations."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from airm_training.auth.services import send_link
from airm_training.auth.tokens import TokenPurpose
from airm_training.core.errors import DomainError
from airm_training.core.forms import (
    ActionForm,
    flash_form_errors,
    flash_problems,
    show_problems,
)
from airm_training.core.permissions import DIRECTOR, can_grant_role, can_view_person, requires
from airm_training.credentials.services import awards_of, enrol, enrolment_of
from airm_training.extensions import db
from airm_training.people.forms import InviteForm, LicenceForm
from airm_training.people.models import Licence, Person, Role
from airm_training.people.services import add_licence, create_person, verify_licence

bp = Blueprint("people", __name__, url_prefix="/people")
PAGE_SIZE = 25


@bp.route("/")
@requires(DIRECTOR)
def directory():
    query = request.args.get("q", "").strip()[:100]
    statement = sa.select(Person).order_by(Person.full_name)
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            sa.or_(sa.func.lower(Person.full_name).like(pattern), Person.email.like(pattern))
        )
    page = db.paginate(statement, per_page=PAGE_SIZE, error_out=False)
    return render_template("people/directory.html", page=page, query=query)


@bp.route("/<int:person_id>")
def show(person_id: int):
    person = db.get_or_404(Person, person_id)
    if not can_view_person(current_user, person):
        abort(403)
    return render_template(
        "people/show.html",
        person=person,
        awards=awards_of(person),
        enrolment=enrolment_of(person),
        licence_form=LicenceForm(),
        action_form=ActionForm(),
    )


@bp.route("/<int:person_id>/licences", methods=["POST"])
def add_licence_page(person_id: int):
    """The person themselves or a director records a licence."""
    person = db.get_or_404(Person, person_id)
    if not can_view_person(current_user, person):
        abort(403)
    form = LicenceForm()
    if form.validate_on_submit():
        try:
            add_licence(
                person,
                licence_type=form.licence_type.data,
                number=form.number.data,
                jurisdiction=form.jurisdiction.data,
                expires_on=form.expires_on.data,
                actor_id=current_user.id,
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash_problems(error)
        except sa.exc.IntegrityError:
            db.session.rollback()
            flash("This licence is already on file.", "warning")
        else:
            flash("Licence recorded. A director verifies it with the issuing board.", "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("people.show", person_id=person.id))


@bp.route("/<int:person_id>/licences/<int:licence_id>/verify", methods=["POST"])
@requires(DIRECTOR)
def verify_licence_page(person_id: int, licence_id: int):
    licence = db.get_or_404(Licence, licence_id)
    if licence.person_id != person_id or not ActionForm().validate_on_submit():
        abort(404 if licence.person_id != person_id else 400)
    try:
        verify_licence(licence, verifier=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash_problems(error)
    else:
        flash("Licence verified.", "success")
    return redirect(url_for("people.show", person_id=person_id))


@bp.route("/<int:person_id>/enrol", methods=["POST"])
@requires(DIRECTOR)
def enrol_page(person_id: int):
    person = db.get_or_404(Person, person_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        enrol(person, actor_id=current_user.id)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash_problems(error)
    except sa.exc.IntegrityError:
        db.session.rollback()
        flash(f"{person.full_name} is already enrolled.", "warning")
    else:
        flash(f"{person.full_name} is enrolled and holds AIRT-C.", "success")
    return redirect(url_for("people.show", person_id=person_id))


@bp.route("/invite", methods=["GET", "POST"])
@requires(DIRECTOR)
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        roles = tuple(Role(value) for value in form.roles.data)
        forbidden = [role.label for role in roles if not can_grant_role(current_user, role)]
        if forbidden:
            form.roles.errors.append(f"You may not grant: {', '.join(forbidden)}.")
        else:
            try:
                person = create_person(
                    email=form.email.data,
                    full_name=form.full_name.data,
                    post_nominals=form.post_nominals.data or "",
                    roles=roles,
                    actor_id=current_user.id,
                )
                send_link(person, TokenPurpose.INVITE)
            except DomainError as error:
                db.session.rollback()
                show_problems(form, error)
            else:
                db.session.commit()
                flash(f"Invitation sent to {person.email}.", "success")
                return redirect(url_for("people.show", person_id=person.id))
    return render_template("people/invite.html", form=form)
