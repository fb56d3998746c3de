"""Sessions: every way a person's sessions end (sign-out, new password, deactivation), a
fresh session at sign-in, idle and absolute timeouts checked on the server, cookie flags."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from airm_training import create_app
from airm_training.core import clock
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.people.models import Role
from airm_training.people.services import deactivate_person, reactivate_person
from tests.conftest import TEST_PASSWORD
from tests.factories import login, make_director, make_person
from tests.test_auth import audit_events, is_signed_in, location_path, reload

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def move_clock(monkeypatch):
    """``move_clock(minutes=31)`` moves the app's clock forward from the real time;
    ``move_clock.now()`` is the moved time."""
    moment = [clock.utcnow()]
    monkeypatch.setattr(clock, "utcnow", lambda: moment[0])

    def move(**delta) -> None:
        moment[0] += timedelta(**delta)

    move.now = lambda: moment[0]
    return move


def copy_of_session(app, client):
    """A second client holding a copy of ``client``'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    return thief


# --- every session ends --------------------------------------------------------------------
def test_deactivation_ends_every_session_and_reactivation_does_not_revive_them(app, client):
    person, admin = make_director(), make_person(Role.ADMIN)
    login(client, person)
    stolen = copy_of_session(app, client)
    assert is_signed_in(stolen)

    deactivate_person(admin, reload(person), "Left the centre")
    db.session.commit()

    assert not is_signed_in(client)
    assert not is_signed_in(stolen)
    assert "deactivated" in login(client, person).get_data(as_text=True)
    assert len(audit_events("person.deactivated", person)) == 1

    reactivate_person(admin, reload(person))
    db.session.commit()

    assert not is_signed_in(stolen), "a cookie from before the deactivation works again"
    assert login(client, person).status_code == 302
    assert is_signed_in(client)
    assert len(audit_events("person.reactivated", person)) == 1


def test_nobody_deactivates_themselves_or_an_account_twice():
    person, admin = make_director(), make_person(Role.ADMIN)
    with pytest.raises(DomainError, match="your own account"):
        deactivate_person(admin, admin, "Testing")
    deactivate_person(admin, person, "Left the centre")
    with pytest.raises(DomainError, match="already deactivated"):
        deactivate_person(admin, person, "Left the centre")
    reactivate_person(admin, person)
    with pytest.raises(DomainError, match="already active"):
        reactivate_person(admin, person)


def change_password(client, current: str, new: str, confirm: str | None = None):
    return client.submit(
        "/auth/security/password",
        {"current_password": current, "password": new, "confirm": confirm or new},
    )


