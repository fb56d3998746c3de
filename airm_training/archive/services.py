"""Requesting, offering and downloading an archive: who may, how often, and the audit
events (requested, built, failed, downloaded). Services flush; the caller commits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from airm_training.archive.models import ArchiveStatus, PersonalArchive
from airm_training.assessments.models import CasePresentation, CaseVersion
from airm_training.audit.services import record_event
from airm_training.core.clock import utcnow
from airm_training.core.errors import DomainError
from airm_training.core.urls import external_url
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.notifications.delivery import deliver
from airm_training.people.models import Person, Role
from airm_training.supporting.models import SupportingDocument

ROW_BYTES = 300  # about what one hours entry adds to the zip (CSV line and JSON object)
STAFF = (Role.DIRECTOR, Role.ADMIN)


def _is_staff(person: Person) -> bool:
    return person.has_role(*STAFF)


def can_request(actor: Person, person: Person) -> bool:
    """The person for themselves (while their account is active), or a director for anyone
    (also a deactivated person, who can no longer sign in)."""
    return _is_staff(actor) or (actor.id == person.id and person.active)


def can_download(actor: Person, archive: PersonalArchive) -> bool:
    """The owner always; a director only an archive a director asked for on the person's
    behalf (an archive the person asked for themselves is theirs alone)."""
    if actor.id == archive.person_id:
        return True
    return _is_staff(actor) and archive.requested_by_id != archive.person_id


def archives_of(person_id: int, *, requested_by_staff: bool | None = None) -> list:
    """A person's archives, newest first (``requested_by_staff``: only those a director
    asked for, or only their own)."""
    statement = sa.select(PersonalArchive).where(PersonalArchive.person_id == person_id)
    if requested_by_staff is True:
        statement = statement.where(PersonalArchive.requested_by_id != person_id)
    elif requested_by_staff is False:
        statement = statement.where(PersonalArchive.requested_by_id == person_id)
    return list(db.session.scalars(statement.order_by(PersonalArchive.id.desc())))


def request_archive(actor: Person, person: Person) -> PersonalArchive:
    """A new archive job for ``person``, refused while one is being prepared or after
    ``ARCHIVE_REQUESTS_PER_DAY`` requests in the last 24 hours."""
    if not can_request(actor, person):
        raise DomainError.on(None, "You may not ask for this person's archive.")
    now = utcnow()
    mine = sa.select(sa.func.count()).where(PersonalArchive.person_id == person.id)
    if db.session.scalar(mine.where(PersonalArchive.status == ArchiveStatus.PENDING.value)):
        raise DomainError.on(None, "An archive is being prepared already; it will be ready soon.")
    limit = current_app.config["ARCHIVE_REQUESTS_PER_DAY"]
    recent = db.session.scalar(mine.where(PersonalArchive.requested_at > now - timedelta(days=1)))
    if recent >= limit:
        raise DomainError.on(
            None,
            f"At most {limit} archives a day can be asked for; "
            "download the last one or try again tomorrow.",
        )
    archive = PersonalArchive(
        code=secrets.token_urlsafe(32),
        person_id=person.id,
        requested_by_id=actor.id,
        status=ArchiveStatus.PENDING.value,
        requested_at=now,
        next_attempt_at=now,
    )
    db.session.add(archive)
    db.session.flush()
    record_event(
        "archive.requested",
        "personal_archive",
        archive.id,
        actor_id=actor.id,
        after={"person_id": person.id, "on_behalf": actor.id != person.id},
    )
    return archive


def estimated_size(person: Person) -> int:
    """Roughly how many bytes the archive will take: the uploaded files plus the rows."""
    files = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(SupportingDocument.size), 0)).where(
            SupportingDocument.person_id == person.id
        )
    )
    cases = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(CaseVersion.pdf_size), 0))
        .join(CasePresentation, CasePresentation.id == CaseVersion.presentation_id)
        .where(CasePresentation.person_id == person.id)
    )
    entries = db.session.scalar(sa.select(sa.func.count()).where(HoursEntry.person_id == person.id))
    return files + cases + entries * ROW_BYTES


def builds_at_once(person: Person) -> bool:
    """Whether the request itself builds the archive (a small record) rather than the
    worker; never when the limit is 0."""
    limit = current_app.config["ARCHIVE_INLINE_MAX_BYTES"]
    return limit > 0 and estimated_size(person) <= limit


def download_url(archive: PersonalArchive) -> str:
    return external_url("archive.download", code=archive.code)


def offer(archive: PersonalArchive, content: bytes, now: datetime) -> None:
    """Make a built zip downloadable until ``ARCHIVE_DAYS`` from now and tell whoever
    asked for it (the e-mail's link still needs them to sign in)."""
    archive.content = content
    archive.size = len(content)
    archive.sha256 = hashlib.sha256(content).hexdigest()
    archive.status = ArchiveStatus.READY.value
    archive.built_at = now
    archive.expires_at = now + timedelta(days=current_app.config["ARCHIVE_DAYS"])
    archive.locked_until = None
    archive.last_error = None
    archive.attempts += 1
    record_event(
        "archive.built",
        "personal_archive",
        archive.id,
        actor_id=None,
        after={"person_id": archive.person_id, "size": archive.size, "sha256": archive.sha256},
    )
    deliver(
        to=archive.requested_by.email,
        subject="Your archive is ready"
        if archive.requested_by_id == archive.person_id
        else f"The archive of {archive.person.display_name} is ready",
        body=(
            f"The archive you asked for is ready to download until "
            f"{archive.expires_at:%Y-%m-%d %H:%M} UTC:\n\n{download_url(archive)}\n\n"
            "You will be asked to sign in first."
        ),
    )
    db.session.flush()


def record_failure(archive: PersonalArchive, error: Exception, now: datetime) -> None:
    """One more failed build: retried later (backoff), or failed for good after
    ``ARCHIVE_MAX_ATTEMPTS``. Nothing is offered."""
    config = current_app.config
    archive.attempts += 1
    archive.locked_until = None
    archive.last_error = f"{type(error).__name__}: {error}"[:300]
    archive.next_attempt_at = now + timedelta(minutes=2 ** min(archive.attempts, 10))
    if archive.attempts >= config["ARCHIVE_MAX_ATTEMPTS"]:
        archive.status = ArchiveStatus.FAILED.value
        record_event(
            "archive.failed",
            "personal_archive",
            archive.id,
            actor_id=None,
            after={"person_id": archive.person_id, "attempts": archive.attempts},
        )
    db.session.flush()


def record_download(actor: Person, archive: PersonalArchive) -> None:
    """Count the download and audit who took it."""
    now = utcnow()
    if archive.state(now) is not ArchiveStatus.READY or archive.content is None:
        raise DomainError.on(None, "This archive is not available for download.")
    archive.download_count += 1
    archive.last_downloaded_at = now
    record_event(
        "archive.downloaded",
        "personal_archive",
        archive.id,
        actor_id=actor.id,
        after={"person_id": archive.person_id, "on_behalf": actor.id != archive.person_id},
    )
    db.session.flush()


def expire(now: datetime) -> int:
    """Delete the zips past their date; returns how many."""
    archives = db.session.scalars(
        sa.select(PersonalArchive).where(
            PersonalArchive.status == ArchiveStatus.READY.value,
            PersonalArchive.expires_at <= now,
        )
    ).all()
    for archive in archives:
        archive.status = ArchiveStatus.EXPIRED.value
        archive.content = None
    db.session.flush()
    return len(archives)
