"""The workflows of applications (attaining a level, renewing it) and of certificates:
their transition tables and one ``can_<action>(person, obj)`` per action. The services
enforce these verdicts; the application and certificate pages show an action's form only
when its verdict allows it."""

from __future__ import annotations

import enum

from airm_training.access.supervision import is_supervisor
from airm_training.core.workflow import ALLOWED, Verdict, next_state, refused
from airm_training.people.models import Person, Role
from airm_training.progression.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Certificate,
    CertificateStatus,
)


class ApplicationAction(enum.StrEnum):
    ENDORSE = "endorse"
    DECLINE = "decline"  # the endorser declines
    APPROVE = "approve"  # the board's quorum of approvals is reached
    REJECT = "reject"  # too many rejections for a quorum
    ISSUE = "issue"
    RENEW = "renew"


S, A = ApplicationStatus, ApplicationAction
ATTAIN_TRANSITIONS: dict[tuple[ApplicationStatus, ApplicationAction], ApplicationStatus] = {
    (S.SUBMITTED, A.ENDORSE): S.ENDORSED,
    (S.SUBMITTED, A.DECLINE): S.DECLINED,
    (S.ENDORSED, A.APPROVE): S.APPROVED,
    (S.ENDORSED, A.REJECT): S.REJECTED,
    (S.APPROVED, A.ISSUE): S.ISSUED,
}
RENEWAL_TRANSITIONS: dict[tuple[ApplicationStatus, ApplicationAction], ApplicationStatus] = {
    (S.SUBMITTED, A.RENEW): S.ISSUED,
}
TRANSITIONS = {
    ApplicationKind.ATTAIN: ATTAIN_TRANSITIONS,
    ApplicationKind.RENEW: RENEWAL_TRANSITIONS,
}


def transition(application: Application, action: ApplicationAction) -> ApplicationStatus | None:
    """The state ``action`` leads the application to, or None when its table has no row."""
    return next_state(TRANSITIONS[ApplicationKind(application.kind)], application.state, action)


def _moves(application: Application, action: ApplicationAction, reason: str) -> Verdict:
    return ALLOWED if transition(application, action) is not None else refused(reason)


def _is_director(person: Person) -> bool:
    return person.has_role(Role.DIRECTOR, Role.ADMIN)


def can_endorse(supervisor: Person, application: Application) -> Verdict:
    """Endorse or decline: the supervisor named as endorser, holding a current AIRT-S."""
    if application.endorser_id != supervisor.id:
        return refused("Only the supervisor named as endorser can endorse.")
    if application.person_id == supervisor.id:
        return refused("You cannot endorse your own application.")
    if not is_supervisor(supervisor):
        return refused("Your AIRT-S is not current: you cannot endorse until renewed.")
    return _moves(application, A.ENDORSE, "This application is not waiting for endorsement.")


def can_vote(member: Person, application: Application) -> Verdict:
    """One vote per board member, never on their own application."""
    if not member.has_role(Role.CO_CREATOR):
        return refused("Only members of the co-creators' board vote.")
    if application.person_id == member.id:
        return refused("You cannot vote on your own application.")
    if transition(application, A.APPROVE) is None:
        return refused("This application is not waiting for the board.")
    if any(v.member_id == member.id for v in application.votes):
        return refused("You have already voted on this application.")
    return ALLOWED


def can_issue(director: Person, application: Application) -> Verdict:
    if not _is_director(director):
        return refused("Only a director issues credentials.")
    return _moves(application, A.ISSUE, "Only an approved application can be issued.")


def can_renew(director: Person, application: Application) -> Verdict:
    if not _is_director(director):
        return refused("Only a director renews credentials.")
    return _moves(application, A.RENEW, "This is not a renewal waiting for a director.")


# --- certificates ------------------------------------------------------------------------------
class CertificateAction(enum.StrEnum):
    REVOKE = "revoke"
    SUPERSEDE = "supersede"  # replaced by the certificate of a renewal


CERTIFICATE_TRANSITIONS: dict[tuple[CertificateStatus, CertificateAction], CertificateStatus] = {
    (CertificateStatus.VALID, CertificateAction.REVOKE): CertificateStatus.REVOKED,
    (CertificateStatus.VALID, CertificateAction.SUPERSEDE): CertificateStatus.SUPERSEDED,
}


def certificate_transition(
    certificate: Certificate, action: CertificateAction
) -> CertificateStatus | None:
    return next_state(CERTIFICATE_TRANSITIONS, CertificateStatus(certificate.status), action)


def can_revoke(director: Person, certificate: Certificate) -> Verdict:
    if not _is_director(director):
        return refused("Only a director revokes certificates.")
    if certificate_transition(certificate, CertificateAction.REVOKE) is None:
        return refused(f"This certificate is already {certificate.status}.")
    return ALLOWED
