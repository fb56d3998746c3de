"""Hours pages: my hours, the entry form, CSV, the sign-off queue and supervisees."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from airm_training.access.needs import LOGS_HOURS, SUPERVISOR
from airm_training.access.supervision import supervisors_query
from airm_training.agreements.queries import supervised_under
from airm_training.audit.models import AuditEvent
from airm_training.core.csv_upload import ImportRejected
from airm_training.core.errors import DomainError
from airm_training.core.forms import ActionForm, show_problems
from airm_training.core.input import id_value, id_values
from airm_training.core.pagination import paginate
from airm_training.core.permissions import requires
from airm_training.core.work import unit_of_work
from airm_training.extensions import db
from airm_training.hours import workflow
from airm_training.hours.counting import counting_rule
from airm_training.hours.csv_io import (
    export_csv,
    export_query,
    import_csv,
    template_csv,
)
from airm_training.hours.forms import (
    EntryForm,
    HoursFilterForm,
    ImportForm,
    ReturnForm,
    SignForm,
)
from airm_training.hours.models import HoursEntry
from airm_training.hours.queries import (
    HoursFilter,
    entries_of,
    group_by_person,
    queue_for,
    supervisee_totals,
    supervisees_of,
    supervisors_of_person,
    totals_by_category,
)
from airm_training.hours.services import (
    ATTESTATION,
    active_categories,
    can_view_entry,
    check_entry,
    delete_entry,
    edit_entry,
    log_entry,
    request_amendment,
    return_entry,
    sign_entries,
    submit_entry,
    withdraw_entry,
)
from airm_training.notifications.links import register_target
from airm_training.privacy.services import confirm_form
from airm_training.programme.services import taxonomy

bp = Blueprint("hours", __name__, url_prefix="/hours")
register_target("hours_entry", "hours.show", "entry_id")
register_target("hours_queue", "hours.queue", "supervisee")
bp.add_app_template_global(workflow, "hours_workflow")  # the entry page asks it what to show
PAGE_SIZE = 25


# --- loading and checking ------------------------------------------------------------------
def _entry_or_404(entry_id: int) -> HoursEntry:
    entry = db.get_or_404(HoursEntry, entry_id)
    if not can_view_entry(current_user, entry):
        abort(403)
    return entry


def _own_entry_or_403(entry_id: int) -> HoursEntry:
    entry = _entry_or_404(entry_id)
    if entry.person_id != current_user.id:
        abort(403)
    return entry


def _filters() -> tuple[HoursFilterForm, HoursFilter]:
    form = HoursFilterForm(request.args)
    form.category.choices = [SelectChoice("", "Any category")] + [
        SelectChoice(c.code, c.name) for c in active_categories()
    ]
    form.supervisor.choices = [SelectChoice("", "Any supervisor")] + [
        SelectChoice(p.id, p.full_name) for p in supervisors_of_person(current_user.id)
    ]
    if request.args and not form.validate():
        flash("Some filters were not understood and are ignored.", "warning")
        return form, HoursFilter()
    return form, HoursFilter(
        status=form.status.data or None,
        category=form.category.data or None,
        supervisor_id=form.supervisor.data,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
        oldest_first=form.order.data == "oldest",
    )


def _entry_form(*, only_supervisor_id: int | None = None) -> EntryForm:
    form = EntryForm()
    supervisors = [p for p in db.session.scalars(supervisors_query()) if p.id != current_user.id]
    if only_supervisor_id is not None:
        supervisors = [p for p in supervisors if p.id == only_supervisor_id]
    form.set_choices(active_categories(), supervisors, taxonomy().modalities)
    return form


def _show_entry_problems(form: EntryForm, *, exclude_ids=()) -> None:
    """While the note waits for its privacy confirmation, the entry's other problems are
    shown at the same time."""
    if form.privacy_pending and not form.errors.keys() - {"note"}:
        try:
            check_entry(
                current_user, form.to_input(), submitting=form.submitting, exclude_ids=exclude_ids
            )
        except DomainError as error:
            show_problems(form, error)


def _not_counted(entry: HoursEntry) -> str | None:
    """Why the entry does not count toward a level (the counting rule), or None."""
    return counting_rule(entry.person_id).reason(
        entry.session_date, entry.category.code, entry.supervisor_id
    )


def _warn_if_not_counted(entry: HoursEntry) -> None:
    reason = _not_counted(entry)
    if reason:
        flash(f"This entry is saved but does not count: {reason}", "warning")


def _warn_of_uncounted_imports(import_id: int) -> None:
    rule = counting_rule(current_user.id)
    entries = db.session.scalars(sa.select(HoursEntry).where(HoursEntry.import_id == import_id))
    uncounted = sum(
        1 for e in entries if rule.reason(e.session_date, e.category.code, e.supervisor_id)
    )
    if uncounted:
        flash(
            f"{uncounted} of the imported entries do not count: My hours says why beside each.",
            "warning",
        )


# --- the clinician's pages -----------------------------------------------------------------
@bp.route("/")
@requires(LOGS_HOURS)
def my_hours():
    form, filters = _filters()
    page = paginate(entries_of(current_user.id, filters), per_page=PAGE_SIZE)
    totals = totals_by_category([current_user.id], filters)[current_user.id]
    return render_template(
        "hours/my_hours.html",
        form=form,
        page=page,
        totals=totals,
        filtered=bool(request.args),
        counting=counting_rule(current_user.id),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(LOGS_HOURS)
def new():
    form = _entry_form()
    if not form.is_submitted():
        form.supervisor.data = current_user.primary_supervisor_id  # preselected, changeable
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            entry = log_entry(
                current_user,
                form.to_input(),
                submit=form.submitting,
                duplicate_confirmed=bool(form.confirm_duplicate.data),
            )
            confirm_form(form, "hours_entry", entry.id, actor_id=current_user.id)
        if work.ok:
            flash("Submitted for sign-off." if form.submitting else "Saved as a draft.", "success")
            _warn_if_not_counted(entry)
            return redirect(url_for("hours.show", entry_id=entry.id))
    _show_entry_problems(form)
    return render_template("hours/form.html", form=form, entry=None)


@bp.route("/<int:entry_id>")
def show(entry_id: int):
    return _entry_page(_entry_or_404(entry_id), ReturnForm())


def _entry_page(entry: HoursEntry, return_form: ReturnForm):
    related = list(
        db.session.scalars(
            sa.select(HoursEntry)
            .where(sa.or_(HoursEntry.amends_id == entry.id, HoursEntry.id == entry.amends_id))
            .order_by(HoursEntry.id)
        )
    )
    history = list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.object_type == "hours_entry", AuditEvent.object_id == str(entry.id))
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.id)
        )
    )
    return render_template(
        "hours/show.html",
        entry=entry,
        related=related,
        history=history,
        action_form=ActionForm(),
        return_form=return_form,
        sign_form=SignForm(),
        attestation=ATTESTATION,
        not_counted=_not_counted(entry),
    )


@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
@requires(LOGS_HOURS)
def edit(entry_id: int):
    entry = _own_entry_or_403(entry_id)
    if not workflow.can_edit(current_user, entry):
        flash("Only drafts and returned entries can be edited.", "warning")
        return redirect(url_for("hours.show", entry_id=entry.id))
    form = _entry_form()
    if request.method == "GET":
        form.fill_from(entry)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            edit_entry(entry, current_user, form.to_input(), submit=form.submitting)
            confirm_form(form, "hours_entry", entry.id, actor_id=current_user.id)
        if work.ok:
            flash("Submitted for sign-off." if form.submitting else "Saved.", "success")
            _warn_if_not_counted(entry)
            return redirect(url_for("hours.show", entry_id=entry.id))
    _show_entry_problems(form, exclude_ids=[entry.id])
    return render_template("hours/form.html", form=form, entry=entry)


@bp.route("/<int:entry_id>/amend", methods=["GET", "POST"])
@requires(LOGS_HOURS)
def amend(entry_id: int):
    original = _own_entry_or_403(entry_id)
    form = _entry_form(only_supervisor_id=original.signed_by_id)
    if request.method == "GET":
        form.fill_from(original)
        form.supervisor.data = original.signed_by_id
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            amendment = request_amendment(original, current_user, form.to_input())
            confirm_form(form, "hours_entry", amendment.id, actor_id=current_user.id)
        if work.ok:
            flash("Amendment sent to your supervisor for signature.", "success")
            _warn_if_not_counted(amendment)
            return redirect(url_for("hours.show", entry_id=amendment.id))
    _show_entry_problems(form, exclude_ids=[original.id])
    return render_template("hours/form.html", form=form, entry=None, amending=original)


def _one_button_action(entry_id: int, action, done: str, *, removes_entry: bool = False):
    """Run ``action(entry, person)`` for a one-button form on the entry page."""
    entry = _own_entry_or_403(entry_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work() as work:
        action(entry, current_user)
    if not work.ok:
        return redirect(url_for("hours.show", entry_id=entry_id))
    flash(done, "success")
    if removes_entry:
        return redirect(url_for("hours.my_hours"))
    return redirect(url_for("hours.show", entry_id=entry_id))


@bp.route("/<int:entry_id>/submit", methods=["POST"])
@requires(LOGS_HOURS)
def submit(entry_id: int):
    return _one_button_action(entry_id, submit_entry, "Submitted for sign-off.")


@bp.route("/<int:entry_id>/withdraw", methods=["POST"])
@requires(LOGS_HOURS)
def withdraw(entry_id: int):
    return _one_button_action(entry_id, withdraw_entry, "Withdrawn: it is a draft again.")


@bp.route("/<int:entry_id>/delete", methods=["POST"])
@requires(LOGS_HOURS)
def delete(entry_id: int):
    return _one_button_action(entry_id, delete_entry, "Entry deleted.", removes_entry=True)


# --- CSV ---------------------------------------------------------------------------------
@bp.route("/template.csv")
@requires(LOGS_HOURS)
def csv_template():
    return _csv_response(template_csv(), "airm-hours-template.csv")


@bp.route("/export.csv")
@requires(LOGS_HOURS)
def export():
    _form, filters = _filters()
    chunks = stream_with_context(export_csv(export_query(current_user.id, filters)))
    return _csv_response(chunks, "airm-hours.csv")


def _csv_response(text: str | Iterator[str], filename: str) -> Response:
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/import", methods=["GET", "POST"])
@requires(LOGS_HOURS)
def import_hours():
    form = ImportForm()
    problems, privacy = [], []
    if form.validate_on_submit():
        upload = form.file.data
        # a conflict: the same file, imported twice at the same moment
        with unit_of_work(
            conflict="This file was already imported.", refusals=(ImportRejected,)
        ) as work:
            batch = import_csv(
                current_user,
                upload.read(),
                filename=upload.filename or "",
                confirmed_private=form.confirm_no_identifiers.data,
            )
        if isinstance(work.error, ImportRejected):
            problems, privacy = work.error.problems, work.error.privacy
        elif work.ok:
            flash(f"Imported {batch.row_count} entries and submitted them for sign-off.", "success")
            _warn_of_uncounted_imports(batch.id)
            return redirect(url_for("hours.my_hours"))
    return render_template("hours/import.html", form=form, problems=problems, privacy=privacy)


# --- the supervisor's pages ----------------------------------------------------------------
@bp.route("/queue")
@requires(SUPERVISOR)
def queue():
    supervisee_id = request.args.get("supervisee", type=id_value)
    category = request.args.get("category") or None
    late_only = request.args.get("late") == "1"
    statement = queue_for(
        current_user.id, supervisee_id=supervisee_id, category=category, late_only=late_only
    )
    page = paginate(statement, per_page=50)
    return render_template(
        "hours/queue.html",
        page=page,
        groups=group_by_person(page.items),
        sign_form=SignForm(),
        attestation=ATTESTATION,
        categories=active_categories(),
        supervisees=supervisees_of(current_user.id),
        current_filters={"supervisee": supervisee_id, "category": category, "late": late_only},
    )


@bp.route("/sign", methods=["POST"])
@requires(SUPERVISOR)
def sign():
    form = SignForm()
    if not form.validate_on_submit():
        abort(400)
    ids = id_values(request.form.getlist("entry"))
    with unit_of_work() as work:
        count = sign_entries(current_user, ids, attested=form.attest.data)
    if work.ok:
        flash(f"Signed {count} {'entry' if count == 1 else 'entries'}.", "success")
    if request.form.get("back") == "entry" and len(ids) == 1:
        return redirect(url_for("hours.show", entry_id=ids[0]))
    return redirect(url_for("hours.queue"))


@bp.route("/<int:entry_id>/return", methods=["POST"])
@requires(SUPERVISOR)
def return_(entry_id: int):
    entry = _entry_or_404(entry_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        if form.privacy_pending:
            return _entry_page(entry, form)
        for error in form.reason.errors or ["Say what needs to change."]:
            flash(error, "danger")
        return redirect(url_for("hours.show", entry_id=entry.id))
    with unit_of_work() as work:
        return_entry(entry, current_user, form.reason.data)
        confirm_form(form, "hours_entry", entry.id, actor_id=current_user.id)
    if not work.ok:
        return redirect(url_for("hours.show", entry_id=entry.id))
    flash("Returned to the clinician with your reason.", "success")
    return redirect(url_for("hours.queue"))


@bp.route("/supervisees")
@requires(SUPERVISOR)
def supervisees():
    return render_template(
        "hours/supervisees.html",
        rows=supervisee_totals(current_user.id),
        categories=active_categories(),
        agreements=supervised_under(current_user.id),
    )
