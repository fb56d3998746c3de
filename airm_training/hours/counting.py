"""Whether a logged entry can count toward a level: hours count only from the enrolment
date, or from a number of months before it where an hours requirement allows it
(``counts_months_before_enrolment`` in the programme file), and, where every requirement
counting a category says ``within_agreement = true``, only inside an approved supervision
agreement with the supervisor they were logged with (``agreements.coverage``). The engine
applies the same rules requirement by requirement; this module gives the reason shown
beside an entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from airm_training.agreements.coverage import AgreementSpan, outside_reason, spans_of
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
    # categories counted only inside an approved supervision agreement, and the agreements
    within_agreement: frozenset[str] = frozenset()
    agreements: tuple[AgreementSpan, ...] = ()

    def reason(
        self, session_date: date, category_code: str, supervisor_id: int | None = None
    ) -> str | None:
        """Why an entry of this date, category and supervisor does not count, or None if
        it may."""
        if self.enrolled_on is None:
            return None
        earliest = self.counts_from.get(category_code)
        if earliest is not None and session_date < earliest:
            return self._before_enrolment(earliest)
        if category_code in self.within_agreement:
            return outside_reason(session_date, category_code, supervisor_id, self.agreements)
        return None

    def _before_enrolment(self, earliest: date) -> str:
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
    (two queries; a third for their agreements when the programme asks for them)."""
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
    needs_agreement: dict[str, bool] = {}  # category → every requirement counting it asks
    for requirement in requirements:
        months = int(requirement.params.get("counts_months_before_enrolment", 0))
        earliest = add_months(enrolment.enrolled_on, -months)
        asks = bool(requirement.params.get("within_agreement", False))
        for code in requirement.params.get("categories", []):
            counts_from[code] = min(earliest, counts_from.get(code, earliest))
            needs_agreement[code] = needs_agreement.get(code, True) and asks
    within = frozenset(code for code, asks in needs_agreement.items() if asks)
    return CountingRule(
        enrolment.enrolled_on,
        counts_from,
        within_agreement=within,
        agreements=spans_of(person_id) if within else (),
    )
