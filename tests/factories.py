"""Test data built through the real services (so audit events are written too)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

import sqlalchemy as sa

from airm_training.continuing.policy import ce_policy
from airm_training.core.clock import today
from airm_training.credentials.models import CredentialAward
from airm_training.credentials.services import award_credential, enrol
from airm_training.extensions import db
from airm_training.people.models import Person, Role
from airm_training.people.services import add_licence, create_person, verify_licence
from airm_training.programme.labels import requirement_label
from airm_training.programme.models import HoursCategory
from airm_training.programme.services import current_version
from tests.conftest import TEST_PASSWORD

_sequence = count(1)


def make_person(
    *roles: Role,
    email: str | None = None,
    full_name: str | None = None,
    password: str | None = TEST_PASSWORD,
    active: bool = True,
) -> Person:
    n = next(_sequence)
    person = create_person(
        email=email or f"person{n}@example.org",
        full_name=full_name or f"Test Person {n}",
        roles=roles,
        password=password,
        actor_id=None,
    )
    person.active = active
    db.session.commit()
    return person


def make_director(**kwargs) -> Person:
    return make_person(Role.DIRECTOR, **kwargs)


def make_licensed(person: Person, *, verifier: Person, expires_on: date | None = None) -> None:
    licence = add_licence(
        person,
        licence_type="LMHC",
        number=f"MH-{person.id:05d}",
        jurisdiction="Washington",
        expires_on=expires_on or today() + timedelta(days=365),
        actor_id=verifier.id,
    )
    verify_licence(licence, verifier=verifier)
    db.session.commit()


def make_candidate(*, director: Person | None = None, enrolled_on: date | None = None) -> Person:
    director = director or make_director()
    person = make_person(Role.CANDIDATE)
    make_licensed(person, verifier=director)
    enrol(person, actor_id=director.id, enrolled_on=enrolled_on)
    db.session.commit()
    return person


def make_supervisor(*, awarded_on: date | None = None, director: Person | None = None) -> Person:
    director = director or make_director()
    person = make_person()
    award_credential(
        person,
        "AIRT-S",
        actor_id=director.id,
        version=current_version(),
        awarded_on=awarded_on or today() - timedelta(days=30),
    )
    db.session.commit()
    return person


def login(client, person: Person, password: str = TEST_PASSWORD):
    return client.submit(
        "/auth/login", {"email": person.email, "password": password}, form_path="/auth/login"
    )


def doc_label(requirement: dict) -> str:
    """The label the loader derives for a requirement of a programme document."""
    names = dict(db.session.execute(sa.select(HoursCategory.code, HoursCategory.name)).all())
    return requirement_label(requirement, names, ce_policy().subject_names())


def into_renewal_window(person) -> None:
    """Bring the person's AIRT-S expiry to 60 days from now, inside the renewal window
    (the demo's holders are far from it: renewing 21 months early is refused)."""
    award = db.session.scalar(
        sa.select(CredentialAward)
        .where(CredentialAward.person_id == person.id, CredentialAward.expires_on.is_not(None))
        .order_by(CredentialAward.expires_on.desc())
    )
    award.expires_on = today() + timedelta(days=60)
    db.session.flush()
