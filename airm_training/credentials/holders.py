"""The one definition of "the current holder of a level": an active person whose award
of that level is in force on the day. A person is counted at the highest level they
hold, so each person appears once; every page that counts holders reads it here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from airm_training.credentials.models import AwardStatus, CredentialAward
from airm_training.credentials.services import current_award_clause
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.programme.models import CredentialLevel, ProgrammeLevel

_PACK = 1_000_000  # more than any level id


@dataclass(frozen=True)
class LevelCount:
    level_id: int
    code: str
    name: str
    people: int  # active people whose highest current level this is


def current_awards(day: date) -> sa.Select:
    """(person id, level id, rank) of every award in force on ``day`` held by an active
    person, ranked under the programme version it was awarded under."""
    return (
        sa.select(CredentialAward.person_id, CredentialAward.level_id, ProgrammeLevel.rank)
        .join(Person, Person.id == CredentialAward.person_id)
        .join(
            ProgrammeLevel,
            sa.and_(
                ProgrammeLevel.level_id == CredentialAward.level_id,
                ProgrammeLevel.programme_version_id == CredentialAward.programme_version_id,
            ),
        )
        .where(Person.active.is_(True), current_award_clause(day))
    )


def people_at_each_level(day: date) -> list[LevelCount]:
    """Every level of the ladder, lowest first, with the number of current holders
    (each person at their highest current level, counted by the database). Two queries."""
    levels = db.session.execute(
        sa.select(CredentialLevel.id, CredentialLevel.code, CredentialLevel.name)
        .join(ProgrammeLevel, ProgrammeLevel.level_id == CredentialLevel.id)
        .group_by(CredentialLevel.id, CredentialLevel.code, CredentialLevel.name)
        .order_by(sa.func.min(ProgrammeLevel.rank), CredentialLevel.code)
    ).all()
    awards = current_awards(day).subquery()
    # Each person's highest rank, then lowest level id on a tie, packed into one number
    # so that a GROUP BY finds it (a window over every award took twice as long).
    top = (
        sa.select(sa.func.max(awards.c.rank * _PACK + (_PACK - 1 - awards.c.level_id)).label("top"))
        .group_by(awards.c.person_id)
        .subquery()
    )
    counts = {
        _PACK - 1 - packed % _PACK: people
        for packed, people in db.session.execute(
            sa.select(top.c.top, sa.func.count()).group_by(top.c.top)
        )
    }
    return [LevelCount(i, code, name, counts.get(i, 0)) for i, code, name in levels]


def in_good_standing_clause(person_id, day: date):
    """SQL condition on a person id: they hold a credential in force on ``day`` and every
    credential of theirs that a renewal has not replaced is in force (none has expired,
    lapsed or been revoked). The public directory lists only such people."""
    in_force = (
        sa.select(CredentialAward.id)
        .where(CredentialAward.person_id == person_id, current_award_clause(day))
        .exists()
    )
    not_in_force = (
        sa.select(CredentialAward.id)
        .where(
            CredentialAward.person_id == person_id,
            CredentialAward.status != AwardStatus.SUPERSEDED.value,
            sa.not_(current_award_clause(day)),
        )
        .exists()
    )
    return sa.and_(in_force, sa.not_(not_in_force))
