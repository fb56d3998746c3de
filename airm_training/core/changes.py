"""Whose records changed in the session's transaction, kept on the session until it
commits or rolls back, for figures kept from those records: the people whose own records
changed, and the signers whose credentials changed (their signatures may count
differently). ``progression.tally`` marks and reads them; evaluations read the people
marked here from the records themselves until the commit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

_PEOPLE = "airm_changed_people"
_SIGNERS = "airm_changed_signers"


def mark_people(session: Session, person_ids: Iterable[int | None]) -> None:
    """Note that records of these people changed in the current transaction."""
    session.info.setdefault(_PEOPLE, set()).update(p for p in person_ids if p is not None)


def mark_signers(session: Session, person_ids: Iterable[int | None]) -> None:
    """Note that the credentials of these people changed in the current transaction."""
    session.info.setdefault(_SIGNERS, set()).update(p for p in person_ids if p is not None)


def marked_people(session: Session) -> frozenset[int]:
    """The people marked since the transaction began (and not yet handled)."""
    return frozenset(session.info.get(_PEOPLE, ()))


def take_marks(session: Session) -> tuple[set[int], set[int]]:
    """(people, signers) marked, removed from the session."""
    return session.info.pop(_PEOPLE, set()), session.info.pop(_SIGNERS, set())
