"""A supporting document: who uploaded it, of which kind, its dates, the cleaned file and
the director's review."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from airm_training.core.clock import utcnow
from airm_training.extensions import db
from airm_training.people.models import Licence, Person


class DocumentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {
            "pending": "Waiting for review",
            "approved": "Approved",
            "rejected": "Not approved",
        }[self.value]


class DocumentAction(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class SupportingDocument(db.Model):
    __tablename__ = "supporting_document"
    __table_args__ = (sa.Index("ix_supporting_document_status", "status", "uploaded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    title: Mapped[str] = mapped_column(sa.String(200))
    issued_on: Mapped[date | None]
    expires_on: Mapped[date | None]
    licence_id: Mapped[int | None] = mapped_column(sa.ForeignKey("licence.id"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    # The cleaned file; never loaded with the lists (deferred).
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    status: Mapped[str] = mapped_column(sa.String(10), default=DocumentStatus.PENDING)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    reviewed_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    reviewed_by: Mapped[Person | None] = relationship(foreign_keys=[reviewed_by_id])
    licence: Mapped[Licence | None] = relationship()

    @property
    def state(self) -> DocumentStatus:
        return DocumentStatus(self.status)

    def is_current_on(self, day: date) -> bool:
        """Approved and not expired on ``day`` (the expiry date itself still counts)."""
        return self.state is DocumentStatus.APPROVED and (
            self.expires_on is None or self.expires_on >= day
        )

    @property
    def extension(self) -> str:
        return {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}[
            self.content_type
        ]
