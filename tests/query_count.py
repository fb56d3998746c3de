"""Counting the SQL statements a request runs."""

from __future__ import annotations

import sqlalchemy as sa

from airm_training.extensions import db


def count_queries(fn) -> int:
    """Run ``fn`` (a request returning 200) and count the statements it sent."""
    statements: list[str] = []
    engine = db.engines[None].engine

    def listener(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        response = fn()
        assert response.status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return len(statements)
