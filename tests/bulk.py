"""Many candidates at once, inserted straight into the tables (for query-count tests
and benchmarks): each licensed, verified, enrolled and holding AIRT-C, with some signed
hours and module completions so that every fact query has rows to read."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from airm_training.core.clock import today, utcnow
from airm_training.credentials.models import CredentialAward, Enrolment
from airm_training.curriculum.models import ModuleCompletion
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.people.models import Licence, Person, RoleAssignment
from airm_training.programme.models import CredentialLevel, HoursCategory, Module
from airm_training.programme.services import current_version


def bulk_candidates(
    count: int,
    *,
    signer_id: int,
    prefix: str = "bulk",
    enrolled_on: date | None = None,
    hours_each: int = 3,
) -> list[int]:
    """Insert ``count`` candidates; return their ids."""
    now = utcnow()
    day = enrolled_on or today() - timedelta(days=200)
    version = current_version()
    people = [
        {
            "email": f"{prefix}{n}@example.org",
            "full_name": f"{prefix.title()} Candidate {n:05d}",
            "post_nominals": "",
            "job_title": "",
            "password_hash": None,
            "active": True,
            "session_version": 1,
            "created_at": now,
        }
        for n in range(count)
    ]
    ids = sorted(db.session.scalars(sa.insert(Person).returning(Person.id), people))
    airt_c = db.session.scalar(
        sa.select(CredentialLevel.id).where(CredentialLevel.code == "AIRT-C")
    )
    category = db.session.scalar(
        sa.select(HoursCategory.id).where(HoursCategory.code == "direct-clinical")
    )
    module = db.session.scalar(sa.select(Module.id).where(Module.code == "AIRM-101"))
    db.session.execute(
        sa.insert(RoleAssignment),
        [{"person_id": i, "role": "candidate", "granted_at": now} for i in ids],
    )
    db.session.execute(
        sa.insert(Licence),
        [
            {
                "person_id": i,
                "licence_type": "LMHC",
                "number": f"MH-{i}",
                "jurisdiction": "Washington",
                "expires_on": today() + timedelta(days=400),
                "verified_at": now,
                "created_at": now,
            }
            for i in ids
        ],
    )
    db.session.execute(
        sa.insert(Enrolment),
        [
            {
                "person_id": i,
                "programme_version_id": version.id,
                "enrolled_on": day,
                "created_at": now,
            }
            for i in ids
        ],
    )
    db.session.execute(
        sa.insert(CredentialAward),
        [
            {
                "person_id": i,
                "level_id": airt_c,
                "programme_version_id": version.id,
                "awarded_on": day,
                "expires_on": None,
                "status": "active",
                "created_at": now,
            }
            for i in ids
        ],
    )
    db.session.execute(
        sa.insert(ModuleCompletion),
        [
            {
                "person_id": i,
                "module_id": module,
                "completed_on": day + timedelta(days=1),
                "method": "attendance",
                "recorded_by_id": signer_id,
                "recorded_at": now,
            }
            for i in ids
        ],
    )
    if hours_each:
        db.session.execute(
            sa.insert(HoursEntry),
            [
                {
                    "person_id": i,
                    "session_date": today() - timedelta(days=1 + n),
                    "minutes": 60,
                    "category_id": category,
                    "supervisor_id": signer_id,
                    "stages": [],
                    "modalities": [],
                    "note": "",
                    "status": "signed",
                    "late": False,
                    "submitted_at": now,
                    "signed_by_id": signer_id,
                    "signed_at": now,
                    "attestation": "I attest",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in ids
                for n in range(hours_each)
            ],
        )
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        # Fresh planner statistics, as autovacuum would gather after a bulk load: without
        # them PostgreSQL plans for empty tables and rescans them row by row.
        db.session.execute(sa.text("ANALYZE"))
    return ids
