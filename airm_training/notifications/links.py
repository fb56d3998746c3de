"""Where a notification leads. A notification names its object (``object_type``,
``object_id``); the feature that owns the object's page registers, beside its routes,
which endpoint shows it, so that this package never names another feature's pages."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

# object_type -> (endpoint, name of its id argument)
_TARGETS: dict[str, tuple[str, str]] = {}


@dataclass(frozen=True)
class Link:
    """The object a notification is about: its page is the registered target."""

    object_type: str
    object_id: int | None = None


def register_target(object_type: str, endpoint: str, argument: str) -> None:
    """Notifications about ``object_type`` open ``endpoint`` with ``argument=object_id``."""
    _TARGETS[object_type] = (endpoint, argument)


def target_of(link: Link) -> tuple[str, dict]:
    """The endpoint and its arguments for ``link``."""
    endpoint, argument = _TARGETS[link.object_type]
    values = {} if link.object_id is None else {argument: link.object_id}
    return endpoint, values


def url_of(link: Link) -> str:
    endpoint, values = target_of(link)
    return url_for(endpoint, **values)
