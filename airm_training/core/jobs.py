"""Claiming due rows of a job table (the outbox, archive builds) for one worker: pending,
due, and not leased by another worker; on PostgreSQL two workers never take the same."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from airm_training.extensions import db


def claim_due(model, pending: str, now: datetime, limit: int, lease: timedelta) -> list[int]:
    """Lease up to ``limit`` due rows of ``model`` (its ``status``, ``next_attempt_at`` and
    ``locked_until`` columns) until ``now + lease`` and commit the claim."""
    due = (
        sa.select(model.id)
        .where(
            model.status == pending,
            model.next_attempt_at <= now,
            sa.or_(model.locked_until.is_(None), model.locked_until < now),
        )
        .order_by(model.next_attempt_at, model.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(due))
    if ids:
        db.session.execute(
            sa.update(model)
            .where(model.id.in_(ids))
            .values(locked_until=now + lease)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return ids
