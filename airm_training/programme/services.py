"""Reading the programme: the version in force, the rules of a level and the version's
taxonomy (its vocabulary of modalities and bond types)."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Taxonomy:
    modalities: frozenset[str]
    bond_types: tuple[str, ...]  # in the programme file's order (the forms' choices)


def taxonomy(version: ProgrammeVersion | None = None) -> Taxonomy:
    """The vocabulary of ``version`` (default: the version in force); empty without one.
    Every form, rule and the demo data read it here."""
    version = version or current_version()
    terms = (version.definition if version else {}).get("taxonomy", {})
    return Taxonomy(
        modalities=frozenset(terms.get("modalities", [])),
        bond_types=tuple(terms.get("bond_types", [])),
    )


def programme_level(version: ProgrammeVersion, level_code: str) -> ProgrammeLevel:
    for rules in version.levels:
        if rules.level.code == level_code:
            return rules
    raise DomainError.on(None, f"Level {level_code} is not part of {version.label}.")
