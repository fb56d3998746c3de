"""Continuing-education records for the tests: recorded through the service with a
certificate PDF, and verified by a director when asked."""

from __future__ import annotations

from datetime import timedelta

from airm_training.continuing.models import CeRecord
from airm_training.continuing.services import CeInput, record_ce, verify_ce
from airm_training.core.clock import today
from airm_training.extensions import db
from airm_training.people.models import Person
from tests.pdfs import pdf_bytes


def ce_input(**changes) -> CeInput:
    values = {
        "provider": "Northwest Trauma Institute",
        "course_title": "Attachment and AI companions",
        "approval_number": "NBCC-7731",
        "completed_on": today() - timedelta(days=30),
        "minutes": 6 * 60,
        "subject_area": "airm",
        "certificate": pdf_bytes(),
        "filename": "certificate.pdf",
    }
    values.update(changes)
    return CeInput(**values)


def recorded_ce(person: Person, *, hours: float = 6, days_ago: int = 30, **changes) -> CeRecord:
    record = record_ce(
        person,
        ce_input(
            minutes=round(hours * 60), completed_on=today() - timedelta(days=days_ago), **changes
        ),
    )
    db.session.commit()
    return record


def verified_ce(
    person: Person, director: Person, hours: float = 6, days_ago: int = 30, **changes
) -> CeRecord:
    record = recorded_ce(person, hours=hours, days_ago=days_ago, **changes)
    verify_ce(director, record)
    db.session.commit()
    return record
