"""A requested archive: a job row the worker builds, then the built zip until it expires."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from airm_training.core.clock import utcnow
from airm_training.extensions import db
from airm_training.people.models import Person


class ArchiveStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the worker (or for a retry after a fault)
    READY = "ready"  # built; downloadable until ``expires_at``
    FAILED = "failed"  # every attempt failed
    EXPIRED = "expired"  # past its date; the zip has been deleted

    @property
    def label(self) -> str:
        return {
            "pending": "Being prepared",
            "ready": "Ready to download",
            "failed": "Could not be built",
            "expired": "Expired",
        }[self.value]


class PersonalArchive(db.Model):
    """One request for a person's archive. ``content`` is set in the same commit that
    makes the status ``ready``: a half-built zip is never offered."""

    __tablename__ = "personal_archive"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(43), unique=True)  # in the download link
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    status: Mapped[str] = mapped_column(sa.String(10), default=ArchiveStatus.PENDING)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    built_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    download_count: Mapped[int] = mapped_column(default=0)
    last_downloaded_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    requested_by: Mapped[Person] = relationship(foreign_keys=[requested_by_id])

    def state(self, now: datetime) -> ArchiveStatus:
        """The status as the person sees it: a ready archive past its date is expired even
        before the worker deletes its zip."""
        if self.status == ArchiveStatus.READY and self.expires_at and self.expires_at <= now:
            return ArchiveStatus.EXPIRED
        return ArchiveStatus(self.status)
