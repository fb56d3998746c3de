"""An issued verification of supervised hours, kept as issued (its snapshot), so that the
document can be drawn again and its public page can say whether the record changed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from airm_training.core.clock import utcnow
from airm_training.extensions import db
from airm_training.people.models import Person


class HoursVerification(db.Model):
    """One version of a person's signed hours for a date range. ``fingerprint`` digests the
    signed sessions it lists; a later change to them makes a newer version."""

    __tablename__ = "hours_verification"
    # also the index by which a person's versions of a range are found
    __table_args__ = (sa.UniqueConstraint("person_id", "starts_on", "ends_on", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    version: Mapped[int]
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    total_minutes: Mapped[int]
    session_count: Mapped[int]
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
