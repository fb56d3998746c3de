"""Read-only requests: a GET (HEAD, OPTIONS) of a view not marked ``@writes`` runs in a
READ ONLY transaction on PostgreSQL and ends with COMMIT, so the statements psycopg has
prepared on the connection are kept from one request to the next (a rollback drops them
all). The whole suite flags any write in a read-only request (``tests/conftest.py``); the
behaviour on PostgreSQL is checked on a database of its own, committed for real."""

from __future__ import annotations

import flask
import pytest
import sqlalchemy as sa
from flask import Blueprint

from airm_training.extensions import db
from airm_training.people.models import Person
from tests.committed import _transaction, committed_app, signed_in_client  # noqa: F401 - _transaction: these tests commit
from tests.conftest import READ_ONLY_WRITES, flag_write_in_read_only_request
from tests.factories import make_candidate

pytestmark = pytest.mark.writes_in_read_only_request


def test_a_write_in_a_read_only_request_is_flagged(app):
    for path, method, flagged in (
        ("/hours/", "GET", True),
        ("/hours/", "POST", False),
        ("/archive/abc.zip", "GET", False),  # marked @writes: each download is counted
    ):
        READ_ONLY_WRITES.clear()
        with app.test_request_context(path, method=method):
            flask.g.airm_dispatching = True  # as when the view is dispatched
            flag_write_in_read_only_request(None, None, "INSERT INTO audit_event VALUES (1)")
            flag_write_in_read_only_request(None, None, "SELECT 1")
        assert len(READ_ONLY_WRITES) == flagged, (path, method)
    READ_ONLY_WRITES.clear()
    with app.test_request_context("/hours/"):  # a test's own context, no view dispatched
        flag_write_in_read_only_request(None, None, "INSERT INTO audit_event VALUES (1)")
    assert READ_ONLY_WRITES == []


@pytest.fixture(scope="module")
def read_only_app(database_url, tmp_path_factory):
    if not database_url.startswith("postgresql"):
        pytest.skip("READ ONLY transactions are PostgreSQL's")
    for app in committed_app(database_url, tmp_path_factory.mktemp("read-only"), "readonly"):
        probe = Blueprint("probe", __name__)

        @probe.route("/probe/rename/<int:person_id>")
        def rename(person_id: int):  # a GET view that writes, not marked @writes
            db.session.execute(
                sa.update(Person).where(Person.id == person_id).values(job_title="Renamed")
            )
            db.session.commit()
            return "renamed"

        app.register_blueprint(probe)
        yield app


def test_a_read_only_request_cannot_write_on_postgresql(read_only_app):
    with read_only_app.app_context():
        person = make_candidate()
        db.session.commit()
        person_id, email = person.id, person.email
        client = signed_in_client(read_only_app, email)
        db.session.remove()
    with pytest.raises(sa.exc.InternalError, match="read-only transaction"):
        client.get(f"/probe/rename/{person_id}")
    with read_only_app.app_context():
        assert db.session.get(Person, person_id).job_title != "Renamed"


def test_read_only_requests_keep_the_statements_prepared_on_postgresql(read_only_app):
    with read_only_app.app_context():
        person = make_candidate()
        db.session.commit()
        email = person.email
        client = signed_in_client(read_only_app, email)
        db.session.remove()
    for _ in range(8):  # psycopg prepares a statement on its sixth run
        assert client.get("/candidate").status_code == 200
    with read_only_app.app_context():
        prepared = db.session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements"))
        db.session.rollback()
    assert prepared > 0
    # A request that writes afterwards begins a transaction that may write: signing in
    # records when.
    with read_only_app.app_context():
        before = db.session.scalar(sa.select(Person.last_login_at).where(Person.email == email))
        signed_in_client(read_only_app, email)
        after = db.session.scalar(sa.select(Person.last_login_at).where(Person.email == email))
        db.session.remove()
    assert after is not None and after != before
