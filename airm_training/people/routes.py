"""The people directory, a person's record, invitations, roles, accounts and supervisors."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from airm_training.access.needs import DIRECTOR, can_manage_people, can_view_person
from airm_training.access.supervision import supervisors_query
from airm_training.audit.queries import recent_events
from airm_training.core.clock import today
from airm_training.core.forms import (
    ActionForm,
    flash_form_errors,
)
from airm_training.core.pagination import paginate
from airm_training.core.permissions import requires
from airm_training.core.work import unit_of_work
from airm_training.credentials.services import awards_of, enrol, enrolment_of
from airm_training.extensions import db
from airm_training.invitations.services import invite_person
from airm_training.notifications.links import register_target
from airm_training.people.directory import (
    NO_SUPERVISOR,
    DirectoryFilter,
    credential_choices,
    directory_ids,
    directory_rows,
)
from airm_training.people.forms import (
    DeactivateForm,
    DirectoryFilterForm,
    InviteForm,
    LicenceForm,
    RolesForm,
    SupervisorForm,
)
from airm_training.people.models import LICENCE_WARNING_DAYS, Licence, Person, Role
from airm_training.people.queries import PICK_LIMIT, people_matching, picked_person
from airm_training.people.roles import set_roles
from airm_training.people.services import (
    add_licence,
    deactivate_person,
    reactivate_person,
    verify_licence,
)
from airm_training.people.supervision import assign_supervisor
from airm_training.progression.engine import evaluate, next_level

bp = Blueprint("people", __name__, url_prefix="/people")
register_target("person", "people.show", "person_id")
PAGE_SIZE = 25


def _directory_filters() -> tuple[DirectoryFilterForm, DirectoryFilter]:
    form = DirectoryFilterForm(request.args)
    form.credential.choices = [("", "Any credential"), *credential_choices()]
    form.validate()
    value = {field.name: None if field.errors else field.data for field in form}
    # The supervisors offered are the chosen one and those matching the search.
    supervisor_id, supervisors = picked_person(
        value["supervisor"], value["supervisor_search"] or "", supervisors_only=True
    )
    form.supervisor.data = supervisor_id
    form.supervisor.choices = [
        (None, "Anyone"),
        (NO_SUPERVISOR, "No primary supervisor"),
        *supervisors,
    ]
    code, _, state = (value["credential"] or "").partition(":")
    return form, DirectoryFilter(
        query=(value["q"] or "").strip()[:100],
        role=Role(value["role"]) if value["role"] else None,
        credential=(code, state) if code else None,
        active={"active": True, "deactivated": False}.get(value["status"] or ""),
        supervisor_id=supervisor_id,
    )


@bp.route("/")
@requires(DIRECTOR)
def directory():
    form, filters = _directory_filters()
    page = paginate(directory_ids(filters), per_page=PAGE_SIZE)
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "people/directory.html",
        page=page,
        rows=directory_rows(page.items, today()),
        form=form,
        query=filters.query,
        args=args,
    )


@bp.route("/lookup.json")
@requires(DIRECTOR)
def lookup():
    """People whose name or e-mail contains ``q`` (at most ``PICK_LIMIT``), for the
    person filters' search as one types; ``supervisors=1``: primary supervisors only."""
    text = request.args.get("q", "")[:100]
    matches = people_matching(text, supervisors_only=request.args.get("supervisors") == "1")
    return jsonify(
        people=[{"id": person_id, "name": name} for person_id, name in matches],
        limit=PICK_LIMIT,
    )


def _roles_form(person: Person) -> RolesForm:
    form = RolesForm(formdata=None)
    form.roles.data = sorted(role.value for role in person.roles)
    return form


def _supervisor_form(person: Person) -> SupervisorForm:
    form = SupervisorForm(formdata=None, supervisor=person.primary_supervisor_id)
    form.supervisor.choices = _supervisor_choices(person)
    return form


def _supervisor_choices(candidate: Person) -> list[tuple[int | None, str]]:
    """Everyone holding a current AIRT-S today, except the candidate."""
    supervisors = db.session.scalars(supervisors_query().where(Person.id != candidate.id))
    return [(None, "No primary supervisor")] + [(p.id, p.display_name) for p in supervisors]


@bp.route("/<int:person_id>")
def show(person_id: int):
    person = db.get_or_404(Person, person_id)
    if not can_view_person(current_user, person):
        abort(403)
    staff = can_manage_people(current_user)
    rules = next_level(person)
    return render_template(
        "people/show.html",
        person=person,
        awards=awards_of(person),
        enrolment=enrolment_of(person),
        standing=evaluate(person, rules) if rules else None,
        recent=recent_events(person.id) if staff else [],
        licence_form=LicenceForm(),
        action_form=ActionForm(),
        roles_form=_roles_form(person) if staff else None,
        supervisor_form=(
            _supervisor_form(person) if staff and person.has_role(Role.CANDIDATE) else None
        ),
        warning_days=LICENCE_WARNING_DAYS,
    )


