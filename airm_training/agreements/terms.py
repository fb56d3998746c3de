"""The programme's ``[supervision_agreements]`` section: the terms both parties sign and
the hours categories an agreement may cover (the version in force, or the shipped file for
a version loaded before it defined them)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from airm_training.programme.loader import DEFAULT_PROGRAMME_FILE
from airm_training.programme.services import current_version


@dataclass(frozen=True)
class AgreementTerms:
    terms: str
    categories: tuple[str, ...]  # hours category codes an agreement may cover


def agreement_terms() -> AgreementTerms:
    version = current_version()
    section = (version.definition if version else {}).get("supervision_agreements") or _shipped()
    return AgreementTerms(
        terms=str(section.get("terms", "")).strip(),
        categories=tuple(str(code) for code in section.get("categories", [])),
    )


@cache
def _shipped() -> dict:
    return tomllib.loads(DEFAULT_PROGRAMME_FILE.read_text(encoding="utf-8")).get(
        "supervision_agreements", {}
    )
