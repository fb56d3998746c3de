"""Changing the roles a person holds. Services flush; the caller commits."""

from __future__ import annotations

from airm_training.access.needs import can_grant_role
from airm_training.audit.services import record_event
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.people.models import Person, Role, RoleAssignment
from airm_training.people.services import check_not_last

# Roles that must always have an active holder.
PROTECTED_ROLES = (Role.ADMIN, Role.DIRECTOR)


def set_roles(actor: Person, person: Person, roles: set[Role]) -> bool:
    """Give ``person`` exactly ``roles``; False when nothing changed. Only an administrator
    grants or removes the administrator role; the last active administrator and the last
    active director keep theirs."""
    before = set(person.roles)
    added, removed = roles - before, before - roles
    forbidden = sorted(role.label for role in added | removed if not can_grant_role(actor, role))
    if forbidden:
        raise DomainError.on("roles", f"You may not grant or remove: {', '.join(forbidden)}.")
    if not added and not removed:
        return False
    for role in PROTECTED_ROLES:
        if role in removed:
            check_not_last(person, role, doing="removing the role")
    person.role_assignments = [a for a in person.role_assignments if Role(a.role) in roles]
    for role in sorted(added):
        person.role_assignments.append(RoleAssignment(role=role.value, granted_by_id=actor.id))
    db.session.flush()
    record_event(
        "person.roles_changed",
        "person",
        person.id,
        actor_id=actor.id,
        before={"roles": sorted(role.value for role in before)},
        after={"roles": sorted(role.value for role in roles)},
    )
    return True
