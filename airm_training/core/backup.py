"""A full, portable copy of the database: every table's rows as gzipped JSON lines, with
row counts and checksums, restorable into an empty database of either dialect.

The file holds a header line (format, schema revision), then per table a line naming its
columns followed by one JSON array per row (in primary-key order), and a last line with
each table's row count and SHA-256 checksum. Restoring recomputes the checksums from the
restored tables, so an incomplete or altered file is refused and nothing is kept.

Every table is read in one snapshot (one REPEATABLE READ, read-only transaction on
PostgreSQL; one read transaction on SQLite, whose WAL lets writers go on meanwhile), so
rows written while the backup runs are either all in it or all out of it. The file is
readable by its owner only (it holds password hashes) and appears only once complete;
secrets encrypted at rest (two-factor keys) stay encrypted in it."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from airm_training.core.changes import forget_marks
from airm_training.core.clock import utcnow
from airm_training.core.errors import DomainError
from airm_training.extensions import db

FORMAT = "airm-backup"
# Execution option of a SQLite connection that only reads: its transaction begins
# deferred (a read snapshot), not with the write lock (see core/db.py).
SQLITE_READ_ONLY = "airm_sqlite_read_only"
FORMAT_VERSION = 1
BATCH_SIZE = 1000


@dataclass(frozen=True)
class TableSummary:
    rows: int
    sha256: str


def _tables() -> list[sa.Table]:
    return list(db.metadata.sorted_tables)


def _encode(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sa.LargeBinary):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decode(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sa.LargeBinary):
        return base64.b64decode(value)
    if isinstance(column.type, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, sa.Date):
        return date.fromisoformat(value)
    return value


def _line(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@contextmanager
def snapshot() -> Iterator[sa.Connection]:
    """A connection reading the whole database as of one moment (rolled back after).
    Already inside a transaction (a command run from a test), it reads in that one."""
    bind = db.session.get_bind()
    if isinstance(bind, sa.Connection):
        yield db.session.connection()
        return
    options = (
        {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        if bind.dialect.name == "postgresql"
        else {SQLITE_READ_ONLY: True}
    )
    with bind.connect().execution_options(**options) as connection, connection.begin() as work:
        yield connection
        work.rollback()


def _encoded_rows(table: sa.Table, connection: sa.Connection) -> Iterator[list[Any]]:
    """Every row of ``table`` in primary-key order, encoded as JSON values."""
    columns = list(table.columns)
    statement = sa.select(table).order_by(*table.primary_key.columns)
    result = connection.execute(statement.execution_options(yield_per=BATCH_SIZE))
    for row in result:
        yield [_encode(column, value) for column, value in zip(columns, row, strict=True)]


def summarise(connection: sa.Connection | None = None) -> dict[str, TableSummary]:
    """Row count and checksum of every table, as the backup file records them."""
    connection = connection or db.session.connection()
    summary = {}
    for table in _tables():
        digest, rows = hashlib.sha256(), 0
        for row in _encoded_rows(table, connection):
            digest.update(_line(row).encode() + b"\n")
            rows += 1
        summary[table.name] = TableSummary(rows, digest.hexdigest())
    return summary


def _schema_revision(connection: sa.Connection | None = None) -> str | None:
    connection = connection or db.session.connection()
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _private_file(path: Path) -> IO[bytes]:
    """``path`` opened for writing, created with mode 0600 (and set so if it existed)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, "wb")


def write_backup(path: Path) -> dict[str, TableSummary]:
    """Write every table, as of one moment, to ``path`` (mode 0600); return what was
    written, per table. The file appears under its name only once it is complete."""
    partial = path.with_name(path.name + ".partial")
    try:
        with snapshot() as connection, _private_file(partial) as raw:
            summary = _write(connection, raw)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return summary


def _write(connection: sa.Connection, raw: IO[bytes]) -> dict[str, TableSummary]:
    summary: dict[str, TableSummary] = {}
    with gzip.open(raw, "wt", encoding="utf-8") as out:
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema_revision": _schema_revision(connection),
            "created_at": utcnow().isoformat(),
        }
        out.write(_line(header) + "\n")
        for table in _tables():
            out.write(_line({"table": table.name, "columns": [c.name for c in table.columns]}))
            out.write("\n")
            digest, rows = hashlib.sha256(), 0
            for row in _encoded_rows(table, connection):
                line = _line(row)
                out.write(line + "\n")
                digest.update(line.encode() + b"\n")
                rows += 1
            summary[table.name] = TableSummary(rows, digest.hexdigest())
        out.write(_line({"end": {name: vars(s) for name, s in summary.items()}}) + "\n")
    return summary


def _refuse(reason: str) -> DomainError:
    return DomainError.on(None, reason)


