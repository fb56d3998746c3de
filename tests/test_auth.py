"""Signing in and out, throttling, CSRF, safe redirects, password resets and invitations."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.extensions import db
from airm_training.people.models import Person, Role
from tests.conftest import TEST_PASSWORD
from tests.factories import login, make_director

NEW_PASSWORD = "a brand new passphrase"
GENERIC_FAILURE = "That e-mail and password do not match an account."


# --- helpers ---------------------------------------------------------------------------
def location_path(response) -> str:
    return urlsplit(response.headers["Location"]).path


def is_signed_in(client) -> bool:
    """Whether the client's session belongs to a signed-in person (``/home`` needs one)."""
    response = client.get("/home")
    if response.status_code == 302 and location_path(response) == "/auth/login":
        return False
    assert response.status_code in (200, 302), response.status_code
    return True


def audit_events(action: str, person: Person) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.object_id == str(person.id)
            )
        )
    )


def reload(person: Person) -> Person:
    db.session.expire_all()
    return db.session.get(Person, person.id)


def link_path(message, kind: str) -> str:
    """The path of the ``/auth/<kind>/<token>`` link in an e-mail."""
    match = re.search(rf"(https?://\S+)?(/auth/{kind}/[A-Za-z0-9_.\-]+)", message.body)
    assert match, f"no /auth/{kind}/ link in the e-mail"
    return match.group(2)


def tampered(path: str) -> str:
    """The same link with one character of the token's signature changed."""
    prefix, _, signature = path.rpartition(".")
    position = len(signature) // 2
    replacement = "A" if signature[position] != "A" else "B"
    return f"{prefix}.{signature[:position]}{replacement}{signature[position + 1 :]}"


def request_reset(client, email: str):
    return client.submit("/auth/reset", {"email": email})


def set_password(client, path: str, password: str, confirm: str | None = None):
    return client.submit(path, {"password": password, "confirm": confirm or password})


