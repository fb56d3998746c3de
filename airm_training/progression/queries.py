"""Lists of applications and certificates for the home pages."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from airm_training.extensions import db
from airm_training.progression.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Certificate,
    Vote,
)


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


def awaiting_vote(member_id: int) -> list[Application]:
    """Applications waiting for the board (endorsed, or reinstatements, which need no
    endorsement) this board member has not voted on and are not their own."""
    voted = sa.select(Vote.application_id).where(Vote.member_id == member_id)
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(
                sa.or_(
                    Application.status == ApplicationStatus.ENDORSED.value,
                    sa.and_(
                        Application.kind == ApplicationKind.REINSTATE.value,
                        Application.status == ApplicationStatus.SUBMITTED.value,
                    ),
                ),
                Application.person_id != member_id,
                Application.id.not_in(voted),
            )
            .options(selectinload(Application.person), selectinload(Application.level))
            .order_by(Application.submitted_at)
        )
    )
