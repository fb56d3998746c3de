"""Counting the SQL statements a piece of work sends, for tests that keep the number of
queries per page constant as data grows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from airm_training.extensions import db


def count_statements(fn: Callable[[], Any]) -> int:
    """Run ``fn`` and count the statements it sent to the database."""
    statements: list[str] = []
    engine = db.engines[None].engine

    def listener(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def count_queries(fn: Callable[[], Any]) -> int:
    """Run ``fn`` (a request that must answer 200) and count the statements it sent."""

    def request() -> None:
        response = fn()
        assert response.status_code == 200

    return count_statements(request)
