"""A candidate's primary supervisor, assigned by a director. Services flush; the caller
commits."""

from __future__ import annotations

from airm_training.access.supervision import is_supervisor
from airm_training.audit.services import record_event
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.people.models import Person, Role


def _snapshot(supervisor: Person | None) -> dict:
    return {
        "primary_supervisor_id": supervisor.id if supervisor else None,
        "primary_supervisor": supervisor.full_name if supervisor else None,
    }


def assign_supervisor(actor: Person, candidate: Person, supervisor: Person | None) -> bool:
    """Make ``supervisor`` the candidate's primary supervisor (None removes it).
    False when nothing changed."""
    if not actor.has_role(Role.DIRECTOR, Role.ADMIN):
        raise DomainError.on(None, "Only a director assigns supervisors.")
    if not candidate.has_role(Role.CANDIDATE):
        raise DomainError.on(None, f"{candidate.full_name} is not a candidate.")
    if supervisor is not None:
        if supervisor.id == candidate.id:
            raise DomainError.on("supervisor", "A candidate cannot supervise themselves.")
        if not is_supervisor(supervisor):
            raise DomainError.on(
                "supervisor", f"{supervisor.full_name} does not hold a current AIRT-S."
            )
    previous = candidate.primary_supervisor
    if (previous.id if previous else None) == (supervisor.id if supervisor else None):
        return False
    candidate.primary_supervisor = supervisor
    db.session.flush()
    record_event(
        "person.supervisor_assigned" if supervisor else "person.supervisor_removed",
        "person",
        candidate.id,
        actor_id=actor.id,
        before=_snapshot(previous),
        after=_snapshot(supervisor),
    )
    return True
