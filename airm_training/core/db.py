"""Declarative base with stable constraint names; how each database's transactions begin
and how a read-only request's ends."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def _on_sqlite_connect(dbapi_connection, _record) -> None:
    """WAL, a busy timeout and foreign keys; let SQLAlchemy (not pysqlite) open transactions."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


F = TypeVar("F", bound=Callable)
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITES_ATTR = "_airm_writes"


def writes(view: F) -> F:
    """Mark a view that writes even when it answers a GET (it then takes the write lock)."""
    setattr(view, _WRITES_ATTR, True)
    return view


def is_write_transaction() -> bool:
    """A transaction may write unless it serves a read-only request: a GET (HEAD, OPTIONS)
    of a view not marked ``@writes``. Commands and other work outside a request may write."""
    if not has_request_context() or request.method not in READ_ONLY_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, _WRITES_ATTR, False)


def _on_sqlite_begin(connection) -> None:
    """A write transaction takes SQLite's write lock when it starts: one that read first
    and wrote later would otherwise fail at once with "database is locked" when another
    writer got there in between (the busy timeout only applies to waiting for the lock).
    A read-only request's transaction takes no lock, so reads never queue behind reads;
    nor does a connection marked ``airm_sqlite_read_only`` (a backup's read snapshot)."""
    if connection.dialect.name != "sqlite":
        return
    read_only = connection.get_execution_options().get("airm_sqlite_read_only")
    connection.exec_driver_sql(
        "BEGIN IMMEDIATE" if is_write_transaction() and not read_only else "BEGIN"
    )


def _on_postgresql_begin(connection) -> None:
    """A read-only request's transaction is READ ONLY on PostgreSQL (psycopg begins it so,
    in the same round trip): whatever its view does, it can write nothing, and so it can
    end with COMMIT (``end_read_only_transaction``)."""
    if connection.dialect.name != "postgresql":
        return
    dbapi_connection = connection.connection.dbapi_connection
    read_only = not is_write_transaction()
    if bool(dbapi_connection.read_only) != read_only:
        dbapi_connection.read_only = read_only


def end_read_only_transaction(error: BaseException | None) -> None:
    """End a read-only request's READ ONLY transaction with COMMIT, the same as a rollback
    for a transaction that can write nothing: psycopg drops every statement it has
    prepared on a connection when that connection rolls back, so ending each request
    with the session's rollback would have PostgreSQL parse and plan each of a page's
    statements again on every request. (Registered to run before the session is
    removed; anything else, or a transaction with unflushed changes, is left to that
    removal's rollback.)"""
    from airm_training.extensions import db  # the extension is built on this module

    session = db.session()
    if error is not None or not session.in_transaction():
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    from psycopg.pq import TransactionStatus

    dbapi_connection = connection.connection.dbapi_connection
    idle_in_transaction = dbapi_connection.info.transaction_status == TransactionStatus.INTRANS
    pending = session.new or session.dirty or session.deleted
    if dbapi_connection.read_only and idle_in_transaction and not pending:
        session.commit()


def install_connection_settings() -> None:
    """Register the listeners once: SQLite's connection settings and its transactions'
    begin (pysqlite's own transaction handling breaks SAVEPOINT; see SQLAlchemy's
    "Serializable isolation / Savepoints" notes), and PostgreSQL's read-only begin."""
    if not event.contains(Engine, "connect", _on_sqlite_connect):
        event.listen(Engine, "connect", _on_sqlite_connect)
        event.listen(Engine, "begin", _on_sqlite_begin)
        event.listen(Engine, "begin", _on_postgresql_begin)
