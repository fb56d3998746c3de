"""Behind a proxy: the client's address from X-Forwarded-For only when a proxy is trusted,
only the configured hosts answered, every e-mail link on the public address."""

from __future__ import annotations

import pytest
from flask import request

from airm_training.core.permissions import public
from airm_training.extensions import db
from airm_training.notifications.mailer import deliver_due
from tests.conftest import another_database, csrf_token_in, migrated_app
from tests.factories import make_director

PUBLIC = "https://training.example.org"


def _fail_sign_in(client, email: str, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    token = client.form_token("/auth/login")
    response = client.post(
        "/auth/login",
        data={"email": email, "password": "not the password", "csrf_token": token},
        headers=headers,
    )
    return response.status_code


@pytest.fixture
def proxied_app(database_url, tmp_path):
    """A committing app behind one trusted proxy, on a database of its own."""
    app = migrated_app(another_database(database_url, "proxied", tmp_path), PROXY_COUNT=1)

    @public
    def whoami():
        return {"client": request.remote_addr, "scheme": request.scheme, "host": request.host}

    app.add_url_rule("/test-only/whoami", "whoami", whoami)
    with app.app_context():
        yield app


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_limit(app, client):
    director = make_director()
    statuses = [
        _fail_sign_in(client, director.email, f"198.51.100.{attempt}") for attempt in range(11)
    ]
    assert statuses == [200] * 10 + [429]


def _director_email() -> str:
    """A director committed to a committing app's database, the transaction ended."""
    email = make_director().email
    db.session.commit()
    return email


def test_behind_one_proxy_each_client_has_its_own_limit(proxied_app):
    email = _director_email()
    first, second = proxied_app.test_client(), proxied_app.test_client()
    statuses = [_fail_sign_in(first, email, "198.51.100.7") for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    # Another client behind the same proxy is not locked out...
    assert _fail_sign_in(second, email, "198.51.100.8") == 200
    # ...and the first cannot escape by prepending an address of its own: the proxy
    # appends the real one, the last entry.
    assert _fail_sign_in(first, email, "203.0.113.1, 198.51.100.7") == 429


def test_behind_a_proxy_the_address_scheme_and_host_are_the_forwarded_ones(proxied_app):
    response = proxied_app.test_client().get(
        "/test-only/whoami",
        base_url="http://127.0.0.1:8000",
        headers={
            "X-Forwarded-For": "198.51.100.9",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "training.example.org",
        },
    )
    assert response.get_json() == {
        "client": "198.51.100.9",
        "scheme": "https",
        "host": "training.example.org",
    }


def test_trusted_hosts_refuses_any_other_host(database_url, tmp_path):
    app = migrated_app(
        another_database(database_url, "hosts", tmp_path), TRUSTED_HOSTS=["training.example.org"]
    )
    client = app.test_client()
    assert client.get("/auth/login", base_url="https://training.example.org").status_code == 200
    assert client.get("/auth/login", base_url="https://evil.example").status_code == 400


def test_a_forged_host_gets_a_reset_link_on_the_public_address(database_url, tmp_path):
    app = migrated_app(
        another_database(database_url, "resetlink", tmp_path), PUBLIC_BASE_URL=PUBLIC
    )
    with app.app_context():
        email = _director_email()
        client = app.test_client()
        forged = "http://evil.example"
        token = csrf_token_in(client.get("/auth/reset", base_url=forged).get_data(as_text=True))
        response = client.post(
            "/auth/reset",
            data={"email": email, "csrf_token": token},
            base_url=forged,
        )
        assert response.status_code == 302
        while deliver_due().handled:  # the mail worker's rounds
            pass
        (message,) = app.extensions["mailman"].outbox
        assert f"{PUBLIC}/auth/reset/" in message.body
        assert "evil.example" not in message.body
