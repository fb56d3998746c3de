"""Declarative base with stable constraint names, and SQLite connection settings."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
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


def _on_sqlite_begin(connection) -> None:
    """Take SQLite's write lock when the transaction starts: a transaction that read first
    and writes later would otherwise fail at once with "database is locked" when another
    writer got there in between (the busy timeout only applies to waiting for the lock).
    A connection marked ``airm_sqlite_read_only`` only reads and begins deferred."""
    if connection.dialect.name != "sqlite":
        return
    if connection.get_execution_options().get("airm_sqlite_read_only"):
        connection.exec_driver_sql("BEGIN")  # a read snapshot (backups): writers go on
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def install_sqlite_settings() -> None:
    """Register the SQLite listeners once (pysqlite's own transaction handling breaks
    SAVEPOINT; see SQLAlchemy's "Serializable isolation / Savepoints" notes)."""
    if not event.contains(Engine, "connect", _on_sqlite_connect):
        event.listen(Engine, "connect", _on_sqlite_connect)
        event.listen(Engine, "begin", _on_sqlite_begin)
