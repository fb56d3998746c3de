"""A continuing-education record with its director's review, and the audit samples drawn
from a renewal cycle's records."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from airm_training.core.clock import utcnow
from airm_training.credentials.models import CredentialAward
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.supporting.models import SupportingDocument


class CeStatus(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {
            "pending": "Waiting for verification",
            "verified": "Verified",
            "rejected": "Not verified",
        }[self.value]


class CeAction(enum.StrEnum):
    VERIFY = "verify"
    REJECT = "reject"


class CeRecord(db.Model):
    __tablename__ = "ce_record"
    __table_args__ = (
        sa.Index("ix_ce_record_status", "status", "submitted_at"),
        sa.Index("ix_ce_record_person_date", "person_id", "completed_on"),
        sa.CheckConstraint("minutes > 0", name="minutes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    provider: Mapped[str] = mapped_column(sa.String(200))
    course_title: Mapped[str] = mapped_column(sa.String(200))
    approval_number: Mapped[str] = mapped_column(sa.String(80))
    completed_on: Mapped[date]
    minutes: Mapped[int]
    subject_area: Mapped[str] = mapped_column(sa.String(40))
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("supporting_document.id"))
    status: Mapped[str] = mapped_column(sa.String(10), default=CeStatus.PENDING)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    reviewed_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    reviewed_by: Mapped[Person | None] = relationship(foreign_keys=[reviewed_by_id])
    document: Mapped[SupportingDocument] = relationship()

    @property
    def state(self) -> CeStatus:
        return CeStatus(self.status)


class CeAudit(db.Model):
    """A random sample of one renewal cycle's verified records (the cycle of ``award``),
    drawn with ``seed`` so the same sample can be drawn again from the same records."""

    __tablename__ = "ce_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("credential_award.id"), index=True)
    cycle_start: Mapped[date]
    cycle_end: Mapped[date]
    share: Mapped[str] = mapped_column(sa.String(20))  # as written in the programme file
    seed: Mapped[str] = mapped_column(sa.String(32))
    population: Mapped[int]  # how many records it was drawn from
    drawn_by_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)

    award: Mapped[CredentialAward] = relationship()
    drawn_by: Mapped[Person] = relationship()
    items: Mapped[list[CeAuditItem]] = relationship(
        back_populates="audit", order_by="CeAuditItem.id"
    )


class CeAuditItem(db.Model):
    """One sampled record and the director's finding: verified (True), not (False), or
    not yet looked at (None)."""

    __tablename__ = "ce_audit_item"
    __table_args__ = (sa.UniqueConstraint("audit_id", "ce_record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(sa.ForeignKey("ce_audit.id"))
    ce_record_id: Mapped[int] = mapped_column(sa.ForeignKey("ce_record.id"), index=True)
    verified: Mapped[bool | None]
    note: Mapped[str | None] = mapped_column(sa.Text)
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    marked_at: Mapped[datetime | None]

    audit: Mapped[CeAudit] = relationship(back_populates="items")
    record: Mapped[CeRecord] = relationship()
    marked_by: Mapped[Person | None] = relationship()
