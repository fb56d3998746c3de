"""Test setup: one database per session built by the migrations, a rolled-back
transaction per test, and a client that submits the real HTML forms.

Set ``AIRM_TEST_DATABASE_URL`` (e.g. ``postgresql+psycopg://airm:airm@127.0.0.1/airm_test``)
to run the same suite on PostgreSQL; the default is a fresh SQLite file."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence

import flask
import flask_migrate
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.engine import Engine, make_url

from airm_training import create_app
from airm_training.assessments.bank import load_question_bank
from airm_training.core.db import is_write_transaction
from airm_training.extensions import db, limiter
from airm_training.notifications.mailer import deliver_due
from airm_training.programme.loader import load_programme_file
from airm_training.verifiable.keys import KeyStore
from tests import hostile  # noqa: F401 - registers and loads the hypothesis profiles

TEST_PASSWORD = "correct horse battery"
# Production requires the site's public address; the production apps the tests build use
# this one unless a test sets or removes it.
os.environ.setdefault("AIRM_PUBLIC_BASE_URL", "https://training.example.org")

# Signing keys for this run only, created once before any app (and read by config.py).
TEST_KEYS_DIR = os.environ.setdefault(
    "AIRM_TEST_KEYS_DIR", tempfile.mkdtemp(prefix="airm-test-keys-")
)
if not KeyStore(TEST_KEYS_DIR).key_sets():
    KeyStore(TEST_KEYS_DIR).generate("Bellevue Trauma Recovery Center")


# Writes run inside a read-only request (a GET, HEAD or OPTIONS of a view not marked
# ``@writes``), in any test: on PostgreSQL that request's transaction is READ ONLY, and the
# write would fail there (the suite's own transaction, begun outside any request, is not).
READ_ONLY_WRITES: list[str] = []
_WRITE_STATEMENT = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def flag_write_in_read_only_request(_conn, _cursor, statement, *_args) -> None:
    if (
        _WRITE_STATEMENT.match(statement)
        and flask.has_request_context()
        and flask.g.get("airm_dispatching")  # a view's, not a test's request context
        and not is_write_transaction()
    ):
        request = flask.request
        READ_ONLY_WRITES.append(f"{request.method} {request.endpoint}: {statement[:60]}")


def _mark_dispatching(_app, **_extra) -> None:
    flask.g.airm_dispatching = True


sa.event.listen(Engine, "before_cursor_execute", flag_write_in_read_only_request)
flask.request_started.connect(_mark_dispatching)


@pytest.fixture(autouse=True)
def _no_writes_in_read_only_requests(request):
    READ_ONLY_WRITES.clear()
    yield
    if not request.node.get_closest_marker("writes_in_read_only_request"):
        assert not READ_ONLY_WRITES, "mark these views @writes:\n" + "\n".join(READ_ONLY_WRITES)


def pytest_unconfigure(config) -> None:
    """Remove this run's keys (a folder made by this run, never one given)."""
    if os.path.basename(TEST_KEYS_DIR).startswith("airm-test-keys-"):
        shutil.rmtree(TEST_KEYS_DIR, ignore_errors=True)


def _reset_database(url: str) -> None:
    """Start from an empty database so the migrations build every table."""
    if url.startswith("postgresql"):
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()


def another_database(database_url: str, name: str, directory) -> str:
    """The URL of an empty database beside the suite's own, of the same dialect: a SQLite
    file in ``directory``, or the PostgreSQL database ``<test database>_<name>``."""
    if not database_url.startswith("postgresql"):
        return f"sqlite:///{directory / f'airm-{name}.sqlite3'}"
    url = make_url(database_url)
    other = url.set(database=f"{url.database}_{name}")
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": other.database}
        )
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{other.database}"'))
    engine.dispose()
    other_url = other.render_as_string(hide_password=False)
    _reset_database(other_url)
    return other_url


def migrated_app(url: str, **overrides) -> flask.Flask:
    """A testing app on ``url``, migrated, with the programme and question bank loaded;
    unlike ``app``, tests commit to it for real."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, **overrides)
    app.test_client_class = IsolatedClient
    with app.app_context():
        flask_migrate.upgrade()
        load_programme_file()
        load_question_bank()
        db.session.commit()
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("AIRM_TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'airm-test.sqlite3'}"
    )


@pytest.fixture(scope="session")
def app(database_url):
    _reset_database(database_url)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        flask_migrate.upgrade()
        load_programme_file()
        load_question_bank()
        db.session.commit()
        db.session.remove()
    db.session.session_factory.configure(join_transaction_mode="create_savepoint")
    app.test_client_class = IsolatedClient
    yield app
    with app.app_context():
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context (its own session and ``g``), as in
    production, even while the test itself holds one. A streamed body is read before the
    request ends, within that context, as a server reads it (a body streamed with its
    request's context would otherwise be read under the test's)."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        app_token = flask.globals._cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            flask.globals._cv_app.reset(app_token)

    def form_token(self, path: str) -> str:
        """The CSRF token embedded in the form at ``path``."""
        return csrf_token_in(self.get(path).get_data(as_text=True))

    def submit(
        self, path: str, data: dict | None = None, *, form_path: str | None = None, **kwargs
    ):
        """Open the page holding the form, then post it with its CSRF token."""
        token = self.form_token(form_path or path)
        return self.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)


def csrf_token_in(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture(autouse=True)
def _transaction(app):
    """Every test runs inside a transaction that is rolled back afterwards."""
    with app.app_context():
        engines = db._app_engines[app]
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        limiter.reset()
        app.extensions["mailman"].outbox = []
        try:
            yield
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture
def client(app) -> IsolatedClient:
    return app.test_client()


class DeliveredMail(Sequence):
    """The e-mails delivered during the test (flask_mailman's locmem backend). Reading it
    first runs the outbox worker, as ``airm send-mail`` would, on what was committed."""

    def __init__(self, app: flask.Flask):
        self.app = app

    def _delivered(self) -> list:
        while deliver_due().handled:
            pass
        return self.app.extensions["mailman"].outbox

    def __getitem__(self, index):
        return self._delivered()[index]

    def __len__(self) -> int:
        return len(self._delivered())

    def __eq__(self, other) -> bool:
        return self._delivered() == other

    __hash__ = None

    def clear(self) -> None:
        self._delivered().clear()


@pytest.fixture
def outbox(app) -> DeliveredMail:
    """E-mails the app's outbox delivered during the test."""
    return DeliveredMail(app)
