"""A person (one account), the roles they hold and their licences."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from airm_training.core.clock import today, utcnow
from airm_training.extensions import db

LICENCE_WARNING_DAYS = 90  # a licence expiring within this many days is flagged


class Role(enum.StrEnum):
    """Roles granted explicitly. "Supervisor" is not here: it follows from a current
    credential whose level confers supervision (AIRT-S)."""

    CANDIDATE = "candidate"
    CO_CREATOR = "co-creator"
    DIRECTOR = "director"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


class Person(UserMixin, db.Model):
    __tablename__ = "person"
    # The directory's order: a page of people by name read off the index, not sorted;
    # and the few inactive people, found without reading everyone.
    __table_args__ = (
        sa.Index("ix_person_name", "full_name", "id"),
        sa.Index(
            "ix_person_inactive",
            "id",
            sqlite_where=sa.text("active = 0"),
            postgresql_where=sa.text("active = false"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    post_nominals: Mapped[str] = mapped_column(sa.String(120), default="")
    job_title: Mapped[str] = mapped_column(sa.String(120), default="")
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    primary_supervisor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id"), index=True
    )

    role_assignments: Mapped[list[RoleAssignment]] = relationship(
        back_populates="person",
        cascade="all, delete-orphan",
        lazy="selectin",
        foreign_keys="RoleAssignment.person_id",
    )
    licences: Mapped[list[Licence]] = relationship(
        back_populates="person",
        cascade="all, delete-orphan",
        foreign_keys="Licence.person_id",
        order_by="Licence.expires_on",
    )
    primary_supervisor: Mapped[Person | None] = relationship(
        remote_side=[id], foreign_keys=[primary_supervisor_id]
    )

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.email}>"

    @hybrid_property
    def display_name(self) -> str:
        return f"{self.full_name}, {self.post_nominals}" if self.post_nominals else self.full_name

    @display_name.inplace.expression
    @classmethod
    def _display_name_expression(cls) -> sa.ColumnElement[str]:
        """The same name in SQL (for the class or an alias of it)."""
        return sa.case(
            (cls.post_nominals != "", cls.full_name + ", " + cls.post_nominals),
            else_=cls.full_name,
        )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(assignment.role) for assignment in self.role_assignments)

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    # Flask-Login: the session holds id and session version, so bumping the version
    # (logout, password change, deactivation) ends every existing session.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active


class RoleAssignment(db.Model):
    __tablename__ = "role_assignment"
    __table_args__ = (sa.UniqueConstraint("person_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))

    person: Mapped[Person] = relationship(
        back_populates="role_assignments", foreign_keys=[person_id]
    )


class Licence(db.Model):
    """A professional licence (LMHC, LPC, ...). Verified by a director."""

    __tablename__ = "licence"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "licence_type", "number", "jurisdiction"),
        sa.Index("ix_licence_expires_on", "expires_on"),  # what expires soon
        sa.Index("ix_licence_verified_at", "verified_at"),  # those awaiting verification
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    licence_type: Mapped[str] = mapped_column(sa.String(40))
    number: Mapped[str] = mapped_column(sa.String(60))
    jurisdiction: Mapped[str] = mapped_column(sa.String(80))
    expires_on: Mapped[date]
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(back_populates="licences", foreign_keys=[person_id])
    verified_by: Mapped[Person | None] = relationship(foreign_keys=[verified_by_id])

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def days_left(self, day: date) -> int:
        """Days from ``day`` to the expiry date (negative once expired)."""
        return (self.expires_on - day).days

    def is_valid_on(self, day: date | None = None) -> bool:
        """Verified and not expired on ``day`` (the expiry date itself still counts)."""
        return self.is_verified and self.expires_on >= (day or today())
