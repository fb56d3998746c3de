"""Nobody learns who has an account from how long an answer takes: a wrong password for an
unknown e-mail costs the same password-hash work as for a real account, and a reset
request for an unknown address does the same work as for a known one."""

from __future__ import annotations

import statistics
import time

import pytest

from airm_training.extensions import db
from tests.factories import make_person

SAMPLES = 11
# Costly enough that the hash, not the noise of a shared machine, decides the time.
SLOW_HASH = "pbkdf2:sha256:150000"


def medians(client, path: str, forms: dict[str, dict]) -> dict[str, float]:
    """The median time of posting each form to ``path``, the forms taken in turn."""
    timings: dict[str, list[float]] = {name: [] for name in forms}
    for _ in range(SAMPLES):
        for name, data in forms.items():
            token = client.form_token(path)
            started = time.perf_counter()
            response = client.post(path, data={**data, "csrf_token": token})
            timings[name].append(time.perf_counter() - started)
            assert response.status_code in (200, 302)
    return {name: statistics.median(values) for name, values in timings.items()}


@pytest.fixture
def slow_hashing(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", SLOW_HASH)
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "100000 per minute")


def test_a_wrong_password_takes_as_long_for_an_unknown_account(app, client, slow_hashing):
    person = make_person(email="known@example.org")
    invited = make_person(email="invited@example.org", password=None)
    db.session.commit()
    times = medians(
        client,
        "/auth/login",
        {
            "known": {"email": person.email, "password": "not the password at all"},
            "unknown": {"email": "nobody@example.org", "password": "not the password at all"},
            "invited": {"email": invited.email, "password": "not the password at all"},
        },
    )
    slowest, fastest = max(times.values()), min(times.values())
    print(f"sign-in medians (ms): { {k: round(v * 1000, 1) for k, v in times.items()} }")
    assert slowest < 1.5 * fastest, times


def test_a_reset_request_takes_as_long_for_an_unknown_address(app, client, slow_hashing):
    person = make_person(email="resets@example.org")
    db.session.commit()
    times = medians(
        client,
        "/auth/reset",
        {"known": {"email": person.email}, "unknown": {"email": "nobody-reset@example.org"}},
    )
    print(f"reset medians (ms): { {k: round(v * 1000, 1) for k, v in times.items()} }")
    assert max(times.values()) < 1.5 * min(times.values()), times
