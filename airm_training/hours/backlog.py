"""The kept sign-off backlog (``SignoffBacklog``): how many entries wait for sign-off, by
the UTC day they were submitted on and the supervisor they wait for, so that the
director's overview and the reports count a few thousand small rows instead of every
waiting entry.

Kept in the transaction that changes it: the days of every entry submitted, signed,
returned, withdrawn or deleted in a session (read from the database before the change,
and from the entry after it), and of the rows an ``INSERT``, ``UPDATE`` or ``DELETE``
statement run through the session names or selects (an ``UPDATE``'s rows before it runs
and again as the session commits), are counted again from the entries as the session
commits, their rows locked first so that two transactions take turns. Until then the
figures are read from the entries. ``airm rebuild-standing`` recounts every day (after
an upgrade, or a restore)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session

from airm_training.core.changes import (
    days_pending,
    keep_on_every_session,
    mark_days,
    mark_updated_entries,
    statement_people,
    take_day_marks,
)
from airm_training.core.reads import Read, only_row, shaped
from airm_training.hours.models import HoursEntry, HoursStatus, SignoffBacklog

BATCH = 500
_WAITING = HoursStatus.SUBMITTED.value
_SUBMITTED_DAY = sa.func.date(HoursEntry.submitted_at, type_=sa.Date)


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _mark(session: Session, moments: Iterable[datetime | None]) -> None:
    mark_days(session, {moment.date() for moment in moments if moment is not None})


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
    through the session names or selects (read before it runs). The rows an ``UPDATE``
    changes are read again as the session commits: it may have moved them to other days."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if getattr(state.statement.table, "name", "") != HoursEntry.__tablename__:
        return
    _mark(state.session, statement_people(state, sa.select(HoursEntry.submitted_at)))
    if state.is_update:
        mark_updated_entries(state.session, statement_people(state, sa.select(HoursEntry.id)))


def settle(session: Session) -> None:
    """Count again the days marked in the session's transaction (run as it commits)."""
    session.flush()  # changes not yet flushed mark their days as they are
    if not days_pending(session):
        return
    days, updated_ids = take_day_marks(session)
    updated = sorted(updated_ids)
    for start in range(0, len(updated), BATCH):
        batch = updated[start : start + BATCH]
        _mark(
            session,
            session.scalars(
                sa.select(HoursEntry.submitted_at).where(HoursEntry.id.in_(batch)).distinct()
            ),
        )
    days |= take_day_marks(session)[0]
    refresh(session, days)


def _forget(session: Session, *_args) -> None:
    take_day_marks(session)


def install() -> None:
    """Keep the backlog on every session (once per process)."""
    keep_on_every_session(_changed, _statement_changes, settle, _forget)


NO_SUPERVISOR = 0  # the supervisor id of entries that name none


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(SignoffBacklog)


def _counted(*conditions) -> sa.Select:
    """(day, supervisor, entries, minutes, oldest) of the waiting entries, counted live."""
    supervisor = sa.func.coalesce(HoursEntry.supervisor_id, NO_SUPERVISOR)
    return (
        sa.select(
            _SUBMITTED_DAY,
            supervisor,
            sa.func.count(),
            sa.func.sum(HoursEntry.minutes),
            sa.func.min(HoursEntry.submitted_at),
        )
        .where(HoursEntry.status == _WAITING, HoursEntry.submitted_at.is_not(None), *conditions)
        .group_by(_SUBMITTED_DAY, supervisor)
    )


def _rows(counted: sa.Select, session: Session) -> list[dict]:
    return [
        {"day": d, "supervisor_id": s, "entries": n, "minutes": int(m), "oldest": o}
        for d, s, n, m, o in session.execute(counted)
    ]


def refresh(session: Session, days: Iterable[date]) -> None:
    """Count the waiting entries of these days again. Each day's "no supervisor" row is
    made if missing and locked, with the day's other rows, before counting, so that a
    transaction counting the same day meanwhile waits and then counts what this one
    committed."""
    ordered = sorted(set(days))
    if not ordered:
        return
    session.execute(
        _insert(session)
        .values(
            [
                {"day": d, "supervisor_id": NO_SUPERVISOR, "entries": 0, "minutes": 0}
                for d in ordered
            ]
        )
        .on_conflict_do_nothing(index_elements=["day", "supervisor_id"])
    )
    those_days = SignoffBacklog.day.in_(ordered)
    session.execute(
        sa.select(SignoffBacklog.day)
        .where(those_days)
        .order_by(SignoffBacklog.day, SignoffBacklog.supervisor_id)
        .with_for_update()
    )
    rows = _rows(
        _counted(
            sa.or_(
                *(
                    sa.and_(
                        HoursEntry.submitted_at >= _start(day),
                        HoursEntry.submitted_at < _start(day + timedelta(days=1)),
                    )
                    for day in ordered
                )
            )
        ),
        session,
    )
    session.execute(
        sa.delete(SignoffBacklog).where(those_days, SignoffBacklog.supervisor_id != NO_SUPERVISOR)
    )
    session.execute(
        sa.update(SignoffBacklog).where(those_days).values(entries=0, minutes=0, oldest=None)
    )
    unnamed = [row for row in rows if row["supervisor_id"] == NO_SUPERVISOR]
    for row in unnamed:
        session.execute(
            sa.update(SignoffBacklog)
            .where(SignoffBacklog.day == row["day"], SignoffBacklog.supervisor_id == NO_SUPERVISOR)
            .values(entries=row["entries"], minutes=row["minutes"], oldest=row["oldest"])
        )
    named = [row for row in rows if row["supervisor_id"] != NO_SUPERVISOR]
    if named:
        session.execute(sa.insert(SignoffBacklog), named)


