"""The audit trail page for directors: browse, filter, download, and the hash chain's
state. It lives above the features (the audit floor itself imports none of them), so it
can name the people and records each event is about."""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify, render_template, request

from airm_training.access.needs import DIRECTOR
from airm_training.audit.models import AuditEvent
from airm_training.audit.queries import AuditFilter, distinct_values, trail_rows_select
from airm_training.audit.services import verify_chain
from airm_training.core.clock import today
from airm_training.core.pagination import keyset_page
from airm_training.core.permissions import requires
from airm_training.extensions import db
from airm_training.people.queries import people_matching
from airm_training.reports import audit_view
from airm_training.reports.audit_forms import AuditFilterForm
from airm_training.reports.tables import Report

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50
EXPORT_LIMIT = 50_000  # rows in one CSV download
NAME_MATCHES = 50  # people a typed name may stand for
COLUMNS = (
    "Event", "Time", "Actor", "Action", "Action code", "Object", "Object id", "About", "Changes",
)  # fmt: skip

# Where an event's object can be opened: object type -> (endpoint, URL argument).
OBJECT_PAGES = {
    "person": ("people.show", "person_id"),
    "hours_entry": ("hours.show", "entry_id"),
    "application": ("progression.application", "application_id"),
    "certificate": ("progression.certificate", "certificate_id"),
    "supporting_document": ("supporting.show", "document_id"),
    "ce_record": ("continuing.show", "record_id"),
    "ce_audit": ("continuing.audit", "audit_id"),
}


def _filters() -> tuple[AuditFilterForm, AuditFilter]:
    form = AuditFilterForm(request.args)
    actions = [(a, audit_view.action_label(a)) for a in distinct_values(AuditEvent.action)]
    form.action.choices = [("", "Any action"), *sorted(actions, key=lambda choice: choice[1])]
    form.object_type.choices = [("", "Any type")] + [
        (t, audit_view.object_label(t)) for t in distinct_values(AuditEvent.object_type)
    ]
    form.validate()
    value = {field.name: None if field.errors else field.data for field in form}
    person_id, typed = value["person"], (value["person_name"] or "").strip()
    person_ids = None
    if person_id:
        name = audit_view.person_name(person_id)
        if name is not None and not typed:
            form.person_name.data = name
    elif typed:
        person_ids = tuple(pid for pid, _ in people_matching(typed, limit=NAME_MATCHES))
    return form, AuditFilter(
        person_id=person_id,
        person_ids=person_ids,
        action=value["action"] or None,
        object_type=value["object_type"] or None,
        object_id=(value["object_id"] or "").strip() or None,
        date_from=value["date_from"],
        date_to=value["date_to"],
    )


def _args() -> dict[str, str]:
    return {
        key: value
        for key, value in request.args.items()
        if key not in ("before", "after", "page", "verify") and value
    }


@bp.route("/")
@requires(DIRECTOR)
def trail():
    form, filters = _filters()
    page = keyset_page(trail_rows_select(filters), AuditEvent.id, per_page=PAGE_SIZE)
    return render_template(
        "audit/trail.html",
        form=form,
        page=page,
        rows=audit_view.trail_rows(page.items, OBJECT_PAGES),
        args=_args(),
        # Checking the chain reads every event, so it runs when asked, not on every visit.
        chain=verify_chain() if request.args.get("verify") == "1" else None,
    )


@bp.route("/people")
@requires(DIRECTOR)
def people_lookup():
    """Names for the person filter as they are typed: at most ten, two letters or more."""
    text = request.args.get("q", "")[:120]
    if len(text.strip()) < 2:
        return jsonify([])
    return jsonify([{"id": pid, "name": name} for pid, name in people_matching(text, limit=10)])


@bp.route("/export.csv")
@requires(DIRECTOR)
def export():
    """The filtered trail as CSV, newest first, with the words the page shows."""
    _form, filters = _filters()
    rows = audit_view.trail_rows(db.session.execute(trail_rows_select(filters).limit(EXPORT_LIMIT)))
    report = Report(
        "audit",
        "Audit trail",
        COLUMNS,
        [
            (
                row.id,
                row.occurred,
                row.actor.full_name if row.actor else "the system",
                row.action,
                row.action_code,
                row.object_name,
                row.object_id,
                row.subject.full_name if row.subject else "",
                json.dumps(
                    {field: [before, after] for field, before, after in row.changes},
                    ensure_ascii=False,
                    default=str,
                ),
            )
            for row in rows
        ],
    )
    return Response(
        report.to_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="airm-audit-{today()}.csv"'},
    )
