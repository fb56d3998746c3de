"""The named needs views declare (``@requires(DIRECTOR)``), combined from small ones, and
the object rules (``can_*``) about people. ``core.permissions`` holds the mechanism (the
``Need`` type and the gate that checks the declared need before each view)."""

from __future__ import annotations

from airm_training.access.signed_in import person_is_supervisor

# PUBLIC and SIGNED_IN are the mechanism's own needs; named here too, so that every need
# can be found by name in one module.
from airm_training.core.permissions import PUBLIC, SIGNED_IN, Need  # noqa: F401
from airm_training.people.models import Person, Role


def role_need(description: str, *roles: Role) -> Need:
    return Need(description, lambda person: person.has_role(*roles))


CANDIDATE = role_need("a candidate", Role.CANDIDATE)
CO_CREATOR = role_need("a member of the co-creators' board", Role.CO_CREATOR)
DIRECTOR = role_need("a director", Role.DIRECTOR, Role.ADMIN)
ADMIN = role_need("an administrator", Role.ADMIN)
SIGNATORY = role_need(
    "a director or a member of the co-creators' board", Role.DIRECTOR, Role.ADMIN, Role.CO_CREATOR
)
SUPERVISOR = Need("a supervisor holding a current AIRT-S", lambda p: person_is_supervisor(p))
LOGS_HOURS = Need(
    "a candidate or a supervisor",
    lambda p: p.has_role(Role.CANDIDATE) or person_is_supervisor(p),
)


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