def rebuild(session: Session) -> int:
    """Count every day again; the number of (day, supervisor) rows written."""
    session.execute(sa.delete(SignoffBacklog))
    rows = _rows(_counted(), session)
    if rows:
        session.execute(sa.insert(SignoffBacklog), rows)
    return len(rows)


def differences(session: Session) -> list[tuple[date, int]]:
    """(day, supervisor) pairs whose kept figures differ from a recount (none, unless
    something changed the entries behind the backlog's back)."""
    kept = {
        (d, s): (n, m, o)
        for d, s, n, m, o in session.execute(
            sa.select(
                SignoffBacklog.day,
                SignoffBacklog.supervisor_id,
                SignoffBacklog.entries,
                SignoffBacklog.minutes,
                SignoffBacklog.oldest,
            ).where(SignoffBacklog.entries > 0)
        )
    }
    fresh = {
        (r["day"], r["supervisor_id"]): (r["entries"], r["minutes"], r["oldest"])
        for r in _rows(_counted(), session)
    }
    return sorted(k for k in kept.keys() | fresh.keys() if kept.get(k) != fresh.get(k))


def by_supervisor(session: Session) -> sa.Subquery:
    """(supervisor_id, entries, minutes, oldest) of the entries waiting for sign-off,
    one row per supervisor (``NO_SUPERVISOR`` for entries naming none): summed from the
    kept days, or counted from the entries while this transaction has changes not yet
    kept."""
    if days_pending(session):
        source = tuple(_counted().subquery().c)[1:]  # without the day
    else:
        source = (
            SignoffBacklog.supervisor_id,
            SignoffBacklog.entries,
            SignoffBacklog.minutes,
            SignoffBacklog.oldest,
        )
    supervisor, entries, minutes, oldest = source
    return (
        sa.select(
            supervisor.label("supervisor_id"),
            sa.func.sum(entries).label("entries"),
            sa.func.sum(minutes).label("minutes"),
            sa.func.min(oldest).label("oldest"),
        )
        .group_by(supervisor)
        .having(sa.func.sum(entries) > 0)
        .subquery()
    )


def waiting_figures(session: Session, overdue_before: datetime) -> tuple[int, int, datetime | None]:
    """(entries waiting for sign-off, of them submitted before ``overdue_before``, the
    oldest submission), in one statement (``waiting_figures_read``)."""
    return waiting_figures_read(session, overdue_before).run()


def waiting_figures_read(session: Session, overdue_before: datetime) -> Read:
    """The read of ``waiting_figures``, to be sent with a page's other reads: the kept
    days, and the entries of ``overdue_before``'s own day counted through
    ``ix_hours_entry_submitted``; the entries alone while this transaction has changes
    not yet kept."""
    if days_pending(session):
        return shaped(
            "backlog.waiting_live",
            lambda: Read(_live_figures(), _figures_of_live),
            {"overdue_before": overdue_before},
        )
    cut = overdue_before.date()
    return shaped(
        "backlog.waiting_kept",
        lambda: Read(_kept_figures(), _figures_of_kept),
        {"cut": cut, "day_start": _start(cut), "overdue_before": overdue_before},
    )


def _figures_of_live(rows: Iterable[tuple]) -> tuple[int, int, datetime | None]:
    total, overdue, first = only_row(rows)
    return total, overdue, first


def _figures_of_kept(rows: Iterable[tuple]) -> tuple[int, int, datetime | None]:
    total, before, on_the_day, first = only_row(rows)
    return int(total), int(before) + int(on_the_day), first


def _live_figures() -> sa.Select:
    return sa.select(
        sa.func.count(),
        sa.func.count().filter(HoursEntry.submitted_at < sa.bindparam("overdue_before")),
        sa.func.min(HoursEntry.submitted_at),
    ).where(HoursEntry.status == _WAITING)


def _kept_figures() -> sa.Select:
    """``waiting_figures`` from the kept days: the bind parameters ``cut`` (the day of
    ``overdue_before``), ``day_start`` (its first moment) and ``overdue_before``."""
    kept = sa.func.coalesce(sa.func.sum(SignoffBacklog.entries), 0)
    return sa.select(
        sa.select(kept).scalar_subquery(),
        sa.select(kept).where(SignoffBacklog.day < sa.bindparam("cut")).scalar_subquery(),
        sa.select(sa.func.count())
        .where(
            HoursEntry.status == _WAITING,
            HoursEntry.submitted_at >= sa.bindparam("day_start"),
            HoursEntry.submitted_at < sa.bindparam("overdue_before"),
        )
        .scalar_subquery(),
        sa.select(sa.func.min(SignoffBacklog.oldest)).scalar_subquery(),
    )
