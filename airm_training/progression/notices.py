"""What the progression feature tells people: applications to endorse or vote on, the
endorsement and the board's decision, renewals requested, certificates issued. Called by
its services in the same transaction."""

from __future__ import annotations

from airm_training.notifications.links import Link
from airm_training.notifications.models import NotificationKind
from airm_training.notifications.services import send, send_each
from airm_training.people.models import Role
from airm_training.people.queries import holders_of
from airm_training.progression.models import Application, ApplicationStatus, Certificate


def notify_application_submitted(application: Application) -> None:
    """The supervisor named as endorser is the one who may endorse."""
    send(
        NotificationKind.APPLICATION_SUBMITTED,
        [application.endorser_id],
        f"{application.person.full_name} applied for {application.level.code} and named "
        "you as endorser.",
        Link("application", application.id),
        actor_id=application.person_id,
    )


def notify_endorsement(application: Application, actor_id: int) -> None:
    """Endorsed: the board votes next. Declined: the applicant hears of it."""
    name, level = application.person.full_name, application.level.code
    if application.state is ApplicationStatus.ENDORSED:
        send(
            NotificationKind.APPLICATION_ENDORSED,
            [pid for pid in holders_of(Role.CO_CREATOR) if pid != application.person_id],
            f"{name}'s application for {level} was endorsed and waits for your vote.",
            Link("application", application.id),
            actor_id=actor_id,
        )
    elif application.state is ApplicationStatus.DECLINED:
        send(
            NotificationKind.ENDORSEMENT_DECLINED,
            [application.person_id],
            f"The endorsement of your application for {level} was declined.",
            Link("application", application.id),
            actor_id=actor_id,
        )


def notify_board_decision(application: Application, actor_id: int) -> None:
    """Once the votes decide: the directors (who issue) and the applicant."""
    if application.state not in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED):
        return
    approved = application.state is ApplicationStatus.APPROVED
    name, level = application.person.full_name, application.level.code
    decided = "approved" if approved else "did not approve"
    for_directors = (
        f"The board approved {name}'s application for {level}: it is ready to be issued."
        if approved
        else f"The board did not approve {name}'s application for {level}."
    )
    messages = dict.fromkeys(holders_of(Role.DIRECTOR), for_directors)
    messages[application.person_id] = f"The board {decided} your application for {level}."
    send_each(
        NotificationKind.BOARD_DECIDED,
        messages,
        Link("application", application.id),
        actor_id=actor_id,
    )


def notify_renewal_requested(application: Application) -> None:
    send(
        NotificationKind.RENEWAL_REQUESTED,
        [pid for pid in holders_of(Role.DIRECTOR) if pid != application.person_id],
        f"{application.person.full_name} requested the renewal of {application.level.code}.",
        Link("application", application.id),
        actor_id=application.person_id,
    )


def notify_certificate_revoked(certificate: Certificate, actor_id: int) -> None:
    """The holder is told of the revocation, with the reason."""
    send(
        NotificationKind.CERTIFICATE_REVOKED,
        [certificate.holder_id],
        f"Your {certificate.level_code} certificate {certificate.serial} was revoked: "
        f"{certificate.revoked_reason}"[:300],
        Link("certificate", certificate.id),
        actor_id=actor_id,
    )


def notify_certificate_issued(certificate: Certificate, actor_id: int) -> None:
    send(
        NotificationKind.CERTIFICATE_ISSUED,
        [certificate.holder_id],
        f"Your {certificate.level_name} ({certificate.level_code}) certificate "
        f"{certificate.serial} was issued.",
        Link("certificate", certificate.id),
        actor_id=actor_id,
    )
