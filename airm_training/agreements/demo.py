"""Demo agreements: the demo centre counts consultation toward AIRT-S only inside an
approved supervision agreement (a version of the shipped programme with
``within_agreement`` on its consultation requirements). Agreements are signed and
approved through the real services, then dated back: the candidates' consultation falls
inside them, except one session of Marcus's logged before his agreement starts."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from airm_training.agreements.models import SupervisionAgreement
from airm_training.agreements.services import (
    AgreementInput,
    approve_agreement,
    countersign_agreement,
    propose_agreement,
)
from airm_training.agreements.terms import agreement_terms
from airm_training.core.clock import today
from airm_training.credentials.models import Enrolment
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.programme.loader import DEFAULT_PROGRAMME_FILE, load_programme
from airm_training.programme.models import ProgrammeVersion

INDIVIDUAL_AND_GROUP = ("individual-consultation", "group-consultation")
MARCUS_STARTS_DAYS_AGO = 14  # his one consultation session, 21 days ago, is before it
# candidate, supervisor, categories, start (days ago; None: the enrolment day), step reached
DEMO_AGREEMENTS: tuple[tuple[str, str, tuple[str, ...], int | None, str], ...] = (
    ("sofia.alvarez", "elizabeth.abbruzza", ("individual-consultation",), None, "approved"),
    ("sofia.alvarez", "connie.zollner", INDIVIDUAL_AND_GROUP, None, "approved"),
    ("sofia.alvarez", "jessica.lamar", ("consultation-of-consultation",), None, "approved"),
    ("aubrey.holden", "connie.zollner", INDIVIDUAL_AND_GROUP, None, "approved"),
    ("aubrey.holden", "jessica.lamar", ("group-consultation",), 0, "countersigned"),
    ("marcus.bell", "daniel.okafor", INDIVIDUAL_AND_GROUP, MARCUS_STARTS_DAYS_AGO, "approved"),
)
APPROVERS = ("connie.zollner", "elizabeth.abbruzza")  # the first who is not a party approves


def demo_programme(version: ProgrammeVersion) -> ProgrammeVersion:
    """``version``, or the next version with ``within_agreement`` on every requirement for
    attaining a level that counts a category agreements cover (loaded once)."""
    covered = set(agreement_terms().categories)
    document = copy.deepcopy(version.definition)
    changed = False
    for level in document.get("levels", []):
        for req in level.get("requirements", []):
            if req.get("kind") == "hours" and covered & set(req.get("categories", [])):
                changed = changed or not req.get("within_agreement")
                req["within_agreement"] = True
    if not changed:
        return version
    document["programme"]["version"] = version.version + 1
    checksum = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
    return load_programme(
        document, checksum=checksum, base=DEFAULT_PROGRAMME_FILE.parent, actor_id=None
    ).version


def seed_agreements(new_keys: set[str], people: dict[str, Person]) -> None:
    for candidate_key, supervisor_key, categories, days_ago, step in DEMO_AGREEMENTS:
        if candidate_key not in new_keys:
            continue
        candidate, supervisor = people[candidate_key], people[supervisor_key]
        agreement = propose_agreement(
            candidate,
            AgreementInput(
                supervisor_id=supervisor.id,
                starts_on=today(),
                ends_on=None,
                categories=list(categories),
                attested=True,
            ),
        )
        countersign_agreement(supervisor, agreement, attested=True)
        if step == "approved":
            approver = next(
                people[k] for k in APPROVERS if k not in (candidate_key, supervisor_key)
            )
            approve_agreement(approver, agreement)
        starts_on = (
            _enrolled_on(candidate) if days_ago is None else today() - timedelta(days=days_ago)
        )
        _date_back(agreement, starts_on)


def _enrolled_on(person: Person) -> date:
    return db.session.scalar(
        sa.select(Enrolment.enrolled_on).where(Enrolment.person_id == person.id)
    )


def _date_back(agreement: SupervisionAgreement, starts_on: date) -> None:
    """Signed by the candidate a week before the start, by the supervisor two days later,
    approved the day before it starts."""
    agreement.starts_on = starts_on
    agreement.candidate_signed_at = datetime.combine(starts_on - timedelta(days=7), time(10, 0))
    agreement.supervisor_signed_at = datetime.combine(starts_on - timedelta(days=5), time(16, 0))
    if agreement.approved_at is not None:
        agreement.approved_at = datetime.combine(starts_on - timedelta(days=1), time(11, 0))
    db.session.flush()
