"""The kept sign-off backlog (``SignoffBacklog``): how many entries wait for sign-off, by
the UTC day they were submitted on, so that the director's overview counts a few hundred
small rows instead of every waiting entry.

Kept in the transaction that changes it: the days of every entry submitted, signed,
returned, withdrawn or deleted in a session (read from the database before the change,
and from the entry after it), and of the rows an ``INSERT``, ``UPDATE`` or ``DELETE``
statement run through the session names or selects, are counted again from the entries as
the session commits, their rows locked first so that two transactions take turns.
``airm rebuild-standing`` recounts every day (after an upgrade, or a restore)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session

from airm_training.core.changes import statement_people
from airm_training.hours.models import HoursEntry, HoursStatus, SignoffBacklog

_DAYS = "airm_signoff_days"
_WAITING = HoursStatus.SUBMITTED.value
_SUBMITTED_DAY = sa.func.date(HoursEntry.submitted_at, type_=sa.Date)


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _mark(session: Session, moments: Iterable[datetime | None]) -> None:
    days = {moment.date() for moment in moments if moment is not None}
    if days:
        session.info.setdefault(_DAYS, set()).update(days)


def marked_days(session: Session) -> frozenset[date]:
    """The days whose count changes in the current transaction (not yet kept)."""
    return frozenset(session.info.get(_DAYS, ()))


def _changed(session: Session, _context, _instances) -> None:
    """Note the days of the entries about to be flushed whose status or submission moment
    changes: as the database has them now, and as they will be."""
    entries = [o for o in session.new if isinstance(o, HoursEntry)]
    stored: list[int] = []
    for obj in (*session.dirty, *session.deleted):
        if not isinstance(obj, HoursEntry) or obj.id is None:
            continue
        attrs = sa.inspect(obj).attrs
        if obj in session.deleted or any(
            attrs[name].history.has_changes() for name in ("status", "submitted_at")
        ):
            stored.append(obj.id)
            entries.append(obj)
    if stored:
        _mark(
            session,
            session.scalars(sa.select(HoursEntry.submitted_at).where(HoursEntry.id.in_(stored))),
        )
    _mark(session, (obj.submitted_at for obj in entries))


def _statement_changes(state: ORMExecuteState) -> None:
    """Note the days of the rows an ``INSERT``, ``UPDATE`` or ``DELETE`` of entries run
    through the session names or selects (an ``UPDATE`` is read before it runs)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if getattr(state.statement.table, "name", "") != HoursEntry.__tablename__:
        return
    _mark(state.session, statement_people(state, sa.select(HoursEntry.submitted_at)))


def settle(session: Session) -> None:
    """Count again the days marked in the session's transaction (run as it commits)."""
    if not session.info.get(_DAYS):
        return
    session.flush()  # changes not yet flushed mark their days as they are
    refresh(session, session.info.pop(_DAYS, set()))


def _forget(session: Session, *_args) -> None:
    session.info.pop(_DAYS, None)


def install() -> None:
    """Keep the backlog on every session (once per process)."""
    if not event.contains(Session, "before_flush", _changed):
        event.listen(Session, "before_flush", _changed)
        event.listen(Session, "do_orm_execute", _statement_changes)
        event.listen(Session, "before_commit", settle)
        event.listen(Session, "after_rollback", _forget)


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(SignoffBacklog)


def refresh(session: Session, days: Iterable[date]) -> None:
    """Count the waiting entries of these days again. Each day's row is made if missing
    and locked before counting, so a transaction counting the same day meanwhile waits
    and then counts what this one committed."""
    ordered = sorted(set(days))
    if not ordered:
        return
    session.execute(
        _insert(session)
        .values([{"day": day, "entries": 0} for day in ordered])
        .on_conflict_do_nothing(index_elements=["day"])
    )
    session.execute(
        sa.select(SignoffBacklog.day)
        .where(SignoffBacklog.day.in_(ordered))
        .order_by(SignoffBacklog.day)
        .with_for_update()
    )
    counted = dict(
        session.execute(
            sa.select(_SUBMITTED_DAY, sa.func.count())
            .where(
                HoursEntry.status == _WAITING,
                sa.or_(
                    *(
                        sa.and_(
                            HoursEntry.submitted_at >= _start(day),
                            HoursEntry.submitted_at < _start(day + timedelta(days=1)),
                        )
                        for day in ordered
                    )
                ),
            )
            .group_by(_SUBMITTED_DAY)
        ).all()
    )
    for day in ordered:
        if counted.get(day):
            session.execute(
                sa.update(SignoffBacklog)
                .where(SignoffBacklog.day == day)
                .values(entries=counted[day])
            )
    empty = [day for day in ordered if not counted.get(day)]
    if empty:
        session.execute(sa.delete(SignoffBacklog).where(SignoffBacklog.day.in_(empty)))


def _fresh() -> sa.Select:
    return (
        sa.select(_SUBMITTED_DAY, sa.func.count())
        .where(HoursEntry.status == _WAITING, HoursEntry.submitted_at.is_not(None))
        .group_by(_SUBMITTED_DAY)
    )


def rebuild(session: Session) -> int:
    """Count every day again; the number of days with entries waiting."""
    session.execute(sa.delete(SignoffBacklog))
    rows = [{"day": day, "entries": count} for day, count in session.execute(_fresh())]
    if rows:
        session.execute(sa.insert(SignoffBacklog), rows)
    return len(rows)


def differences(session: Session) -> list[date]:
    """Days whose kept count differs from a recount (none, unless something changed the
    entries behind the backlog's back)."""
    kept = dict(session.execute(sa.select(SignoffBacklog.day, SignoffBacklog.entries)).all())
    fresh = dict(session.execute(_fresh()).all())
    return sorted(d for d in kept.keys() | fresh.keys() if kept.get(d, 0) != fresh.get(d, 0))


def waiting_figures(session: Session, overdue_before: datetime) -> tuple[int, int, datetime | None]:
    """(entries waiting for sign-off, of them submitted before ``overdue_before``, the
    oldest submission), in one statement: the kept days before ``overdue_before``'s day,
    the entries of that day itself, and the oldest through ``ix_hours_entry_submitted``.
    Read from the entries alone while this transaction has changes not yet kept."""
    waiting = HoursEntry.status == _WAITING
    if marked_days(session):
        live = sa.select(
            sa.func.count(),
            sa.func.count().filter(HoursEntry.submitted_at < overdue_before),
            sa.func.min(HoursEntry.submitted_at),
        ).where(waiting)
        total, overdue, first = session.execute(live).one()
        return total, overdue, first
    cut = overdue_before.date()
    kept = sa.func.coalesce(sa.func.sum(SignoffBacklog.entries), 0)
    total, before, on_the_day, first = session.execute(
        sa.select(
            sa.select(kept).scalar_subquery(),
            sa.select(kept).where(SignoffBacklog.day < cut).scalar_subquery(),
            sa.select(sa.func.count())
            .where(
                waiting,
                HoursEntry.submitted_at >= _start(cut),
                HoursEntry.submitted_at < overdue_before,
            )
            .scalar_subquery(),
            sa.select(sa.func.min(HoursEntry.submitted_at)).where(waiting).scalar_subquery(),
        )
    ).one()
    return int(total), int(before) + int(on_the_day), first
