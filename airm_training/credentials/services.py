"""Who holds which level: awarding credentials, enrolling. Who supervises (holds a
current AIRT-S) is answered by ``access.supervision``, built on ``current_award_clause``."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from airm_training.audit.services import record_event
from airm_training.core.clock import add_months, today
from airm_training.core.errors import DomainError
from airm_training.core.reads import built_once
from airm_training.credentials.models import AwardStatus, CredentialAward, Enrolment
from airm_training.extensions import db
from airm_training.people.models import Person, Role
from airm_training.people.services import grant_role
from airm_training.programme.models import ProgrammeLevel, ProgrammeVersion
from airm_training.programme.services import current_version, programme_level


def current_award_clause(day: date):
    """SQL condition: a credential award is in force on ``day``."""
    return sa.and_(
        CredentialAward.status == AwardStatus.ACTIVE,
        CredentialAward.awarded_on <= day,
        sa.or_(CredentialAward.expires_on.is_(None), CredentialAward.expires_on >= day),
    )


def held_award_clause(day: date):
    """SQL condition: a credential award was granted by ``day`` and neither revoked nor
    replaced; it may have expired since (in grace or lapsed, the level is still the
    person's: they renew or are reinstated rather than apply again)."""
    return sa.and_(CredentialAward.status == AwardStatus.ACTIVE, CredentialAward.awarded_on <= day)


def awards_of(person: Person) -> list[CredentialAward]:
    return list(
        db.session.scalars(
            sa.select(CredentialAward)
            .where(CredentialAward.person_id == person.id)
            .order_by(CredentialAward.awarded_on.desc())
        )
    )


def enrolment_of(person: Person) -> Enrolment | None:
    """The person's enrolment, with its programme version (which pages show) joined."""
    statement = built_once(
        "enrolment_of",
        lambda: (
            sa.select(Enrolment)
            .where(Enrolment.person_id == sa.bindparam("person"))
            .options(joinedload(Enrolment.programme_version))
        ),
    )
    return db.session.scalar(statement, {"person": person.id})


def award_credential(
    person: Person,
    level_code: str,
    *,
    actor_id: int | None,
    version: ProgrammeVersion,
    awarded_on: date | None = None,
    valid_from: date | None = None,
) -> CredentialAward:
    """Record that ``person`` holds ``level_code`` from ``awarded_on`` under ``version``;
    its validity is counted from ``valid_from`` (a renewal: the old expiry), by default
    from ``awarded_on``."""
    awarded_on = awarded_on or today()
    rules = programme_level(version, level_code)
    expires_on = (
        add_months(valid_from or awarded_on, rules.validity_months) - timedelta(days=1)
        if rules.validity_months
        else None
    )
    award = CredentialAward(
        person_id=person.id,
        level_id=rules.level_id,
        programme_version_id=version.id,
        awarded_on=awarded_on,
        expires_on=expires_on,
        status=AwardStatus.ACTIVE,
        awarded_by_id=actor_id,
    )
    db.session.add(award)
    db.session.flush()
    record_event(
        "credential.awarded",
        "credential_award",
        award.id,
        actor_id=actor_id,
        after={
            "person_id": person.id,
            "level": level_code,
            "awarded_on": awarded_on.isoformat(),
            "expires_on": expires_on.isoformat() if expires_on else None,
        },
    )
    return award


def enrol(person: Person, *, actor_id: int | None, enrolled_on: date | None = None) -> Enrolment:
    """Enrol a licensed clinician under the current programme version and grant its
    entry level (the level granted on enrolment, e.g. AIRT-C)."""
    enrolled_on = enrolled_on or today()
    if enrolment_of(person) is not None:
        raise DomainError.on(None, f"{person.full_name} is already enrolled.")
    if not any(licence.is_valid_on(enrolled_on) for licence in person.licences):
        raise DomainError.on(
            None,
            "Enrolment needs a verified, unexpired licence on file. "
            "Record the licence and have a director verify it first.",
        )
    version = current_version()
    if version is None:
        raise DomainError.on(None, "No programme is loaded yet: run `flask airm load-programme`.")
    entry = _entry_level(version)
    enrolment = Enrolment(
        person_id=person.id,
        programme_version_id=version.id,
        enrolled_on=enrolled_on,
        enrolled_by_id=actor_id,
    )
    db.session.add(enrolment)
    db.session.flush()
    record_event(
        "person.enrolled",
        "person",
        person.id,
        actor_id=actor_id,
        after={"programme_version": version.version, "enrolled_on": enrolled_on.isoformat()},
    )
    if Role.CANDIDATE not in person.roles:
        grant_role(person, Role.CANDIDATE, actor_id=actor_id)
    award_credential(
        person, entry.level.code, actor_id=actor_id, version=version, awarded_on=enrolled_on
    )
    return enrolment


def _entry_level(version: ProgrammeVersion) -> ProgrammeLevel:
    for rules in version.levels:
        if rules.granted_by == "enrolment":
            return rules
    raise DomainError.on(None, "The programme defines no level granted on enrolment.")
