"""The pages of continuing education: a person's records and the form to add one, a
record with its director's verification, the directors' review list, and the audits of a
renewal cycle's records."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from airm_training.access.needs import DIRECTOR
from airm_training.continuing import queries
from airm_training.continuing.forms import AuditFindingForm, CeForm, CeRejectForm, DrawAuditForm
from airm_training.continuing.models import CeAudit, CeAuditItem, CeRecord, CeStatus
from airm_training.continuing.policy import ce_policy
from airm_training.continuing.services import (
    draw_audit,
    mark_audit_item,
    record_ce,
    reject_ce,
    verify_ce,
)
from airm_training.continuing.workflow import can_mark, can_reject, can_verify, can_view
from airm_training.core.clock import today
from airm_training.core.forms import ActionForm
from airm_training.core.pagination import paginate
from airm_training.core.permissions import requires
from airm_training.core.work import unit_of_work
from airm_training.credentials.models import CredentialAward
from airm_training.extensions import db
from airm_training.notifications.links import register_target
from airm_training.privacy.services import confirm_form

bp = Blueprint("continuing", __name__, url_prefix="/ce")
register_target("ce_record", "continuing.show", "record_id")
PAGE_SIZE = 25
STATUS_FILTERS = {"pending", "verified", "rejected", "all"}


@bp.route("/")
def mine():
    page = paginate(queries.records_of(current_user.id), per_page=PAGE_SIZE)
    return render_template("continuing/mine.html", page=page, subjects=ce_policy().subject_names())


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = CeForm()
    form.subject_area.choices = [
        SelectChoice(area.code, area.name) for area in ce_policy().subject_areas
    ]
    if form.validate_on_submit():
        data = form.to_input()
        with unit_of_work(form) as work:
            record = record_ce(current_user, data)
            confirm_form(form, "ce_record", record.id, actor_id=current_user.id)
        if work.ok:
            flash("Continuing education recorded: a director will verify it.", "success")
            if data.removed:
                removed = ", ".join(data.removed)
                flash(
                    f"Your certificate was cleaned before it was stored: removed {removed}.", "info"
                )
            return redirect(url_for("continuing.show", record_id=record.id))
    return render_template("continuing/new.html", form=form)


def _record_or_403(record_id: int) -> CeRecord:
    record = db.get_or_404(CeRecord, record_id)
    if not can_view(current_user, record):
        abort(403)
    return record


@bp.route("/<int:record_id>")
def show(record_id: int):
    return _show_page(_record_or_403(record_id), CeRejectForm())


def _show_page(record: CeRecord, reject_form: CeRejectForm, status: int = 200):
    return (
        render_template(
            "continuing/show.html",
            record=record,
            subjects=ce_policy().subject_names(),
            reject_form=reject_form,
            action_form=ActionForm(),
            may_verify=can_verify(current_user, record),
            may_reject=can_reject(current_user, record),
        ),
        status,
    )


@bp.route("/<int:record_id>/verify", methods=["POST"])
@requires(DIRECTOR)
def verify(record_id: int):
    record = _record_or_403(record_id)
    if ActionForm().validate_on_submit():
        with unit_of_work() as work:
            verify_ce(current_user, record)
        if work.ok:
            flash("Continuing education verified: its credits count.", "success")
    else:
        flash("The form expired; nothing was changed. Try again.", "danger")
    return redirect(url_for("continuing.show", record_id=record.id))


@bp.route("/<int:record_id>/reject", methods=["POST"])
@requires(DIRECTOR)
def reject(record_id: int):
    record = _record_or_403(record_id)
    form = CeRejectForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            reject_ce(current_user, record, form.reason.data or "")
            confirm_form(form, "ce_record", record.id, actor_id=current_user.id)
        if work.ok:
            flash("Continuing education not verified; the reason is on the record.", "success")
            return redirect(url_for("continuing.show", record_id=record.id))
    return _show_page(record, form, 400)


@bp.route("/review")
@requires(DIRECTOR)
def review():
    status = request.args.get("status", CeStatus.PENDING.value)
    if status not in STATUS_FILTERS:
        status = CeStatus.PENDING.value
    page = paginate(queries.review_list(None if status == "all" else status), per_page=PAGE_SIZE)
    return render_template(
        "continuing/review.html",
        page=page,
        status=status,
        subjects=ce_policy().subject_names(),
        statuses=[(s.value, s.label) for s in CeStatus] + [("all", "All")],
    )


def _draw_form() -> DrawAuditForm:
    form = DrawAuditForm()
    form.award.choices = [
        SelectChoice(
            award.id,
            f"{award.person.full_name}: {award.level.code} "
            f"{award.awarded_on.isoformat()} to {award.expires_on.isoformat()}",
        )
        for award in queries.auditable_cycles(today())
    ]
    return form


@bp.route("/audits", methods=["GET", "POST"])
@requires(DIRECTOR)
def audits():
    form = _draw_form()
    if form.validate_on_submit():
        award = db.session.get(CredentialAward, form.award.data)
        if award is None:
            abort(404)
        with unit_of_work(form) as work:
            audit = draw_audit(current_user, award)
        if work.ok:
            flash(f"Sample drawn: {len(audit.items)} of {audit.population} records.", "success")
            return redirect(url_for("continuing.audit", audit_id=audit.id))
    page = paginate(queries.audits(), per_page=PAGE_SIZE)
    return render_template(
        "continuing/audits.html",
        form=form,
        page=page,
        share=ce_policy().share,
    ), (400 if form.errors else 200)


@bp.route("/audits/<int:audit_id>")
@requires(DIRECTOR)
def audit(audit_id: int):
    return _audit_page(db.get_or_404(CeAudit, audit_id), {})


def _audit_page(audit: CeAudit, forms: dict[int, AuditFindingForm], status: int = 200):
    items = queries.audit_items(audit.id)
    return (
        render_template(
            "continuing/audit.html",
            audit=audit,
            items=items,
            forms={
                item.id: forms.get(item.id) or AuditFindingForm(formdata=None, prefix=_prefix(item))
                for item in items
            },
            may_mark={item.id: can_mark(current_user, item) for item in items},
            subjects=ce_policy().subject_names(),
        ),
        status,
    )


def _prefix(item: CeAuditItem) -> str:
    """Each finding's form has its own field names (several share the page)."""
    return f"item{item.id}"


@bp.route("/audits/<int:audit_id>/items/<int:item_id>", methods=["POST"])
@requires(DIRECTOR)
def mark(audit_id: int, item_id: int):
    audit = db.get_or_404(CeAudit, audit_id)
    item = db.get_or_404(CeAuditItem, item_id)
    if item.audit_id != audit.id:
        abort(404)
    form = AuditFindingForm(prefix=_prefix(item))
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            mark_audit_item(
                current_user, item, form.finding.data == "verified", form.note.data or ""
            )
            confirm_form(form, "ce_audit", audit.id, actor_id=current_user.id)
        if work.ok:
            flash("Finding recorded.", "success")
            return redirect(url_for("continuing.audit", audit_id=audit.id))
    return _audit_page(audit, {item.id: form}, 400)
