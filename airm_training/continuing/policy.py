"""The programme file's ``[continuing_education]``: the subject areas and the share of a
renewal cycle's records a director's audit samples (the version in force, or the shipped
file for a version loaded before it defined them)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from fractions import Fraction
from functools import cache

from airm_training.programme.loader import DEFAULT_PROGRAMME_FILE
from airm_training.programme.services import current_version


@dataclass(frozen=True)
class SubjectArea:
    code: str
    name: str


@dataclass(frozen=True)
class CePolicy:
    subject_areas: tuple[SubjectArea, ...]
    audit_share: str  # as written, e.g. "0.25"; read exactly with ``share``

    @property
    def share(self) -> Fraction:
        return Fraction(self.audit_share)

    def subject_names(self) -> dict[str, str]:
        return {area.code: area.name for area in self.subject_areas}


def policy_from(section: dict) -> CePolicy:
    return CePolicy(
        subject_areas=tuple(
            SubjectArea(str(area["code"]), str(area["name"]))
            for area in section.get("subject_areas", [])
        ),
        audit_share=str(section.get("audit_share", "0.1")),
    )


def ce_policy() -> CePolicy:
    version = current_version()
    section = (version.definition if version else {}).get("continuing_education") or _shipped()
    return policy_from(section)


@cache
def _shipped() -> dict:
    return tomllib.loads(DEFAULT_PROGRAMME_FILE.read_text(encoding="utf-8")).get(
        "continuing_education", {}
    )
