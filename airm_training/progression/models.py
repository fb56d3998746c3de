"""Applications for a level, their endorsements and votes, and certificates."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from airm_training.core.clock import utcnow
from airm_training.credentials.models import CredentialAward
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.programme.models import CredentialLevel


class ApplicationStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # waiting for the endorser
    ENDORSED = "endorsed"  # waiting for the board
    APPROVED = "approved"  # waiting for a director to issue
    ISSUED = "issued"
    DECLINED = "declined"  # the endorser declined, with a reason
    REJECTED = "rejected"  # the board rejected, with reasons

    @property
    def label(self) -> str:
        return {
            "submitted": "Waiting for endorsement",
            "endorsed": "Waiting for the board",
            "approved": "Approved, waiting to be issued",
            "issued": "Issued",
            "declined": "Endorsement declined",
            "rejected": "Not approved by the board",
        }[self.value]


OPEN_STATUSES = frozenset(
    {ApplicationStatus.SUBMITTED, ApplicationStatus.ENDORSED, ApplicationStatus.APPROVED}
)


# A renewal has steps of its own: no endorsement, no board; a director renews.
RENEWAL_LABELS = {
    "submitted": "Renewal requested, waiting for a director",
    "issued": "Renewed",
}
# A reinstatement after a lapse: no endorsement; the board approves, a director reinstates.
REINSTATEMENT_LABELS = {
    "submitted": "Reinstatement requested, waiting for the board",
    "approved": "Approved, waiting to be reinstated",
    "issued": "Reinstated",
    "rejected": "Reinstatement not approved by the board",
}


class ApplicationKind(enum.StrEnum):
    ATTAIN = "attain"  # a new level: endorsement, the board's approval, issuing
    RENEW = "renew"  # the level held: a director renews once the cycle's requirements are met
    REINSTATE = "reinstate"  # a lapsed level: the board approves, a director reinstates


class Application(db.Model):
    """An application for a level. ``open_key`` is set while the application is open,
    so a unique constraint allows only one open application per person and level."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10), default=ApplicationKind.ATTAIN)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("credential_level.id"))
    programme_version_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_version.id"))
    endorser_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    renews_award_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credential_award.id"))
    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    open_key: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    statement: Mapped[str] = mapped_column(sa.Text, default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    endorser: Mapped[Person | None] = relationship(foreign_keys=[endorser_id])
    level: Mapped[CredentialLevel] = relationship()
    endorsements: Mapped[list[Endorsement]] = relationship(
        back_populates="application", order_by="Endorsement.id", lazy="selectin"
    )
    votes: Mapped[list[Vote]] = relationship(
        back_populates="application", order_by="Vote.id", lazy="selectin"
    )
    certificate: Mapped[Certificate | None] = relationship(back_populates="application")

    @property
    def state(self) -> ApplicationStatus:
        return ApplicationStatus(self.status)

    @property
    def status_label(self) -> str:
        """What the holder reads: the step the application is at, by its kind; an issued
        credential since revoked says so."""
        if self.certificate is not None and self.certificate.status == "revoked":
            return "Issued, then revoked"
        if self.kind == ApplicationKind.RENEW:
            return RENEWAL_LABELS.get(self.status, self.state.label)
        if self.kind == ApplicationKind.REINSTATE:
            return REINSTATEMENT_LABELS.get(self.status, self.state.label)
        return self.state.label

    @property
    def status_tone(self) -> str:
        """The badge colour of ``status_label``: a revoked credential reads as a refusal."""
        if self.certificate is not None and self.certificate.status == "revoked":
            return "danger"
        return {
            ApplicationStatus.ISSUED: "success",
            ApplicationStatus.APPROVED: "success",
            ApplicationStatus.REJECTED: "danger",
            ApplicationStatus.DECLINED: "danger",
        }.get(self.state, "primary")

    @property
    def is_renewal(self) -> bool:
        return self.kind == ApplicationKind.RENEW

    @property
    def is_reinstatement(self) -> bool:
        return self.kind == ApplicationKind.REINSTATE

    @property
    def kind_name(self) -> str:
        """What the pages call it: application, renewal or reinstatement."""
        return {"renew": "renewal", "reinstate": "reinstatement"}.get(self.kind, "application")


class Endorsement(db.Model):
    __tablename__ = "endorsement"
    __table_args__ = (sa.UniqueConstraint("application_id", "supervisor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"))
    supervisor_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    endorsed: Mapped[bool]
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="endorsements")
    supervisor: Mapped[Person] = relationship()


