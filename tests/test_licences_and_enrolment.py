"""Licences recorded by the person or a director, verified by a director; enrolment
needs a verified, unexpired licence."""

from datetime import timedelta

import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.core.clock import today
from airm_training.credentials.models import Enrolment
from airm_training.credentials.services import awards_of
from airm_training.extensions import db
from airm_training.people.models import Licence, Role
from tests.factories import login, make_director, make_person

LICENCE = {"licence_type": "LMHC", "number": "MH-1", "jurisdiction": "Washington"}


def licences_of(person) -> list[Licence]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Licence).where(Licence.person_id == person.id)))


def test_a_person_adds_a_licence_to_their_own_record(client):
    person = make_person(Role.CANDIDATE)
    login(client, person)
    expiry = (today() + timedelta(days=300)).isoformat()
    response = client.submit(
        f"/people/{person.id}/licences",
        {**LICENCE, "expires_on": expiry},
        form_path=f"/people/{person.id}",
        follow_redirects=True,
    )
    assert "Licence recorded" in response.get_data(as_text=True)
    (licence,) = licences_of(person)
    assert licence.verified_at is None
    expired = client.submit(
        f"/people/{person.id}/licences",
        {**LICENCE, "number": "MH-2", "expires_on": (today() - timedelta(days=1)).isoformat()},
        form_path=f"/people/{person.id}",
        follow_redirects=True,
    )
    assert "already expired" in expired.get_data(as_text=True)
    assert len(licences_of(person)) == 1


def test_nobody_adds_a_licence_to_someone_elses_record(app):
    owner, intruder = make_person(Role.CANDIDATE), make_person(Role.CANDIDATE)
    client = app.test_client()
    login(client, intruder)
    token = client.form_token(f"/people/{intruder.id}")
    response = client.post(
        f"/people/{owner.id}/licences",
        data={
            **LICENCE,
            "expires_on": (today() + timedelta(days=30)).isoformat(),
            "csrf_token": token,
        },
    )
    assert response.status_code == 403
    assert licences_of(owner) == []


def test_director_verifies_and_enrols(client):
    director = make_director()
    person = make_person(Role.CANDIDATE)
    login(client, director)
    client.submit(
        f"/people/{person.id}/licences",
        {**LICENCE, "expires_on": (today() + timedelta(days=300)).isoformat()},
        form_path=f"/people/{person.id}",
    )
    refused = client.submit(
        f"/people/{person.id}/enrol", form_path=f"/people/{person.id}", follow_redirects=True
    )
    assert "needs a verified, unexpired licence" in refused.get_data(as_text=True)
    (licence,) = licences_of(person)
    client.submit(
        f"/people/{person.id}/licences/{licence.id}/verify", form_path=f"/people/{person.id}"
    )
    assert licences_of(person)[0].verified_by_id == director.id
    enrolled = client.submit(
        f"/people/{person.id}/enrol", form_path=f"/people/{person.id}", follow_redirects=True
    )
    assert "is enrolled and holds AIRT-C" in enrolled.get_data(as_text=True)
    assert db.session.scalar(sa.select(Enrolment).where(Enrolment.person_id == person.id))
    assert [a.level.code for a in awards_of(person)] == ["AIRT-C"]
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"licence.recorded", "licence.verified", "person.enrolled"} <= actions


def test_only_directors_verify_and_enrol(app):
    person = make_person(Role.CANDIDATE)
    director = make_director()
    staff = app.test_client()
    login(staff, director)
    staff.submit(
        f"/people/{person.id}/licences",
        {**LICENCE, "expires_on": (today() + timedelta(days=300)).isoformat()},
        form_path=f"/people/{person.id}",
    )
    (licence,) = licences_of(person)
    own = app.test_client()
    login(own, person)
    token = own.form_token(f"/people/{person.id}")
    assert (
        own.post(
            f"/people/{person.id}/licences/{licence.id}/verify", data={"csrf_token": token}
        ).status_code
        == 403
    )
    assert own.post(f"/people/{person.id}/enrol", data={"csrf_token": token}).status_code == 403
    assert licences_of(person)[0].verified_at is None
