"""A server error never shows its traceback, in the production configuration; logs never
contain a password, a reset or invitation link, its token, or a session cookie."""

from __future__ import annotations

import logging
import re

import pytest

from airm_training import create_app
from airm_training.core.permissions import public
from airm_training.extensions import csrf, db
from tests.factories import login, make_director

PRODUCTION_KEY = "p" * 48
NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(r"https?://\S+/auth/(?:reset|invite)/(\S+)")


@pytest.fixture
def production_app(database_url):
    """The production configuration with one extra route that fails (this app only)."""
    app = create_app("production", SECRET_KEY=PRODUCTION_KEY, SQLALCHEMY_DATABASE_URI=database_url)

    @public
    def explode():
        raise RuntimeError("internal detail: /srv/airm/secret.py line 42 password=hunter2")

    csrf.exempt(explode)  # so that a POST reaches the failing view
    app.add_url_rule("/test-only/explode", "explode", explode, methods=["GET", "POST"])
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_server_error_in_production_shows_a_page_without_the_traceback(
    production_app, caplog, method
):
    assert not production_app.debug and not production_app.testing
    client = production_app.test_client()
    with caplog.at_level(logging.DEBUG):
        response = client.open(
            "/test-only/explode",
            method=method,
            base_url="https://localhost",
            data={"password": "typed-secret-123"} if method == "POST" else None,
        )
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    for leak in ("Traceback", "RuntimeError", "internal detail", "secret.py", "hunter2", 'File "'):
        assert leak not in page
    # The error is logged for the operators, without what the person posted.
    assert "Exception on /test-only/explode" in caplog.text
    assert "typed-secret-123" not in caplog.text


def test_a_server_error_asked_for_as_json_is_a_short_json_error(production_app):
    client = production_app.test_client()
    response = client.get(
        "/test-only/explode", base_url="https://localhost", headers={"Accept": "application/json"}
    )
    assert response.status_code == 500
    # The reference is the request id the log lines of this request carry.
    assert response.get_json() == {
        "error": "Something went wrong on our side",
        "reference": response.headers["X-Request-ID"],
    }


def _link_token(message) -> tuple[str, str]:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(0), match.group(1)


def test_logs_never_contain_passwords_links_or_tokens(app, client, outbox, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    director = make_director()
    secrets: list[str] = []

    # Signing in, and a failed attempt with a wrong password.
    login(client, director)
    other = app.test_client()
    login(other, director, "wrong password typed here")
    secrets += ["correct horse battery", "wrong password typed here"]
    secrets.append(client.get_cookie("session").value)

    # An invitation, accepted with a new password.
    response = client.submit(
        "/people/invite",
        {"full_name": "New Person", "email": "new.person@example.org", "roles": ["candidate"]},
    )
    assert response.status_code == 302
    link, token = _link_token(outbox[-1])
    secrets += [link, token]
    invited = app.test_client()
    response = invited.submit(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    secrets.append(NEW_PASSWORD)

    # A password reset: the request, then the link.
    anonymous = app.test_client()
    response = anonymous.submit("/auth/reset", {"email": director.email})
    assert response.status_code == 302
    link, token = _link_token(outbox[-1])
    secrets += [link, token]
    reset_password = "another new passphrase"
    response = anonymous.submit(link, {"password": reset_password, "confirm": reset_password})
    assert response.status_code == 302
    secrets.append(reset_password)

    captured = capsys.readouterr()
    logged = caplog.text + captured.out + captured.err
    assert len(outbox) == 2
    for secret in secrets:
        assert secret not in logged, f"a secret appears in the logs: {secret[:12]}…"
