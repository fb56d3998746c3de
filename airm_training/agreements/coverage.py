"""Whether an approved supervision agreement covers a session: the one definition of
coverage, as a plain function (``covers``, with the reason shown beside an entry that is
not covered) and as the SQL condition the requirement engine counts with
(``covered_clause``). A test holds the two to the same answers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from airm_training.agreements.models import (
    AgreementStatus,
    SupervisionAgreement,
    agreement_category,
)
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.programme.models import HoursCategory

NOT_COUNTED = "it does not count toward a level."


@dataclass(frozen=True)
class AgreementSpan:
    """An agreement as plain values: with whom, its state, dates and categories."""

    supervisor_id: int
    approved: bool
    starts_on: date
    ends_on: date | None
    categories: frozenset[str]

    def in_force_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    def covers(self, supervisor_id: int | None, day: date, category_code: str) -> bool:
        return (
            self.approved
            and self.supervisor_id == supervisor_id
            and self.in_force_on(day)
            and category_code in self.categories
        )


def outside_reason(
    session_date: date,
    category_code: str,
    supervisor_id: int | None,
    agreements: Iterable[AgreementSpan],
) -> str | None:
    """Why no agreement covers the session, or None when one does."""
    spans = list(agreements)
    if any(a.covers(supervisor_id, session_date, category_code) for a in spans):
        return None
    if supervisor_id is None:
        return (
            "No supervisor is named: these hours count only inside an approved supervision "
            f"agreement with the supervisor they were logged with; {NOT_COUNTED}"
        )
    with_them = [a for a in spans if a.supervisor_id == supervisor_id]
    approved = [a for a in with_them if a.approved]
    if not with_them:
        reason = "There is no supervision agreement with this supervisor"
    elif not approved:
        reason = "The supervision agreement with this supervisor is not approved yet"
    elif any(a.in_force_on(session_date) for a in approved):
        reason = "The supervision agreement with this supervisor does not cover this category"
    else:
        later = [a.starts_on for a in approved if a.starts_on > session_date]
        if later:
            reason = (
                "The session is before the supervision agreement with this supervisor starts "
                f"on {min(later).isoformat()}"
            )
        else:
            ended = max(a.ends_on for a in approved if a.ends_on is not None)
            reason = (
                "The session is after the supervision agreement with this supervisor ended "
                f"on {ended.isoformat()}"
            )
    return f"{reason}: consultation counts only inside an approved agreement; {NOT_COUNTED}"


def covered_clause():
    """SQL condition on ``HoursEntry``: an approved agreement between its clinician and the
    supervisor it was logged with covers its session date and category (``covers``)."""
    return (
        sa.select(SupervisionAgreement.id)
        .join(agreement_category, agreement_category.c.agreement_id == SupervisionAgreement.id)
        .where(
            SupervisionAgreement.candidate_id == HoursEntry.person_id,
            SupervisionAgreement.supervisor_id == HoursEntry.supervisor_id,
            SupervisionAgreement.status == AgreementStatus.APPROVED.value,
            SupervisionAgreement.starts_on <= HoursEntry.session_date,
            sa.or_(
                SupervisionAgreement.ends_on.is_(None),
                SupervisionAgreement.ends_on >= HoursEntry.session_date,
            ),
            agreement_category.c.category_id == HoursEntry.category_id,
        )
        .exists()
    )


def spans_of(person_id: int) -> tuple[AgreementSpan, ...]:
    """The person's agreements as a candidate, declined ones left out (one query)."""
    rows = db.session.execute(
        sa.select(
            SupervisionAgreement.id,
            SupervisionAgreement.supervisor_id,
            SupervisionAgreement.status,
            SupervisionAgreement.starts_on,
            SupervisionAgreement.ends_on,
            HoursCategory.code,
        )
        .join(agreement_category, agreement_category.c.agreement_id == SupervisionAgreement.id)
        .join(HoursCategory, HoursCategory.id == agreement_category.c.category_id)
        .where(
            SupervisionAgreement.candidate_id == person_id,
            SupervisionAgreement.status != AgreementStatus.DECLINED.value,
        )
        .order_by(SupervisionAgreement.id)
    )
    found: dict[int, tuple[int, str, date, date | None, set[str]]] = {}
    for agreement_id, supervisor_id, status, starts_on, ends_on, code in rows:
        found.setdefault(agreement_id, (supervisor_id, status, starts_on, ends_on, set()))[4].add(
            code
        )
    return tuple(
        AgreementSpan(
            supervisor_id=supervisor_id,
            approved=status == AgreementStatus.APPROVED.value,
            starts_on=starts_on,
            ends_on=ends_on,
            categories=frozenset(codes),
        )
        for supervisor_id, status, starts_on, ends_on, codes in found.values()
    )
