"""State-changing requests from another site are refused even with a valid CSRF token:
a foreign ``Origin``, or without one a foreign ``Referer``; the site's own pages, and
clients that send neither header, go through."""

from __future__ import annotations

import pytest

from airm_training.audit.models import AuditEvent
from airm_training.extensions import db
from airm_training.notifications.models import NotificationPreference
from tests.factories import login, make_candidate

PATH = "/notifications/preferences"


def change_channel(client, **headers):
    token = client.form_token(PATH)
    return client.post(PATH, data={"channel": "in_app_only", "csrf_token": token}, headers=headers)


def channel_rows(person) -> int:
    db.session.expire_all()
    return 1 if db.session.get(NotificationPreference, person.id) else 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost.evil.example"},
        {"Origin": "https://localhost"},  # another scheme is another origin
        {"Referer": "https://evil.example/page"},
        {"Origin": "https://evil.example", "Referer": "http://localhost/notifications/"},
    ],
)
def test_a_request_from_another_site_is_refused_and_changes_nothing(client, headers):
    person = make_candidate()
    login(client, person)
    events = db.session.query(AuditEvent).count()

    response = change_channel(client, **headers)

    assert response.status_code == 403
    assert "came from another site" in response.get_data(as_text=True)
    assert channel_rows(person) == 0
    assert db.session.query(AuditEvent).count() == events


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://localhost"},
        {"Referer": "http://localhost/notifications/preferences"},
        {},
    ],
)
def test_the_sites_own_requests_go_through(client, headers):
    person = make_candidate()
    login(client, person)
    response = change_channel(client, **headers)
    assert response.status_code == 302
    assert channel_rows(person) == 1


def test_the_public_base_url_counts_as_the_site(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://training.example.org")
    person = make_candidate()
    login(client, person)
    assert change_channel(client, Origin="https://training.example.org").status_code == 302


def test_sign_in_from_another_site_is_refused(client):
    token = client.form_token("/auth/login")
    response = client.post(
        "/auth/login",
        data={"email": "a@example.org", "password": "x", "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
