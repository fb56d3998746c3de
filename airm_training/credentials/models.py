"""Enrolment pins a programme version; an award records a level held by a person."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from airm_training.core.clock import utcnow
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.programme.models import CredentialLevel, ProgrammeVersion


class AwardStatus(enum.StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class Enrolment(db.Model):
    """A person's enrolment in the programme, under the version in force at the time."""

    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), unique=True)
    programme_version_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_version.id"))
    enrolled_on: Mapped[date]
    enrolled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    programme_version: Mapped[ProgrammeVersion] = relationship()


class CredentialAward(db.Model):
    """A level held by a person. Valid from ``awarded_on`` through ``expires_on``
    (inclusive; no expiry when empty) while its status is active."""

    __tablename__ = "credential_award"
    __table_args__ = (
        sa.Index("ix_credential_award_person_level", "person_id", "level_id"),
        sa.Index("ix_credential_award_expires_on", "expires_on"),  # what expires soon
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("credential_level.id"))
    programme_version_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_version.id"))
    awarded_on: Mapped[date]
    expires_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(sa.String(20), default=AwardStatus.ACTIVE)
    awarded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    level: Mapped[CredentialLevel] = relationship(lazy="joined")
    awarded_by: Mapped[Person | None] = relationship(foreign_keys=[awarded_by_id])

    def is_current_on(self, day: date) -> bool:
        return (
            self.status == AwardStatus.ACTIVE
            and self.awarded_on <= day
            and (self.expires_on is None or day <= self.expires_on)
        )


class HolderCount(db.Model):
    """How many active people hold a level, each at the highest level they hold, on one
    day: the director's overview reads these instead of every award in force. Written by
    ``credentials.holders.refresh`` (``airm rebuild-standing``, every night for the new
    day); deleted, every row, in the transaction that changes an award, whether a person
    is active, or the programme's levels. Without rows for the day the counts are read
    live, so a missing row costs time, never a wrong figure."""

    __tablename__ = "holder_count"

    as_of: Mapped[date] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    people: Mapped[int]
