"""Whether a logged entry can count toward a level: hours count only from the enrolment
date, or from a number of months before it where an hours requirement allows it
(``counts_months_before_enrolment`` in the programme file). The engine applies the same
rule requirement by requirement; this module gives the reason shown beside an entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from airm_training.core.clock import add_months
from airm_training.credentials.models import Enrolment
from airm_training.extensions import db
from airm_training.programme.models import (
    ProgrammeLevel,
    Requirement,
    RequirementKind,
    RequirementPurpose,
)


@dataclass(frozen=True)
class CountingRule:
    """From which session date each category's hours can count, for one person."""

    enrolled_on: date | None
    counts_from: dict[str, date]  # category code → earliest session date that counts

    def reason(self, session_date: date, category_code: str) -> str | None:
        """Why an entry of this date and category does not count, or None if it may."""
        if self.enrolled_on is None:
            return None
        earliest = self.counts_from.get(category_code)
        if earliest is None or session_date >= earliest:
            return None
        if earliest == self.enrolled_on:
            return (
                f"The session is before the enrolment on {self.enrolled_on.isoformat()}: "
                "it does not count toward a level."
            )
        return (
            f"The session is before {earliest.isoformat()}, the earliest date from which "
            f"these hours count (enrolment on {self.enrolled_on.isoformat()}): it does not "
            "count toward a level."
        )


def counting_rule(person_id: int) -> CountingRule:
    """The person's counting dates, read from their enrolment and its programme version
    (two queries)."""
    enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.person_id == person_id))
    if enrolment is None:
        return CountingRule(None, {})
    requirements = db.session.scalars(
        sa.select(Requirement)
        .join(ProgrammeLevel, ProgrammeLevel.id == Requirement.programme_level_id)
        .where(
            ProgrammeLevel.programme_version_id == enrolment.programme_version_id,
            Requirement.kind == RequirementKind.HOURS.value,
            Requirement.purpose == RequirementPurpose.ATTAIN.value,
        )
    )
    counts_from: dict[str, date] = {}
    for requirement in requirements:
        months = int(requirement.params.get("counts_months_before_enrolment", 0))
        earliest = add_months(enrolment.enrolled_on, -months)
        for code in requirement.params.get("categories", []):
            counts_from[code] = min(earliest, counts_from.get(code, earliest))
    return CountingRule(enrolment.enrolled_on, counts_from)
