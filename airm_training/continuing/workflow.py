"""The CE record's review and the audit's findings: the transition table and one
``can_<action>`` per action, enforced by the services and asked by the pages."""

from __future__ import annotations

from airm_training.continuing.models import CeAction, CeAuditItem, CeRecord, CeStatus
from airm_training.core.errors import DomainError
from airm_training.core.workflow import ALLOWED, Verdict, next_state, refused
from airm_training.people.models import Person, Role

TRANSITIONS: dict[tuple[CeStatus, CeAction], CeStatus] = {
    (CeStatus.PENDING, CeAction.VERIFY): CeStatus.VERIFIED,
    (CeStatus.PENDING, CeAction.REJECT): CeStatus.REJECTED,
    # an audit that cannot confirm a verified record takes it out of the count
    (CeStatus.VERIFIED, CeAction.REJECT): CeStatus.REJECTED,
}


def is_staff(person: Person) -> bool:
    return person.has_role(Role.DIRECTOR, Role.ADMIN)


def can_view(person: Person, record: CeRecord) -> bool:
    return record.person_id == person.id or is_staff(person)


def _can_review(person: Person, record: CeRecord, action: CeAction) -> Verdict:
    if not is_staff(person):
        return refused("Only a director verifies continuing education.")
    if record.person_id == person.id:
        return refused("Nobody verifies their own continuing education: another director will.")
    if record.state is not CeStatus.PENDING:
        return refused(f"This record was already reviewed ({record.state.label.lower()}).")
    return ALLOWED


def can_verify(person: Person, record: CeRecord) -> Verdict:
    return _can_review(person, record, CeAction.VERIFY)


def can_reject(person: Person, record: CeRecord) -> Verdict:
    return _can_review(person, record, CeAction.REJECT)


def can_mark(person: Person, item: CeAuditItem) -> Verdict:
    """Record an audit finding: a director, not about their own record, once."""
    if not is_staff(person):
        return refused("Only a director audits continuing education.")
    if item.record.person_id == person.id:
        return refused("Nobody audits their own continuing education: another director will.")
    if item.verified is not None:
        return refused("This record's audit finding is already recorded.")
    return ALLOWED


def transition(record: CeRecord, action: CeAction) -> CeStatus:
    state = next_state(TRANSITIONS, record.state, action)
    if state is None:
        done = "verified" if action is CeAction.VERIFY else "marked not verified"
        raise DomainError.on(None, f"This record cannot be {done} now.")
    return state
