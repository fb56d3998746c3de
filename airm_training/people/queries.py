"""Read-only questions about people used across features."""

from __future__ import annotations

import sqlalchemy as sa

from airm_training.extensions import db
from airm_training.people.models import Person, Role, RoleAssignment


def holders_of(*roles: Role) -> list[int]:
    """Ids of the active people holding any of ``roles``."""
    return list(
        db.session.scalars(
            sa.select(Person.id)
            .join(RoleAssignment, RoleAssignment.person_id == Person.id)
            .where(RoleAssignment.role.in_([r.value for r in roles]), Person.active.is_(True))
            .distinct()
        )
    )


# --- events --------------------------------------------------------------------------------
