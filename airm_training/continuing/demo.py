"""Demo continuing education: Daniel's verified courses, which meet his renewal's credits
with no supervisor's signature, one course still waiting for a director, and an audit
sample of his cycle with one finding; recorded through the real services."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from airm_training.continuing.services import (
    CeInput,
    draw_audit,
    mark_audit_item,
    record_ce,
    verify_ce,
)
from airm_training.core.clock import today
from airm_training.credentials.models import AwardStatus, CredentialAward
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.supporting.demo import specimen_pdf

# person key -> [(provider, course, approval number, days ago, minutes, subject, verify)]
DEMO_CE: dict[str, list[tuple[str, str, str, int, int, str, bool]]] = {
    "daniel.okafor": [
        ("BTRC", "AIRM advanced workshop", "BTRC-AIRM-301A", 60, 360, "airm", True),
        ("Northwest Trauma Institute", "Betrayal trauma", "NTI-2291", 45, 180, "trauma", True),
        ("Washington Psychological Association", "Ethics", "WPA-E-118", 30, 180, "ethics", True),
        ("BTRC", "Consulting on consultation", "BTRC-SUP-12", 5, 120, "supervision", False),
    ],
}
AUDIT_SEED = "demo-audit-seed"


def seed_ce(new_keys: set[str], people: dict[str, Person], director: Person) -> None:
    """The demo CE of the people just created (``new_keys``) and an audit of Daniel's cycle."""
    for key, courses in DEMO_CE.items():
        if key not in new_keys:
            continue
        person = people[key]
        for provider, course, number, days_ago, minutes, subject, verify in courses:
            record = record_ce(
                person,
                CeInput(
                    provider=provider,
                    course_title=course,
                    approval_number=number,
                    completed_on=today() - timedelta(days=days_ago),
                    minutes=minutes,
                    subject_area=subject,
                    certificate=specimen_pdf(f"Certificate of attendance: {course}"),
                    filename="certificate.pdf",
                ),
            )
            if verify:
                verify_ce(director, record)
        award = db.session.scalar(
            sa.select(CredentialAward)
            .where(
                CredentialAward.person_id == person.id,
                CredentialAward.status == AwardStatus.ACTIVE.value,
                CredentialAward.expires_on.is_not(None),
            )
            .order_by(CredentialAward.awarded_on.desc())
        )
        if award is not None:
            audit = draw_audit(director, award, seed=AUDIT_SEED)
            mark_audit_item(
                director, audit.items[0], True, "Certificate matches the provider's list."
            )
