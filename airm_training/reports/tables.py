"""A report is a titled table of plain values: the page shows it, the CSV exports it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace

import sqlalchemy as sa

from airm_training.extensions import db

PER_PAGE = 50  # rows of a list shown on a page; the CSV has them all


@dataclass(frozen=True)
class Report:
    key: str  # used in the CSV's URL and file name
    title: str
    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    total: int | None = None  # rows in the whole report when ``rows`` is one page of it
    page: int = 1
    pages: int = 1

    def one_page(self, page: int, per_page: int) -> Report:
        """This report cut to one page of its rows (the CSV keeps them all)."""
        return replace(self, **paged(self.rows, page, per_page))

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([_cell(value) for value in row])
        return buffer.getvalue()


def paged(rows: list[tuple], page: int | None, per_page: int) -> dict:
    """``rows``, ``total``, ``page`` and ``pages`` for one page of ``rows`` (all of them
    when ``page`` is None); a page past the end shows the last one."""
    if page is None:
        return {"rows": rows, "total": len(rows)}
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return {
        "rows": rows[start : start + per_page],
        "total": len(rows),
        "page": page,
        "pages": pages,
    }


def paged_rows(statement: sa.Select, page: int | None, per_page: int) -> dict:
    """What ``paged`` gives, read by the database: one page of ``statement``'s rows
    (all of them when ``page`` is None) counted by a window in the same statement, so
    that a page costs the same however long the report; a page past the end is read
    again as the last one."""
    if page is None:
        rows = db.session.execute(statement).all()
        return {"rows": rows, "total": len(rows)}
    counted = statement.add_columns(sa.func.count().over())
    page = max(page, 1)
    found = db.session.execute(counted.limit(per_page).offset((page - 1) * per_page)).all()
    if not found and page > 1:
        total = db.session.scalar(
            sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
        )
        page = max(1, -(-total // per_page))
        found = db.session.execute(counted.limit(per_page).offset((page - 1) * per_page)).all()
    total = found[0][-1] if found else 0
    return {
        "rows": [tuple(row)[:-1] for row in found],
        "total": total,
        "page": page,
        "pages": max(1, -(-total // per_page)),
    }


def _cell(value) -> str | int | float:
    """Numbers as they are; text kept from running as a spreadsheet formula."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
