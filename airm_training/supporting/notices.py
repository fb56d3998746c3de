"""What the documents feature tells people: a document to review (the directors), a
review's outcome (the person). Texts carry the kind only, never titles or reasons."""

from __future__ import annotations

from airm_training.notifications.links import Link
from airm_training.notifications.models import NotificationKind
from airm_training.notifications.services import send
from airm_training.people.models import Person, Role
from airm_training.people.queries import holders_of
from airm_training.supporting.models import SupportingDocument


def notify_document_uploaded(person: Person, document: SupportingDocument, kind_name: str) -> None:
    send(
        NotificationKind.DOCUMENT_UPLOADED,
        holders_of(Role.DIRECTOR),
        f"{person.full_name} uploaded a {kind_name.lower()} for review.",
        Link("supporting_document", document.id),
        actor_id=person.id,
    )


def notify_document_reviewed(document: SupportingDocument, kind_name: str) -> None:
    outcome = (
        "was approved"
        if document.rejection_reason is None
        else "was not approved; open it to see why"
    )
    send(
        NotificationKind.DOCUMENT_REVIEWED,
        [document.person_id],
        f"Your {kind_name.lower()} {outcome}.",
        Link("supporting_document", document.id),
        actor_id=document.reviewed_by_id,
    )
