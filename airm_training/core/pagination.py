"""Page numbers from the query string, clamped: any text gives a page from 1 to
``MAX_PAGE``, so a huge or malformed ``?page=`` shows a page (or that it is past the last
one) instead of a database error."""

from __future__ import annotations

import sqlalchemy as sa
from flask import request
from flask_sqlalchemy.pagination import Pagination

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


def paginate(statement: sa.Select, *, per_page: int, name: str = "page") -> Pagination:
    """One page of ``statement`` (empty past the last one; the page can say so)."""
    return db.paginate(statement, page=page_number(name), per_page=per_page, error_out=False)