@bp.route("/<int:person_id>/progress")
@requires(DIRECTOR)
def progress(person_id: int):
    """The checklist of the person's next level, as the person sees it on their dashboard."""
    person = db.get_or_404(Person, person_id)
    rules = next_level(person)
    return render_template(
        "people/progress.html",
        person=person,
        standing=evaluate(person, rules) if rules else None,
        enrolment=enrolment_of(person),
    )


@bp.route("/<int:person_id>/roles", methods=["POST"])
@requires(DIRECTOR)
def change_roles(person_id: int):
    person = db.get_or_404(Person, person_id)
    form = RolesForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            changed = set_roles(current_user, person, {Role(value) for value in form.roles.data})
        if work.ok:
            flash("Roles saved." if changed else "The roles are unchanged.", "success")
    else:
        flash_form_errors(form)
    return redirect(url_for("people.show", person_id=person.id))


@bp.route("/<int:person_id>/deactivate", methods=["GET", "POST"])
@requires(DIRECTOR)
def deactivate(person_id: int):
    """Confirm with a reason, then deactivate."""
    person = db.get_or_404(Person, person_id)
    form = DeactivateForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            deactivate_person(current_user, person, form.reason.data)
        if work.ok:
            flash(f"{person.full_name} is deactivated and can no longer sign in.", "success")
            return redirect(url_for("people.show", person_id=person.id))
    return render_template("people/deactivate.html", person=person, form=form)


@bp.route("/<int:person_id>/reactivate", methods=["POST"])
@requires(DIRECTOR)
def reactivate(person_id: int):
    person = db.get_or_404(Person, person_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work() as work:
        reactivate_person(current_user, person)
    if work.ok:
        flash(f"{person.full_name} can sign in again.", "success")
    return redirect(url_for("people.show", person_id=person.id))


@bp.route("/<int:person_id>/supervisor", methods=["POST"])
@requires(DIRECTOR)
def assign_supervisor_page(person_id: int):
    person = db.get_or_404(Person, person_id)
    form = SupervisorForm()
    form.supervisor.choices = _supervisor_choices(person)
    if form.validate_on_submit():
        supervisor_id = form.supervisor.data
        supervisor = db.session.get(Person, supervisor_id) if supervisor_id else None
        with unit_of_work() as work:
            changed = assign_supervisor(current_user, person, supervisor)
        if work.ok:
            flash(
                "Primary supervisor saved." if changed else "The primary supervisor is unchanged.",
                "success",
            )
    else:
        flash_form_errors(form)
    return redirect(url_for("people.show", person_id=person.id))


@bp.route("/<int:person_id>/licences", methods=["POST"])
def add_licence_page(person_id: int):
    """The person themselves or a director records a licence."""
    person = db.get_or_404(Person, person_id)
    if not can_view_person(current_user, person):
        abort(403)
    form = LicenceForm()
    if form.validate_on_submit():
        with unit_of_work(conflict="This licence is already on file.") as work:
            add_licence(
                person,
                licence_type=form.licence_type.data,
                number=form.number.data,
                jurisdiction=form.jurisdiction.data,
                expires_on=form.expires_on.data,
                actor_id=current_user.id,
            )
        if work.ok:
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
    with unit_of_work() as work:
        verify_licence(licence, verifier=current_user)
    if work.ok:
        flash("Licence verified.", "success")
    return redirect(url_for("people.show", person_id=person_id))


@bp.route("/<int:person_id>/enrol", methods=["POST"])
@requires(DIRECTOR)
def enrol_page(person_id: int):
    person = db.get_or_404(Person, person_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work(conflict=f"{person.full_name} is already enrolled.") as work:
        enrol(person, actor_id=current_user.id)
    if work.ok:
        flash(f"{person.full_name} is enrolled and holds AIRT-C.", "success")
    return redirect(url_for("people.show", person_id=person_id))


@bp.route("/invite", methods=["GET", "POST"])
@requires(DIRECTOR)
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            person = invite_person(
                current_user,
                email=form.email.data,
                full_name=form.full_name.data,
                post_nominals=form.post_nominals.data or "",
                roles=tuple(Role(value) for value in form.roles.data),
            )
        if work.ok:
            flash(f"Invitation sent to {person.email}.", "success")
            return redirect(url_for("people.show", person_id=person.id))
    return render_template("people/invite.html", form=form)
