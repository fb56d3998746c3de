"""The one read model of supervision: a person supervises on a day when they are active
and hold, in force that day, a credential whose level confers supervision (AIRT-S).

Every page, rule and query asks here: ``is_supervisor`` (one person, one day),
``supervisors_query`` (everyone, one day), ``supervision_periods`` + ``held_on`` (many
people, many days, one query); ``access.signed_in.person_is_supervisor`` asks it once
per request (today, for the gate and the templates)."""

from __future__ import annotations

from datetime import date
from functools import cache

import sqlalchemy as sa

from airm_training.core.clock import today
from airm_training.credentials.models import AwardStatus, CredentialAward
from airm_training.credentials.services import current_award_clause
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.programme.models import CredentialLevel

Period = tuple[date, date | None]  # (from, through); through None: no expiry


def _supervision_awards() -> sa.Select:
    """Active awards of levels that confer supervision (not yet limited to a day)."""
    return (
        sa.select(CredentialAward.person_id, CredentialAward.awarded_on, CredentialAward.expires_on)
        .join(CredentialLevel, CredentialLevel.id == CredentialAward.level_id)
        .where(
            CredentialLevel.confers_supervision.is_(True),
            CredentialAward.status == AwardStatus.ACTIVE,
        )
    )


def supervisors_query(day: date | None = None) -> sa.Select:
    """Active people supervising on ``day`` (default today), by name."""
    if day is None:
        day = today()
    in_force = (
        _supervision_awards()
        .where(CredentialAward.person_id == Person.id, current_award_clause(day))
        .exists()
    )
    return sa.select(Person).where(Person.active.is_(True), in_force).order_by(Person.full_name)


def is_supervisor(person: Person, day: date | None = None) -> bool:
    """Whether ``person`` supervises on ``day`` (default today)."""
    found = db.session.scalar(
        _is_supervisor_statement(), {"person_id": person.id, "day": day or today()}
    )
    return bool(found)


@cache
def _is_supervisor_statement() -> sa.Select:
    """Built once (every page asks it); the person and the day are bound when it runs."""
    day = sa.bindparam("day", type_=sa.Date)
    return sa.select(sa.literal(True)).where(
        supervisors_query(day).where(Person.id == sa.bindparam("person_id")).exists()
    )


def supervision_periods(person_ids: set[int]) -> dict[int, list[Period]]:
    """For each person, the periods in which they held a credential that confers
    supervision. One query, for any number of people; ask ``held_on`` about a day."""
    periods: dict[int, list[Period]] = {pid: [] for pid in person_ids}
    if not person_ids:
        return periods
    rows = db.session.execute(
        _supervision_awards().where(CredentialAward.person_id.in_(person_ids))
    )
    for person_id, awarded_on, expires_on in rows:
        periods[person_id].append((awarded_on, expires_on))
    return periods


def held_on(periods: list[Period], day: date) -> bool:
    """Whether one of ``periods`` covers ``day`` (the same rule as
    ``credentials.services.current_award_clause``)."""
    return any(start <= day and (end is None or day <= end) for start, end in periods)
