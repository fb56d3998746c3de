"""Reading the programme: the version in force and the rules of a level."""

from __future__ import annotations

import sqlalchemy as sa

from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.programme.models import ProgrammeLevel, ProgrammeVersion

PROGRAMME_CODE = "airm"


def current_version(code: str = PROGRAMME_CODE) -> ProgrammeVersion | None:
    """The newest loaded version: new enrolments are made under it."""
    return db.session.scalar(
        sa.select(ProgrammeVersion)
        .where(ProgrammeVersion.code == code)
        .order_by(ProgrammeVersion.version.desc())
        .limit(1)
    )


def programme_level(version: ProgrammeVersion, level_code: str) -> ProgrammeLevel:
    for rules in version.levels:
        if rules.level.code == level_code:
            return rules
    raise DomainError.on(None, f"Level {level_code} is not part of {version.label}.")
