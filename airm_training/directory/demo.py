"""The demo's directory: the supervisors chose to be listed; so did Hannah Price, whose
AIRT-S has expired, so the directory leaves her out until she renews."""

from __future__ import annotations

import sqlalchemy as sa

from airm_training.directory.models import DirectoryProfile
from airm_training.extensions import db
from airm_training.people.models import Person

DEMO_PROFILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "connie.zollner": (
        "Co-creator of AIRM. Consults on programme design and supervises clinicians "
        "integrating AIRM with attachment-based and psychodynamic work.",
        ("Attachment-based therapy", "Psychodynamic therapy"),
    ),
    "elizabeth.abbruzza": (
        "Co-creator of AIRM and Clinical Director. Supervises the direct clinical "
        "practice of AIRM across its four stages.",
        ("CBT", "EMDR", "Emotional Transformation Therapy (ETT)"),
    ),
    "jessica.lamar": (
        "Co-creator of AIRM. Leads group consultation and the programme's partnerships.",
        ("ACT", "Group therapy"),
    ),
    "daniel.okafor": (
        "Psychologist and AIRT-S supervisor who came through the programme.",
        ("CBT", "ACT"),
    ),
    "hannah.price": (
        "Clinician integrating AIRM with EMDR.",
        ("EMDR",),
    ),
}


def seed_directory(people: dict[str, Person]) -> None:
    """Create the demo's directory profiles that do not exist yet."""
    existing = set(db.session.scalars(sa.select(DirectoryProfile.person_id)))
    for key, (bio, modalities) in DEMO_PROFILES.items():
        person = people.get(key)
        if person is not None and person.id not in existing:
            db.session.add(
                DirectoryProfile(
                    person_id=person.id, listed=True, bio=bio, modalities=sorted(modalities)
                )
            )
    db.session.flush()
