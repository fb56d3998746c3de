"""A report is a titled table of plain values: the page shows it, the CSV exports it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace


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


def _cell(value) -> str | int | float:
    """Numbers as they are; text kept from running as a spreadsheet formula."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
