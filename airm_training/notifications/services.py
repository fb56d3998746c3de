"""Who hears about what, and through which channel.

The services where a state changes call one ``notify_*`` function in the same
transaction; it decides the recipients, writes one notification per recipient and
queues an e-mail for those who want e-mail (sent after the commit). Messages carry
training-record facts only: never notes, reasons, titles or anything about a client."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app, render_template, url_for

from airm_training.assessments.models import CaseGrade, CasePresentation, CompetencyEvaluation
from airm_training.audit.services import record_event
from airm_training.core.clock import utcnow
from airm_training.core.errors import DomainError
from airm_training.core.urls import external_url
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.notifications.delivery import queue_mail
from airm_training.notifications.models import (
    Channel,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from airm_training.people.models import Person, Role, RoleAssignment
from airm_training.progression.models import Application, ApplicationStatus, Certificate

# object_type -> (endpoint, name of its id argument): where a notification leads.
LINKS = {
    "hours_entry": ("hours.show", "entry_id"),
    "hours_queue": ("hours.queue", "supervisee"),
    "case_presentation": ("assessments.case", "case_id"),
    "competency_evaluation": ("assessments.evaluation", "evaluation_id"),
    "application": ("progression.application", "application_id"),
    "certificate": ("progression.certificate", "certificate_id"),
    "person": ("people.show", "person_id"),
}


def _link_values(notification: Notification) -> tuple[str, dict]:
    endpoint, argument = LINKS[notification.object_type]
    values = {} if notification.object_id is None else {argument: notification.object_id}
    return endpoint, values


def link_of(notification: Notification) -> str:
    endpoint, values = _link_values(notification)
    return url_for(endpoint, **values)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


# --- sending -------------------------------------------------------------------------------
def send(
    kind: NotificationKind,
    messages: dict[int, str],
    *,
    object_type: str,
    object_id: int | None,
    actor_id: int | None = None,
) -> list[Notification]:
    """One notification per active recipient (``messages``: person id → text); the
    actor is never told about their own action."""
    wanted = {pid: text for pid, text in messages.items() if pid is not None and pid != actor_id}
    if not wanted:
        return []
    rows = db.session.execute(
        sa.select(Person, NotificationPreference.channel)
        .outerjoin(NotificationPreference, NotificationPreference.person_id == Person.id)
        .where(Person.id.in_(wanted), Person.active.is_(True))
        .order_by(Person.id)
    ).all()
    created = []
    for person, channel in rows:
        notification = Notification(
            person_id=person.id,
            kind=kind.value,
            message=wanted[person.id][:300],
            object_type=object_type,
            object_id=object_id,
        )
        db.session.add(notification)
        created.append(notification)
        if channel != Channel.IN_APP_ONLY:
            _queue_email(person, notification)
    db.session.flush()
    return created


def notify(
    kind: NotificationKind,
    recipient_ids: Iterable[int | None],
    message: str,
    *,
    object_type: str,
    object_id: int | None,
    actor_id: int | None = None,
) -> list[Notification]:
    """The same message to each recipient (duplicates count once)."""
    return send(
        kind,
        dict.fromkeys(recipient_ids, message),
        object_type=object_type,
        object_id=object_id,
        actor_id=actor_id,
    )


def _queue_email(person: Person, notification: Notification) -> None:
    endpoint, values = _link_values(notification)
    body = render_template(
        "notifications/email/notification.txt",
        person=person,
        message=notification.message,
        link=external_url(endpoint, **values),
        preferences_link=external_url("notifications.preferences"),
        organisation=current_app.config["ORGANISATION_NAME"],
    )
    queue_mail(
        db.session(),
        to=person.email,
        subject=f"AIRM Training & Credentials: {notification.heading}",
        body=body,
    )


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
def notify_hours_submitted(
    person: Person, supervisor_ids: Iterable[int | None], *, entry_id: int | None = None
) -> None:
    """Entries submitted in one action: one notification per supervisor, with the count.
    A single entry links to itself, a batch to the sign-off queue of that clinician."""
    counts = Counter(sid for sid in supervisor_ids if sid is not None)
    for supervisor_id, count in counts.items():
        entries = _plural(count, "hours entry", "hours entries")
        send(
            NotificationKind.HOURS_SUBMITTED,
            {supervisor_id: f"{person.full_name} submitted {entries} for your sign-off."},
            object_type="hours_entry" if entry_id and count == 1 else "hours_queue",
            object_id=entry_id if entry_id and count == 1 else person.id,
            actor_id=person.id,
        )


def notify_hours_returned(entry: HoursEntry) -> None:
    notify(
        NotificationKind.HOURS_RETURNED,
        [entry.person_id],
        f"Your hours entry of {entry.session_date.isoformat()} ({entry.duration_label}) was "
        "returned to you. Open it to see what needs to change.",
        object_type="hours_entry",
        object_id=entry.id,
        actor_id=entry.supervisor_id,
    )


def notify_case_graded(presentation: CasePresentation) -> None:
    version = presentation.versions[-1]
    outcome = {
        CaseGrade.PASS: "passed",
        CaseGrade.REVISE: "returned for revision",
        CaseGrade.FAIL: "not passed",
    }
    notify(
        NotificationKind.CASE_GRADED,
        [presentation.person_id],
        f"Version {version.number} of your case presentation was graded: "
        f"{outcome.get(version.grade, version.grade)}.",
        object_type="case_presentation",
        object_id=presentation.id,
        actor_id=version.graded_by_id,
    )


def notify_evaluation_completed(evaluation: CompetencyEvaluation) -> None:
    notify(
        NotificationKind.EVALUATION_COMPLETED,
        [evaluation.person_id],
        "A competency evaluation of your session of "
        f"{evaluation.session_date.isoformat()} was completed.",
        object_type="competency_evaluation",
        object_id=evaluation.id,
        actor_id=evaluation.evaluator_id,
    )


def notify_application_submitted(application: Application) -> None:
    """The supervisor named as endorser is the one who may endorse."""
    notify(
        NotificationKind.APPLICATION_SUBMITTED,
        [application.endorser_id],
        f"{application.person.full_name} applied for {application.level.code} and named "
        "you as endorser.",
        object_type="application",
        object_id=application.id,
        actor_id=application.person_id,
    )


def notify_endorsement(application: Application, actor_id: int) -> None:
    """Endorsed: the board votes next. Declined: the applicant hears of it."""
    name, level = application.person.full_name, application.level.code
    if application.state is ApplicationStatus.ENDORSED:
        notify(
            NotificationKind.APPLICATION_ENDORSED,
            [pid for pid in holders_of(Role.CO_CREATOR) if pid != application.person_id],
            f"{name}'s application for {level} was endorsed and waits for your vote.",
            object_type="application",
            object_id=application.id,
            actor_id=actor_id,
        )
    elif application.state is ApplicationStatus.DECLINED:
        notify(
            NotificationKind.ENDORSEMENT_DECLINED,
            [application.person_id],
            f"The endorsement of your application for {level} was declined.",
            object_type="application",
            object_id=application.id,
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
    send(
        NotificationKind.BOARD_DECIDED,
        messages,
        object_type="application",
        object_id=application.id,
        actor_id=actor_id,
    )


def notify_renewal_requested(application: Application) -> None:
    notify(
        NotificationKind.RENEWAL_REQUESTED,
        [pid for pid in holders_of(Role.DIRECTOR) if pid != application.person_id],
        f"{application.person.full_name} requested the renewal of {application.level.code}.",
        object_type="application",
        object_id=application.id,
        actor_id=application.person_id,
    )


def notify_certificate_issued(certificate: Certificate, actor_id: int) -> None:
    notify(
        NotificationKind.CERTIFICATE_ISSUED,
        [certificate.holder_id],
        f"Your {certificate.level_name} ({certificate.level_code}) certificate "
        f"{certificate.serial} was issued.",
        object_type="certificate",
        object_id=certificate.id,
        actor_id=actor_id,
    )


# --- reading and marking -------------------------------------------------------------------
def notifications_of(person_id: int) -> sa.Select:
    return (
        sa.select(Notification)
        .where(Notification.person_id == person_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def unread_count_of(person_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.person_id == person_id, Notification.read_at.is_(None))
    )


def mark_read(notification: Notification, person: Person) -> None:
    if notification.person_id != person.id:
        raise DomainError.on(None, "This notification is not yours.")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(person: Person) -> int:
    changed = db.session.execute(
        sa.update(Notification)
        .where(Notification.person_id == person.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire_all()
    return changed


def channel_of(person_id: int) -> Channel:
    preference = db.session.get(NotificationPreference, person_id)
    return Channel(preference.channel) if preference else Channel.EMAIL_AND_IN_APP


def set_channel(person: Person, channel: str) -> None:
    if channel not in {c.value for c in Channel}:
        raise DomainError.on("channel", "Choose how you want to be told.")
    before = channel_of(person.id)
    preference = db.session.get(NotificationPreference, person.id)
    if preference is None:
        preference = NotificationPreference(person_id=person.id)
        db.session.add(preference)
    preference.channel = channel
    db.session.flush()
    record_event(
        "notifications.channel_changed",
        "person",
        person.id,
        actor_id=person.id,
        before={"channel": before.value},
        after={"channel": channel},
    )
