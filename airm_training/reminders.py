"""Time-based reminders: credentials and licences about to expire, credentials entering
their grace period or lapsing, and work waiting too long for a supervisor, an endorser,
the board or a director. A job above the features
(it reads hours, assessments, credentials, people and progression) that sends through
``notifications`` like any feature; ``flask airm send-reminders`` runs it.

Every reminder has a key (kind, object, threshold) stored in ``reminder_sent`` under a
unique constraint, so the command can run from cron as often as wanted and never sends
the same reminder twice. "Today" comes from ``core.clock`` (tests move it)."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased, selectinload

from airm_training.assessments.models import CasePresentation, CaseStatus, CaseVersion
from airm_training.core import clock
from airm_training.credentials.models import AwardStatus, CredentialAward
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.notifications.links import Link
from airm_training.notifications.models import NotificationKind, ReminderSent
from airm_training.notifications.services import send_each
from airm_training.people.models import Licence, Person, Role
from airm_training.people.queries import holders_of
from airm_training.programme.models import ProgrammeLevel, ProgrammeVersion
from airm_training.progression.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Endorsement,
)
from airm_training.progression.reinstatement import has_reinstatement
from airm_training.progression.renewal import RenewalPolicy
from airm_training.supporting.kinds import kind_names
from airm_training.supporting.queries import expiring_documents

EXPIRY_THRESHOLDS = (90, 30, 7)  # days before an expiry date
WAITING_DAYS = 14  # a submission waiting longer than this is a reminder
LAPSE_NOTICE_DAYS = 30  # a lapse is still told on a run this many days late, not later


class ReminderKind(enum.StrEnum):
    CREDENTIAL_EXPIRY = "credential_expiry"
    CREDENTIAL_IN_GRACE = "credential_in_grace"
    CREDENTIAL_LAPSED = "credential_lapsed"
    LICENCE_EXPIRY = "licence_expiry"
    DOCUMENT_EXPIRY = "document_expiry"
    HOURS_WAITING = "hours_waiting"
    CASE_WAITING = "case_waiting"
    ENDORSEMENT_WAITING = "endorsement_waiting"
    VOTES_WAITING = "votes_waiting"
    RENEWAL_WAITING = "renewal_waiting"


Key = tuple[str, int, int]  # (kind, object id, threshold)


@dataclass
class Due:
    """One reminder to send: its keys (several when it sums up several entries), the
    message for each recipient, and what it links to (``links``: a recipient's own
    link instead of the object's)."""

    keys: list[Key]
    messages: dict[int, str]
    object_type: str
    object_id: int | None
    kind: NotificationKind = NotificationKind.REMINDER
    links: dict[int, Link] = field(default_factory=dict)

    def batches(self) -> list[tuple[Link, dict[int, str]]]:
        """The messages grouped by the link their recipients get."""
        grouped: dict[Link, dict[int, str]] = defaultdict(dict)
        for person_id, text in self.messages.items():
            link = self.links.get(person_id, Link(self.object_type, self.object_id))
            grouped[link][person_id] = text
        return list(grouped.items())


def expiry_threshold(days_left: int) -> int | None:
    """The tightest threshold reached: 90 days left (or 89, on a late run) is the
    90-day reminder, 30 the 30-day one; more than 90 days or expired: none."""
    reached = [t for t in EXPIRY_THRESHOLDS if 0 <= days_left <= t]
    return min(reached) if reached else None


def _in_days(days: int) -> str:
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"


def _utc_start_of(day: date) -> datetime:
    """Midnight at the start of the centre's ``day``, as a naive UTC timestamp."""
    zone = current_app.config.get("TIMEZONE")
    start = datetime.combine(day, time.min, tzinfo=ZoneInfo(zone) if zone else UTC)
    return start.astimezone(UTC).replace(tzinfo=None)


# --- what is due ---------------------------------------------------------------------------
def _expiring_credentials(day: date) -> list[Due]:
    awards = db.session.scalars(
        sa.select(CredentialAward)
        .join(Person, Person.id == CredentialAward.person_id)
        .where(
            CredentialAward.status == AwardStatus.ACTIVE.value,
            CredentialAward.expires_on.between(day, day + timedelta(days=EXPIRY_THRESHOLDS[0])),
            Person.active.is_(True),
        )
        .options(selectinload(CredentialAward.person))
    )
    due = []
    for award in awards:
        days = (award.expires_on - day).days
        message = (
            f"Your {award.level.code} credential expires {_in_days(days)}, on "
            f"{award.expires_on.isoformat()}."
        )
        due.append(
            Due(
                [(ReminderKind.CREDENTIAL_EXPIRY, award.id, expiry_threshold(days))],
                {award.person_id: message},
                "person",
                award.person_id,
            )
        )
    return due


def _longest_grace() -> int:
    """The longest grace period, in days, of any level in any programme version."""
    definitions = db.session.scalars(sa.select(ProgrammeVersion.definition))
    return max(
        (int(level.get("grace_days", 0)) for d in definitions for level in d.get("levels", [])),
        default=0,
    )


def _expired_credentials(day: date) -> list[Due]:
    """Active credentials past their expiry that nothing has replaced: each is told once
    on entering its grace period (while it lasts) and once on lapsing after it (up to
    ``LAPSE_NOTICE_DAYS`` later), to the holder and the directors."""
    newer = aliased(CredentialAward)
    replaced = (
        sa.select(newer.id)
        .where(
            newer.person_id == CredentialAward.person_id,
            newer.level_id == CredentialAward.level_id,
            newer.status == AwardStatus.ACTIVE.value,
            sa.or_(newer.expires_on.is_(None), newer.expires_on > CredentialAward.expires_on),
        )
        .exists()
    )
    oldest = day - timedelta(days=_longest_grace() + LAPSE_NOTICE_DAYS)
    rows = db.session.execute(
        sa.select(CredentialAward, ProgrammeLevel)
        .join(Person, Person.id == CredentialAward.person_id)
        .join(
            ProgrammeLevel,
            sa.and_(
                ProgrammeLevel.level_id == CredentialAward.level_id,
                ProgrammeLevel.programme_version_id == CredentialAward.programme_version_id,
            ),
        )
        .where(
            CredentialAward.status == AwardStatus.ACTIVE.value,
            CredentialAward.expires_on < day,
            CredentialAward.expires_on >= oldest,
            Person.active.is_(True),
            ~replaced,
        )
        .options(selectinload(CredentialAward.person), selectinload(ProgrammeLevel.requirements))
    ).all()
    directors = holders_of(Role.DIRECTOR)
    due = [_expiry_notice(award, rules, day, directors) for award, rules in rows]
    return [item for item in due if item is not None]


def _expiry_notice(
    award: CredentialAward, rules: ProgrammeLevel, day: date, directors: list[int]
) -> Due | None:
    """In grace: the holder is pointed to late renewal. Lapsed: to reinstatement (or, for
    a level without it, to a new application). Directors open the holder's page."""
    code, name = award.level.code, award.person.full_name
    expired = award.expires_on.isoformat()
    grace_ends = award.expires_on + timedelta(days=RenewalPolicy.of(rules).grace_days)
    if day <= grace_ends:
        kind, notice = ReminderKind.CREDENTIAL_IN_GRACE, NotificationKind.CREDENTIAL_IN_GRACE
        own = (
            f"Your {code} credential expired on {expired} and is expired — in grace until "
            f"{grace_ends.isoformat()}: it confers no rights meanwhile, and you can still "
            "renew it late."
        )
        others = (
            f"{name}'s {code} credential expired on {expired}; it is in grace until "
            f"{grace_ends.isoformat()} and can still be renewed late."
        )
        way_back = Link("renewal")
    else:
        lapsed_on = grace_ends + timedelta(days=1)
        if (day - lapsed_on).days >= LAPSE_NOTICE_DAYS:
            return None
        kind, notice = ReminderKind.CREDENTIAL_LAPSED, NotificationKind.CREDENTIAL_LAPSED
        reinstated = has_reinstatement(rules)
        own = (
            f"Your {code} credential lapsed on {lapsed_on.isoformat()}, after its grace period. "
            + (
                "The way back is a reinstatement application."
                if reinstated
                else "To hold it again, apply for it anew."
            )
        )
        others = (
            f"{name}'s {code} credential lapsed on {lapsed_on.isoformat()}, after its grace period."
        )
        way_back = Link("reinstatement" if reinstated else "apply")
    messages = {**dict.fromkeys(directors, others), award.person_id: own}
    return Due(
        [(kind, award.id, 0)],
        messages,
        "person",
        award.person_id,
        kind=notice,
        links={award.person_id: way_back},
    )


def _expiring_licences(day: date) -> list[Due]:
    newer = aliased(Licence)
    renewed = (
        sa.select(newer.id)
        .where(
            newer.person_id == Licence.person_id,
            newer.licence_type == Licence.licence_type,
            newer.jurisdiction == Licence.jurisdiction,
            newer.expires_on > Licence.expires_on,
        )
        .exists()
    )
    licences = db.session.scalars(
        sa.select(Licence)
        .join(Person, Person.id == Licence.person_id)
        .where(
            Licence.expires_on.between(day, day + timedelta(days=EXPIRY_THRESHOLDS[0])),
            Person.active.is_(True),
            ~renewed,
        )
    )
    due = []
    for licence in licences:
        days = (licence.expires_on - day).days
        message = (
            f"Your {licence.licence_type} licence ({licence.jurisdiction}) expires "
            f"{_in_days(days)}, on {licence.expires_on.isoformat()}. Record the renewed "
            "licence so a director can verify it."
        )
        due.append(
            Due(
                [(ReminderKind.LICENCE_EXPIRY, licence.id, expiry_threshold(days))],
                {licence.person_id: message},
                "person",
                licence.person_id,
            )
        )
    return due


def _expiring_documents(day: date) -> list[Due]:
    names = kind_names()
    due = []
    for document in expiring_documents(day, EXPIRY_THRESHOLDS[0]):
        days = (document.expires_on - day).days
        kind = names.get(document.kind, "document")
        message = (
            f"Your {kind.lower()} expires {_in_days(days)}, on "
            f"{document.expires_on.isoformat()}. Upload the renewed one so a director can "
            "review it."
        )
        due.append(
            Due(
                [(ReminderKind.DOCUMENT_EXPIRY, document.id, expiry_threshold(days))],
                {document.person_id: message},
                "supporting_document",
                document.id,
            )
        )
    return due


def _waiting_hours(cutoff: datetime) -> list[Due]:
    """One reminder per supervisor counting every overdue entry; it is sent again only
    when another entry becomes overdue."""
    rows = db.session.execute(
        sa.select(HoursEntry.id, HoursEntry.supervisor_id).where(
            HoursEntry.status == HoursStatus.SUBMITTED.value,
            HoursEntry.supervisor_id.is_not(None),
            HoursEntry.submitted_at < cutoff,
        )
    )
    by_supervisor: dict[int, list[Key]] = defaultdict(list)
    for entry_id, supervisor_id in rows:
        by_supervisor[supervisor_id].append((ReminderKind.HOURS_WAITING, entry_id, WAITING_DAYS))
    return [
        Due(keys, {supervisor_id: _hours_message(len(keys))}, "hours_queue", None)
        for supervisor_id, keys in by_supervisor.items()
    ]


def _hours_message(count: int) -> str:
    entries = "1 hours entry has" if count == 1 else f"{count} hours entries have"
    return f"{entries} waited more than {WAITING_DAYS} days for your sign-off."


def _waiting_cases(cutoff: datetime) -> list[Due]:
    rows = db.session.execute(
        sa.select(CaseVersion.id, CasePresentation.id, CasePresentation.supervisor_id, Person)
        .join(CasePresentation, CasePresentation.id == CaseVersion.presentation_id)
        .join(Person, Person.id == CasePresentation.person_id)
        .where(
            CasePresentation.status == CaseStatus.SUBMITTED.value,
            CaseVersion.grade.is_(None),
            CaseVersion.submitted_at < cutoff,
        )
    )
    return [
        Due(
            [(ReminderKind.CASE_WAITING, version_id, WAITING_DAYS)],
            {
                supervisor_id: f"A case presentation by {author.full_name} has waited more "
                f"than {WAITING_DAYS} days for your grade."
            },
            "case_presentation",
            presentation_id,
        )
        for version_id, presentation_id, supervisor_id, author in rows
    ]


def _waiting_applications(cutoff: datetime) -> list[Due]:
    """Waiting for the endorser, the board (those who have not voted) or, for a
    renewal, the directors."""
    applications = db.session.scalars(
        sa.select(Application)
        .where(
            Application.status.in_(
                [ApplicationStatus.SUBMITTED.value, ApplicationStatus.ENDORSED.value]
            )
        )
        .options(selectinload(Application.person), selectinload(Application.level))
    )
    endorsed_at = dict(
        db.session.execute(
            sa.select(Endorsement.application_id, sa.func.max(Endorsement.created_at))
            .where(Endorsement.endorsed.is_(True))
            .group_by(Endorsement.application_id)
        ).all()
    )
    board, directors = holders_of(Role.CO_CREATOR), holders_of(Role.DIRECTOR)
    due = []
    for application in applications:
        name, level = application.person.full_name, application.level.code
        waited = f"has waited more than {WAITING_DAYS} days"
        if application.kind == ApplicationKind.RENEW:
            if application.submitted_at >= cutoff:
                continue
            kind, message = ReminderKind.RENEWAL_WAITING, f"{name}'s renewal of {level} {waited}."
            recipients = directors
        elif application.state is ApplicationStatus.SUBMITTED:
            if application.submitted_at >= cutoff:
                continue
            kind = ReminderKind.ENDORSEMENT_WAITING
            message = f"{name}'s application for {level} {waited} for your endorsement."
            recipients = [application.endorser_id]
        else:
            if endorsed_at.get(application.id, application.submitted_at) >= cutoff:
                continue
            kind = ReminderKind.VOTES_WAITING
            message = f"{name}'s application for {level} {waited} for your vote."
            voted = {v.member_id for v in application.votes}
            recipients = [m for m in board if m not in voted]
        messages = {pid: message for pid in recipients if pid != application.person_id}
        due.append(
            Due([(kind, application.id, WAITING_DAYS)], messages, "application", application.id)
        )
    return due


def due_reminders(day: date) -> list[Due]:
    cutoff = _utc_start_of(day - timedelta(days=WAITING_DAYS))
    return [
        *_expiring_credentials(day),
        *_expired_credentials(day),
        *_expiring_licences(day),
        *_expiring_documents(day),
        *_waiting_hours(cutoff),
        *_waiting_cases(cutoff),
        *_waiting_applications(cutoff),
    ]


# --- sending -------------------------------------------------------------------------------
def _already_sent(due: list[Due]) -> set[Key]:
    ids = {object_id for item in due for _kind, object_id, _t in item.keys}
    if not ids:
        return set()
    rows = db.session.execute(
        sa.select(ReminderSent.kind, ReminderSent.object_id, ReminderSent.threshold).where(
            ReminderSent.object_id.in_(ids)
        )
    )
    return {(kind, object_id, threshold) for kind, object_id, threshold in rows}


def send_reminders(day: date | None = None) -> list[str]:
    """Send every reminder due on ``day`` (default: today) that was not sent before.
    Returns one line per reminder sent ("name: message"). Flushes only; a second run
    racing this one fails on the unique constraint when it flushes."""
    day = day or clock.today()
    due = due_reminders(day)
    sent_before = _already_sent(due)
    sent = []
    for item in due:
        keys = [key for key in item.keys if key not in sent_before]
        if not keys:
            continue
        notifications = [
            notification
            for link, messages in item.batches()
            for notification in send_each(item.kind, messages, link)
        ]
        if not notifications:  # nobody active to tell: try again on a later run
            continue
        for kind, object_id, threshold in keys:
            db.session.add(
                ReminderSent(kind=kind, object_id=object_id, threshold=threshold, sent_on=day)
            )
        sent += notifications
    db.session.flush()
    names = dict(
        db.session.execute(
            sa.select(Person.id, Person.full_name).where(Person.id.in_({n.person_id for n in sent}))
        ).all()
    )
    return [f"{names[n.person_id]}: {n.message}" for n in sent]
