"""Recording continuing education with its certificate, a director's verification, and
the audit of a renewal cycle's records. Services flush; the request commits. Every step
is audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from airm_training.audit.services import record_event
from airm_training.continuing import queries
from airm_training.continuing.models import CeAction, CeAudit, CeAuditItem, CeRecord, CeStatus
from airm_training.continuing.notices import notify_ce_reviewed
from airm_training.continuing.policy import ce_policy
from airm_training.continuing.rules import MAX_MINUTES, draw_sample
from airm_training.continuing.workflow import (
    can_mark,
    can_reject,
    can_verify,
    is_staff,
    transition,
)
from airm_training.core.clock import today, utcnow
from airm_training.core.durations import duration_label
from airm_training.core.errors import DomainError
from airm_training.credentials.models import CredentialAward
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.supporting.models import DocumentStatus
from airm_training.supporting.services import (
    DocumentInput,
    approve_document,
    reject_document,
    upload_document,
)

CERTIFICATE_KIND = "ce-certificate"
MAX_REASON_LENGTH = 1000
TEXT_LIMITS = {"provider": 200, "course_title": 200, "approval_number": 80}


@dataclass
class CeInput:
    provider: str
    course_title: str
    approval_number: str
    completed_on: date | None
    minutes: int
    subject_area: str
    certificate: bytes
    filename: str = ""
    removed: list[str] = field(default_factory=list)  # set on save: what cleaning removed


def _problems(data: CeInput) -> list[tuple[str | None, str]]:
    problems: list[tuple[str | None, str]] = []
    names = {"provider": "the provider", "course_title": "the course's title"}
    for key, limit in TEXT_LIMITS.items():
        value = getattr(data, key).strip()
        if not value and key in names:
            problems.append((key, f"Enter {names[key]}."))
        elif not value:
            problems.append((key, "Enter the course or approval number from the certificate."))
        elif len(value) > limit:
            problems.append((key, f"Keep it under {limit} characters."))
    if data.completed_on is None:
        problems.append(("completed_on", "Enter the date of the course."))
    elif data.completed_on > today():
        problems.append(("completed_on", "The course date cannot be in the future."))
    if not 1 <= data.minutes <= MAX_MINUTES:
        problems.append(
            (
                "credit_hours",
                f"Credits are from 1 minute to {duration_label(MAX_MINUTES)} a course.",
            )
        )
    if data.subject_area not in ce_policy().subject_names():
        problems.append(("subject_area", "Choose one of the programme's subject areas."))
    return problems


def record_ce(person: Person, data: CeInput) -> CeRecord:
    """Store the course and its certificate (a supporting document of the CE-certificate
    kind, cleaned as every upload is); it waits for a director's verification."""
    problems = _problems(data)
    document = None
    upload = DocumentInput(
        kind=CERTIFICATE_KIND,
        title=f"CE certificate: {data.course_title.strip()}"[:200],
        issued_on=data.completed_on if not problems else None,
        expires_on=None,
        data=data.certificate,
        filename=data.filename,
    )
    try:
        document = upload_document(person, upload)
    except DomainError as refusal:
        problems += [("certificate", reason) for _, reason in refusal.problems]
    if problems or document is None:
        raise DomainError(*problems)
    data.removed = upload.removed
    record = CeRecord(
        person_id=person.id,
        provider=data.provider.strip(),
        course_title=data.course_title.strip(),
        approval_number=data.approval_number.strip(),
        completed_on=data.completed_on,
        minutes=data.minutes,
        subject_area=data.subject_area,
        document_id=document.id,
    )
    db.session.add(record)
    db.session.flush()
    record_event(
        "ce.recorded",
        "ce_record",
        record.id,
        actor_id=person.id,
        after={
            "person_id": person.id,
            "provider": record.provider,
            "course_title": record.course_title,
            "approval_number": record.approval_number,
            "completed_on": record.completed_on.isoformat(),
            "minutes": record.minutes,
            "subject_area": record.subject_area,
            "document_id": document.id,
        },
    )
    return record


