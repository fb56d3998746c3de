"""The audit page's read model: words for the codes the trail stores (actions, object
types, fields), the person each event is about, found for a whole page of events in
one query per kind of object on it, and each event as the page and its CSV show it
(``trail_rows``)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup, escape

from airm_training.assessments.models import CasePresentation, CompetencyEvaluation, QuizAttempt
from airm_training.audit.models import changes_of
from airm_training.core.clock import local_datetime_text
from airm_training.core.links import id_links
from airm_training.core.reads import built_once
from airm_training.credentials.models import CredentialAward, Enrolment
from airm_training.curriculum.models import ModuleCompletion
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.people.models import Licence, Person
from airm_training.progression.models import Application, Certificate

ACTION_LABELS = {
    "auth.login": "Signed in",
    "auth.logout": "Signed out",
    "auth.login_failed": "Sign-in refused: wrong password",
    "auth.login_refused_inactive": "Sign-in refused: account deactivated",
    "auth.reset_requested": "Password reset asked for",
    "auth.two_factor_enabled": "Two-factor sign-in switched on",
    "auth.two_factor_disabled": "Two-factor sign-in switched off",
    "auth.two_factor_reset": "Two-factor sign-in reset",
    "auth.recovery_code_used": "Recovery code used",
    "auth.recovery_codes_regenerated": "Recovery codes replaced",
    "hours.drafted": "Hours saved as a draft",
    "hours.submitted": "Hours submitted for sign-off",
    "hours.signed": "Hours signed off",
    "hours.returned": "Hours returned to the candidate",
    "hours.withdrawn": "Hours withdrawn",
    "hours.amendment_requested": "Amendment of signed hours asked for",
    "hours.superseded": "Hours replaced by an amendment",
    "hours.imported": "Hours imported from CSV",
    "credential.awarded": "Credential awarded",
    "credential.renewed": "Credential renewed",
    "certificate.issued": "Certificate issued",
    "certificate.revoked": "Certificate revoked",
    "application.submitted": "Application submitted",
    "application.endorsed": "Application endorsed",
    "application.endorsement_declined": "Endorsement declined",
    "application.voted": "Board vote cast",
    "application.approved": "Application approved by the board",
    "application.rejected": "Application rejected by the board",
    "renewal.requested": "Renewal asked for",
    "person.roles_changed": "Roles changed",
    "person.password_set": "Password set",
    "person.supervisor_assigned": "Primary supervisor assigned",
    "person.supervisor_removed": "Primary supervisor removed",
    "enrolment.version_changed": "Moved to another programme version",
    "notifications.channel_changed": "E-mail preference changed",
    "role.granted": "Role granted",
    "signature.uploaded": "Signature image uploaded",
    "signature.replaced": "Signature image replaced",
    "signature.removed": "Signature image removed",
}
OBJECT_LABELS = {
    "hours_entry": "Hours entry",
    "hours_import": "Hours import",
    "credential_award": "Credential",
    "case_presentation": "Case presentation",
    "competency_evaluation": "Competency evaluation",
    "quiz_attempt": "Quiz attempt",
    "module_completion": "Module completion",
    "programme_version": "Programme version",
}
FIELD_LABELS = {
    "award_id": "credential",
    "person_id": "person",
    "supervisor_id": "supervisor",
    "signed_by_id": "signed by",
    "level_id": "level",
    "minutes": "minutes",
    "session_date": "session date",
    "category_code": "category",
}

# Object type → the column naming the person the record is about (in its table, whose
# ``id`` is the object id).
SUBJECT_COLUMNS = {
    "person": Person.id,
    "hours_entry": HoursEntry.person_id,
    "application": Application.person_id,
    "certificate": Certificate.holder_id,
    "credential_award": CredentialAward.person_id,
    "case_presentation": CasePresentation.person_id,
    "competency_evaluation": CompetencyEvaluation.person_id,
    "quiz_attempt": QuizAttempt.person_id,
    "licence": Licence.person_id,
    "enrolment": Enrolment.person_id,
    "module_completion": ModuleCompletion.person_id,
}


def _words(code: str) -> str:
    text = code.replace(".", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action) or _words(action)


def object_label(object_type: str) -> str:
    return OBJECT_LABELS.get(object_type) or _words(object_type)


def value_html(value: Any) -> Markup:
    """A value before or after a change, as the trail shows it (escaped)."""
    if value is None:
        return Markup('<span class="text-body-secondary">—</span>')
    if value is True or value is False:
        return escape("yes" if value else "no")
    if isinstance(value, Mapping):
        return escape(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, Iterable):
        return Markup(", ").join(value) if value else Markup("(none)")
    return escape(value)


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field) or field.replace("_", " ")


@dataclass(frozen=True)
class Subject:
    id: int
    full_name: str


def subjects_of(events: Iterable[Any]) -> dict[int, Subject]:
    """Event id → the person the event is about, where there is one: one query for the
    whole page, whatever kinds of object are on it. ``events`` are events or rows of
    them (an ``id``, ``object_type`` and ``object_id`` each)."""
    events = list(events)
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.object_id and event.object_id.isdigit() and event.object_type in SUBJECT_COLUMNS:
            wanted[event.object_type].add(int(event.object_id))
    if not wanted:
        return {}
    kinds = tuple(kind for kind in SUBJECT_COLUMNS if kind in wanted)
    named = built_once(("audit.subjects", kinds), lambda: _subjects_select(kinds))
    rows = db.session.execute(named, {kind: sorted(wanted[kind]) for kind in kinds}).all()
    person_of = {(kind, oid): Subject(pid, name) for kind, oid, pid, name in rows}
    return {
        event.id: person_of[(event.object_type, int(event.object_id))]
        for event in events
        if event.object_id
        and event.object_id.isdigit()
        and (event.object_type, int(event.object_id)) in person_of
    }


def _subjects_select(kinds: tuple[str, ...]) -> sa.Select:
    """(kind, object id, person id, name) of the objects of ``kinds`` whose ids are
    bound by each kind's name."""
    parts = []
    for kind in kinds:
        column = SUBJECT_COLUMNS[kind]
        id_column = column.class_.id
        parts.append(
            sa.select(
                sa.literal(kind).label("kind"), id_column.label("oid"), column.label("pid")
            ).where(id_column.in_(sa.bindparam(kind, expanding=True)))
        )
    found = (sa.union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    return sa.select(found.c.kind, found.c.oid, Person.id, Person.full_name).join(
        Person, Person.id == found.c.pid
    )


def person_name(person_id: int) -> str | None:
    return db.session.scalar(sa.select(Person.full_name).where(Person.id == person_id))


@dataclass(frozen=True)
class TrailRow:
    """One event as the trail shows it, in words."""

    id: int
    occurred: str  # the centre's local time
    actor: Subject | None  # None: the system
    action: str
    action_code: str
    object_name: str
    object_id: str  # "" when the event names no object
    object_href: str | None  # the object's own page, where it has one
    subject: Subject | None  # the person the event is about
    actor_href: str | None  # the actor's and the subject's pages (when linked)
    subject_href: str | None
    changes: tuple[tuple[str, Any, Any], ...]  # (field code, before, after)
    changed_fields: tuple[str, ...]  # the fields in words, in the same order


def trail_rows(
    events: Iterable[Any], object_pages: Mapping[str, tuple[str, str]] | None = None
) -> list[TrailRow]:
    """The events in words, with the person each is about: one query for them all.
    ``events`` are rows of ``audit.queries.trail_rows_select``. ``object_pages`` (object
    type → the endpoint showing one and its URL argument) links each object to its page;
    without it, as in a download, none is linked."""
    events = list(events)
    subjects = subjects_of(events)
    links = {kind: id_links(*page) for kind, page in (object_pages or {}).items()}
    person_link = links.get("person")
    rows = []
    for event in events:
        link = links.get(event.object_type)
        object_id = event.object_id or ""
        changes = tuple(changes_of(event.before, event.after))
        actor_id, subject = event.actor_id, subjects.get(event.id)
        actor = Subject(actor_id, event.actor_name) if actor_id is not None else None
        rows.append(
            TrailRow(
                id=event.id,
                occurred=local_datetime_text(event.occurred_at),
                actor=actor,
                action=action_label(event.action),
                action_code=event.action,
                object_name=object_label(event.object_type),
                object_id=object_id,
                object_href=link(int(object_id)) if link and object_id.isdigit() else None,
                subject=subject,
                actor_href=person_link(actor_id) if person_link and actor else None,
                subject_href=person_link(subject.id) if person_link and subject else None,
                changes=changes,
                changed_fields=tuple(field_label(field) for field, _b, _a in changes),
            )
        )
    return rows
