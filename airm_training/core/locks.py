"""Database locks that order concurrent transactions."""

from __future__ import annotations

import sqlalchemy as sa

from airm_training.extensions import db

# Any fixed 64-bit number: the advisory lock that serialises audit chain appends.
AUDIT_CHAIN_LOCK_KEY = 0x41_49_52_4D_41_55_44_31


def lock_audit_chain() -> None:
    """Take the audit chain's lock for the rest of the transaction (PostgreSQL; SQLite
    writers take turns already). A unit of work takes it before its first row lock: a
    transaction that locked rows and then waited for the chain could otherwise wait on one
    holding the chain and waiting for those rows."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(AUDIT_CHAIN_LOCK_KEY)))
