"""The one definition of "the current holder of a level": an active person whose award
of that level is in force on the day. A person is counted at the highest level they
hold, so each person appears once; every page that counts holders reads it here.

The counts of a day are kept (``HolderCount``, written by ``refresh``) and read instead
of every award in force; the transaction that changes an award, whether a person is
active, or the levels deletes them as it commits, and until the next refresh they are
counted live."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import ORMExecuteState, Session

from airm_training.core.changes import keep_on_every_session
from airm_training.core.reads import Read, shaped
from airm_training.credentials.models import AwardStatus, CredentialAward, HolderCount
from airm_training.credentials.services import current_award_clause
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.programme.models import CredentialLevel, ProgrammeLevel, ProgrammeVersion

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
    (each person at their highest current level): ``levels_read``, in one statement
    while the kept counts hold."""
    return levels_read(day).run()


def levels_read(day: date) -> Read:
    """The read of ``people_at_each_level``, to be sent with a page's other reads: the
    ladder with the kept counts of ``day``; when none are kept, or this transaction has
    changed what they rest on, the counts are then read by the database (a second
    statement)."""
    return shaped("holders.levels", _ladder, {"as_of": day}).fold_with(
        lambda rows: _counted(list(rows), day)
    )


def _ladder() -> Read:
    as_of = sa.bindparam("as_of", type_=sa.Date)
    kept = sa.select(HolderCount.people).where(
        HolderCount.as_of == as_of, HolderCount.level_id == CredentialLevel.id
    )
    any_kept = sa.exists().where(HolderCount.as_of == as_of)
    return Read(
        sa.select(
            CredentialLevel.id,
            CredentialLevel.code,
            CredentialLevel.name,
            kept.scalar_subquery(),
            any_kept,
        )
        .join(ProgrammeLevel, ProgrammeLevel.level_id == CredentialLevel.id)
        .group_by(CredentialLevel.id, CredentialLevel.code, CredentialLevel.name)
        .order_by(sa.func.min(ProgrammeLevel.rank), CredentialLevel.code),
        list,
    )


def _counted(levels: list[tuple], day: date) -> list[LevelCount]:
    if levels and levels[0][4] and not _pending(db.session):
        counts = {level_id: people or 0 for level_id, _code, _name, people, _any in levels}
    else:
        counts = live_counts(day)
    return [LevelCount(i, code, name, counts.get(i, 0)) for i, code, name, _people, _any in levels]


def _kept(day: date) -> dict[int, int]:
    return dict(
        db.session.execute(
            sa.select(HolderCount.level_id, HolderCount.people).where(HolderCount.as_of == day)
        ).all()
    )


def live_counts(day: date) -> dict[int, int]:
    """{level id: people whose highest level in force on ``day`` it is}, counted by the
    database from every award in force."""
    awards = current_awards(day).subquery()
    # Each person's highest rank, then lowest level id on a tie, packed into one number
    # so that a GROUP BY finds it (a window over every award took twice as long).
    top = (
        sa.select(sa.func.max(awards.c.rank * _PACK + (_PACK - 1 - awards.c.level_id)).label("top"))
        .group_by(awards.c.person_id)
        .subquery()
    )
    return {
        _PACK - 1 - packed % _PACK: people
        for packed, people in db.session.execute(
            sa.select(top.c.top, sa.func.count()).group_by(top.c.top)
        )
    }


def refresh(session: Session, day: date) -> int:
    """Keep the counts of ``day`` (every level of the ladder, none included), replacing
    any kept before; the rows written."""
    counts = live_counts(day)
    levels = session.scalars(sa.select(ProgrammeLevel.level_id).distinct()).all()
    session.execute(sa.delete(HolderCount))
    rows = [{"as_of": day, "level_id": level, "people": counts.get(level, 0)} for level in levels]
    if rows:
        session.execute(sa.insert(HolderCount), rows)
    return len(rows)


def differences(session: Session, day: date) -> list[int]:
    """Levels whose kept count of ``day`` differs from a recomputation (none kept: none)."""
    kept = _kept(day)
    if not kept:
        return []
    live = live_counts(day)
    return sorted(
        level for level in kept.keys() | live.keys() if kept.get(level, 0) != live.get(level, 0)
    )


# A change to any of these can change who holds what, and at which rank.
_RESTS_ON = (CredentialAward, CredentialLevel, ProgrammeLevel, ProgrammeVersion)
_TABLES = frozenset(model.__tablename__ for model in (*_RESTS_ON, Person))
_CHANGED = "airm_holders_changed"


def _pending(session: Session) -> bool:
    return bool(session.info.get(_CHANGED))


def _changed(session: Session, _context, _instances) -> None:
    """Note whether the objects about to be flushed change the counts."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, _RESTS_ON) or (
            isinstance(obj, Person)
            and obj not in session.new
            and (obj in session.deleted or sa.inspect(obj).attrs.active.history.has_changes())
        ):
            session.info[_CHANGED] = True
            return


def _statement_changes(state: ORMExecuteState) -> None:
    """Note an ``INSERT``, ``UPDATE`` or ``DELETE`` statement on what the counts rest on
    (of people: any but an insert, which adds nobody holding anything)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement.table, "name", "")
    if table in _TABLES and not (table == Person.__tablename__ and state.is_insert):
        state.session.info[_CHANGED] = True


def _settle(session: Session) -> None:
    """Delete the kept counts if the transaction changed what they rest on (as it
    commits)."""
    session.flush()  # changes not yet flushed are noted as they are
    if session.info.pop(_CHANGED, False):
        session.execute(sa.delete(HolderCount))


def _forget(session: Session, *_args) -> None:
    session.info.pop(_CHANGED, None)


def install() -> None:
    """Keep the counts on every session (once per process)."""
    keep_on_every_session(_changed, _statement_changes, _settle, _forget)


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
