"""The progression workflow: apply → endorse → board votes → issue; revoke.
Every step re-checks its rules on the server when it happens."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Protocol

import sqlalchemy as sa
from flask import current_app

from airm_training.access.supervision import is_supervisor
from airm_training.audit.services import record_event
from airm_training.core.clock import today, utcnow
from airm_training.core.errors import DomainError
from airm_training.credentials.models import AwardStatus
from airm_training.credentials.services import award_credential
from airm_training.extensions import db
from airm_training.people.models import Person, Role
from airm_training.programme.models import (
    ProgrammeLevel,
    ProgrammeVersion,
    Requirement,
    RequirementKind,
    RequirementPurpose,
)
from airm_training.progression.engine import (
    LevelStanding,
    evaluate,
    evaluate_reinstatement,
    next_level,
)
from airm_training.progression.models import (
    OPEN_STATUSES,
    Application,
    ApplicationKind,
    ApplicationStatus,
    Certificate,
    CertificateStatus,
    Endorsement,
    Vote,
)
from airm_training.progression.notices import (
    notify_application_submitted,
    notify_board_decision,
    notify_certificate_issued,
    notify_certificate_revoked,
    notify_endorsement,
)
from airm_training.progression.workflow import (
    ApplicationAction,
    CertificateAction,
    can_endorse,
    can_issue,
    can_revoke,
    can_vote,
    certificate_transition,
    transition,
)
from airm_training.signatures.services import attach_signatures, current_signature_ids
from airm_training.verifiable.services import sign_certificate

MAX_TEXT = 5000


def _rules_of(application: Application) -> ProgrammeLevel:
    return db.session.scalar(
        sa.select(ProgrammeLevel).where(
            ProgrammeLevel.programme_version_id == application.programme_version_id,
            ProgrammeLevel.level_id == application.level_id,
        )
    )


class ApplicationKeys(Protocol):
    """What a quorum is read from: an application, or a row of its columns."""

    id: int
    kind: str
    programme_version_id: int
    level_id: int


def purpose_of(application: ApplicationKeys) -> RequirementPurpose:
    """Which of the level's requirements the application is evaluated against."""
    return {
        ApplicationKind.RENEW: RequirementPurpose.RENEW,
        ApplicationKind.REINSTATE: RequirementPurpose.REINSTATE,
    }.get(ApplicationKind(application.kind), RequirementPurpose.ATTAIN)


def _param(application: Application, kind: RequirementKind, key: str, default: int) -> int:
    """A number of the application's own requirement of ``kind`` (e.g. the quorum)."""
    purpose = purpose_of(application)
    for requirement in _rules_of(application).requirements:
        if requirement.kind == kind and requirement.purpose == purpose:
            return int(requirement.params.get(key, default))
    return default


def approval_quorums(applications: Sequence[ApplicationKeys]) -> dict[int, int]:
    """application id → the approvals of board members its level needs (as ``_param``
    reads them: the first approval requirement of its purpose, else 1), in one query.
    ``applications`` may be objects or rows of those columns."""
    keys = {(a.programme_version_id, a.level_id) for a in applications}
    if not keys:
        return {}
    first: dict[tuple[int, int, str], int] = {}
    rows = db.session.execute(
        sa.select(
            ProgrammeLevel.programme_version_id,
            ProgrammeLevel.level_id,
            Requirement.purpose,
            Requirement.params,
        )
        .join(Requirement, Requirement.programme_level_id == ProgrammeLevel.id)
        .where(
            sa.tuple_(ProgrammeLevel.programme_version_id, ProgrammeLevel.level_id).in_(keys),
            Requirement.kind == RequirementKind.APPROVAL.value,
        )
        .order_by(Requirement.position, Requirement.id)
    )
    for version_id, level_id, purpose, params in rows:
        first.setdefault((version_id, level_id, purpose), int(params.get("quorum", 1)))
    return {
        a.id: first.get((a.programme_version_id, a.level_id, purpose_of(a).value), 1)
        for a in applications
    }


def can_view_application(viewer: Person, application: Application) -> bool:
    """The applicant, the endorser, the board and programme staff."""
    return viewer.id in (application.person_id, application.endorser_id) or viewer.has_role(
        Role.CO_CREATOR, Role.DIRECTOR, Role.ADMIN
    )


def can_view_certificate(viewer: Person, certificate: Certificate) -> bool:
    """The holder and programme staff (anyone else uses the public verification page)."""
    return certificate.holder_id == viewer.id or viewer.has_role(Role.DIRECTOR, Role.ADMIN)


