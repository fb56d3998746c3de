"""Moving an enrolled person to another version of their programme: from then on their
progress is evaluated under that version's numbers (an enrolment operation, refused while
an application is in progress)."""

from __future__ import annotations

import sqlalchemy as sa

from airm_training.audit.services import record_event
from airm_training.core.errors import DomainError
from airm_training.credentials.models import Enrolment
from airm_training.extensions import db
from airm_training.people.models import Person, Role
from airm_training.programme.models import ProgrammeVersion
from airm_training.progression.models import OPEN_STATUSES, Application


def move_enrolment(
    person: Person, version: ProgrammeVersion, *, actor: Person, confirmed: bool
) -> Enrolment:
    """Evaluate ``person`` under ``version`` from now on (their progress is recomputed
    from the same records under the new numbers)."""
    if not actor.has_role(Role.DIRECTOR, Role.ADMIN):
        raise DomainError.on(None, "Only a director moves people between programme versions.")
    enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.person_id == person.id))
    if enrolment is None:
        raise DomainError.on(None, f"{person.full_name} is not enrolled.")
    old = enrolment.programme_version
    if old.id == version.id:
        raise DomainError.on("version", f"{person.full_name} is already under {version.label}.")
    if old.code != version.code:
        raise DomainError.on("version", "Choose a version of the same programme.")
    in_progress = db.session.scalar(
        sa.select(Application.id).where(
            Application.person_id == person.id,
            Application.status.in_([s.value for s in OPEN_STATUSES]),
        )
    )
    if in_progress is not None:
        raise DomainError.on(
            None,
            "An application is in progress under the current version: it must be decided "
            "or withdrawn before the person is moved.",
        )
    if not confirmed:
        raise DomainError.on("confirm", "Tick the box to confirm the move.")
    enrolment.programme_version_id = version.id
    db.session.flush()
    db.session.expire(enrolment, ["programme_version"])
    record_event(
        "enrolment.version_changed",
        "enrolment",
        enrolment.id,
        actor_id=actor.id,
        before={"person_id": person.id, "programme_version_id": old.id, "version": old.version},
        after={
            "person_id": person.id,
            "programme_version_id": version.id,
            "version": version.version,
        },
    )
    return enrolment
