"""A supervision agreement between a candidate and a supervisor: its dates, the hours
categories it covers, the terms both signed (each e-signature with its time and
attestation) and a director's approval."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from airm_training.core.clock import utcnow
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.programme.models import HoursCategory


class AgreementStatus(enum.StrEnum):
    AWAITING_SUPERVISOR = "awaiting_supervisor"  # the candidate signed
    AWAITING_APPROVAL = "awaiting_approval"  # both signed, a director approves
    APPROVED = "approved"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {
            "awaiting_supervisor": "Waiting for the supervisor's signature",
            "awaiting_approval": "Waiting for a director's approval",
            "approved": "Approved",
            "declined": "Declined",
        }[self.value]


class AgreementAction(enum.StrEnum):
    COUNTERSIGN = "countersign"
    APPROVE = "approve"
    DECLINE = "decline"
    END = "end"


agreement_category = sa.Table(
    "supervision_agreement_category",
    db.metadata,
    sa.Column(
        "agreement_id",
        sa.ForeignKey("supervision_agreement.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("category_id", sa.ForeignKey("hours_category.id"), primary_key=True),
)


class SupervisionAgreement(db.Model):
    __tablename__ = "supervision_agreement"
    __table_args__ = (
        sa.Index("ix_supervision_agreement_parties", "candidate_id", "supervisor_id", "status"),
        sa.Index("ix_supervision_agreement_status", "status", "created_at"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    supervisor_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    terms: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default=AgreementStatus.AWAITING_SUPERVISOR)
    candidate_signed_at: Mapped[datetime]
    candidate_attestation: Mapped[str] = mapped_column(sa.Text)
    supervisor_signed_at: Mapped[datetime | None]
    supervisor_attestation: Mapped[str | None] = mapped_column(sa.Text)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    approved_at: Mapped[datetime | None]
    declined_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    declined_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    ended_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    candidate: Mapped[Person] = relationship(foreign_keys=[candidate_id])
    supervisor: Mapped[Person] = relationship(foreign_keys=[supervisor_id])
    approved_by: Mapped[Person | None] = relationship(foreign_keys=[approved_by_id])
    declined_by: Mapped[Person | None] = relationship(foreign_keys=[declined_by_id])
    ended_by: Mapped[Person | None] = relationship(foreign_keys=[ended_by_id])
    categories: Mapped[list[HoursCategory]] = relationship(
        secondary=agreement_category, order_by=HoursCategory.position
    )

    @property
    def state(self) -> AgreementStatus:
        return AgreementStatus(self.status)

    def is_party(self, person: Person) -> bool:
        return person.id in (self.candidate_id, self.supervisor_id)

    def to_audit(self) -> dict:
        return {
            "candidate_id": self.candidate_id,
            "supervisor_id": self.supervisor_id,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
            "categories": [c.code for c in self.categories],
            "status": self.status,
        }