def open_application(person_id: int) -> Application | None:
    return db.session.scalar(
        sa.select(Application).where(
            Application.person_id == person_id,
            Application.status.in_([s.value for s in OPEN_STATUSES]),
        )
    )


# --- the candidate applies ----------------------------------------------------------------
def apply(person: Person, *, endorser_id: int | None, statement: str) -> Application:
    """Freeze the evidence and open an application for the person's next level."""
    rules = next_level(person)
    if rules is None:
        raise DomainError.on(None, "There is no next level to apply for.")
    if open_application(person.id) is not None:
        raise DomainError.on(None, "You already have an application in progress.")
    standing = evaluate(person, rules, with_evidence=True)
    if not standing.evidence_met:
        missing = [r.label for r in standing.evidence_results if not r.met]
        raise DomainError.on(None, "Not every requirement is met yet: " + "; ".join(missing) + ".")
    endorser = db.session.get(Person, endorser_id) if endorser_id else None
    if endorser is None or endorser.id == person.id or not is_supervisor(endorser):
        raise DomainError.on("endorser", "Choose a supervisor holding a current AIRT-S.")
    if len(statement) > MAX_TEXT:
        raise DomainError.on("statement", "Keep the statement under 5,000 characters.")
    application = Application(
        person_id=person.id,
        level_id=rules.level_id,
        programme_version_id=rules.programme_version_id,
        endorser_id=endorser.id,
        status=ApplicationStatus.SUBMITTED.value,
        open_key=f"{person.id}:{rules.level_id}",
        statement=statement.strip(),
        snapshot=standing.to_snapshot(),
    )
    db.session.add(application)
    db.session.flush()
    record_event(
        "application.submitted",
        "application",
        application.id,
        actor_id=person.id,
        after={"level": rules.level.code, "endorser_id": endorser.id},
    )
    notify_application_submitted(application)
    return application


def standing_for(application: Application) -> LevelStanding:
    """The application's requirements evaluated now, endorsement and votes included (a
    reinstatement against the level's reinstatement requirements)."""
    evaluator = evaluate_reinstatement if application.is_reinstatement else evaluate
    return evaluator(application.person, _rules_of(application), application=application)


