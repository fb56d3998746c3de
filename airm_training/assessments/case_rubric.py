"""The case-presentation rubric, read from the programme file: its criteria, its ratings
(lowest first) and the rating every criterion needs for a pass."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from airm_training.programme.loader import DEFAULT_PROGRAMME_FILE
from airm_training.programme.services import current_version


@dataclass(frozen=True)
class CaseRubric:
    criteria: tuple[tuple[str, str], ...]  # (code, name)
    ratings: tuple[tuple[str, str], ...]  # (code, name), lowest first
    pass_minimum: str

    def rank(self, rating: str) -> int:
        """The rating's place on the scale (0 = lowest); -1 when it is not a rating."""
        codes = [code for code, _ in self.ratings]
        return codes.index(rating) if rating in codes else -1

    @property
    def pass_minimum_name(self) -> str:
        return dict(self.ratings)[self.pass_minimum]

    def below_pass(self, ratings: dict[str, str]) -> list[str]:
        """Names of the criteria rated below what a pass needs."""
        needed = self.rank(self.pass_minimum)
        return [name for code, name in self.criteria if self.rank(ratings.get(code, "")) < needed]


def case_rubric() -> CaseRubric:
    """The rubric of the programme version in force (or of the shipped file, for a
    version loaded before the file defined one)."""
    version = current_version()
    section = (version.definition if version else {}).get("case_rubric") or _shipped()
    return CaseRubric(
        criteria=tuple((c["code"], c["name"]) for c in section["criteria"]),
        ratings=tuple((r["code"], r["name"]) for r in section["ratings"]),
        pass_minimum=section["pass_minimum"],
    )


@cache
def _shipped() -> dict:
    return tomllib.loads(DEFAULT_PROGRAMME_FILE.read_text(encoding="utf-8"))["case_rubric"]
