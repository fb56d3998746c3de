"""Who may open which page, declared on each view and checked in one place.

A view declares a ``Need`` with ``@requires(NEED)`` or ``@public``; views that declare
nothing need a signed-in person. ``check_view_access`` (a ``before_request`` hook) is
the single place that enforces it. Object-level rules are ``can_*`` functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import abort, current_app, g, request
from flask_login import current_user

from airm_training.credentials.services import is_supervisor
from airm_training.people.models import Person, Role

F = TypeVar("F", bound=Callable)
_NEED_ATTR = "_airm_need"


@dataclass(frozen=True)
class Need:
    """A named condition on the signed-in person, e.g. "a director"."""

    description: str
    check: Callable[[Person], bool]

    def __call__(self, person: Person) -> bool:
        return self.check(person)

    def __or__(self, other: Need) -> Need:
        return Need(f"{self.description} or {other.description}", lambda p: self(p) or other(p))


def role_need(description: str, *roles: Role) -> Need:
    return Need(description, lambda person: person.has_role(*roles))


PUBLIC = Need("anyone, signed in or not", lambda _person: True)
SIGNED_IN = Need("anyone signed in", lambda _person: True)
CANDIDATE = role_need("a candidate", Role.CANDIDATE)
CO_CREATOR = role_need("a member of the co-creators' board", Role.CO_CREATOR)
DIRECTOR = role_need("a director", Role.DIRECTOR, Role.ADMIN)
ADMIN = role_need("an administrator", Role.ADMIN)
SUPERVISOR = Need("a supervisor holding a current AIRT-S", lambda p: person_is_supervisor(p))
LOGS_HOURS = Need(
    "a candidate or a supervisor",
    lambda p: p.has_role(Role.CANDIDATE) or person_is_supervisor(p),
)


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


def person_is_supervisor(person: Person) -> bool:
    """Supervisor status of ``person`` today, computed once per request."""
    cache = g.setdefault("_airm_supervisor", {})
    if person.id not in cache:
        cache[person.id] = is_supervisor(person)
    return cache[person.id]


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


# --- object-level rules -------------------------------------------------------------
def can_view_person(viewer: Person, subject: Person) -> bool:
    """A person's record: themselves and programme staff."""
    return viewer.id == subject.id or viewer.has_role(Role.DIRECTOR, Role.ADMIN)


def can_manage_people(viewer: Person) -> bool:
    return viewer.has_role(Role.DIRECTOR, Role.ADMIN)


def can_grant_role(viewer: Person, role: Role) -> bool:
    """Directors manage programme roles; only an administrator makes administrators."""
    if role is Role.ADMIN:
        return viewer.has_role(Role.ADMIN)
    return can_manage_people(viewer)
