"""Record audit events on a hash chain, and verify that chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.core.clock import utcnow
from airm_training.core.locks import lock_audit_chain
from airm_training.extensions import db

GENESIS_HASH = "0" * 64


def _canonical(event: Any) -> bytes:
    """The hashed form of an event (an ORM object or a row with the same column names)."""
    payload = {
        "id": event.id,
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(event: Any) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def record_event(
    action: str,
    object_type: str,
    object_id: int | str | None = None,
    *,
    actor_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event to the chain inside the caller's transaction (flush only).

    ``before`` and ``after`` must hold JSON values (strings, numbers, booleans, lists)."""
    lock_audit_chain()
    last = db.session.execute(
        sa.select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    event = AuditEvent(
        id=(last.id + 1) if last else 1,
        occurred_at=utcnow(),
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        before=before,
        after=after,
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = compute_hash(event)
    db.session.add(event)
    db.session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    first_bad_id: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.first_bad_id is None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk every event in id order; report the first one whose hash or link is wrong."""
    expected_prev, expected_id, checked = GENESIS_HASH, 1, 0
    last_id = 0
    while True:
        table = AuditEvent.__table__
        batch = db.session.execute(
            sa.select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch_size)
        ).all()
        if not batch:
            return ChainReport(events_checked=checked)
        for event in batch:
            if event.id != expected_id:
                return ChainReport(
                    checked, event.id, f"expected event {expected_id} next, found {event.id}"
                )
            if event.prev_hash != expected_prev:
                return ChainReport(checked, event.id, "does not link to the event before it")
            if compute_hash(event) != event.hash:
                return ChainReport(checked, event.id, "its content does not match its hash")
            expected_prev, expected_id = event.hash, event.id + 1
            checked += 1
        last_id = batch[-1].id
