"""Lists of applications and certificates for the home pages."""

from __future__ import annotations

import sqlalchemy as sa

from airm_training.core.reads import built_once
from airm_training.extensions import db
from airm_training.progression.models import Application, Certificate


def applications_of(person_id: int) -> list[Application]:
    statement = built_once(
        "applications_of",
        lambda: (
            sa.select(Application)
            .where(Application.person_id == sa.bindparam("person"))
            .order_by(Application.submitted_at.desc())
        ),
    )
    return list(db.session.scalars(statement, {"person": person_id}))


def certificates_of(person_id: int) -> list[Certificate]:
    statement = built_once(
        "certificates_of",
        lambda: (
            sa.select(Certificate)
            .where(Certificate.holder_id == sa.bindparam("person"))
            .order_by(Certificate.issued_on.desc())
        ),
    )
    return list(db.session.scalars(statement, {"person": person_id}))
