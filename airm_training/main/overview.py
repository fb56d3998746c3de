"""Figures for the director's home page: the counts and the holders of each level, read
with the director's queue in one statement (``director_home_reads``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from airm_training.core.clock import today
from airm_training.core.reads import Read, only_row, read_together, shaped
from airm_training.credentials.holders import levels_read
from airm_training.people.models import Licence, Person
from airm_training.reports import work


@dataclass(frozen=True)
class DirectorOverview:
    active_people: int
    holders_by_level: list[tuple[str, str, int]]  # (code, name, people at that level)
    licences_awaiting_verification: int


def overview_reads(day: date) -> dict[str, Read]:
    return {
        "overview": shaped("overview.counts", _counts, {}),
        "levels": levels_read(day),
    }


def director_home_reads(day: date) -> dict[str, Any]:
    """What the director's home reads of the queue and the overview, in one statement."""
    return read_together(work.director_reads(day) | overview_reads(day))


def director_overview(read: Mapping[str, Any] | None = None) -> DirectorOverview:
    """``read``: what ``overview_reads`` read, when the page sent them with its others."""
    read = read if read is not None else read_together(overview_reads(today()))
    active_people, unverified = read["overview"]
    holders = [(level.code, level.name, level.people) for level in read["levels"]]
    return DirectorOverview(active_people, holders, unverified)


def _counts() -> Read:
    return Read(
        sa.select(
            sa.select(sa.func.count())
            .select_from(Person)
            .where(Person.active.is_(True))
            .scalar_subquery(),
            sa.select(sa.func.count())
            .select_from(Licence)
            .where(Licence.verified_at.is_(None))
            .scalar_subquery(),
        ),
        only_row,
    )
