"""An audit event. Each row carries the hash of the one before it. Its actor is a row of
the person table, reached through the ``actor`` relationship (named, not imported: the
audit trail is a floor every feature writes to)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from airm_training.core.clock import utcnow
from airm_training.extensions import db

if TYPE_CHECKING:
    from airm_training.people.models import Person


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[str | None] = mapped_column(sa.String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    actor: Mapped[Person | None] = relationship("Person")

    def changes(self) -> list[tuple[str, Any, Any]]:
        return changes_of(self.before, self.after)


def changes_of(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for every field either side mentions, in a stable order."""
    before, after = before or {}, after or {}
    keys = list(before) + [key for key in after if key not in before]
    return [(key, before.get(key), after.get(key)) for key in keys]
