"""Pages of supervision agreements: one's own, proposing one, an agreement with its
signatures and actions, and the directors' list of those waiting for approval."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from airm_training.access.needs import DIRECTOR, LOGS_HOURS, SUPERVISOR
from airm_training.access.supervision import supervisors_query
from airm_training.agreements import workflow
from airm_training.agreements.forms import CountersignForm, DeclineForm, EndForm, ProposeForm
from airm_training.agreements.models import SupervisionAgreement
from airm_training.agreements.queries import agreements_of, waiting_for_approval
from airm_training.agreements.services import (
    CANDIDATE_ATTESTATION,
    SUPERVISOR_ATTESTATION,
    approve_agreement,
    countersign_agreement,
    decline_agreement,
    end_agreement,
    propose_agreement,
)
from airm_training.agreements.terms import agreement_terms
from airm_training.core.forms import ActionForm
from airm_training.core.pagination import paginate
from airm_training.core.permissions import requires
from airm_training.core.work import unit_of_work
from airm_training.extensions import db
from airm_training.notifications.links import register_target
from airm_training.privacy.services import confirm_form
from airm_training.programme.models import HoursCategory

bp = Blueprint("agreements", __name__, url_prefix="/agreements")
register_target("supervision_agreement", "agreements.show", "agreement_id")
bp.add_app_template_global(workflow, "agreement_workflow")
PAGE_SIZE = 25
EXPIRED = "The form expired; nothing was changed. Try again."


@bp.route("/")
def mine():
    page = paginate(agreements_of(current_user.id), per_page=PAGE_SIZE)
    return render_template("agreements/mine.html", page=page)


def _propose_form() -> ProposeForm:
    form = ProposeForm()
    form.supervisor.choices = [SelectChoice("", "Choose…")] + [
        SelectChoice(p.id, p.full_name)
        for p in db.session.scalars(supervisors_query())
        if p.id != current_user.id
    ]
    codes = agreement_terms().categories
    names = dict(
        db.session.execute(
            sa.select(HoursCategory.code, HoursCategory.name).where(HoursCategory.code.in_(codes))
        ).all()
    )
    form.categories.choices = [SelectChoice(code, names.get(code, code)) for code in codes]
    return form


@bp.route("/new", methods=["GET", "POST"])
@requires(LOGS_HOURS)
def new():
    form = _propose_form()
    if not form.is_submitted():
        form.supervisor.data = current_user.primary_supervisor_id
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            agreement = propose_agreement(current_user, form.to_input())
        if work.ok:
            flash("Agreement signed and sent to the supervisor.", "success")
            return redirect(url_for("agreements.show", agreement_id=agreement.id))
    return render_template(
        "agreements/new.html",
        form=form,
        terms=agreement_terms().terms,
        attestation=CANDIDATE_ATTESTATION,
    )


def _agreement_or_403(agreement_id: int) -> SupervisionAgreement:
    agreement = db.get_or_404(SupervisionAgreement, agreement_id)
    if not workflow.can_view(current_user, agreement):
        abort(403)
    return agreement


@bp.route("/<int:agreement_id>")
def show(agreement_id: int):
    return _show_page(_agreement_or_403(agreement_id))


def _show_page(agreement, *, decline_form=None, end_form=None, sign_form=None, status=200):
    return (
        render_template(
            "agreements/show.html",
            agreement=agreement,
            sign_form=sign_form or CountersignForm(),
            decline_form=decline_form or DeclineForm(),
            end_form=end_form or EndForm(),
            action_form=ActionForm(),
            supervisor_attestation=SUPERVISOR_ATTESTATION,
        ),
        status,
    )


@bp.route("/<int:agreement_id>/sign", methods=["POST"])
@requires(SUPERVISOR)
def sign(agreement_id: int):
    agreement = _agreement_or_403(agreement_id)
    form = CountersignForm()
    if not form.validate_on_submit():
        flash(EXPIRED, "danger")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    with unit_of_work(form) as work:
        countersign_agreement(current_user, agreement, attested=bool(form.attest.data))
    if work.ok:
        flash("Agreement signed: a director will approve it.", "success")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    return _show_page(agreement, sign_form=form, status=400)


@bp.route("/<int:agreement_id>/approve", methods=["POST"])
@requires(DIRECTOR)
def approve(agreement_id: int):
    agreement = _agreement_or_403(agreement_id)
    if ActionForm().validate_on_submit():
        with unit_of_work() as work:
            approve_agreement(current_user, agreement)
        if work.ok:
            flash("Agreement approved; both parties have been told.", "success")
    else:
        flash(EXPIRED, "danger")
    return redirect(url_for("agreements.show", agreement_id=agreement.id))


@bp.route("/<int:agreement_id>/decline", methods=["POST"])
def decline(agreement_id: int):
    agreement = _agreement_or_403(agreement_id)
    form = DeclineForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            decline_agreement(current_user, agreement, form.reason.data or "")
            confirm_form(form, "supervision_agreement", agreement.id, actor_id=current_user.id)
        if work.ok:
            flash("Agreement declined; both parties have been told.", "success")
            return redirect(url_for("agreements.show", agreement_id=agreement.id))
    elif form.csrf_token.errors:
        flash(EXPIRED, "danger")
    return _show_page(agreement, decline_form=form, status=400)


@bp.route("/<int:agreement_id>/end", methods=["POST"])
def end(agreement_id: int):
    agreement = _agreement_or_403(agreement_id)
    form = EndForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            end_agreement(current_user, agreement, form.ends_on.data)
        if work.ok:
            flash(f"The agreement now ends on {agreement.ends_on.isoformat()}.", "success")
            return redirect(url_for("agreements.show", agreement_id=agreement.id))
    elif form.csrf_token.errors:
        flash(EXPIRED, "danger")
    return _show_page(agreement, end_form=form, status=400)


@bp.route("/review")
@requires(DIRECTOR)
def review():
    page = paginate(waiting_for_approval(), per_page=PAGE_SIZE)
    return render_template("agreements/review.html", page=page)
