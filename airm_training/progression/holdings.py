"""A person's credential awards, each with its level's rules under the award's programme
version, read in one query for a page: its list of credentials, the renewal panel and
the reinstatement panel read the same rows."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from airm_training.core.reads import built_once
from airm_training.credentials.models import AwardStatus, CredentialAward
from airm_training.extensions import db
from airm_training.programme.models import ProgrammeLevel, Requirement, RequirementPurpose


@dataclass(frozen=True)
class Held:
    """One award; ``rules`` is None when its level is not in the award's programme
    version. ``renewable`` and ``reinstatable``: the level has renewal or reinstatement
    requirements."""

    award: CredentialAward
    rules: ProgrammeLevel | None
    renewable: bool
    reinstatable: bool


@dataclass(frozen=True)
class Holdings:
    """Every award of one person, the latest first."""

    rows: tuple[Held, ...]

    @property
    def awards(self) -> list[CredentialAward]:
        return [held.award for held in self.rows]

    def active(self) -> list[Held]:
        """The active awards whose level has rules (revoked and superseded ones left out)."""
        return [
            held
            for held in self.rows
            if held.rules is not None and held.award.status == AwardStatus.ACTIVE
        ]


def _holdings() -> sa.Select:
    """The awards of the person ``person`` (a bind parameter), with their rules."""
    return (
        sa.select(
            CredentialAward,
            ProgrammeLevel,
            _has(RequirementPurpose.RENEW),
            _has(RequirementPurpose.REINSTATE),
        )
        .outerjoin(
            ProgrammeLevel,
            sa.and_(
                ProgrammeLevel.level_id == CredentialAward.level_id,
                ProgrammeLevel.programme_version_id == CredentialAward.programme_version_id,
            ),
        )
        .where(CredentialAward.person_id == sa.bindparam("person"))
        # The renewal and grace periods are read from the programme version's file.
        .options(joinedload(ProgrammeLevel.programme_version))
        .order_by(CredentialAward.awarded_on.desc(), CredentialAward.id.desc())
    )


def _has(purpose: RequirementPurpose):
    return (
        sa.exists()
        .where(
            Requirement.programme_level_id == ProgrammeLevel.id,
            Requirement.purpose == purpose.value,
        )
        .label(f"has_{purpose.value}")
    )


def holdings_of(person_id: int) -> Holdings:
    rows = db.session.execute(built_once("holdings_of", _holdings), {"person": person_id}).all()
    return Holdings(
        tuple(
            Held(award, rules, bool(renewable), bool(reinstatable))
            for award, rules, renewable, reinstatable in rows
        )
    )
