"""The unit of work: views and commands never commit or roll back themselves; one helper
commits a user action or rolls it back and shows why; a read-only request takes no write
lock on SQLite, so two of them never wait for each other.

The behaviour tests commit for real to a database of their own (as the race tests do)."""

from __future__ import annotations

import ast
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages
from wtforms import StringField

from airm_training.audit.models import AuditEvent
from airm_training.audit.services import record_event
from airm_training.core.db import is_write_transaction, writes
from airm_training.core.errors import DomainError
from airm_training.core.forms import Form
from airm_training.core.work import unit_of_work
from airm_training.extensions import db
from airm_training.people.models import Person
from tests.committed import _transaction, committed_app, signed_in_client  # noqa: F401 - _transaction: these tests commit
from tests.factories import make_person

ROOT = Path(__file__).resolve().parent.parent / "airm_training"
TRANSACTION_CALLS = {"commit", "rollback"}


def transaction_calls(path: Path) -> list[str]:
    """``file:line`` of every ``….commit()`` / ``….rollback()`` call in ``path``."""
    tree = ast.parse(path.read_text(), str(path))
    return [
        f"{path.relative_to(ROOT.parent)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in TRANSACTION_CALLS
    ]


def test_no_view_module_commits_or_rolls_back():
    view_modules = sorted(ROOT.glob("*/*routes.py"))
    assert len(view_modules) >= 12, "the view modules were not found"
    found = [call for path in view_modules for call in transaction_calls(path)]
    assert found == [], f"views must use core.work.unit_of_work instead: {found}"


def test_the_scan_finds_a_commit(tmp_path):
    sample = ROOT / "core" / "work.py"  # the one place that does commit
    assert transaction_calls(sample), "the scan would miss a commit"


# --- behaviour, on a database of its own ------------------------------------------------------
@pytest.fixture(scope="module")
def work_app(database_url, tmp_path_factory):
    yield from committed_app(database_url, tmp_path_factory.mktemp("work"), "work")


@pytest.fixture
def ctx(work_app):
    with work_app.app_context():
        yield work_app
        db.session.remove()


class NoteForm(Form):
    note = StringField()


def events(action: str) -> int:
    db.session.rollback()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def test_success_commits(ctx):
    with ctx.test_request_context("/", method="POST"):
        with unit_of_work() as work:
            record_event("test.work_ok", "person", actor_id=None)
        assert work.ok and bool(work)
    assert events("test.work_ok") == 1


def test_a_domain_error_rolls_back_and_is_flashed(ctx):
    with ctx.test_request_context("/", method="POST"):
        with unit_of_work() as work:
            record_event("test.work_refused", "person", actor_id=None)
            raise DomainError.on(None, "Not like this.")
        assert not work.ok and isinstance(work.error, DomainError)
        assert get_flashed_messages(with_categories=True) == [("danger", "Not like this.")]
    assert events("test.work_refused") == 0


def test_a_domain_error_goes_onto_the_form(ctx):
    with ctx.test_request_context("/", method="POST", data={}):
        form = NoteForm(meta={"csrf": False})
        form.validate()
        with unit_of_work(form) as work:
            raise DomainError(("note", "Field problem."), (None, "General problem."))
        assert not work.ok
        assert form.note.errors == ["Field problem."]
        assert get_flashed_messages() == ["General problem."]


def test_keep_refused_commits_the_record_of_the_refusal(ctx):
    with ctx.test_request_context("/", method="POST"):
        with unit_of_work(keep_refused=True) as work:
            record_event("test.work_kept", "person", actor_id=None)
            raise DomainError.on(None, "Wrong code.")
        assert not work.ok
    assert events("test.work_kept") == 1


def test_an_integrity_error_rolls_back_with_the_conflict_message(ctx):
    existing = make_person()
    with ctx.test_request_context("/", method="POST"):
        with unit_of_work(conflict="Already there.") as work:
            record_event("test.work_conflict", "person", actor_id=None)
            db.session.add(Person(email=existing.email, full_name="Twin"))
            db.session.flush()
        assert isinstance(work.error, sa.exc.IntegrityError)
        assert get_flashed_messages(with_categories=True) == [("warning", "Already there.")]
    assert events("test.work_conflict") == 0


def test_any_other_error_rolls_back_and_propagates(ctx):
    with (
        ctx.test_request_context("/", method="POST"),
        pytest.raises(ZeroDivisionError),
        unit_of_work(),
    ):
        record_event("test.work_crash", "person", actor_id=None)
        _ = 1 / 0
    assert events("test.work_crash") == 0


def test_only_read_only_requests_skip_the_write_lock(ctx):
    assert is_write_transaction(), "outside a request (a command) a transaction may write"
    with ctx.test_request_context("/hours/", method="GET"):
        assert not is_write_transaction()
    with ctx.test_request_context("/hours/", method="HEAD"):
        assert not is_write_transaction()
    with ctx.test_request_context("/hours/new", method="POST"):
        assert is_write_transaction()
    with ctx.test_request_context("/auth/security/two-factor/setup", method="GET"):
        assert is_write_transaction(), "a GET view marked @writes takes the lock"
    assert writes(lambda: None)._airm_writes is True


# --- two read requests at once ----------------------------------------------------------------
@pytest.fixture(scope="module")
def reads_app(database_url, tmp_path_factory):
    """An app whose GET of the notifications page, once armed, waits after its view (its
    transaction still open) until a second request reaches the same point."""
    apps = committed_app(database_url, tmp_path_factory.mktemp("reads"), "reads")
    app = next(apps)
    app.config["READ_BARRIER"] = None

    @app.after_request
    def wait_for_the_other(response):
        barrier = app.config["READ_BARRIER"]
        if barrier is not None and response.status_code == 200:
            db.session.execute(sa.select(sa.func.count()).select_from(Person))
            barrier.wait()  # both transactions are open here at the same time
        return response

    yield app
    yield from apps


def test_two_read_requests_do_not_wait_for_each_other(reads_app, database_url):
    if database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL never locks readers out; the write lock is SQLite's")
    with reads_app.app_context():
        people = [make_person() for _ in range(2)]
        clients = [signed_in_client(reads_app, person.email) for person in people]
        db.session.remove()
    # Were the first request to hold SQLite's write lock, the second would wait for it
    # (the busy timeout) while the first waits for the second here: the barrier breaks.
    reads_app.config["READ_BARRIER"] = threading.Barrier(2, timeout=5)
    statuses: list = [None, None]

    def read(index: int) -> None:
        try:
            statuses[index] = clients[index].get("/notifications/").status_code
        except Exception as error:  # reported by the assertion below
            statuses[index] = error

    started = time.monotonic()
    threads = [threading.Thread(target=read, args=(i,)) for i in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        reads_app.config["READ_BARRIER"] = None
    assert statuses == [200, 200]
    assert time.monotonic() - started < 5