def test_changing_the_password_signs_out_every_other_device(app, client):
    person = make_director()
    login(client, person)
    other_device = copy_of_session(app, client)
    assert is_signed_in(other_device)

    response = change_password(client, TEST_PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302
    assert location_path(response) == "/auth/security"
    assert is_signed_in(client), "the device that changed it stays signed in"
    assert not is_signed_in(other_device)
    assert len(audit_events("person.password_set", person)) == 1
    fresh = app.test_client()
    assert login(fresh, person, TEST_PASSWORD).status_code == 200
    assert login(fresh, person, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("not my password at all", NEW_PASSWORD, "That is not your current password."),
        (TEST_PASSWORD, TEST_PASSWORD, "different from the current one"),
        (TEST_PASSWORD, "short", "between 12 and 128 characters"),
        (TEST_PASSWORD, "QWERTYUIOP123", "commonly used passwords"),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(client, current, new, message):
    person = make_director()
    login(client, person)
    before = reload(person).password_hash

    response = change_password(client, current, new)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert reload(person).password_hash == before
    assert audit_events("person.password_set", person) == []
    assert is_signed_in(client)


def test_password_change_needs_the_csrf_token(client):
    person = make_director()
    login(client, person)
    response = client.post(
        "/auth/security/password",
        data={"current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert audit_events("person.password_set", person) == []


def test_password_change_needs_a_signed_in_person(client):
    response = client.get("/auth/security/password")
    assert response.status_code == 302
    assert location_path(response) == "/auth/login"


# --- a fresh session at sign-in --------------------------------------------------------------
def test_the_session_cookie_changes_at_sign_in(client):
    person = make_director()
    client.get("/auth/login")
    before = client.get_cookie("session").value

    login(client, person)

    after = client.get_cookie("session").value
    assert after != before
    assert is_signed_in(client)


def test_a_planted_session_is_not_signed_in_by_the_victim(app, client):
    """Session fixation: the attacker gives the victim a session cookie of their own, with
    values of their choosing; the victim signs in; the attacker's cookie stays signed out
    and nothing of the planted session survives in the victim's."""
    victim = make_director()
    serializer = app.session_interface.get_signing_serializer(app)
    planted = serializer.dumps({"csrf_token": "attacker-known", "planted": "by the attacker"})
    client.set_cookie("session", planted, domain="localhost")

    login(client, victim)

    attacker = app.test_client()
    attacker.set_cookie("session", planted, domain="localhost")
    assert not is_signed_in(attacker)
    assert is_signed_in(client)
    session = serializer.loads(client.get_cookie("session").value)
    assert "planted" not in session
    assert session.get("csrf_token") != "attacker-known"


# --- timeouts checked on the server ------------------------------------------------------------
def test_a_session_idle_for_the_idle_limit_ends(client, move_clock):
    login(client, make_director())
    move_clock(minutes=29)
    assert client.get("/director").status_code == 200

    move_clock(minutes=30)
    response = client.get("/director")

    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/auth/login"
    assert parse_qs(target.query)["next"] == ["/director"]
    assert "after 30 minutes without activity" in client.get("/auth/login").get_data(as_text=True)
    assert not is_signed_in(client)


def test_activity_keeps_a_session_alive_until_the_absolute_limit(
    app, client, move_clock, monkeypatch
):
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(minutes=100))
    login(client, make_director())
    for _ in range(4):  # 80 minutes of use, never idle for 30
        move_clock(minutes=20)
        assert client.get("/director").status_code == 200

    move_clock(minutes=20)  # 100 minutes after signing in
    response = client.get("/director")

    assert response.status_code == 302
    assert location_path(response) == "/auth/login"
    assert "Your session has ended" in client.get("/auth/login").get_data(as_text=True)


def test_the_idle_limit_comes_from_the_configuration(app, client, move_clock, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_TIMEOUT", timedelta(minutes=5))
    login(client, make_director())
    move_clock(minutes=6)
    assert client.get("/director").status_code == 302


def test_an_expired_session_can_still_open_public_pages(client, move_clock):
    login(client, make_director())
    move_clock(hours=9)
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert "Your session has ended" in response.get_data(as_text=True)


def test_a_copied_cookie_expires_too(app, client, move_clock):
    """The limits live in the signed cookie and are checked by the server, so a copy of an
    old cookie cannot be replayed after them."""
    login(client, make_director())
    stolen = copy_of_session(app, client)
    move_clock(minutes=31)
    assert client.get("/director").status_code == 302
    assert stolen.get("/director").status_code == 302


# --- cookies ---------------------------------------------------------------------------------
def test_cookies_are_http_only_and_same_site_lax(client):
    response = client.get("/auth/login")
    (cookie,) = response.headers.getlist("Set-Cookie")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure_host_only_cookies(database_url):
    production = create_app("production", SECRET_KEY="p" * 48, SQLALCHEMY_DATABASE_URI=database_url)
    try:
        assert production.config["REMEMBER_COOKIE_NAME"].startswith("__Host-")
        assert production.config["REMEMBER_COOKIE_SECURE"] is True
        assert production.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"

        response = production.test_client().get("/auth/login", base_url="https://localhost")

        (cookie,) = response.headers.getlist("Set-Cookie")
        name, _, _ = cookie.partition("=")
        attributes = [part.strip() for part in cookie.split(";")[1:]]
        assert name == "__Host-session"
        assert "Secure" in attributes
        assert "HttpOnly" in attributes
        assert "SameSite=Lax" in attributes
        assert "Path=/" in attributes
        assert not [part for part in attributes if part.lower().startswith("domain")]
    finally:
        with production.app_context():
            db.engine.dispose()


def test_guessing_the_current_password_is_throttled(client):
    person = make_director()
    login(client, person)
    token = client.form_token("/auth/security/password")
    attempt = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token}
    for guess in range(10):
        response = client.post(
            "/auth/security/password", data={**attempt, "current_password": f"guess {guess}"}
        )
        assert response.status_code == 200

    response = client.post(
        "/auth/security/password", data={**attempt, "current_password": TEST_PASSWORD}
    )

    assert response.status_code == 429
    assert audit_events("person.password_set", person) == []
