"""The people directory, a person's record and invitations."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.extensions import db
from airm_training.people.models import Person, Role
from tests.factories import login, make_candidate, make_director, make_person, make_supervisor


def person_count() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Person))


def person_with_email(email: str) -> Person | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Person).where(Person.email == email))


def audit_events(action: str, object_id: int) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.object_id == str(object_id))
            .order_by(AuditEvent.id)
        )
    )


def invite(client, **fields):
    data = {
        "full_name": "Dana Example",
        "email": "dana@example.org",
        "post_nominals": "",
        "roles": ["candidate"],
        **fields,
    }
    return client.submit("/people/invite", data)


@pytest.fixture
def director_client(client):
    director = make_director()
    login(client, director)
    client.director = director
    return client


# --- inviting ------------------------------------------------------------------------------
def test_director_invites_a_person(director_client, outbox):
    director = director_client.director

    response = invite(
        director_client,
        full_name="Dana Example",
        email="Dana.Example@Example.ORG",
        post_nominals="MA, LMHC",
        roles=["candidate"],
    )

    assert response.status_code == 302
    person = person_with_email("dana.example@example.org")
    assert person is not None
    assert urlsplit(response.headers["Location"]).path == f"/people/{person.id}"
    assert person.full_name == "Dana Example"
    assert person.post_nominals == "MA, LMHC"
    assert person.password_hash is None
    assert person.roles == {Role.CANDIDATE}
    page = director_client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Invitation sent to dana.example@example.org." in page
    assert "Invitation not yet accepted" in page

    assert len(outbox) == 1
    assert outbox[0].to == ["dana.example@example.org"]
    assert "/auth/invite/" in outbox[0].body

    created = audit_events("person.created", person.id)
    assert len(created) == 1
    assert created[0].actor_id == director.id
    assert created[0].after["email"] == "dana.example@example.org"
    granted = audit_events("role.granted", person.id)
    assert [event.after for event in granted] == [{"role": "candidate"}]
    assert granted[0].actor_id == director.id


def test_invitation_can_grant_several_roles(director_client):
    response = invite(director_client, roles=["candidate", "co-creator"])

    assert response.status_code == 302
    assert person_with_email("dana@example.org").roles == {Role.CANDIDATE, Role.CO_CREATOR}
    assert len(audit_events("role.granted", person_with_email("dana@example.org").id)) == 2


@pytest.mark.parametrize("email", ["taken@example.org", "TAKEN@Example.Org"])
def test_duplicate_email_is_rejected(director_client, outbox, email):
    make_person(email="taken@example.org")
    before = person_count()

    response = invite(director_client, email=email)

    assert response.status_code == 200
    assert "already has an account" in response.get_data(as_text=True)
    assert person_count() == before
    assert outbox == []


def test_director_may_not_grant_the_admin_role(director_client, outbox):
    before = person_count()

    response = invite(director_client, roles=["admin"])

    assert response.status_code == 200
    assert "You may not grant: Admin." in response.get_data(as_text=True)
    assert person_count() == before
    assert person_with_email("dana@example.org") is None
    assert outbox == []


def test_admin_may_grant_the_admin_role(client, outbox):
    login(client, make_person(Role.ADMIN))

    response = invite(client, roles=["admin"])

    assert response.status_code == 302
    assert person_with_email("dana@example.org").roles == {Role.ADMIN}
    assert len(outbox) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"full_name": ""}, "This field is required."),
        ({"email": "not-an-email"}, "Invalid email address."),
        ({"email": ""}, "This field is required."),
    ],
)
def test_bad_input_is_shown_next_to_the_field(director_client, outbox, fields, message):
    before = person_count()

    response = invite(director_client, **fields)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert "invalid-feedback" in html
    assert person_count() == before
    assert outbox == []


def test_blank_name_after_trimming_is_rejected(director_client, outbox):
    before = person_count()

    response = invite(director_client, full_name="   ")

    assert response.status_code == 200
    assert person_count() == before
    assert outbox == []


# --- who may open what ---------------------------------------------------------------------
@pytest.fixture(params=["candidate", "supervisor"])
def non_staff(request):
    return make_candidate() if request.param == "candidate" else make_supervisor()


def test_non_staff_may_not_use_the_directory_or_invite(client, outbox, non_staff):
    login(client, non_staff)
    assert client.get(f"/people/{non_staff.id}").status_code == 200
    before = person_count()

    assert client.get("/people/").status_code == 403
    assert client.get("/people/?q=a").status_code == 403
    assert client.get("/people/invite").status_code == 403
    token = client.form_token(f"/people/{non_staff.id}")
    response = client.post(
        "/people/invite",
        data={
            "full_name": "Sneaky Invite",
            "email": "sneaky@example.org",
            "roles": ["director"],
            "csrf_token": token,
        },
    )

    assert response.status_code == 403
    assert "This page is for a director." in response.get_data(as_text=True)
    assert person_count() == before
    assert person_with_email("sneaky@example.org") is None
    assert outbox == []


def test_signed_out_visitor_is_sent_to_sign_in(client):
    for path in ("/people/", "/people/invite", f"/people/{make_director().id}"):
        response = client.get(path)
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/auth/login"


def test_candidate_sees_own_record_but_not_someone_elses(client):
    candidate = make_candidate()
    other = make_person(full_name="Olive Other")
    login(client, candidate)

    own = client.get(f"/people/{candidate.id}")
    assert own.status_code == 200
    assert candidate.full_name in own.get_data(as_text=True)

    response = client.get(f"/people/{other.id}")
    assert response.status_code == 403
    assert "Olive Other" not in response.get_data(as_text=True)


def test_director_sees_anyone(director_client):
    candidate = make_candidate()
    other = make_person(full_name="Olive Other", email="olive@example.org")

    for person in (candidate, other, director_client.director):
        response = director_client.get(f"/people/{person.id}")
        assert response.status_code == 200
        assert person.full_name in response.get_data(as_text=True)
        assert person.email in response.get_data(as_text=True)


def test_unknown_person_is_not_found(director_client):
    missing = db.session.scalar(sa.select(sa.func.max(Person.id))) + 1000
    assert director_client.get(f"/people/{missing}").status_code == 404


# --- the directory -----------------------------------------------------------------------
def test_directory_lists_everyone_for_a_director(director_client):
    make_person(full_name="Zelda Zed", email="zelda@example.org")

    page = director_client.get("/people/").get_data(as_text=True)

    assert "Zelda Zed" in page
    assert director_client.director.full_name in page


def listed(response) -> str:
    """The rows of the directory table (not the navigation bar or the search box)."""
    html = response.get_data(as_text=True)
    match = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return match.group(1) if match else ""


def test_directory_search_filters_by_name_and_email_and_paginates(director_client):
    for n in range(1, 31):
        make_person(full_name=f"Searchable {n:02d}", email=f"s{n:02d}@example.org", password=None)
    make_person(full_name="Quiet Quentin", email="findme@elsewhere.example", password=None)

    page1 = director_client.get("/people/?q=searchable")
    assert page1.status_code == 200
    assert "30 people matching" in page1.get_data(as_text=True)
    rows1 = listed(page1)
    assert rows1.count("<tr>") == 25
    assert "Searchable 01" in rows1
    assert "Searchable 25" in rows1
    assert "Searchable 26" not in rows1
    assert "Quiet Quentin" not in rows1
    assert director_client.director.full_name not in rows1
    assert "page=2" in page1.get_data(as_text=True)  # a link to the next page

    rows2 = listed(director_client.get("/people/?q=searchable&page=2"))
    assert rows2.count("<tr>") == 5
    for n in range(26, 31):
        assert f"Searchable {n:02d}" in rows2
    assert "Searchable 01" not in rows2

    by_name = director_client.get("/people/", query_string={"q": "SEARCHABLE 07"})
    assert "1 person matching" in by_name.get_data(as_text=True)
    assert "Searchable 07" in listed(by_name)

    by_email = director_client.get("/people/", query_string={"q": "FindMe@Else"})
    assert "1 person matching" in by_email.get_data(as_text=True)
    assert "Quiet Quentin" in listed(by_email)
    assert "Searchable" not in listed(by_email)

    nobody = director_client.get("/people/?q=no-such-person")
    assert "No one found" in nobody.get_data(as_text=True)
    assert listed(nobody) == ""
