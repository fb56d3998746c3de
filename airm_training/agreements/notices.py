"""What the agreements feature tells people: an agreement to sign (the supervisor), to
approve (the directors who are not parties), and what happened to it (its parties).
Texts carry names and dates only, never the decline reason."""

from __future__ import annotations

from airm_training.agreements.models import SupervisionAgreement
from airm_training.notifications.links import Link
from airm_training.notifications.models import NotificationKind
from airm_training.notifications.services import send
from airm_training.people.models import Role
from airm_training.people.queries import holders_of


def _link(agreement: SupervisionAgreement) -> Link:
    return Link("supervision_agreement", agreement.id)


def notify_to_sign(agreement: SupervisionAgreement) -> None:
    send(
        NotificationKind.AGREEMENT_TO_SIGN,
        [agreement.supervisor_id],
        f"{agreement.candidate.full_name} signed a supervision agreement with you from "
        f"{agreement.starts_on.isoformat()}: open it to sign or decline.",
        _link(agreement),
        actor_id=agreement.candidate_id,
    )


def notify_to_approve(agreement: SupervisionAgreement) -> None:
    parties = {agreement.candidate_id, agreement.supervisor_id}
    send(
        NotificationKind.AGREEMENT_TO_APPROVE,
        [pid for pid in holders_of(Role.DIRECTOR) if pid not in parties],
        f"The supervision agreement of {agreement.candidate.full_name} with "
        f"{agreement.supervisor.full_name} is signed by both and waits for approval.",
        _link(agreement),
        actor_id=agreement.supervisor_id,
    )


def notify_parties(agreement: SupervisionAgreement, what: str, *, actor_id: int) -> None:
    """``what`` completes "The supervision agreement of A with B …"."""
    send(
        NotificationKind.AGREEMENT_CHANGED,
        [pid for pid in (agreement.candidate_id, agreement.supervisor_id) if pid != actor_id],
        f"The supervision agreement of {agreement.candidate.full_name} with "
        f"{agreement.supervisor.full_name} {what}.",
        _link(agreement),
        actor_id=actor_id,
    )
