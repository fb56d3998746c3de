"""Figures for the director's home page: the counts in one statement, the holders of each
level in another."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from airm_training.core.clock import today
from airm_training.credentials.holders import people_at_each_level
from airm_training.extensions import db
from airm_training.people.models import Licence, Person


@dataclass(frozen=True)
class DirectorOverview:
    active_people: int
    holders_by_level: list[tuple[str, str, int]]  # (code, name, people at that level)
    licences_awaiting_verification: int


def director_overview() -> DirectorOverview:
    day = today()
    active_people, unverified = db.session.execute(
        sa.select(
            sa.select(sa.func.count())
            .select_from(Person)
            .where(Person.active.is_(True))
            .scalar_subquery(),
            sa.select(sa.func.count())
            .select_from(Licence)
            .where(Licence.verified_at.is_(None))
            .scalar_subquery(),
        )
    ).one()
    holders = [(level.code, level.name, level.people) for level in people_at_each_level(day)]
    return DirectorOverview(active_people, holders, unverified)
