"""Reading agreements: a person's own (as candidate or supervisor), a supervisor's with
their supervisees, and those waiting for a director. One query each (the parties and the
categories loaded with them)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from airm_training.agreements.models import AgreementStatus, SupervisionAgreement
from airm_training.extensions import db

_LOADED = (
    selectinload(SupervisionAgreement.candidate),
    selectinload(SupervisionAgreement.supervisor),
    selectinload(SupervisionAgreement.categories),
)
_NEWEST_FIRST = (SupervisionAgreement.starts_on.desc(), SupervisionAgreement.id.desc())


def agreements_of(person_id: int) -> sa.Select:
    """Agreements the person is a party to, the latest start first."""
    return (
        sa.select(SupervisionAgreement)
        .where(
            sa.or_(
                SupervisionAgreement.candidate_id == person_id,
                SupervisionAgreement.supervisor_id == person_id,
            )
        )
        .options(*_LOADED)
        .order_by(*_NEWEST_FIRST)
    )


def supervised_under(supervisor_id: int) -> list[SupervisionAgreement]:
    """The supervisor's agreements with their supervisees, declined ones left out."""
    return list(
        db.session.scalars(
            sa.select(SupervisionAgreement)
            .where(
                SupervisionAgreement.supervisor_id == supervisor_id,
                SupervisionAgreement.status != AgreementStatus.DECLINED.value,
            )
            .options(*_LOADED)
            .order_by(*_NEWEST_FIRST)
        )
    )


def waiting_for_approval() -> sa.Select:
    """Agreements signed by both and waiting for a director, the oldest first."""
    return (
        sa.select(SupervisionAgreement)
        .where(SupervisionAgreement.status == AgreementStatus.AWAITING_APPROVAL.value)
        .options(*_LOADED)
        .order_by(SupervisionAgreement.supervisor_signed_at, SupervisionAgreement.id)
    )
