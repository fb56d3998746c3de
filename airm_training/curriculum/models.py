"""A person's completion of a module."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from airm_training.core.clock import utcnow
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.programme.models import Module


class CompletionMethod(enum.StrEnum):
    SELF_PACED = "self-paced"  # the candidate marked it complete
    ATTENDANCE = "attendance"  # a director recorded attendance of a live training


class ModuleCompletion(db.Model):
    __tablename__ = "module_completion"
    __table_args__ = (sa.UniqueConstraint("person_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"), index=True)
    completed_on: Mapped[date]
    method: Mapped[str] = mapped_column(sa.String(20))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    module: Mapped[Module] = relationship()
    recorded_by: Mapped[Person] = relationship(foreign_keys=[recorded_by_id])
