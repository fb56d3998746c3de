"""The supporting document's review: its transition table and one ``can_<action>`` per
action, enforced by the services and asked by the document's page."""

from __future__ import annotations

from airm_training.core.errors import DomainError
from airm_training.core.workflow import ALLOWED, Verdict, next_state, refused
from airm_training.people.models import Person, Role
from airm_training.supporting.models import DocumentAction, DocumentStatus, SupportingDocument

TRANSITIONS: dict[tuple[DocumentStatus, DocumentAction], DocumentStatus] = {
    (DocumentStatus.PENDING, DocumentAction.APPROVE): DocumentStatus.APPROVED,
    (DocumentStatus.PENDING, DocumentAction.REJECT): DocumentStatus.REJECTED,
}


def can_view(person: Person, document: SupportingDocument) -> bool:
    """The document and its file: the person it belongs to and programme staff."""
    return document.person_id == person.id or person.has_role(Role.DIRECTOR, Role.ADMIN)


def _can_review(person: Person, document: SupportingDocument, action: DocumentAction) -> Verdict:
    if not person.has_role(Role.DIRECTOR, Role.ADMIN):
        return refused("Only a director reviews supporting documents.")
    if document.person_id == person.id:
        return refused("Nobody reviews their own documents: another director will.")
    if next_state(TRANSITIONS, document.state, action) is None:
        return refused(f"This document was already reviewed ({document.state.label.lower()}).")
    return ALLOWED


def can_approve(person: Person, document: SupportingDocument) -> Verdict:
    return _can_review(person, document, DocumentAction.APPROVE)


def can_reject(person: Person, document: SupportingDocument) -> Verdict:
    return _can_review(person, document, DocumentAction.REJECT)


def transition(document: SupportingDocument, action: DocumentAction) -> DocumentStatus:
    state = next_state(TRANSITIONS, document.state, action)
    if state is None:
        raise DomainError.on(None, f"This document cannot be {action.value}d now.")
    return state