def invite_path(app, outbox, *, email: str = "invitee@example.org") -> tuple[str, Person]:
    """A director invites a person through the real form; the invitation link and person."""
    director_client = app.test_client()
    login(director_client, make_director())
    response = director_client.submit(
        "/people/invite",
        {"full_name": "Ivy Invitee", "email": email, "post_nominals": "", "roles": ["candidate"]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.scalar(sa.select(Person).where(Person.email == email))
    assert person is not None
    invitations = [message for message in outbox if message.to == [email]]
    assert len(invitations) == 1
    return link_path(invitations[0], "invite"), person


# --- signing in ----------------------------------------------------------------------------
def test_login_success_redirects_home_and_records_audit_event(client):
    director = make_director()
    assert not is_signed_in(client)

    response = login(client, director)

    assert response.status_code == 302
    assert location_path(response) == "/home"
    page = client.get("/director")
    assert page.status_code == 200
    assert "What waits for the programme" in page.get_data(as_text=True)
    events = audit_events("auth.login", director)
    assert len(events) == 1
    assert events[0].actor_id == director.id
    assert reload(director).last_login_at is not None


def test_wrong_password_is_refused_with_a_generic_message(client):
    person = make_director()

    response = login(client, person, password="not the right password")

    assert response.status_code == 200
    assert GENERIC_FAILURE in response.get_data(as_text=True)
    assert not is_signed_in(client)
    assert client.get("/director").status_code == 302
    failures = audit_events("auth.login_failed", person)
    assert len(failures) == 1
    assert failures[0].after == {"email": person.email}
    assert audit_events("auth.login", person) == []


def test_unknown_email_gets_the_same_generic_message(client):
    response = client.submit(
        "/auth/login", {"email": "nobody@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert GENERIC_FAILURE in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_email_is_matched_case_insensitively(client):
    person = make_director(email="mixed.case@example.org")

    response = client.submit(
        "/auth/login", {"email": "Mixed.CASE@Example.ORG", "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert location_path(response) == "/home"
    assert client.get("/director").status_code == 200
    assert len(audit_events("auth.login", person)) == 1


def test_inactive_person_is_refused(client):
    person = make_director(active=False)

    response = login(client, person)

    assert response.status_code == 200
    assert "This account has been deactivated" in response.get_data(as_text=True)
    assert not is_signed_in(client)
    assert len(audit_events("auth.login_refused_inactive", person)) == 1
    assert audit_events("auth.login", person) == []


def test_eleventh_login_attempt_in_a_minute_is_throttled(client):
    person = make_director()
    token = client.form_token("/auth/login")
    for attempt in range(10):
        response = client.post(
            "/auth/login",
            data={"email": person.email, "password": f"wrong {attempt}", "csrf_token": token},
        )
        assert response.status_code == 200, f"attempt {attempt + 1} was refused"

    # Even the right password is refused once the limit is reached.
    response = client.post(
        "/auth/login",
        data={"email": person.email, "password": TEST_PASSWORD, "csrf_token": token},
    )

    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert not is_signed_in(client)
    assert audit_events("auth.login", person) == []


# --- CSRF -------------------------------------------------------------------------------
def test_login_without_csrf_token_is_rejected(client):
    person = make_director()
    client.get("/auth/login")  # a session exists, but the token is not sent

    response = client.post("/auth/login", data={"email": person.email, "password": TEST_PASSWORD})

    assert response.status_code == 400
    assert not is_signed_in(client)
    assert audit_events("auth.login", person) == []


def test_logout_without_csrf_token_is_rejected(client):
    person = make_director()
    login(client, person)

    response = client.post("/auth/logout")

    assert response.status_code == 400
    assert is_signed_in(client)
    assert client.get("/director").status_code == 200
    assert audit_events("auth.logout", person) == []


# --- signing out -----------------------------------------------------------------------
def test_logout_ends_the_session_and_every_copy_of_its_cookie(app, client):
    person = make_director()
    login(client, person)
    stolen = client.get_cookie("session").value

    # The copied cookie is a working session before logout ...
    before = app.test_client()
    before.set_cookie("session", stolen, domain="localhost")
    assert before.get("/director").status_code == 200

    response = client.submit("/auth/logout", {}, form_path="/director")

    assert response.status_code == 302
    assert location_path(response) == "/auth/login"
    assert not is_signed_in(client)
    assert len(audit_events("auth.logout", person)) == 1

    # ... and does not work any more after it.
    replay = app.test_client()
    replay.set_cookie("session", stolen, domain="localhost")
    refused = replay.get("/director")
    assert refused.status_code == 302
    assert location_path(refused) == "/auth/login"


# --- redirects ---------------------------------------------------------------------------
def test_unauthenticated_request_redirects_to_login_with_next(client):
    person = make_director()

    response = client.get("/director")

    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/auth/login"
    assert parse_qs(target.query)["next"] == ["/director"]

    signed_in = client.submit(
        "/auth/login",
        {"email": person.email, "password": TEST_PASSWORD},
        query_string={"next": "/director"},
    )
    assert signed_in.headers["Location"] == "/director"


def test_login_follows_a_local_next(client):
    person = make_director()
    response = client.submit(
        "/auth/login",
        {"email": person.email, "password": TEST_PASSWORD},
        query_string={"next": "/people/?q=ann"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/people/?q=ann"


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https://evil.example/x", "/\\evil.example", "evil.example/x"],
)
def test_login_ignores_a_next_pointing_elsewhere(client, target):
    person = make_director()
    response = client.submit(
        "/auth/login",
        {"email": person.email, "password": TEST_PASSWORD},
        query_string={"next": target},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
    assert is_signed_in(client)


# --- password reset ------------------------------------------------------------------------
RESET_FLASH = "If that address has an account, a reset link is on its way."


def test_reset_request_for_an_existing_address_sends_one_link(client, outbox):
    person = make_director()

    response = request_reset(client, person.email.upper())

    assert response.status_code == 302
    assert location_path(response) == "/auth/login"
    assert RESET_FLASH in client.get("/auth/login").get_data(as_text=True)
    assert len(outbox) == 1
    assert outbox[0].to == [person.email]
    assert link_path(outbox[0], "reset").startswith("/auth/reset/")
    assert len(audit_events("auth.reset_requested", person)) == 1


def test_reset_request_for_an_unknown_address_sends_nothing(client, outbox):
    make_director()

    response = request_reset(client, "nobody@example.org")

    assert response.status_code == 302
    assert location_path(response) == "/auth/login"
    assert RESET_FLASH in client.get("/auth/login").get_data(as_text=True)
    assert outbox == []


def test_reset_link_sets_a_new_password(client, outbox):
    person = make_director()
    request_reset(client, person.email)
    path = link_path(outbox[0], "reset")

    page = client.get(path)
    assert page.status_code == 200
    assert person.email in page.get_data(as_text=True)

    response = set_password(client, path, NEW_PASSWORD)

    assert response.status_code == 302
    assert location_path(response) == "/auth/login"
    old = login(client, person, TEST_PASSWORD)
    assert old.status_code == 200
    assert GENERIC_FAILURE in old.get_data(as_text=True)
    new = login(client, person, NEW_PASSWORD)
    assert new.status_code == 302
    assert location_path(new) == "/home"
    assert client.get("/director").status_code == 200
    assert len(audit_events("person.password_set", person)) == 1


def test_reset_ends_sessions_signed_in_before_it(app, client, outbox):
    person = make_director()
    elsewhere = app.test_client()
    login(elsewhere, person)
    assert is_signed_in(elsewhere)

    request_reset(client, person.email)
    set_password(client, link_path(outbox[0], "reset"), NEW_PASSWORD)

    assert not is_signed_in(elsewhere)


def test_reset_link_works_only_once(client, outbox):
    person = make_director()
    request_reset(client, person.email)
    path = link_path(outbox[0], "reset")
    assert set_password(client, path, NEW_PASSWORD).status_code == 302

    again = client.get(path)

    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)
    token = client.form_token("/auth/login")
    post = client.post(
        path,
        data={
            "password": "yet another phrase",
            "confirm": "yet another phrase",
            "csrf_token": token,
        },
    )
    assert post.status_code == 400
    assert login(client, person, NEW_PASSWORD).status_code == 302


def test_tampered_reset_link_is_not_valid(client, outbox):
    person = make_director()
    request_reset(client, person.email)
    path = link_path(outbox[0], "reset")
    assert client.get(path).status_code == 200

    response = client.get(tampered(path))

    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_expired_reset_link_is_refused(app, client, outbox, monkeypatch):
    person = make_director()
    request_reset(client, person.email)
    path = link_path(outbox[0], "reset")
    assert client.get(path).status_code == 200
    monkeypatch.setitem(app.config, "RESET_TOKEN_MAX_AGE", -1)

    response = client.get(path)

    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_short_password_is_rejected_and_nothing_changes(client, outbox):
    person = make_director()
    hash_before = person.password_hash
    request_reset(client, person.email)
    path = link_path(outbox[0], "reset")

    response = set_password(client, path, "too short")

    assert response.status_code == 200
    assert "12" in response.get_data(as_text=True)
    assert "invalid-feedback" in response.get_data(as_text=True)
    assert reload(person).password_hash == hash_before
    assert audit_events("person.password_set", person) == []
    assert client.get(path).status_code == 200  # the link is still unused
    assert login(client, person, TEST_PASSWORD).status_code == 302


def test_mismatched_confirmation_is_rejected(client, outbox):
    person = make_director()
    hash_before = person.password_hash
    request_reset(client, person.email)
    path = link_path(outbox[0], "reset")

    response = set_password(client, path, NEW_PASSWORD, confirm=NEW_PASSWORD + " typo")

    assert response.status_code == 200
    assert "The two passwords differ." in response.get_data(as_text=True)
    assert reload(person).password_hash == hash_before
    assert login(client, person, NEW_PASSWORD).status_code == 200


# --- invitations ---------------------------------------------------------------------------
def test_accepting_an_invitation_lets_the_person_sign_in(app, client, outbox):
    path, person = invite_path(app, outbox)
    assert person.password_hash is None
    assert login(client, person, NEW_PASSWORD).status_code == 200  # no password yet

    page = client.get(path)
    assert page.status_code == 200
    assert "Welcome, Ivy Invitee" in page.get_data(as_text=True)
    response = set_password(client, path, NEW_PASSWORD)

    assert response.status_code == 302
    assert location_path(response) == "/auth/login"
    signed_in = login(client, person, NEW_PASSWORD)
    assert signed_in.status_code == 302
    assert location_path(signed_in) == "/home"
    assert client.get(f"/people/{person.id}").status_code == 200
    assert reload(person).has_role(Role.CANDIDATE)


def test_invitation_link_works_only_once(app, client, outbox):
    path, person = invite_path(app, outbox)
    assert set_password(client, path, NEW_PASSWORD).status_code == 302

    hash_after_first_use = reload(person).password_hash

    response = client.get(path)

    assert response.status_code == 400
    assert "already been used" in response.get_data(as_text=True)
    token = client.form_token("/auth/login")
    again = client.post(
        path,
        data={"password": "a takeover phrase", "confirm": "a takeover phrase", "csrf_token": token},
    )
    assert again.status_code == 400
    assert reload(person).password_hash == hash_after_first_use


def test_tampered_invitation_link_is_not_valid(app, client, outbox):
    path, _person = invite_path(app, outbox)
    assert client.get(path).status_code == 200

    response = client.get(tampered(path))

    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_expired_invitation_link_is_refused(app, client, outbox, monkeypatch):
    path, person = invite_path(app, outbox)
    assert client.get(path).status_code == 200
    monkeypatch.setitem(app.config, "INVITE_TOKEN_MAX_AGE", -1)

    response = client.get(path)

    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert reload(person).password_hash is None


def test_reset_link_is_not_an_invitation_link(app, client, outbox):
    path, _person = invite_path(app, outbox)

    response = client.get(path.replace("/auth/invite/", "/auth/reset/"))

    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)