def _read_header(source: IO[str]) -> dict:
    try:
        header = json.loads(source.readline())
    except (json.JSONDecodeError, UnicodeDecodeError, OSError, EOFError):
        raise _refuse("This is not an AIRM backup file.") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise _refuse("This is not an AIRM backup file.")
    if header.get("format_version") != FORMAT_VERSION:
        raise _refuse(f"Backup format {header.get('format_version')} is not supported.")
    return header


def restore_backup(path: Path) -> dict[str, TableSummary]:
    """Load ``path`` into this (migrated, empty) database inside the caller's transaction.

    Refuses a database that holds data or is at another schema revision, and a file whose
    rows do not match its recorded counts and checksums. The caller commits."""
    if not sa.inspect(db.session.connection()).has_table("alembic_version"):
        raise _refuse(
            "The database is not migrated: run `flask db upgrade` on it first, then restore."
        )
    tables = {table.name: table for table in _tables()}
    for table in tables.values():
        if db.session.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
            raise _refuse(
                f"The database is not empty (table {table.name} has rows): restore into a "
                "freshly migrated database."
            )
    try:
        with gzip.open(path, "rt", encoding="utf-8") as source:
            header = _read_header(source)
            if header.get("schema_revision") != _schema_revision():
                raise _refuse(
                    f"The backup is of schema revision {header.get('schema_revision')}, the "
                    f"database is at {_schema_revision()}: migrate it to the same revision."
                )
            recorded = _load_rows(source, tables)
            forget_marks(db.session)  # the rows, kept figures included, are as backed up
    except sa.exc.IntegrityError as error:
        raise _refuse(f"The backup's rows do not fit together ({error.orig}).") from None
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError, ValueError) as error:
        raise _refuse(f"The backup file is damaged or incomplete ({error}).") from None
    _reset_sequences(tables.values())
    restored = summarise()
    for name, expected in recorded.items():
        if restored.get(name) != expected:
            raise _refuse(f"Table {name} does not match the backup's checksum: nothing restored.")
    return restored


def _self_references(table: sa.Table) -> list[sa.Column]:
    """Columns pointing at another row of the same table (e.g. a person's supervisor)."""
    return [
        column
        for column in table.columns
        if any(key.column.table is table for key in column.foreign_keys)
    ]


def _load_rows(source: IO[str], tables: dict[str, sa.Table]) -> dict[str, TableSummary]:
    """Insert the file's rows table by table. Columns that point at another row of the same
    table are filled in once the whole table is in, since that row may come later."""
    table: sa.Table | None = None
    columns: list[sa.Column] = []
    later: list[sa.Column] = []
    stamped: list[sa.Column] = []
    batch: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []

    def flush() -> None:
        if batch:
            db.session.execute(sa.insert(table), batch)
            batch.clear()

    def finish_table() -> None:
        flush()
        if links:
            (key,) = table.primary_key.columns
            statement = (
                sa.update(table)
                .where(key == sa.bindparam("_key"))
                .values({c.name: sa.bindparam(f"_{c.name}") for c in (*later, *stamped)})
            )
            db.session.execute(statement, links)
            links.clear()

    for raw in source:
        item = json.loads(raw)
        if isinstance(item, list):
            if table is None or len(item) != len(columns):
                raise ValueError("a row outside a table, or with the wrong number of values")
            row = {c.name: _decode(c, v) for c, v in zip(columns, item, strict=True)}
            if any(row[c.name] is not None for c in later):
                (key,) = table.primary_key.columns
                links.append(
                    {
                        "_key": row[key.name],
                        **{f"_{c.name}": row[c.name] for c in (*later, *stamped)},
                    }
                )
                row.update({c.name: None for c in later})
            batch.append(row)
            if len(batch) >= BATCH_SIZE:
                flush()
        elif "table" in item:
            if table is not None:
                finish_table()
            if item["table"] not in tables:
                raise ValueError(f"unknown table {item['table']}")
            table = tables[item["table"]]
            if item["columns"] != [c.name for c in table.columns]:
                raise ValueError(f"the columns of {table.name} differ from this schema")
            columns, later = list(table.columns), _self_references(table)
            # Columns an UPDATE would stamp (``updated_at``) keep their backed-up value.
            stamped = [c for c in table.columns if c.onupdate is not None and c not in later]
        elif "end" in item:
            if table is not None:
                finish_table()
            return {name: TableSummary(**values) for name, values in item["end"].items()}
    raise ValueError("the file ends before its summary line")


def _reset_sequences(tables) -> None:
    """PostgreSQL: move each id sequence past the restored ids."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, sa.Integer):
                continue
            highest = db.session.scalar(sa.select(sa.func.max(column)))
            db.session.execute(
                sa.text("SELECT setval(pg_get_serial_sequence(:table, :column), :value, :used)"),
                {
                    "table": table.name,
                    "column": column.name,
                    "value": highest or 1,
                    "used": highest is not None,
                },
            )
