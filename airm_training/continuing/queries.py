"""Reading CE records: a person's own, the directors' review list (oldest first), the
facts the requirement engine counts, a cycle's verified records, the audits and the
cycles that may be audited. Each is one query whatever the number of records."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from airm_training.continuing.models import CeAudit, CeAuditItem, CeRecord, CeStatus
from airm_training.continuing.rules import CeFact
from airm_training.core.reads import Day, People, Read, people_in
from airm_training.credentials.models import AwardStatus, CredentialAward
from airm_training.extensions import db
from airm_training.people.models import Person


def records_of(person_id: int) -> sa.Select:
    """A person's records, the most recent course first."""
    return (
        sa.select(CeRecord)
        .where(CeRecord.person_id == person_id)
        .options(selectinload(CeRecord.reviewed_by))
        .order_by(CeRecord.completed_on.desc(), CeRecord.id.desc())
    )


def review_list(status: str | None) -> sa.Select:
    """Records in ``status`` (any when None): waiting ones oldest first, others newest."""
    statement = sa.select(CeRecord).options(
        selectinload(CeRecord.person), selectinload(CeRecord.reviewed_by)
    )
    if status:
        statement = statement.where(CeRecord.status == status)
    if status == CeStatus.PENDING:
        return statement.order_by(CeRecord.submitted_at, CeRecord.id)
    return statement.order_by(CeRecord.submitted_at.desc(), CeRecord.id.desc())


def pending_columns() -> tuple[sa.ScalarSelect, sa.ScalarSelect]:
    """(records waiting for verification, when the oldest was submitted) as scalar
    subqueries, for a page to read with its other figures in one statement."""
    pending = CeRecord.status == CeStatus.PENDING.value
    return (
        sa.select(sa.func.count(CeRecord.id)).where(pending).scalar_subquery(),
        sa.select(sa.func.min(CeRecord.submitted_at)).where(pending).scalar_subquery(),
    )


def ce_facts_read(people: People, day: Day) -> Read:
    """person → their records completed by ``day`` that are not rejected."""
    ids = people_in(people)
    return Read(
        sa.select(
            CeRecord.person_id,
            CeRecord.id,
            CeRecord.completed_on,
            CeRecord.minutes,
            CeRecord.subject_area,
            CeRecord.status,
        ).where(
            CeRecord.person_id.in_(ids),
            CeRecord.status != CeStatus.REJECTED.value,
            CeRecord.completed_on <= day,
        ),
        _ce_per_person,
    )


def _ce_per_person(rows) -> dict[int, list[CeFact]]:
    found: dict[int, list[CeFact]] = defaultdict(list)
    for person_id, record_id, completed_on, minutes, subject, status in rows:
        found[person_id].append(CeFact(record_id, completed_on, minutes, subject, status))
    return dict(found)


def verified_in_cycle(person_id: int, start: date, end: date) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(CeRecord.id)
            .where(
                CeRecord.person_id == person_id,
                CeRecord.status == CeStatus.VERIFIED.value,
                CeRecord.completed_on.between(start, end),
            )
            .order_by(CeRecord.id)
        )
    )


def audits() -> sa.Select:
    """Every audit, the latest first, with its holder and findings loaded."""
    return (
        sa.select(CeAudit)
        .options(
            selectinload(CeAudit.award).selectinload(CredentialAward.person),
            selectinload(CeAudit.items),
        )
        .order_by(CeAudit.drawn_at.desc(), CeAudit.id.desc())
    )


def audit_items(audit_id: int) -> list[CeAuditItem]:
    return list(
        db.session.scalars(
            sa.select(CeAuditItem)
            .where(CeAuditItem.audit_id == audit_id)
            .options(
                selectinload(CeAuditItem.record).selectinload(CeRecord.document),
                selectinload(CeAuditItem.marked_by),
            )
            .order_by(CeAuditItem.id)
        )
    )


def auditable_cycles(day: date) -> list[CredentialAward]:
    """Awards in force with a validity period (their cycle is renewed), by holder name."""
    return list(
        db.session.scalars(
            sa.select(CredentialAward)
            .join(Person, Person.id == CredentialAward.person_id)
            .where(
                CredentialAward.status == AwardStatus.ACTIVE.value,
                CredentialAward.expires_on.is_not(None),
                CredentialAward.awarded_on <= day,
                CredentialAward.expires_on >= day,
            )
            .options(selectinload(CredentialAward.person))
            .order_by(Person.full_name, CredentialAward.id)
        )
    )