def claim_transition(application: Application, action: ApplicationAction, **values) -> None:
    """Move the application along its transition table, only if nobody else moved it
    first (compare and set on the state it was read in)."""
    expected, new = application.state, transition(application, action)
    if new is None:
        raise DomainError.on(
            None, f"This application is now “{expected.label.lower()}”: reload the page."
        )
    changed = db.session.execute(
        sa.update(Application)
        .where(Application.id == application.id, Application.status == expected.value)
        .values(status=new.value, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.refresh(application)
        raise DomainError.on(
            None, f"This application is now “{application.state.label.lower()}”: reload the page."
        )
    db.session.refresh(application)


# --- the endorser -------------------------------------------------------------------------
def endorse(supervisor: Person, application: Application, *, endorse: bool, reason: str) -> None:
    can_endorse(supervisor, application).enforce()
    reason = reason.strip()
    if not endorse and not reason:
        raise DomainError.on("reason", "Say why you decline, so the candidate can act on it.")
    application.endorsements.append(
        Endorsement(supervisor_id=supervisor.id, endorsed=endorse, reason=reason[:MAX_TEXT])
    )
    db.session.flush()
    if endorse:
        needed = _param(application, RequirementKind.ENDORSEMENT, "count", 1)
        if sum(1 for e in application.endorsements if e.endorsed) >= needed:
            claim_transition(application, ApplicationAction.ENDORSE)
    else:
        claim_transition(
            application,
            ApplicationAction.DECLINE,
            open_key=None,
            decided_at=utcnow(),
            decision_reason=reason,
        )
    record_event(
        "application.endorsed" if endorse else "application.endorsement_declined",
        "application",
        application.id,
        actor_id=supervisor.id,
        after={"endorsed": endorse, "reason": reason},
    )
    notify_endorsement(application, supervisor.id)


# --- the board ----------------------------------------------------------------------------
def vote(member: Person, application: Application, *, approve: bool, comment: str) -> None:
    """One vote per board member; nobody votes on their own application."""
    can_vote(member, application).enforce()
    comment = comment.strip()
    if not approve and not comment:
        raise DomainError.on("comment", "Give the reasons for rejecting, for the candidate.")
    application.votes.append(Vote(member_id=member.id, approve=approve, comment=comment[:MAX_TEXT]))
    db.session.flush()  # the unique constraint stops a second vote made at the same moment
    record_event(
        "application.voted",
        "application",
        application.id,
        actor_id=member.id,
        after={"approve": approve, "comment": comment},
    )
    quorum = approval_quorums([application])[application.id]
    board = _param(application, RequirementKind.APPROVAL, "board_size", quorum)
    approvals = sum(1 for v in application.votes if v.approve)
    rejections = len(application.votes) - approvals
    if approvals >= quorum:
        claim_transition(application, ApplicationAction.APPROVE, decided_at=utcnow())
        record_event(
            "application.approved",
            "application",
            application.id,
            actor_id=member.id,
            after={"approvals": approvals, "quorum": quorum},
        )
    elif rejections > board - quorum:
        reasons = "; ".join(v.comment for v in application.votes if not v.approve)
        claim_transition(
            application,
            ApplicationAction.REJECT,
            open_key=None,
            decided_at=utcnow(),
            decision_reason=reasons,
        )
        record_event(
            "application.rejected",
            "application",
            application.id,
            actor_id=member.id,
            after={"rejections": rejections, "reasons": reasons},
        )
    notify_board_decision(application, member.id)


# --- the director issues ------------------------------------------------------------------
def issue(director: Person, application: Application) -> Certificate:
    """Award the level and issue its certificate, exactly once per application."""
    can_issue(director, application).enforce()
    person = application.person
    standing = standing_for(application)
    if not all(r.met for r in standing.results):
        missing = [r.label for r in standing.results if not r.met]
        raise DomainError.on(
            None, "The evidence no longer meets every requirement: " + "; ".join(missing) + "."
        )
    claim_transition(application, ApplicationAction.ISSUE, open_key=None)
    version = db.session.get(ProgrammeVersion, application.programme_version_id)
    award = award_credential(
        person, application.level.code, actor_id=director.id, version=version, awarded_on=today()
    )
    approvers = [v.member for v in application.votes if v.approve]
    certificate = new_certificate(
        person,
        award,
        director,
        [member.display_name for member in approvers],
        application_id=application.id,
        board_signatures=current_signature_ids([member.id for member in approvers]),
    )
    record_event(
        "certificate.issued",
        "certificate",
        certificate.id,
        actor_id=director.id,
        after={
            "serial": certificate.serial,
            "application_id": application.id,
            "level": award.level.code,
        },
    )
    notify_certificate_issued(certificate, director.id)
    return certificate


def new_certificate(
    person: Person,
    award,
    director: Person,
    approvers: list[str],
    *,
    application_id: int | None,
    board_signatures: Sequence[int | None] = (),
) -> Certificate:
    """The certificate of ``award``, signed by ``director`` (with their signature image,
    if any) and the board members ``approvers`` (with ``board_signatures``, the images of
    their lines, see ``signatures.services``)."""
    certificate = Certificate(
        verification_code=secrets.token_urlsafe(12),  # 96 random bits
        award_id=award.id,
        application_id=application_id,
        holder_id=person.id,
        holder_name=person.display_name,
        level_code=award.level.code,
        level_name=award.level.name,
        organisation=current_app.config["ORGANISATION_NAME"],
        issued_on=award.awarded_on,
        expires_on=award.expires_on,
        issuer_name=director.display_name,
        approver_names=approvers,
        status=CertificateStatus.VALID.value,
    )
    db.session.add(certificate)
    db.session.flush()
    certificate.serial = f"AIRM-{certificate.issued_on.year}-{certificate.id:05d}"
    db.session.flush()
    attach_signatures(certificate.id, [*current_signature_ids([director.id]), *board_signatures])
    sign_certificate(certificate)
    return certificate


def revoke(director: Person, certificate: Certificate, reason: str) -> None:
    can_revoke(director, certificate).enforce()
    reason = reason.strip()
    if not reason:
        raise DomainError.on("reason", "Give the reason for the revocation (it is recorded).")
    certificate.status = certificate_transition(certificate, CertificateAction.REVOKE).value
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason[:MAX_TEXT]
    certificate.revoked_by_id = director.id
    certificate.award.status = AwardStatus.REVOKED.value
    certificate.award.revoked_at = certificate.revoked_at
    certificate.award.revoked_reason = certificate.revoked_reason
    db.session.flush()
    record_event(
        "certificate.revoked",
        "certificate",
        certificate.id,
        actor_id=director.id,
        before={"status": "valid"},
        after={"status": "revoked", "reason": reason},
    )
    notify_certificate_revoked(certificate, director.id)


def verification_status(certificate: Certificate) -> str:
    """valid, expired, revoked or superseded, as of today."""
    if certificate.status != CertificateStatus.VALID:
        return certificate.status
    if certificate.expires_on is not None and certificate.expires_on < today():
        return "expired"
    return "valid"
