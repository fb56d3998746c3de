"""Who may open which page, declared on each view and checked in one place.

A view declares a ``Need`` with ``@requires(NEED)`` or ``@public``; views that declare
nothing need a signed-in person. ``check_view_access`` (a ``before_request`` hook) is
the single place that enforces it. The named needs (``DIRECTOR``, ``SUPERVISOR``, ...)
and the object rules (``can_*``) are the app's, in ``access.needs``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, current_app, g, request
from flask_login import current_user

F = TypeVar("F", bound=Callable)
_NEED_ATTR = "_airm_need"


@dataclass(frozen=True)
class Need:
    """A named condition on the signed-in person, e.g. "a director"."""

    description: str
    check: Callable[[Any], bool]

    def __call__(self, person: Any) -> bool:
        return self.check(person)

    def __or__(self, other: Need) -> Need:
        return Need(f"{self.description} or {other.description}", lambda p: self(p) or other(p))


PUBLIC = Need("anyone, signed in or not", lambda _person: True)
SIGNED_IN = Need("anyone signed in", lambda _person: True)


def requires(need: Need) -> Callable[[F], F]:
    def mark(view: F) -> F:
        setattr(view, _NEED_ATTR, need)
        return view

    return mark


def public(view: F) -> F:
    setattr(view, _NEED_ATTR, PUBLIC)
    return view


def declared_need(view: Callable) -> Need:
    return getattr(view, _NEED_ATTR, SIGNED_IN)


def check_view_access():
    """Enforce the need declared by the view about to run (before_request)."""
    if request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if view is None or request.endpoint == "static" or request.endpoint.endswith(".static"):
        return None
    need = declared_need(view)
    if need is PUBLIC:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not need(current_user):
        g.missing_need = need
        abort(403)
    return None
