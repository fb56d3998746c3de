"""An hours entry and its life cycle: draft → submitted → signed, or submitted →
returned → submitted. A signed entry is never edited: an amendment (a new entry that
``amends`` it) is signed again by the same supervisor and then supersedes it."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from airm_training.core.clock import utcnow
from airm_training.core.durations import duration_label
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.programme.models import HoursCategory


class HoursStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    SIGNED = "signed"
    SUPERSEDED = "superseded"  # a signed entry replaced by its signed amendment

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "submitted": "Waiting for sign-off",
            "returned": "Returned",
            "signed": "Signed",
            "superseded": "Superseded by amendment",
        }[self.value]


class HoursAction(enum.StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    SIGN = "sign"
    RETURN = "return"
    SUPERSEDE = "supersede"


# Entries that take up time on their day (for the 16-hours-a-day rule).
COUNTED_FOR_DAY = frozenset(
    {HoursStatus.DRAFT, HoursStatus.SUBMITTED, HoursStatus.RETURNED, HoursStatus.SIGNED}
)


class HoursImport(db.Model):
    """One CSV file imported by a person; the same file cannot be imported twice."""

    __tablename__ = "hours_import"
    __table_args__ = (sa.UniqueConstraint("person_id", "checksum"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    checksum: Mapped[str] = mapped_column(sa.String(64))
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    row_count: Mapped[int]
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class HoursEntry(db.Model):
    __tablename__ = "hours_entry"
    __table_args__ = (
        sa.CheckConstraint("minutes BETWEEN 1 AND 720", name="minutes_range"),
        sa.Index("ix_hours_entry_person_date", "person_id", "session_date"),
        sa.Index("ix_hours_entry_supervisor_person", "supervisor_id", "status", "person_id"),
        sa.Index(
            "ix_hours_entry_standing",
            "person_id",
            "status",
            "category_id",
            "session_date",
            "signed_by_id",
            "minutes",
        ),
        sa.Index("ix_hours_entry_pending", "status", "supervisor_id", "submitted_at", "minutes"),
        sa.Index("ix_hours_entry_submitted", "status", "submitted_at"),
        sa.Index("ix_hours_entry_person_created", "person_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    session_date: Mapped[date]
    minutes: Mapped[int]
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("hours_category.id"))
    supervisor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    stages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    modalities: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    group_size: Mapped[int | None]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # Indexed by ix_hours_entry_pending, which begins with it.
    status: Mapped[str] = mapped_column(sa.String(20), default=HoursStatus.DRAFT)
    late: Mapped[bool] = mapped_column(default=False)
    amends_id: Mapped[int | None] = mapped_column(sa.ForeignKey("hours_entry.id"), index=True)
    import_id: Mapped[int | None] = mapped_column(sa.ForeignKey("hours_import.id"), index=True)
    submitted_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    signed_at: Mapped[datetime | None]
    attestation: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    category: Mapped[HoursCategory] = relationship(lazy="joined")
    supervisor: Mapped[Person | None] = relationship(foreign_keys=[supervisor_id])
    signed_by: Mapped[Person | None] = relationship(foreign_keys=[signed_by_id])
    amends: Mapped[HoursEntry | None] = relationship(remote_side=[id], foreign_keys=[amends_id])

    @property
    def state(self) -> HoursStatus:
        return HoursStatus(self.status)

    @property
    def duration_label(self) -> str:
        return duration_label(self.minutes)

    @hybrid_property
    def waiting_since(self) -> datetime:
        """When the entry took the status it has: returned, submitted, or else created."""
        if self.status == HoursStatus.RETURNED.value and self.returned_at:
            return self.returned_at
        if self.status == HoursStatus.SUBMITTED.value and self.submitted_at:
            return self.submitted_at
        return self.created_at

    @waiting_since.inplace.expression
    @classmethod
    def _waiting_since_expression(cls) -> sa.ColumnElement[datetime]:
        return sa.case(
            (cls.status == HoursStatus.RETURNED.value, cls.returned_at),
            (cls.status == HoursStatus.SUBMITTED.value, cls.submitted_at),
            else_=cls.created_at,
        )

    def to_audit(self) -> dict:
        """The entry's content as plain JSON values, for audit before/after."""
        return {
            "person_id": self.person_id,
            "session_date": self.session_date.isoformat(),
            "minutes": self.minutes,
            "category": self.category.code if self.category else self.category_id,
            "supervisor_id": self.supervisor_id,
            "stages": list(self.stages or []),
            "modalities": list(self.modalities or []),
            "group_size": self.group_size,
            "note": self.note,
            "status": self.status,
            "amends_id": self.amends_id,
        }


class SignoffBacklog(db.Model):
    """Entries waiting for sign-off, by the UTC day they were submitted on and the
    supervisor they wait for; kept by ``hours.backlog`` in the transaction that submits,
    signs, returns or withdraws them. Each day counted has a row for "no supervisor
    named" (``supervisor_id`` 0), which the transactions counting that day lock."""

    __tablename__ = "signoff_backlog"

    day: Mapped[date] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    entries: Mapped[int]
    minutes: Mapped[int]
    oldest: Mapped[datetime | None]  # the earliest submission among them
