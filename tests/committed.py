"""For tests that commit for real to a database of their own (races, faults), instead of
the rolled-back transaction of the other tests. A module imports ``_transaction`` from
here to switch that transaction off, and builds its app with ``committed_app``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from airm_training.extensions import db
from tests.conftest import TEST_PASSWORD, IsolatedClient, another_database, migrated_app


@pytest.fixture
def _transaction():
    """Replaces the rolled-back transaction of tests/conftest.py: these tests commit."""
    yield


def committed_app(database_url: str, directory, name: str, **overrides) -> Iterator[Flask]:
    """A migrated app on an empty database of its own beside the suite's (a module fixture
    yields from this); sign-in is not rate-limited there."""
    url = another_database(database_url, name, directory)
    app = migrated_app(url, LOGIN_RATE_LIMIT="100000 per minute", **overrides)
    yield app
    with app.app_context():
        db.engine.dispose()


def release() -> None:
    """End the test's own transaction, so that it holds no lock while clients run
    (SQLite takes its write lock when a transaction begins)."""
    db.session.commit()


def signed_in_client(app: Flask, email: str) -> IsolatedClient:
    """A client signed in through the real form (the test holds no transaction meanwhile)."""
    release()
    client = app.test_client()
    response = client.submit(
        "/auth/login", {"email": email, "password": TEST_PASSWORD}, form_path="/auth/login"
    )
    assert response.status_code == 302, "sign-in failed"
    return client
