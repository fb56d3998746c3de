"""The supervision agreement's life cycle: its transition table and one ``can_<action>``
per action, enforced by the services and asked by the agreement's page."""

from __future__ import annotations

from airm_training.access.signed_in import person_is_supervisor
from airm_training.agreements.models import AgreementAction, AgreementStatus, SupervisionAgreement
from airm_training.core.errors import DomainError
from airm_training.core.workflow import ALLOWED, Verdict, next_state, refused
from airm_training.people.models import Person, Role

TRANSITIONS: dict[tuple[AgreementStatus, AgreementAction], AgreementStatus] = {
    (AgreementStatus.AWAITING_SUPERVISOR, AgreementAction.COUNTERSIGN): (
        AgreementStatus.AWAITING_APPROVAL
    ),
    (AgreementStatus.AWAITING_SUPERVISOR, AgreementAction.DECLINE): AgreementStatus.DECLINED,
    (AgreementStatus.AWAITING_APPROVAL, AgreementAction.APPROVE): AgreementStatus.APPROVED,
    (AgreementStatus.AWAITING_APPROVAL, AgreementAction.DECLINE): AgreementStatus.DECLINED,
    (AgreementStatus.APPROVED, AgreementAction.END): AgreementStatus.APPROVED,
}


def _is_director(person: Person) -> bool:
    return person.has_role(Role.DIRECTOR, Role.ADMIN)


def can_view(person: Person, agreement: SupervisionAgreement) -> bool:
    """The two parties and programme staff."""
    return agreement.is_party(person) or _is_director(person)


def _open_for(agreement: SupervisionAgreement, action: AgreementAction) -> Verdict:
    if next_state(TRANSITIONS, agreement.state, action) is None:
        return refused(f"This agreement cannot be {_DONE[action]} now ({agreement.state.label}).")
    return ALLOWED


_DONE = {
    AgreementAction.COUNTERSIGN: "signed",
    AgreementAction.APPROVE: "approved",
    AgreementAction.DECLINE: "declined",
    AgreementAction.END: "ended",
}


def can_countersign(person: Person, agreement: SupervisionAgreement) -> Verdict:
    if person.id != agreement.supervisor_id:
        return refused("Only the supervisor named in the agreement signs it.")
    if not person_is_supervisor(person):
        return refused("You need a current AIRT-S to sign a supervision agreement.")
    return _open_for(agreement, AgreementAction.COUNTERSIGN)


def can_approve(person: Person, agreement: SupervisionAgreement) -> Verdict:
    if not _is_director(person):
        return refused("Only a director approves supervision agreements.")
    if agreement.is_party(person):
        return refused("Nobody approves an agreement they are a party to: another director will.")
    return _open_for(agreement, AgreementAction.APPROVE)


def can_decline(person: Person, agreement: SupervisionAgreement) -> Verdict:
    """The supervisor, before signing; a director who is not a party, before approving."""
    state = agreement.state
    if state is AgreementStatus.AWAITING_SUPERVISOR and person.id != agreement.supervisor_id:
        return refused("Only the supervisor named in the agreement declines it now.")
    if state is AgreementStatus.AWAITING_APPROVAL and (
        not _is_director(person) or agreement.is_party(person)
    ):
        return refused("Only a director who is not a party declines it now.")
    return _open_for(agreement, AgreementAction.DECLINE)


def can_end(person: Person, agreement: SupervisionAgreement) -> Verdict:
    if not (agreement.is_party(person) or _is_director(person)):
        return refused("Only the candidate, the supervisor or a director ends an agreement.")
    return _open_for(agreement, AgreementAction.END)


def transition(agreement: SupervisionAgreement, action: AgreementAction) -> AgreementStatus:
    state = next_state(TRANSITIONS, agreement.state, action)
    if state is None:
        raise DomainError.on(None, f"This agreement cannot be {_DONE[action]} now.")
    return state
