"""Links to many records of one kind, built once per list: ``url_for`` for each of a page's
hundred rows costs more than the rest of the row."""

from __future__ import annotations

from collections.abc import Callable

from flask import url_for

# Stands for the id while the address is built once; only where it lands matters.
_MARKER = 2_147_483_647


def id_links(endpoint: str, argument: str) -> Callable[[int], str]:
    """A function giving ``url_for(endpoint, **{argument: record_id})`` for any integer
    id, from one ``url_for``; ``argument`` must be an ``int`` part of the rule."""
    prefix, _, suffix = url_for(endpoint, **{argument: _MARKER}).partition(str(_MARKER))
    return lambda record_id: f"{prefix}{int(record_id)}{suffix}"
