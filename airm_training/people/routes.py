"""The people directory, a person's record and invitations."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from airm_training.auth.services import send_link
from airm_training.auth.tokens import TokenPurpose
from airm_training.core.errors import DomainError
from airm_training.core.forms import show_problems
from airm_training.core.permissions import DIRECTOR, can_grant_role, can_view_person, requires
from airm_training.credentials.services import awards_of, enrolment_of
from airm_training.extensions import db
from airm_training.people.forms import InviteForm
from airm_training.people.models import Person, Role
from airm_training.people.services import create_person

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
    )


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
