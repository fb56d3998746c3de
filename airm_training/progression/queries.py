"""Lists of applications and certificates for the home pages."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from airm_training.extensions import db
from airm_training.progression.models import Application, ApplicationStatus, Certificate, Vote


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


def awaiting_vote(member_id: int) -> sa.Select:
    """Endorsed applications this board member has not voted on (and are not their own),
    oldest first: a query, for the page to paginate."""
    voted = sa.select(Vote.application_id).where(Vote.member_id == member_id)
    return (
        sa.select(Application)
        .where(
            Application.status == ApplicationStatus.ENDORSED.value,
            Application.person_id != member_id,
            Application.id.not_in(voted),
        )
        .options(selectinload(Application.person), selectinload(Application.level))
        .order_by(Application.submitted_at, Application.id)
    )
