"""Whose records changed in the session's transaction, kept on the session until it
commits or rolls back, for figures kept from those records: the people whose own records
changed, the signers whose credentials changed (their signatures may count
differently), and the people whose other evidence changed (modules, quizzes, documents...).
``progression.tally`` and ``progression.summary`` mark and read them; evaluations read the
people marked here from the records themselves until the commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

_PEOPLE = "airm_changed_people"
_SIGNERS = "airm_changed_signers"
_EVIDENCE = "airm_changed_evidence"
_DAYS = "airm_changed_days"  # days of submission whose sign-off backlog changed
_UPDATED_ENTRIES = "airm_updated_entries"  # hours entries an UPDATE statement changed
EVERYONE = -1  # marked as evidence: the programme changed, so everyone's standing did


def mark_people(session: Session, person_ids: Iterable[int | None]) -> None:
    """Note that records of these people changed in the current transaction."""
    session.info.setdefault(_PEOPLE, set()).update(p for p in person_ids if p is not None)


def mark_signers(session: Session, person_ids: Iterable[int | None]) -> None:
    """Note that the credentials of these people changed in the current transaction."""
    session.info.setdefault(_SIGNERS, set()).update(p for p in person_ids if p is not None)


def mark_evidence(session: Session, person_ids: Iterable[int | None]) -> None:
    """Note that other evidence of these people (or, with ``EVERYONE``, the programme)
    changed in the current transaction."""
    session.info.setdefault(_EVIDENCE, set()).update(p for p in person_ids if p is not None)


def marked_people(session: Session) -> frozenset[int]:
    """The people marked since the transaction began (and not yet handled)."""
    return frozenset(session.info.get(_PEOPLE, ()))


def marked_evidence(session: Session) -> frozenset[int]:
    """The people whose other evidence was marked (``EVERYONE`` among them when the
    programme changed)."""
    return frozenset(session.info.get(_EVIDENCE, ()))


def take_marks(session: Session) -> tuple[set[int], set[int], set[int]]:
    """(people, signers, people with other evidence) marked, removed from the session."""
    return (
        session.info.pop(_PEOPLE, set()),
        session.info.pop(_SIGNERS, set()),
        session.info.pop(_EVIDENCE, set()),
    )


def mark_days(session: Session, days: Iterable) -> None:
    """Note that the sign-off backlog of these days changed in the current transaction."""
    if days:
        session.info.setdefault(_DAYS, set()).update(days)


def mark_updated_entries(session: Session, entry_ids: Iterable[int]) -> None:
    """Note hours entries changed by an ``UPDATE`` statement (read again at commit)."""
    session.info.setdefault(_UPDATED_ENTRIES, set()).update(entry_ids)


def days_pending(session: Session) -> bool:
    """Whether days or updated entries are marked and not handled yet."""
    return bool(session.info.get(_DAYS) or session.info.get(_UPDATED_ENTRIES))


def take_day_marks(session: Session) -> tuple[set, set[int]]:
    """(days, updated entry ids) marked, removed from the session."""
    return session.info.pop(_DAYS, set()), session.info.pop(_UPDATED_ENTRIES, set())


def forget_marks(session: Session) -> None:
    """Forget every mark (the changes are rolled back, or their kept figures came with
    them, as in a restore)."""
    take_marks(session)
    take_day_marks(session)


def statement_people(state: ORMExecuteState, people: sa.Select) -> set[int]:
    """The people an ``INSERT``, ``UPDATE`` or ``DELETE`` run through the session touches:
    those named in an insert's rows (``people`` selects one column: its key is read from
    each row), or those of the rows the statement's ``WHERE`` selects, read before it runs
    (``people`` selects them from the statement's table, joined as needed)."""
    if state.is_insert:
        rows = state.parameters
        rows = rows if isinstance(rows, list) else [rows or {}]
        key = people.selected_columns[0].key
        return {row.get(key) for row in rows} - {None}
    where = state.statement.whereclause
    query = people.distinct()
    if where is not None:
        query = query.where(where)
    # An executemany (one UPDATE per row, its WHERE bound to each row's values) is read
    # once per row.
    rows = state.parameters if isinstance(state.parameters, list) else [state.parameters]
    return {found for row in rows for found in state.session.scalars(query, row or {})} - {None}


def keep_on_every_session(
    changed: Callable, statement_changes: Callable, settle: Callable, forget: Callable
) -> None:
    """Register a kept figure's listeners on every session (once per process): ``changed``
    before each flush, ``statement_changes`` for each statement run through the session,
    ``settle`` before the commit and ``forget`` after a rollback."""
    if not event.contains(Session, "before_flush", changed):
        event.listen(Session, "before_flush", changed)
        event.listen(Session, "do_orm_execute", statement_changes)
        event.listen(Session, "before_commit", settle)
        event.listen(Session, "after_rollback", forget)
