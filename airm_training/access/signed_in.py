"""What every page asks about the signed-in person: whether they supervise today (the
gate and the menu) and how many of their notifications are unread (the bell). Both are
read in one statement the first time either is asked in a request, and kept for it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from flask import g, has_request_context
from flask_login import current_user

from airm_training.access.supervision import is_supervisor, supervisors_query
from airm_training.core.clock import today
from airm_training.extensions import db
from airm_training.notifications.models import Notification
from airm_training.people.models import Person


@dataclass(frozen=True)
class SignedIn:
    supervises: bool
    unread: int


def signed_in() -> SignedIn:
    """The signed-in person's figures for this request (read once)."""
    if "_airm_signed_in" not in g:
        unread, supervises = db.session.execute(
            _statement(), {"person_id": current_user.id, "day": today()}
        ).one()
        g._airm_signed_in = SignedIn(bool(supervises), int(unread))
    return g._airm_signed_in


@cache
def _statement() -> sa.Select:
    """Built once; the person and the day are bound when it runs."""
    person_id = sa.bindparam("person_id")
    unread = (
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.person_id == person_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    supervises = (
        supervisors_query(sa.bindparam("day", type_=sa.Date)).where(Person.id == person_id).exists()
    )
    return sa.select(unread, supervises)


def _is_signed_in(person: Person) -> bool:
    return current_user.is_authenticated and person.id == current_user.id


def person_is_supervisor(person: Person) -> bool:
    """``supervision.is_supervisor`` today, computed once per request (the gate and every
    template ask it many times); outside a request it is computed each time."""
    if not has_request_context():
        return is_supervisor(person)
    if _is_signed_in(person):
        return signed_in().supervises
    cache = g.setdefault("_airm_supervisor", {})
    if person.id not in cache:
        cache[person.id] = is_supervisor(person)
    return cache[person.id]


def unread_notifications() -> int:
    """The bell's count for the signed-in person (0 for a visitor)."""
    if not current_user.is_authenticated:
        return 0
    return signed_in().unread
