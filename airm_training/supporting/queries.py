"""Reading documents: a person's own, the directors' review list, the approved and
current ones the requirement engine counts, and those expiring soon (the reminders).
Each is one query whatever the number of documents."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from airm_training.core.reads import Day, People, Read, people_in
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.supporting.models import DocumentStatus, SupportingDocument


def documents_of(person_id: int) -> sa.Select:
    """A person's documents, newest first (the reviewer loaded with them)."""
    return (
        sa.select(SupportingDocument)
        .where(SupportingDocument.person_id == person_id)
        .options(selectinload(SupportingDocument.reviewed_by))
        .order_by(SupportingDocument.uploaded_at.desc(), SupportingDocument.id.desc())
    )


def review_list(status: str | None, person_id: int | None = None) -> sa.Select:
    """Documents in ``status`` (any when None), oldest first when waiting, else newest."""
    statement = sa.select(SupportingDocument).options(
        selectinload(SupportingDocument.person), selectinload(SupportingDocument.reviewed_by)
    )
    if status:
        statement = statement.where(SupportingDocument.status == status)
    if person_id:
        statement = statement.where(SupportingDocument.person_id == person_id)
    if status == DocumentStatus.PENDING:
        return statement.order_by(SupportingDocument.uploaded_at, SupportingDocument.id)
    return statement.order_by(SupportingDocument.uploaded_at.desc(), SupportingDocument.id.desc())


def _current_clause(day: date):
    return sa.and_(
        SupportingDocument.status == DocumentStatus.APPROVED.value,
        sa.or_(SupportingDocument.expires_on.is_(None), SupportingDocument.expires_on >= day),
    )


def current_documents_read(people: People, kinds: Collection[str], day: Day) -> Read:
    """(person, kind) → ids of the approved documents in force on ``day``."""
    ids = people_in(people)
    return Read(
        sa.select(SupportingDocument.person_id, SupportingDocument.kind, SupportingDocument.id)
        .where(
            SupportingDocument.person_id.in_(ids),
            SupportingDocument.kind.in_(kinds),
            _current_clause(day),
        )
        .order_by(SupportingDocument.id),
        _ids_per_person_and_kind,
    )


def _ids_per_person_and_kind(rows) -> dict[tuple[int, str], list[int]]:
    found: dict[tuple[int, str], list[int]] = defaultdict(list)
    for person_id, kind, document_id in rows:
        found[(person_id, kind)].append(document_id)
    return dict(found)


def expiring_documents(day: date, within_days: int) -> list[SupportingDocument]:
    """Approved documents of active people expiring from ``day`` to ``within_days`` later,
    unless a later-expiring approved document of the same kind replaces them."""
    newer = aliased(SupportingDocument)
    replaced = (
        sa.select(newer.id)
        .where(
            newer.person_id == SupportingDocument.person_id,
            newer.kind == SupportingDocument.kind,
            newer.status == DocumentStatus.APPROVED.value,
            sa.or_(newer.expires_on.is_(None), newer.expires_on > SupportingDocument.expires_on),
        )
        .exists()
    )
    return list(
        db.session.scalars(
            sa.select(SupportingDocument)
            .join(Person, Person.id == SupportingDocument.person_id)
            .where(
                SupportingDocument.status == DocumentStatus.APPROVED.value,
                SupportingDocument.expires_on.between(day, day + timedelta(days=within_days)),
                Person.active.is_(True),
                ~replaced,
            )
        )
    )
