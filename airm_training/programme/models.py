"""The programme as data. A programme version pins the requirements of every level;
modules and hours categories are shared by all versions and edited by directors."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from airm_training.core.clock import utcnow
from airm_training.extensions import db


class RequirementKind(enum.StrEnum):
    MODULE = "module"
    ASSESSMENT = "assessment"
    HOURS = "hours"
    EVALUATION = "evaluation"
    CREDENTIAL_HELD = "credential_held"
    LICENCE = "licence"
    DOCUMENT = "document"  # a current approved supporting document of a kind
    CE_CREDITS = "ce_credits"  # verified continuing-education credits
    ENDORSEMENT = "endorsement"
    APPROVAL = "approval"


class RequirementPurpose(enum.StrEnum):
    ATTAIN = "attain"
    RENEW = "renew"
    REINSTATE = "reinstate"  # the way back after a credential has lapsed


class GrantedBy(enum.StrEnum):
    ENROLMENT = "enrolment"  # a director grants it when enrolling the person
    APPLICATION = "application"  # applied for, endorsed, approved by the board, issued


class ModuleStage(enum.StrEnum):
    FOUNDATIONS = "foundations"
    ATTACHMENT_AWARENESS = "attachment-awareness"
    DISRUPTION_DETACHMENT = "disruption-detachment"
    INTEGRATION_OF_MEANING = "integration-of-meaning"
    RELATIONAL_RECONNECTION = "relational-reconnection"
    SUPERVISION = "supervision"

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self.value]


def stage_labels(codes) -> str:
    """ "attachment-awareness, supervision" → "Attachment awareness, Supervision"."""
    return ", ".join(_STAGE_LABELS.get(code, code) for code in codes or ())


_STAGE_LABELS = {
    "foundations": "Foundations",
    "attachment-awareness": "Attachment awareness",
    "disruption-detachment": "Disruption and detachment",
    "integration-of-meaning": "Integration of meaning",
    "relational-reconnection": "Relational reconnection",
    "supervision": "Supervision",
}


class CredentialLevel(db.Model):
    """A rung of the ladder (AIRT-C, AIRT-S, ...), the same across programme versions."""

    __tablename__ = "credential_level"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    confers_supervision: Mapped[bool] = mapped_column(default=False)


class ProgrammeVersion(db.Model):
    __tablename__ = "programme_version"
    __table_args__ = (sa.UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    checksum: Mapped[str] = mapped_column(sa.String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    loaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))

    levels: Mapped[list[ProgrammeLevel]] = relationship(
        back_populates="programme_version",
        cascade="all, delete-orphan",
        order_by="ProgrammeLevel.rank",
    )

    @property
    def label(self) -> str:
        return f"{self.title} (version {self.version})"


class ProgrammeLevel(db.Model):
    """How a level is reached and kept under one programme version."""

    __tablename__ = "programme_level"
    __table_args__ = (sa.UniqueConstraint("programme_version_id", "level_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_version_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_version.id"))
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("credential_level.id"))
    rank: Mapped[int]
    granted_by: Mapped[str] = mapped_column(sa.String(20))
    validity_months: Mapped[int | None]

    programme_version: Mapped[ProgrammeVersion] = relationship(back_populates="levels")
    level: Mapped[CredentialLevel] = relationship(lazy="joined")
    requirements: Mapped[list[Requirement]] = relationship(
        back_populates="programme_level",
        cascade="all, delete-orphan",
        order_by="Requirement.position",
    )


class Requirement(db.Model):
    """A typed requirement: ``kind`` says how to evaluate it, ``params`` with what numbers."""

    __tablename__ = "requirement"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_level_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_level.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(10))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(30))
    label: Mapped[str] = mapped_column(sa.String(200))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

    programme_level: Mapped[ProgrammeLevel] = relationship(back_populates="requirements")


class HoursCategory(db.Model):
    __tablename__ = "hours_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    requires_supervisor: Mapped[bool] = mapped_column(default=False)
    is_group: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)


module_prerequisite = sa.Table(
    "module_prerequisite",
    db.metadata,
    sa.Column("module_id", sa.ForeignKey("module.id"), primary_key=True),
    sa.Column("prerequisite_id", sa.ForeignKey("module.id"), primary_key=True),
)


class Module(db.Model):
    __tablename__ = "module"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    stage: Mapped[str] = mapped_column(sa.String(40))
    position: Mapped[int] = mapped_column(default=0)
    ce_minutes: Mapped[int] = mapped_column(default=0)
    objectives: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    content: Mapped[str] = mapped_column(sa.Text, default="")
    self_paced: Mapped[bool] = mapped_column(default=True)
    retired: Mapped[bool] = mapped_column(default=False)

    prerequisites: Mapped[list[Module]] = relationship(
        secondary=module_prerequisite,
        primaryjoin=id == module_prerequisite.c.module_id,
        secondaryjoin=id == module_prerequisite.c.prerequisite_id,
        order_by="Module.position",
    )
