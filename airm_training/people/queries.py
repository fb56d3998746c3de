"""Read-only questions about people used across features."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

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


# --- picking a person by name ----------------------------------------------------------------
PICK_LIMIT = 20  # matches offered at a time: a page never lists everyone


def people_matching(
    text: str, *, supervisors_only: bool = False, limit: int = PICK_LIMIT
) -> list[tuple[int, str]]:
    """(id, name) of up to ``limit`` people whose name or e-mail contains ``text``, by
    name; with ``supervisors_only``, only people who are somebody's primary supervisor."""
    text = text.strip().lower()
    if not text:
        return []
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    statement = sa.select(Person.id, Person.full_name).where(
        sa.or_(
            sa.func.lower(Person.full_name).like(pattern, escape="\\"),
            sa.func.lower(Person.email).like(pattern, escape="\\"),
        )
    )
    if supervisors_only:
        supervised = sa.select(Person.primary_supervisor_id).where(
            Person.primary_supervisor_id.is_not(None)
        )
        statement = statement.where(Person.id.in_(supervised))
    rows = db.session.execute(statement.order_by(Person.full_name, Person.id).limit(limit))
    return [(person_id, name) for person_id, name in rows]


def person_choice(person_id: int | None) -> list[tuple[int, str]]:
    """The chosen person as a one-item list of (id, name), or an empty list."""
    if person_id is None:
        return []
    name = db.session.scalar(sa.select(Person.full_name).where(Person.id == person_id))
    return [] if name is None else [(person_id, name)]


def picked_person(
    chosen_id: int | None, search: str, *, supervisors_only: bool = False
) -> tuple[int | None, list[tuple[int, str]]]:
    """A person filter picked by name: the chosen id (the only match of ``search`` when
    nobody was chosen) and the choices to offer, the chosen person first, then the
    matches of ``search``."""
    matches = people_matching(search, supervisors_only=supervisors_only)
    if chosen_id is None and len(matches) == 1:
        chosen_id = matches[0][0]
    chosen = person_choice(chosen_id)
    return chosen_id, chosen + [match for match in matches if match[0] != chosen_id]


def primary_supervisor_of(person: Person) -> Person | None:
    """The person's primary supervisor, to name (their roles load only if asked for)."""
    if person.primary_supervisor_id is None:
        return None
    return db.session.get(
        Person, person.primary_supervisor_id, options=[lazyload(Person.role_assignments)]
    )
