"""Faults lose nothing: a crash in the middle of an import or of issuing leaves no partial
data and shows a plain error page, and the app recovers when the database drops its
connections or restarts under it.

Like the race tests, these commit for real to a database of their own. On PostgreSQL a
real server restart is also run when ``AIRM_PG_RESTART_COMMAND`` is set (``.ci/run`` sets
it to restart the cluster it started)."""

from __future__ import annotations

import io
import os
import shlex
import subprocess
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.audit.services import verify_chain
from airm_training.core.clock import today
from airm_training.credentials.models import CredentialAward
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursImport
from airm_training.people.models import Role
from airm_training.progression import services as progression_services
from airm_training.progression.models import Application, ApplicationStatus, Certificate
from airm_training.progression.services import apply, endorse, vote
from tests.committed import _transaction, committed_app, signed_in_client  # noqa: F401 - _transaction: these tests commit
from tests.factories import make_candidate, make_director, make_person
from tests.test_engine import long_standing_supervisor, qualified_candidate

RESTART_COMMAND = os.environ.get("AIRM_PG_RESTART_COMMAND", "")


@pytest.fixture(scope="module")
def fault_app(database_url, tmp_path_factory):
    directory = tmp_path_factory.mktemp("faults")
    yield from committed_app(database_url, directory, "faults", PROPAGATE_EXCEPTIONS=False)


@pytest.fixture
def ctx(fault_app):
    with fault_app.app_context():
        yield fault_app
        db.session.remove()


class Crash(RuntimeError):
    """The fault injected in the middle of an action."""


def signed_in(app, person):
    return signed_in_client(app, person.email)


def rows(model, *where) -> int:
    """Rows of ``model`` now, read in a transaction of its own (so no lock is held after)."""
    db.session.expire_all()
    found = db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))
    db.session.commit()
    return found


def state_of(application_id: int) -> ApplicationStatus:
    db.session.expire_all()
    state = db.session.get(Application, application_id).state
    db.session.commit()
    return state


def assert_plain_error_page(response) -> None:
    assert response.status_code == 500, response.get_data(as_text=True)[-3000:]
    page = response.get_data(as_text=True)
    assert "Traceback" not in page
    assert "Crash" not in page


def test_a_crash_in_the_middle_of_an_import_leaves_nothing(ctx, monkeypatch):
    director = make_director()
    supervisor = long_standing_supervisor(director)
    candidate = make_candidate(director=director)
    content = "\n".join(
        [
            "session_date,duration_minutes,category,supervisor_email,stages,modalities,"
            "group_size,note",
            *(
                f"{today() - timedelta(days=1 + i)},30,didactic,{supervisor.email},,,,Workshop {i}"
                for i in range(50)
            ),
        ]
    ).encode()
    client = signed_in(ctx, candidate)
    token = client.form_token("/hours/import")

    def crash(*_args, **_kwargs):
        raise Crash("the disk filled up")

    # The rows and the import record are flushed by then; the audit event never is.
    monkeypatch.setattr("airm_training.hours.csv_io.record_event", crash)
    response = client.post(
        "/hours/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), "hours.csv")},
        content_type="multipart/form-data",
    )

    assert_plain_error_page(response)
    assert rows(HoursImport, HoursImport.person_id == candidate.id) == 0
    assert rows(HoursEntry, HoursEntry.person_id == candidate.id) == 0
    monkeypatch.undo()
    # The same file imports whole afterwards.
    response = client.post(
        "/hours/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), "hours.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert rows(HoursEntry, HoursEntry.person_id == candidate.id) == 50
    assert verify_chain().intact


def test_a_crash_in_the_middle_of_issuing_leaves_nothing(ctx, monkeypatch):
    director = make_director()
    supervisor = long_standing_supervisor(director)
    candidate, _hours = qualified_candidate(supervisor=supervisor, director=director)
    application = apply(candidate, endorser_id=supervisor.id, statement="")
    db.session.commit()
    endorse(supervisor, application, endorse=True, reason="Ready.")
    db.session.commit()
    for _ in range(2):
        member = make_person(Role.CO_CREATOR)
        vote(member, application, approve=True, comment="")
        db.session.commit()
    awards_before = rows(CredentialAward, CredentialAward.person_id == candidate.id)
    application_id = application.id
    page = f"/progression/applications/{application_id}"
    client = signed_in(ctx, director)
    token = client.form_token(page)

    def crash(*_args, **_kwargs):
        raise Crash("the connection dropped")

    # By then the application is marked issued and the credential awarded.
    monkeypatch.setattr(progression_services, "new_certificate", crash)
    response = client.post(f"{page}/issue", data={"csrf_token": token})

    assert_plain_error_page(response)
    assert state_of(application_id) is ApplicationStatus.APPROVED
    assert rows(CredentialAward, CredentialAward.person_id == candidate.id) == awards_before
    assert rows(Certificate, Certificate.holder_id == candidate.id) == 0
    monkeypatch.undo()
    response = client.post(f"{page}/issue", data={"csrf_token": token})
    assert response.status_code == 302
    assert rows(Certificate, Certificate.holder_id == candidate.id) == 1
    assert verify_chain().intact


def _drop_connections(app) -> None:
    """Make the server end every connection the app holds, as a restart would."""
    with app.app_context():
        name = db.engine.url.database
    admin = sa.create_engine(
        db.engine.url.set(database="postgres"),
        isolation_level="AUTOCOMMIT",
        poolclass=sa.pool.NullPool,
    )
    with admin.connect() as connection:
        connection.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND usename = current_user "
                "AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
    admin.dispose()


def _restart_server() -> None:
    subprocess.run(shlex.split(RESTART_COMMAND), check=True, timeout=120)


def _wait_until_up(app, seconds: float = 60) -> None:
    """Wait for the server on a connection of our own (the app's pool stays untouched)."""
    with app.app_context():
        probe = sa.create_engine(db.engine.url, poolclass=sa.pool.NullPool)
    deadline = time.monotonic() + seconds
    try:
        while True:
            try:
                with probe.connect() as connection:
                    connection.execute(sa.text("SELECT 1"))
                return
            except sa.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    finally:
        probe.dispose()


@pytest.mark.parametrize("fault", ["connections dropped", "server restarted"])
def test_requests_succeed_after_the_database_drops_every_connection(ctx, fault):
    if not db.engine.url.get_backend_name().startswith("postgresql"):
        pytest.skip("a PostgreSQL fault (SQLite has no server)")
    if fault == "server restarted" and not RESTART_COMMAND:
        pytest.skip("set AIRM_PG_RESTART_COMMAND to restart the server (.ci/run does)")
    candidate = make_candidate()
    client = signed_in(ctx, candidate)
    assert client.get("/hours/").status_code == 200
    db.session.remove()

    if fault == "server restarted":
        _restart_server()
        _wait_until_up(ctx)
    else:
        _drop_connections(ctx)

    statuses = [client.get("/hours/").status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert client.get("/healthz").status_code == 200
