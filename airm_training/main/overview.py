"""Figures for the director's home page, each from one aggregate query."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from airm_training.core.clock import today
from airm_training.credentials.models import CredentialAward
from airm_training.credentials.services import current_award_clause
from airm_training.extensions import db
from airm_training.people.models import Licence, Person
from airm_training.programme.models import CredentialLevel


@dataclass(frozen=True)
class DirectorOverview:
    active_people: int
    holders_by_level: list[tuple[str, str, int]]  # (code, name, current holders)
    licences_awaiting_verification: int


def director_overview() -> DirectorOverview:
    day = today()
    active_people = db.session.scalar(
        sa.select(sa.func.count()).select_from(Person).where(Person.active.is_(True))
    )
    holders = db.session.execute(
        sa.select(
            CredentialLevel.code,
            CredentialLevel.name,
            sa.func.count(sa.distinct(CredentialAward.person_id)),
        )
        .outerjoin(
            CredentialAward,
            sa.and_(CredentialAward.level_id == CredentialLevel.id, current_award_clause(day)),
        )
        .group_by(CredentialLevel.id, CredentialLevel.code, CredentialLevel.name)
        .order_by(CredentialLevel.code)
    ).all()
    unverified = db.session.scalar(
        sa.select(sa.func.count()).select_from(Licence).where(Licence.verified_at.is_(None))
    )
    return DirectorOverview(active_people, [tuple(row) for row in holders], unverified)