class Vote(db.Model):
    __tablename__ = "vote"
    __table_args__ = (sa.UniqueConstraint("application_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    approve: Mapped[bool]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="votes")
    member: Mapped[Person] = relationship()


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class Certificate(db.Model):
    """What was issued, with the values printed on it (never recomputed)."""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    verification_code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("credential_award.id"), unique=True)
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("application.id"), unique=True)
    holder_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    holder_name: Mapped[str] = mapped_column(sa.String(250))
    level_code: Mapped[str] = mapped_column(sa.String(20))
    level_name: Mapped[str] = mapped_column(sa.String(120))
    organisation: Mapped[str] = mapped_column(sa.String(200))
    issued_on: Mapped[date]
    expires_on: Mapped[date | None]
    issuer_name: Mapped[str] = mapped_column(sa.String(250))
    approver_names: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(20), default=CertificateStatus.VALID)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(sa.Text)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificate.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    award: Mapped[CredentialAward] = relationship()
    application: Mapped[Application | None] = relationship(back_populates="certificate")
    revoked_by: Mapped[Person | None] = relationship(foreign_keys=[revoked_by_id])


class IssuedTranscript(db.Model):
    """A transcript handed out, with what its pages print: its verification code
    confirms on the public page who it was made for, when, and its reference."""

    __tablename__ = "issued_transcript"

    id: Mapped[int] = mapped_column(primary_key=True)
    verification_code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    holder_name: Mapped[str] = mapped_column(sa.String(250))
    organisation: Mapped[str] = mapped_column(sa.String(200))
    generated_on: Mapped[date]
    reference: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HoursTally(db.Model):
    """Kept figures of one hours requirement for one person: the signed minutes and
    sessions that count toward it, and the signed minutes that do not (before enrolment,
    outside an approved agreement). Kept for the requirements of attaining a level under
    the person's enrolled version, rewritten by ``progression.tally`` in the transaction
    that changes what they rest on; equal to ``facts.signed_hours_totals`` at all times."""

    __tablename__ = "hours_tally"

    requirement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("requirement.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), primary_key=True, index=True)
    minutes: Mapped[int]
    sessions: Mapped[int]
    uncounted_minutes: Mapped[int]
    outside_minutes: Mapped[int]

    @classmethod
    def figures(cls) -> sa.Select:
        """(requirement, person, minutes, sessions, uncounted, outside minutes) of each row."""
        return sa.select(
            cls.requirement_id,
            cls.person_id,
            cls.minutes,
            cls.sessions,
            cls.uncounted_minutes,
            cls.outside_minutes,
        )


class StandingSummary(db.Model):
    """How far one person is with their next level on one day: the level, how many of its
    evidence requirements are met, and which are not. Written by
    ``progression.summary.refresh`` from an evaluation, deleted in the transaction that
    changes anything it rests on; valid only for ``as_of``. Reports read it instead of
    evaluating everyone, and find who has gone quiet from it."""

    __tablename__ = "standing_summary"
    # The quiet of a day (nothing done since a moment, or ever) without reading every row.
    __table_args__ = (
        sa.Index("ix_standing_summary_quiet", "as_of", "last_active_at"),
        # The progress distribution: a day's rows counted in this order, read off the index.
        sa.Index(
            "ix_standing_summary_progress",
            "as_of",
            "programme_level_id",
            "met",
            "total",
            "person_id",
        ),
        # Enrolled people holding no credential in force: few, found without a scan.
        sa.Index("ix_standing_summary_holding", "as_of", "holds_credential", "person_id"),
    )

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    as_of: Mapped[date]
    # None: the person has no level to reach (they hold every level, or none applies).
    programme_level_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programme_level.id", ondelete="CASCADE")
    )
    met: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    unmet: Mapped[list[int]] = mapped_column(sa.JSON, default=list)  # requirement ids
    # When they last logged hours, completed a module, started a quiz or submitted a case
    # presentation (``progression.activity``); each of those forgets the row.
    last_active_at: Mapped[datetime | None]
    # Whether they hold a credential in force on ``as_of`` (a change of their awards
    # forgets the row).
    holds_credential: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class StandingGap(db.Model):
    """A person whose kept standing row was forgotten since the last rebuild, or who had
    none then: read live until the next one. With the day's rows, it names who is
    without one without comparing the whole population with the rows
    (``progression.summary``)."""

    __tablename__ = "standing_gap"

    person_id: Mapped[int] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
