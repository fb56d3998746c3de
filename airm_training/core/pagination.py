"""Page numbers from the query string, clamped: any text gives a page from 1 to
``MAX_PAGE``, so a huge or malformed ``?page=`` shows a page (or that it is past the last
one) instead of a database error. Long lists read newest first go by cursor instead
(``keyset_page``): each page costs the same however deep it is."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import request
from flask_sqlalchemy.pagination import Pagination

from airm_training.core.input import id_value
from airm_training.extensions import db

# Larger page numbers are read as this one (then clamped to the last page); it keeps
# ``(page - 1) * per_page`` far inside a 64-bit OFFSET.
MAX_PAGE = 1_000_000


def page_number(name: str = "page") -> int:
    """The page asked for in ``request.args[name]``: ASCII digits, at least 1, at most
    ``MAX_PAGE``; anything else is page 1."""
    text = request.args.get(name, "")
    if not (text.isascii() and text.isdigit()):
        return 1
    return max(1, min(int(text[:12]), MAX_PAGE))


def paginate(
    statement: sa.Select, *, per_page: int, name: str = "page", total: int | None = None
) -> Pagination:
    """One page of ``statement`` (empty past the last one; the page can say so).
    ``total``: how many rows ``statement`` selects, when the page has counted them with
    its other figures; they are then not counted again."""
    page = db.paginate(
        statement, page=page_number(name), per_page=per_page, error_out=False, count=total is None
    )
    if total is not None:
        page.total = total
    return page


@dataclass(frozen=True)
class KeysetPage:
    """One page of a list read newest first by its key, and the cursors of the pages
    either side (None: there is none). ``total`` is exact up to ``cap``;
    ``more_than_cap`` says the list holds more."""

    items: list
    newer: int | None  # show newer with ?after=<newer>
    older: int | None  # show older with ?before=<older>
    total: int
    cap: int
    more_than_cap: bool
    after: int | None  # the cursor this page was read from, if any
    before: int | None


# Counting stops here: counting every row of a large table costs as much as reading it.
COUNT_CAP = 1_000


def cursor(name: str) -> int | None:
    """An id cursor from ``request.args[name]`` (None when absent or not an id)."""
    return request.args.get(name, type=id_value)


def keyset_page(statement: sa.Select, key, *, per_page: int) -> KeysetPage:
    """One page of ``statement``'s rows (it selects columns, ``key`` among them) newest
    first by ``key`` (an integer, unique column): the newest ``per_page`` rows, or those
    just older than ``?before=`` or just newer than ``?after=``. Each page reads
    ``per_page + 1`` rows through the key's index, however deep it is; the count reads
    at most ``COUNT_CAP + 1``."""
    after, before = cursor("after"), cursor("before")
    base = statement.order_by(None)
    keys = base.with_only_columns(key, maintain_column_froms=True)
    if after is not None:
        before = None  # one direction at a time
        rows = db.session.execute(base.where(key > after).order_by(key).limit(per_page + 1)).all()
        if len(rows) > per_page:
            newer_exists, rows = True, rows[:per_page][::-1]
            older_exists = _exists(keys.where(key <= after))
        else:  # the newest rows: the first page shows them, full
            after = None
    if after is None:
        window = base.where(key < before) if before is not None else base
        rows = db.session.execute(window.order_by(key.desc()).limit(per_page + 1)).all()
        older_exists, rows = len(rows) > per_page, rows[:per_page]
        newer_exists = before is not None and _exists(keys.where(key >= before))
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(keys.limit(COUNT_CAP + 1).subquery())
    )
    value = key.key
    return KeysetPage(
        items=rows,
        newer=getattr(rows[0], value) if rows and newer_exists else None,
        older=getattr(rows[-1], value) if rows and older_exists else None,
        total=min(total, COUNT_CAP),
        cap=COUNT_CAP,
        more_than_cap=total > COUNT_CAP,
        after=after,
        before=before,
    )


def _exists(statement: sa.Select) -> bool:
    return bool(db.session.scalar(sa.select(statement.limit(1).exists())))
