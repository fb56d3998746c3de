"""The audit trail for directors: browse, filter, and the hash chain's state."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from airm_training.access.needs import DIRECTOR
from airm_training.audit.models import AuditEvent
from airm_training.audit.queries import AuditFilter, distinct_values, events
from airm_training.audit.services import verify_chain
from airm_training.core.pagination import paginate
from airm_training.core.permissions import requires
from airm_training.people.queries import picked_person
from airm_training.reports.audit_forms import AuditFilterForm

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 50

# Where an event's object can be opened: object type -> (endpoint, URL argument).
OBJECT_PAGES = {
    "person": ("people.show", "person_id"),
    "hours_entry": ("hours.show", "entry_id"),
    "application": ("progression.application", "application_id"),
    "certificate": ("progression.certificate", "certificate_id"),
}


def _filters() -> tuple[AuditFilterForm, AuditFilter]:
    form = AuditFilterForm(request.args)
    form.action.choices = [("", "Any action")] + [
        (a, a) for a in distinct_values(AuditEvent.action)
    ]
    form.object_type.choices = [("", "Any type")] + [
        (t, t) for t in distinct_values(AuditEvent.object_type)
    ]
    form.validate()
    value = {field.name: None if field.errors else field.data for field in form}
    # The people offered are the chosen one and those matching the search, never everyone.
    person_id, people = picked_person(value["person"], value["person_search"] or "")
    form.person.data = person_id
    form.person.choices = [(None, "Anyone"), *people]
    return form, AuditFilter(
        person_id=person_id,
        action=value["action"] or None,
        object_type=value["object_type"] or None,
        object_id=(value["object_id"] or "").strip() or None,
        date_from=value["date_from"],
        date_to=value["date_to"],
    )


@bp.route("/")
@requires(DIRECTOR)
def trail():
    form, filters = _filters()
    page = paginate(events(filters), per_page=PAGE_SIZE)
    args = {
        key: value for key, value in request.args.items() if key not in ("page", "verify") and value
    }
    return render_template(
        "audit/trail.html",
        form=form,
        page=page,
        args=args,
        object_pages=OBJECT_PAGES,
        # Checking the chain reads every event, so it runs when asked, not on every visit.
        chain=verify_chain() if request.args.get("verify") == "1" else None,
    )
