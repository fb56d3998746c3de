"""The archive worker (``airm build-archives``): builds the waiting archives one by one.

Each run claims a batch of due jobs (a short transaction that sets ``locked_until``, so a
second worker skips them), builds each in its own transaction and commits the zip and
the "ready" status together. A fault rolls the build back (nothing issued, nothing
offered) and records one more attempt, to be retried later; after ``ARCHIVE_MAX_ATTEMPTS``
the job is failed. Zips past their date are deleted."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app

from airm_training.archive.building import build_zip
from airm_training.archive.models import ArchiveStatus, PersonalArchive
from airm_training.archive.services import expire, offer, record_failure
from airm_training.core import jobs
from airm_training.core.clock import utcnow
from airm_training.extensions import db

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=15)  # longer than any build; a killed worker's jobs come back


@dataclass
class BuildRun:
    built: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    expired: int = 0

    @property
    def handled(self) -> int:
        return len(self.built) + len(self.retrying) + len(self.failed)


def claim_due(now: datetime, limit: int) -> list[int]:
    """Lock up to ``limit`` due jobs for this worker and commit the claim."""
    return jobs.claim_due(PersonalArchive, ArchiveStatus.PENDING.value, now, limit, LEASE)


def build_one(archive_id: int) -> ArchiveStatus | None:
    """Build one claimed (or just requested) job and commit its outcome: ready, pending
    again (to retry) or failed. None when it is no longer waiting."""
    archive = db.session.get(PersonalArchive, archive_id)
    if archive is None or archive.status != ArchiveStatus.PENDING.value:
        return None
    try:
        offer(archive, build_zip(archive.person), utcnow())
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.exception("archive %s: the build failed", archive_id)
        archive = db.session.get(PersonalArchive, archive_id)
        record_failure(archive, error, utcnow())
        db.session.commit()
    return ArchiveStatus(archive.status)


def build_due(limit: int | None = None) -> BuildRun:
    """Build the jobs due now, then delete the expired zips."""
    run = BuildRun()
    for archive_id in claim_due(utcnow(), limit or current_app.config["ARCHIVE_BATCH_SIZE"]):
        outcome = build_one(archive_id)
        if outcome is ArchiveStatus.READY:
            run.built.append(archive_id)
        elif outcome is ArchiveStatus.PENDING:
            run.retrying.append(archive_id)
        elif outcome is ArchiveStatus.FAILED:
            run.failed.append(archive_id)
    run.expired = expire(utcnow())
    db.session.commit()
    return run
