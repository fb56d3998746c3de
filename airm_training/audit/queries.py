"""Reading the audit trail: filtered, newest first, with the actor preloaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from airm_training.audit.models import AuditEvent
from airm_training.core.clock import local_day_start
from airm_training.core.reads import built_once
from airm_training.extensions import db


@dataclass(frozen=True)
class AuditFilter:
    person_id: int | None = None  # the actor, or the person the event is about
    person_ids: tuple[int, ...] | None = None  # any of these (a typed name's matches)
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    date_from: date | None = None  # calendar days in the centre's time zone, inclusive
    date_to: date | None = None

    def apply(self, statement: sa.Select) -> sa.Select:
        people = (self.person_id,) if self.person_id else self.person_ids
        if people is not None:
            statement = statement.where(
                sa.or_(
                    AuditEvent.actor_id.in_(people),
                    sa.and_(
                        AuditEvent.object_type == "person",
                        AuditEvent.object_id.in_([str(pid) for pid in people]),
                    ),
                )
            )
        if self.action:
            statement = statement.where(AuditEvent.action == self.action)
        if self.object_type:
            statement = statement.where(AuditEvent.object_type == self.object_type)
        if self.object_id:
            statement = statement.where(AuditEvent.object_id == self.object_id)
        if self.date_from:
            statement = statement.where(AuditEvent.occurred_at >= local_day_start(self.date_from))
        if self.date_to:
            statement = statement.where(
                AuditEvent.occurred_at < local_day_start(self.date_to + timedelta(days=1))
            )
        return statement


def events(filters: AuditFilter) -> sa.Select:
    """The filtered events, newest first, each with its actor's name (the actor's other
    columns and roles load if asked for)."""
    person = AuditEvent.actor.property.mapper.class_  # reached, not imported: see models
    actor = joinedload(AuditEvent.actor)
    return filters.apply(
        sa.select(AuditEvent)
        .options(actor.load_only(person.full_name), actor.lazyload(person.role_assignments))
        .order_by(AuditEvent.id.desc())
    )


def trail_rows_select(filters: AuditFilter) -> sa.Select:
    """The filtered events newest first as plain rows: the event's columns and its
    actor's name as ``actor_name`` (None: the system). Cheaper to read than the
    events with their actors, for a page of them or a download."""
    person = AuditEvent.actor.property.mapper.class_
    return filters.apply(
        sa.select(
            AuditEvent.id,
            AuditEvent.occurred_at,
            AuditEvent.actor_id,
            person.full_name.label("actor_name"),
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.before,
            AuditEvent.after,
        )
        .outerjoin(AuditEvent.actor)
        .order_by(AuditEvent.id.desc())
    )


def recent_events(person_id: int, limit: int = 10) -> list[AuditEvent]:
    return list(db.session.scalars(events(AuditFilter(person_id=person_id)).limit(limit)))


def distinct_values(column) -> list[str]:
    """Every value of ``column`` (the first column of an index), in order. Read as a
    loose index scan, one index probe per value: ``SELECT DISTINCT`` reads every row's
    entry on PostgreSQL, which has no skip scan. The statement is built once per column."""
    return list(
        db.session.scalars(built_once(("distinct_values", str(column)), lambda: _distinct(column)))
    )


def _distinct(column) -> sa.Select:
    found = sa.select(sa.func.min(column).label("value")).cte("found", recursive=True)
    following = sa.select(sa.func.min(column)).where(column > found.c.value).scalar_subquery()
    found = found.union_all(sa.select(following).where(found.c.value.is_not(None)))
    return sa.select(found.c.value).where(found.c.value.is_not(None)).order_by(found.c.value)