def verify_ce(director: Person, record: CeRecord) -> None:
    """Verified: the credits count. A certificate still waiting is approved with it."""
    can_verify(director, record).enforce()
    record.status = transition(record, CeAction.VERIFY).value
    _reviewed(director, record)
    if record.document.state is DocumentStatus.PENDING:
        approve_document(director, record.document, notify=False)
    record_event(
        "ce.verified",
        "ce_record",
        record.id,
        actor_id=director.id,
        before={"status": CeStatus.PENDING.value},
        after={"status": record.status, "minutes": record.minutes},
    )
    notify_ce_reviewed(record)


def _checked_reason(reason: str, field_name: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DomainError.on(field_name, "Say why, so the person can put it right.")
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError.on(field_name, f"Keep the reason under {MAX_REASON_LENGTH} characters.")
    return reason


def reject_ce(director: Person, record: CeRecord, reason: str) -> None:
    """Not verified, with the reason the person reads; a waiting certificate goes with it."""
    can_reject(director, record).enforce()
    reason = _checked_reason(reason, "reason")
    record.status = transition(record, CeAction.REJECT).value
    record.rejection_reason = reason
    _reviewed(director, record)
    if record.document.state is DocumentStatus.PENDING:
        reject_document(director, record.document, reason, notify=False)
    record_event(
        "ce.rejected",
        "ce_record",
        record.id,
        actor_id=director.id,
        before={"status": CeStatus.PENDING.value},
        after={"status": record.status, "reason": reason},
    )
    notify_ce_reviewed(record)


def _reviewed(director: Person, record: CeRecord) -> None:
    record.reviewed_by_id = director.id
    record.reviewed_at = utcnow()
    db.session.flush()


def draw_audit(director: Person, award: CredentialAward, *, seed: str | None = None) -> CeAudit:
    """A random sample of the verified records of ``award``'s cycle (from its award date
    to its expiry or today, whichever comes first), the programme's share of them
    rounded up and at least one; the seed is kept so the draw can be repeated."""
    if not is_staff(director):
        raise DomainError.on(None, "Only a director audits continuing education.")
    if award.person_id == director.id:
        raise DomainError.on(None, "Nobody audits their own cycle: another director will.")
    day = today()
    end = min(award.expires_on, day) if award.expires_on else day
    population = queries.verified_in_cycle(award.person_id, award.awarded_on, end)
    if not population:
        raise DomainError.on(
            "award", "This cycle has no verified continuing education to audit yet."
        )
    policy = ce_policy()
    seed = seed or secrets.token_hex(8)
    sampled = draw_sample(population, policy.share, seed)
    audit = CeAudit(
        award_id=award.id,
        cycle_start=award.awarded_on,
        cycle_end=end,
        share=policy.audit_share,
        seed=seed,
        population=len(population),
        drawn_by_id=director.id,
        items=[CeAuditItem(ce_record_id=record_id) for record_id in sampled],
    )
    db.session.add(audit)
    db.session.flush()
    record_event(
        "ce.audit_drawn",
        "ce_audit",
        audit.id,
        actor_id=director.id,
        after={
            "award_id": award.id,
            "cycle": [audit.cycle_start.isoformat(), end.isoformat()],
            "share": policy.audit_share,
            "seed": seed,
            "population": population,
            "sampled": sampled,
        },
    )
    return audit


def mark_audit_item(director: Person, item: CeAuditItem, verified: bool, note: str) -> None:
    """The audit's finding on one record. Not verified: the note says why (required) and
    the record stops counting."""
    can_mark(director, item).enforce()
    note = note.strip()
    if not verified:
        note = _checked_reason(note, "note")
    elif len(note) > MAX_REASON_LENGTH:
        raise DomainError.on("note", f"Keep the note under {MAX_REASON_LENGTH} characters.")
    item.verified = verified
    item.note = note or None
    item.marked_by_id = director.id
    item.marked_at = utcnow()
    record = item.record
    before = record.status
    if not verified:
        record.status = transition(record, CeAction.REJECT).value
        record.rejection_reason = f"Not confirmed by the audit: {note}"
        _reviewed(director, record)
    db.session.flush()
    record_event(
        "ce.audit_marked",
        "ce_audit",
        item.audit_id,
        actor_id=director.id,
        before={"ce_record_id": record.id, "status": before},
        after={
            "ce_record_id": record.id,
            "verified": verified,
            "note": note,
            "status": record.status,
        },
    )
