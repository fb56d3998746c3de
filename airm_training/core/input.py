"""Defences against malformed input that no form validator sees: ids too large for the
database, digits that are not ASCII, and NUL bytes (which PostgreSQL text refuses)."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest value of an INTEGER column (PostgreSQL)


class IdConverter(IntegerConverter):
    """``<int:...>`` in a URL: an id larger than any row's id is a 404, not a database error."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int = MAX_ID):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max)


def id_value(text: str) -> int:
    """An id from a query string or form value (ASCII digits, at most ``MAX_ID``); raises
    ValueError otherwise, so ``request.args.get(name, type=id_value)`` gives None."""
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > MAX_ID:
        raise ValueError(f"not an id: {text[:20]!r}")
    return int(text)


def id_values(texts: Iterable[str]) -> list[int]:
    """The values of a repeated field that are ids; anything else is ignored."""
    ids = []
    for text in texts:
        try:
            ids.append(id_value(text))
        except ValueError:
            continue
    return ids


def _has_nul(pairs: Iterable[tuple[str, str]]) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


def reject_nul_bytes() -> None:
    """A request whose parameters or form fields contain a NUL byte is malformed (400):
    no one types one, and the database could not store it."""
    if _has_nul(request.args.items(multi=True)):
        abort(400)
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and (
        _has_nul(request.form.items(multi=True))
        or _has_nul((key, upload.filename or "") for key, upload in request.files.items(multi=True))
    ):
        abort(400)


def register_input_guards(app: Flask) -> None:
    """Bounded ids in URLs (before any route is added) and the NUL-byte check."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(reject_nul_bytes)
