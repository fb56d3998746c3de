"""Lists of applications and certificates for the home pages."""

from __future__ import annotations

import sqlalchemy as sa

from airm_training.extensions import db
from airm_training.progression.models import Application, Certificate


def applications_of(person_id: int) -> list[Application]:
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.person_id == person_id)
            .order_by(Application.submitted_at.desc())
        )
    )


def certificates_of(person_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            sa.select(Certificate)
            .where(Certificate.holder_id == person_id)
            .order_by(Certificate.issued_on.desc())
        )
    )
