"""Supervision agreements: the candidate proposes and signs, the supervisor signs (or
declines), a director approves (or declines), and a party or a director ends one by
setting its end date. Services flush; the request commits. Every step is audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from airm_training.access.supervision import is_supervisor
from airm_training.agreements.models import (
    AgreementAction,
    AgreementStatus,
    SupervisionAgreement,
)
from airm_training.agreements.notices import notify_parties, notify_to_approve, notify_to_sign
from airm_training.agreements.terms import agreement_terms
from airm_training.agreements.workflow import (
    can_approve,
    can_countersign,
    can_decline,
    can_end,
    transition,
)
from airm_training.audit.services import record_event
from airm_training.core.clock import today, utcnow
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.programme.models import HoursCategory

CANDIDATE_ATTESTATION = (
    "I have read the terms above and agree to them. I will log with this supervisor only "
    "consultation that took place as described, and bring only de-identified material."
)
SUPERVISOR_ATTESTATION = (
    "I have read the terms above and agree to them. I will provide consultation under "
    "them and sign off only hours logged with me, as they happened."
)
MAX_REASON_LENGTH = 1000

Problem = tuple[str | None, str]


@dataclass
class AgreementInput:
    supervisor_id: int | None
    starts_on: date | None
    ends_on: date | None
    categories: list[str] = field(default_factory=list)
    attested: bool = False


def _date_problems(data: AgreementInput, day: date) -> list[Problem]:
    if data.starts_on is None:
        return [("starts_on", "Enter the day the agreement starts.")]
    problems: list[Problem] = []
    if data.starts_on < day:
        problems.append(
            (
                "starts_on",
                "An agreement cannot start before it is signed: choose today or a later day.",
            )
        )
    if data.ends_on is not None and data.ends_on < data.starts_on:
        problems.append(("ends_on", "The end date must be on or after the start date."))
    return problems


def _category_problems(codes: list[str], allowed: tuple[str, ...]) -> list[Problem]:
    if not codes:
        return [("categories", "Choose the hours categories the agreement covers.")]
    unknown = sorted(set(codes) - set(allowed))
    if unknown:
        return [("categories", f"An agreement cannot cover {', '.join(unknown)}.")]
    return []


def _overlapping(candidate_id: int, data: AgreementInput) -> SupervisionAgreement | None:
    """A live agreement with the same supervisor whose dates meet the proposed ones."""
    far = date.max
    return db.session.scalar(
        sa.select(SupervisionAgreement)
        .where(
            SupervisionAgreement.candidate_id == candidate_id,
            SupervisionAgreement.supervisor_id == data.supervisor_id,
            SupervisionAgreement.status != AgreementStatus.DECLINED.value,
            SupervisionAgreement.starts_on <= (data.ends_on or far),
            sa.or_(
                SupervisionAgreement.ends_on.is_(None),
                SupervisionAgreement.ends_on >= data.starts_on,
            ),
        )
        .limit(1)
    )


def propose_agreement(candidate: Person, data: AgreementInput) -> SupervisionAgreement:
    """The candidate's signed proposal, waiting for the supervisor's signature."""
    terms = agreement_terms()
    supervisor = db.session.get(Person, data.supervisor_id) if data.supervisor_id else None
    problems: list[Problem] = []
    if supervisor is None:
        problems.append(("supervisor", "Choose the supervisor."))
    elif supervisor.id == candidate.id:
        problems.append(("supervisor", "You cannot make an agreement with yourself."))
    elif not is_supervisor(supervisor):
        problems.append(("supervisor", "This person does not hold a current AIRT-S."))
    problems += _date_problems(data, today())
    problems += _category_problems(data.categories, terms.categories)
    if not data.attested:
        problems.append(("attest", "Confirm the attestation to sign."))
    if not terms.terms:
        problems.append((None, "The programme defines no agreement terms yet."))
    if problems:
        raise DomainError(*problems)
    existing = _overlapping(candidate.id, data)
    if existing is not None:
        raise DomainError.on(
            "starts_on",
            f"Your agreement with {supervisor.full_name} from "
            f"{existing.starts_on.isoformat()} already covers some of these days.",
        )
    categories = list(
        db.session.scalars(sa.select(HoursCategory).where(HoursCategory.code.in_(data.categories)))
    )
    agreement = SupervisionAgreement(
        candidate_id=candidate.id,
        supervisor_id=supervisor.id,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        terms=terms.terms,
        status=AgreementStatus.AWAITING_SUPERVISOR.value,
        candidate_signed_at=utcnow(),
        candidate_attestation=CANDIDATE_ATTESTATION,
        categories=categories,
    )
    db.session.add(agreement)
    db.session.flush()
    record_event(
        "agreement.proposed",
        "supervision_agreement",
        agreement.id,
        actor_id=candidate.id,
        after={**agreement.to_audit(), "attestation": CANDIDATE_ATTESTATION},
    )
    notify_to_sign(agreement)
    return agreement


def countersign_agreement(
    supervisor: Person, agreement: SupervisionAgreement, *, attested: bool
) -> None:
    can_countersign(supervisor, agreement).enforce()
    if not attested:
        raise DomainError.on("attest", "Confirm the attestation to sign.")
    agreement.status = transition(agreement, AgreementAction.COUNTERSIGN).value
    agreement.supervisor_signed_at = utcnow()
    agreement.supervisor_attestation = SUPERVISOR_ATTESTATION
    db.session.flush()
    record_event(
        "agreement.countersigned",
        "supervision_agreement",
        agreement.id,
        actor_id=supervisor.id,
        before={"status": AgreementStatus.AWAITING_SUPERVISOR.value},
        after={"status": agreement.status, "attestation": SUPERVISOR_ATTESTATION},
    )
    notify_to_approve(agreement)
    notify_parties(agreement, "is signed by both and waits for a director", actor_id=supervisor.id)


def approve_agreement(director: Person, agreement: SupervisionAgreement) -> None:
    can_approve(director, agreement).enforce()
    agreement.status = transition(agreement, AgreementAction.APPROVE).value
    agreement.approved_by_id = director.id
    agreement.approved_at = utcnow()
    db.session.flush()
    record_event(
        "agreement.approved",
        "supervision_agreement",
        agreement.id,
        actor_id=director.id,
        before={"status": AgreementStatus.AWAITING_APPROVAL.value},
        after={"status": agreement.status},
    )
    notify_parties(agreement, "was approved", actor_id=director.id)


def decline_agreement(person: Person, agreement: SupervisionAgreement, reason: str) -> None:
    can_decline(person, agreement).enforce()
    reason = reason.strip()
    if not reason:
        raise DomainError.on("reason", "Say why the agreement is declined.")
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError.on("reason", f"Keep the reason under {MAX_REASON_LENGTH} characters.")
    before = agreement.status
    agreement.status = transition(agreement, AgreementAction.DECLINE).value
    agreement.declined_by_id = person.id
    agreement.declined_at = utcnow()
    agreement.decline_reason = reason
    db.session.flush()
    record_event(
        "agreement.declined",
        "supervision_agreement",
        agreement.id,
        actor_id=person.id,
        before={"status": before},
        after={"status": agreement.status, "reason": reason},
    )
    notify_parties(agreement, "was declined; open it to see why", actor_id=person.id)


def end_agreement(person: Person, agreement: SupervisionAgreement, ends_on: date | None) -> None:
    """Set (or bring forward) the end date; hours after it no longer count under it."""
    can_end(person, agreement).enforce()
    if ends_on is None:
        raise DomainError.on("ends_on", "Enter the last day the agreement covers.")
    if ends_on < today():
        raise DomainError.on(
            "ends_on", "An agreement cannot end in the past: choose today or a later day."
        )
    if ends_on < agreement.starts_on:
        raise DomainError.on("ends_on", "The end date must be on or after the start date.")
    if agreement.ends_on is not None and ends_on >= agreement.ends_on:
        raise DomainError.on(
            "ends_on",
            f"The agreement already ends on {agreement.ends_on.isoformat()}: "
            "choose an earlier day.",
        )
    before = agreement.ends_on
    agreement.status = transition(agreement, AgreementAction.END).value
    agreement.ends_on = ends_on
    agreement.ended_by_id = person.id
    agreement.ended_at = utcnow()
    db.session.flush()
    record_event(
        "agreement.ended",
        "supervision_agreement",
        agreement.id,
        actor_id=person.id,
        before={"ends_on": before.isoformat() if before else None},
        after={"ends_on": ends_on.isoformat()},
    )
    notify_parties(agreement, f"ends on {ends_on.isoformat()}", actor_id=person.id)
