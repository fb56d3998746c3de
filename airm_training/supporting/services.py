"""Uploading a supporting document and a director's review of it. Services flush; the
request commits. Every step is audited."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from airm_training.audit.services import record_event
from airm_training.core.clock import today, utcnow
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.people.services import verify_licence
from airm_training.supporting.files import RefusedFile, clean_upload
from airm_training.supporting.kinds import DocumentKind, kind_named
from airm_training.supporting.models import DocumentAction, SupportingDocument
from airm_training.supporting.notices import notify_document_reviewed, notify_document_uploaded
from airm_training.supporting.workflow import can_approve, can_reject, transition

MAX_REASON_LENGTH = 1000


@dataclass
class DocumentInput:
    kind: str
    title: str
    issued_on: date | None
    expires_on: date | None
    data: bytes
    filename: str = ""
    licence_id: int | None = None
    removed: list[str] = field(default_factory=list)  # set on upload: what cleaning removed


def _check_dates(kind: DocumentKind, data: DocumentInput, day: date) -> list[tuple[str, str]]:
    problems = []
    if data.issued_on is not None and data.issued_on > day:
        problems.append(("issued_on", "The issue date cannot be in the future."))
    if kind.expires and data.expires_on is None:
        problems.append(("expires_on", f"A {kind.name.lower()} has an expiry date: enter it."))
    if data.expires_on is not None:
        if data.expires_on < day:
            problems.append(("expires_on", "This document has already expired."))
        elif data.issued_on is not None and data.expires_on <= data.issued_on:
            problems.append(("expires_on", "The expiry date must come after the issue date."))
    return problems


def _check_licence(person: Person, kind: DocumentKind, data: DocumentInput):
    if data.licence_id is None:
        return []
    if not kind.licence:
        return [("licence", "Only a licence copy is linked to a licence.")]
    if data.licence_id not in {licence.id for licence in person.licences}:
        return [("licence", "Choose one of your own licences.")]
    return []


def upload_document(person: Person, data: DocumentInput) -> SupportingDocument:
    """Store ``data``'s file, cleaned, as a document waiting for a director's review."""
    kind = kind_named(data.kind)
    if kind is None:
        raise DomainError.on("kind", "Choose the kind of document.")
    title = data.title.strip() or kind.name
    problems = _check_dates(kind, data, today()) + _check_licence(person, kind, data)
    if len(title) > 200:
        problems.append(("title", "Keep the title under 200 characters."))
    try:
        cleaned = clean_upload(data.data, limit=current_app.config["DOCUMENT_MAX_BYTES"])
    except RefusedFile as refusal:
        problems.append(("file", str(refusal)))
    if problems:
        raise DomainError(*problems)
    data.removed = cleaned.removed
    document = SupportingDocument(
        person_id=person.id,
        kind=kind.code,
        title=title,
        issued_on=data.issued_on,
        expires_on=data.expires_on,
        licence_id=data.licence_id,
        filename=(data.filename or "document").rsplit("/", 1)[-1][:255],
        content_type=cleaned.content_type,
        size=len(cleaned.data),
        sha256=hashlib.sha256(cleaned.data).hexdigest(),
        content=cleaned.data,
    )
    db.session.add(document)
    db.session.flush()
    record_event(
        "document.uploaded",
        "supporting_document",
        document.id,
        actor_id=person.id,
        after={
            "person_id": person.id,
            "kind": kind.code,
            "title": title,
            "issued_on": data.issued_on.isoformat() if data.issued_on else None,
            "expires_on": data.expires_on.isoformat() if data.expires_on else None,
            "licence_id": data.licence_id,
            "content_type": document.content_type,
            "size": document.size,
            "sha256": document.sha256,
            "removed": cleaned.removed,
        },
    )
    notify_document_uploaded(person, document, kind.name)
    return document


def approve_document(
    director: Person, document: SupportingDocument, *, notify: bool = True
) -> None:
    """Approve; a licence copy also verifies the licence it shows when not yet verified.
    ``notify`` False: the caller tells the person itself (a CE record and its certificate
    reviewed together make one notice)."""
    can_approve(director, document).enforce()
    document.status = transition(document, DocumentAction.APPROVE).value
    _reviewed(director, document)
    kind = kind_named(document.kind)
    licence = document.licence
    verifies = kind is not None and kind.licence and licence is not None
    if verifies and not licence.is_verified:
        verify_licence(licence, verifier=director)
    record_event(
        "document.approved",
        "supporting_document",
        document.id,
        actor_id=director.id,
        before={"status": "pending"},
        after={"status": document.status, "licence_id": licence.id if verifies else None},
    )
    if notify:
        notify_document_reviewed(document, _kind_name(document))


def reject_document(
    director: Person, document: SupportingDocument, reason: str, *, notify: bool = True
) -> None:
    """Not approved, with the reason the person reads; they upload a better copy
    (``notify`` as for ``approve_document``)."""
    can_reject(director, document).enforce()
    reason = reason.strip()
    if not reason:
        raise DomainError.on("reason", "Say why, so the person can upload a better copy.")
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError.on("reason", f"Keep the reason under {MAX_REASON_LENGTH} characters.")
    document.status = transition(document, DocumentAction.REJECT).value
    document.rejection_reason = reason
    _reviewed(director, document)
    record_event(
        "document.rejected",
        "supporting_document",
        document.id,
        actor_id=director.id,
        before={"status": "pending"},
        after={"status": document.status, "reason": reason},
    )
    if notify:
        notify_document_reviewed(document, _kind_name(document))


def _reviewed(director: Person, document: SupportingDocument) -> None:
    document.reviewed_by_id = director.id
    document.reviewed_at = utcnow()
    db.session.flush()


def _kind_name(document: SupportingDocument) -> str:
    kind = kind_named(document.kind)
    return kind.name if kind else document.kind
