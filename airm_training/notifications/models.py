"""Notifications shown in the app (and e-mailed to those who want e-mail), each
person's choice of channel, and the reminders already sent."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from airm_training.core.clock import utcnow
from airm_training.extensions import db

if TYPE_CHECKING:
    from airm_training.people.models import Person


class NotificationKind(enum.StrEnum):
    HOURS_SUBMITTED = "hours_submitted"
    HOURS_RETURNED = "hours_returned"
    CASE_GRADED = "case_graded"
    EVALUATION_COMPLETED = "evaluation_completed"
    APPLICATION_SUBMITTED = "application_submitted"
    APPLICATION_ENDORSED = "application_endorsed"
    ENDORSEMENT_DECLINED = "endorsement_declined"
    BOARD_DECIDED = "board_decided"
    RENEWAL_REQUESTED = "renewal_requested"
    CERTIFICATE_ISSUED = "certificate_issued"
    CERTIFICATE_REVOKED = "certificate_revoked"
    DOCUMENT_UPLOADED = "document_uploaded"
    DOCUMENT_REVIEWED = "document_reviewed"
    CE_REVIEWED = "ce_reviewed"
    AGREEMENT_TO_SIGN = "agreement_to_sign"
    AGREEMENT_TO_APPROVE = "agreement_to_approve"
    AGREEMENT_CHANGED = "agreement_changed"
    CREDENTIAL_IN_GRACE = "credential_in_grace"
    CREDENTIAL_LAPSED = "credential_lapsed"
    REMINDER = "reminder"

    @property
    def label(self) -> str:
        """Short heading of the notification, also the e-mail's subject."""
        return {
            "hours_submitted": "Hours submitted for your sign-off",
            "hours_returned": "Hours returned to you",
            "case_graded": "Case presentation graded",
            "evaluation_completed": "Competency evaluation completed",
            "application_submitted": "Application waiting for your endorsement",
            "application_endorsed": "Application waiting for the board",
            "endorsement_declined": "Endorsement declined",
            "board_decided": "The board has decided",
            "renewal_requested": "Renewal requested",
            "certificate_issued": "Certificate issued",
            "certificate_revoked": "Certificate revoked",
            "document_uploaded": "Document to review",
            "document_reviewed": "Document reviewed",
            "ce_reviewed": "Continuing education reviewed",
            "agreement_to_sign": "Supervision agreement to sign",
            "agreement_to_approve": "Supervision agreement to approve",
            "agreement_changed": "Supervision agreement updated",
            "credential_in_grace": "Credential expired — in grace",
            "credential_lapsed": "Credential lapsed",
            "reminder": "Reminder",
        }[self.value]


class Channel(enum.StrEnum):
    EMAIL_AND_IN_APP = "email_and_in_app"
    IN_APP_ONLY = "in_app_only"

    @property
    def label(self) -> str:
        return {"email_and_in_app": "E-mail and in-app", "in_app_only": "In-app only"}[self.value]


class Notification(db.Model):
    """One message to one person about one object (an entry, a case, an application...)."""

    __tablename__ = "notification"
    __table_args__ = (sa.Index("ix_notification_person_read", "person_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    message: Mapped[str] = mapped_column(sa.String(300))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    # The recipient, named rather than imported: notifications sit below the features.
    person: Mapped[Person] = relationship("Person", viewonly=True)

    @property
    def heading(self) -> str:
        return NotificationKind(self.kind).label

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(db.Model):
    """A person's channel; without a row they get e-mail and in-app."""

    __tablename__ = "notification_preference"

    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(20), default=Channel.EMAIL_AND_IN_APP)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReminderSent(db.Model):
    """A reminder already sent: the unique key makes repeated runs send it only once."""

    __tablename__ = "reminder_sent"
    __table_args__ = (sa.UniqueConstraint("kind", "object_id", "threshold"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int]
    threshold: Mapped[int]
    sent_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"  # a request the worker found nothing to send for (no such account)


class OutboxMessage(db.Model):
    """An e-mail to deliver, written in the same transaction as the action that caused it;
    the ``send-mail`` worker delivers it, retrying with backoff, and records the outcome."""

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    # Set for a request the worker turns into a message (e.g. "password_reset": the worker
    # looks the address up); ``body`` holds the site's base URL until then.
    purpose: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(10), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker that claimed the message holds it until then (another worker skips it).
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
