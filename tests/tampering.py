"""Tampering with the audit trail behind the application's back, as a test needs to."""

from __future__ import annotations

import sqlalchemy as sa

from airm_training.extensions import db


def lift_append_only_triggers() -> None:
    """Lift the append-only triggers inside this test's transaction (rolled back after it),
    as someone with the database owner's rights could: the chain must catch what they do."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
    else:
        db.session.execute(sa.text("DROP TRIGGER IF EXISTS audit_event_no_update"))
        db.session.execute(sa.text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
