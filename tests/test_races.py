"""Races: the same action sent by 8 clients at the same moment has exactly one effect, never
a server error, and the audit chain stays intact.

These tests need real concurrent transactions, so they run against their own database
(a fresh SQLite file, or ``<test database>_races`` on PostgreSQL) that they commit to,
instead of the rolled-back transaction of the other tests. ``AIRM_RACE_REPEATS`` sets how
many times each race is run (default 2)."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.audit.services import verify_chain
from airm_training.core.clock import today
from airm_training.credentials.models import CredentialAward
from airm_training.extensions import db
from airm_training.hours import backlog
from airm_training.hours.models import HoursEntry, HoursImport, HoursStatus
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import log_entry
from airm_training.people.models import Person, Role
from airm_training.progression.models import Application, ApplicationStatus, Certificate, Vote
from airm_training.progression.services import apply, endorse, vote
from tests.committed import _transaction, committed_app, release, signed_in_client  # noqa: F401 - _transaction: these tests commit
from tests.conftest import (
    IsolatedClient,
    csrf_token_in,
)
from tests.factories import make_candidate, make_director, make_person
from tests.test_engine import long_standing_supervisor, qualified_candidate

THREADS = 8
REPEATS = int(os.environ.get("AIRM_RACE_REPEATS", "2"))


@pytest.fixture(scope="module")
def race_app(database_url, tmp_path_factory):
    yield from committed_app(database_url, tmp_path_factory.mktemp("races"), "races")


@pytest.fixture
def ctx(race_app):
    with race_app.app_context():
        yield race_app
        db.session.remove()


def signed_in(app, person: Person, count: int = THREADS) -> list[IsolatedClient]:
    email = person.email
    return [signed_in_client(app, email) for _ in range(count)]


def at_once(clients: list[IsolatedClient], send: Callable[[IsolatedClient], object]) -> list:
    """Run ``send`` for every client in its own thread, all released at the same moment;
    return the status codes (or the exceptions raised)."""
    barrier = threading.Barrier(len(clients))
    outcomes: list = [None] * len(clients)

    def run(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = send(clients[index]).status_code
        except Exception as error:  # reported by the assertion below
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def assert_no_server_error(outcomes: list) -> None:
    problems = [o for o in outcomes if not isinstance(o, int) or o >= 500]
    assert not problems, f"server errors or exceptions: {problems}"


def count(statement) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))


def assert_chain_intact() -> None:
    db.session.expire_all()
    report = verify_chain()
    assert report.intact, report.problem


def post_form(path: str, data: dict, form_path: str | None = None):
    """A sender posting ``data`` with the CSRF token of the page holding the form.

    Tokens are read before the race starts, so that only the posts run at once."""
    tokens: dict[int, str] = {}

    def prepare(client: IsolatedClient) -> None:
        tokens[id(client)] = csrf_token_in(client.get(form_path or path).get_data(as_text=True))

    def send(client: IsolatedClient):
        return client.post(path, data={**data, "csrf_token": tokens[id(client)]})

    return prepare, send


def race(clients, path, data, form_path=None) -> list:
    release()
    prepare, send = post_form(path, data, form_path)
    for client in clients:
        prepare(client)
    return at_once(clients, send)


# --- the races ------------------------------------------------------------------------------
@pytest.mark.parametrize("round_", range(REPEATS))
def test_signing_the_same_entry_at_once_signs_it_once(ctx, round_):
    director = make_director()
    supervisor = long_standing_supervisor(director)
    candidate = make_candidate(director=director)
    entry = log_entry(
        candidate,
        EntryInput(
            session_date=today() - timedelta(days=1),
            minutes=60,
            category_code="individual-consultation",
            supervisor_id=supervisor.id,
        ),
        submit=True,
    )
    db.session.commit()

    outcomes = race(
        signed_in(ctx, supervisor),
        "/hours/sign",
        {"entry": str(entry.id), "attest": "y"},
        form_path="/hours/queue",
    )

    assert_no_server_error(outcomes)
    db.session.expire_all()
    signed = db.session.get(HoursEntry, entry.id)
    assert signed.state is HoursStatus.SIGNED
    assert signed.signed_by_id == supervisor.id
    events = sa.select(AuditEvent).where(
        AuditEvent.action == "hours.signed", AuditEvent.object_id == str(entry.id)
    )
    assert count(events) == 1
    assert_chain_intact()


@pytest.mark.parametrize("round_", range(REPEATS))
def test_applying_at_once_opens_one_application(ctx, round_):
    director = make_director()
    supervisor = long_standing_supervisor(director)
    candidate, _hours = qualified_candidate(supervisor=supervisor, director=director)

    outcomes = race(
        signed_in(ctx, candidate),
        "/progression/apply",
        {"endorser": str(supervisor.id), "statement": "Ready."},
    )

    assert_no_server_error(outcomes)
    assert count(sa.select(Application).where(Application.person_id == candidate.id)) == 1
    assert_chain_intact()


def endorsed_application(board_size: int):
    director = make_director()
    supervisor = long_standing_supervisor(director)
    candidate, _hours = qualified_candidate(supervisor=supervisor, director=director)
    application = apply(candidate, endorser_id=supervisor.id, statement="")
    db.session.commit()
    endorse(supervisor, application, endorse=True, reason="Ready.")
    db.session.commit()
    board = [make_person(Role.CO_CREATOR) for _ in range(board_size)]
    return director, candidate, application, board


@pytest.mark.parametrize("round_", range(REPEATS))
def test_the_deciding_votes_at_once_approve_exactly_once(ctx, round_):
    _director, _candidate, application, board = endorsed_application(THREADS + 1)
    vote(board[0], application, approve=True, comment="")
    db.session.commit()
    page = f"/progression/applications/{application.id}"
    clients = [signed_in(ctx, member, 1)[0] for member in board[1:]]

    outcomes = race(clients, f"{page}/vote", {"decision": "approve", "comment": ""}, page)

    assert_no_server_error(outcomes)
    db.session.expire_all()
    assert db.session.get(Application, application.id).state is ApplicationStatus.APPROVED
    # The quorum is two: once it is reached, later votes are refused.
    assert count(sa.select(Vote).where(Vote.application_id == application.id)) == 2
    approvals = sa.select(AuditEvent).where(
        AuditEvent.action == "application.approved",
        AuditEvent.object_id == str(application.id),
    )
    assert count(approvals) == 1
    assert_chain_intact()


@pytest.mark.parametrize("round_", range(REPEATS))
def test_the_same_member_voting_at_once_votes_once(ctx, round_):
    _director, _candidate, application, board = endorsed_application(3)
    page = f"/progression/applications/{application.id}"

    outcomes = race(
        signed_in(ctx, board[0]), f"{page}/vote", {"decision": "approve", "comment": ""}, page
    )

    assert_no_server_error(outcomes)
    assert count(sa.select(Vote).where(Vote.application_id == application.id)) == 1
    db.session.expire_all()
    assert db.session.get(Application, application.id).state is ApplicationStatus.ENDORSED
    assert_chain_intact()


@pytest.mark.parametrize("round_", range(REPEATS))
def test_issuing_at_once_issues_one_certificate(ctx, round_):
    director, candidate, application, board = endorsed_application(3)
    for member in board[:2]:
        vote(member, application, approve=True, comment="")
        db.session.commit()
    directors = [director, *(make_director() for _ in range(THREADS - 1))]
    clients = [signed_in(ctx, person, 1)[0] for person in directors]
    page = f"/progression/applications/{application.id}"

    outcomes = race(clients, f"{page}/issue", {}, page)

    assert_no_server_error(outcomes)
    assert count(sa.select(Certificate).where(Certificate.holder_id == candidate.id)) == 1
    awards = sa.select(CredentialAward).where(CredentialAward.person_id == candidate.id)
    assert count(awards) == 2  # AIRT-C on enrolment, AIRT-S once
    db.session.expire_all()
    assert db.session.get(Application, application.id).state is ApplicationStatus.ISSUED
    assert_chain_intact()


@pytest.mark.parametrize("round_", range(REPEATS))
def test_importing_the_same_file_at_once_imports_it_once(ctx, round_):
    director = make_director()
    supervisor = long_standing_supervisor(director)
    candidate = make_candidate(director=director)
    day = today() - timedelta(days=1)
    content = "\n".join(
        [
            "session_date,duration_minutes,category,supervisor_email,stages,modalities,"
            "group_size,note",
            *(f"{day},30,didactic,{supervisor.email},,,,Workshop {i}" for i in range(20)),
        ]
    ).encode()
    clients = signed_in(ctx, candidate)
    release()
    tokens = {id(c): csrf_token_in(c.get("/hours/import").get_data(as_text=True)) for c in clients}

    def send(client):
        return client.post(
            "/hours/import",
            data={"csrf_token": tokens[id(client)], "file": (io.BytesIO(content), "hours.csv")},
            content_type="multipart/form-data",
        )

    outcomes = at_once(clients, send)

    assert_no_server_error(outcomes)
    assert count(sa.select(HoursImport).where(HoursImport.person_id == candidate.id)) == 1
    assert count(sa.select(HoursEntry).where(HoursEntry.person_id == candidate.id)) == 20
    assert_chain_intact()


def test_concurrent_writers_keep_one_unbroken_audit_chain(ctx):
    """Many different actions at once (each appending to the chain) never fork it."""
    director = make_director()
    supervisor = long_standing_supervisor(director)
    candidates = [make_candidate(director=director) for _ in range(THREADS)]
    clients = [signed_in(ctx, person, 1)[0] for person in candidates]
    day = str(today() - timedelta(days=1))
    before = count(sa.select(AuditEvent))

    outcomes = race(
        clients,
        "/hours/new",
        {
            "session_date": day,
            "duration_hours": "0",
            "duration_minutes": "45",
            "category": "didactic",
            "supervisor": str(supervisor.id),
            "note": "Workshop",
            "submit_entry": "Submit for sign-off",
        },
    )

    assert_no_server_error(outcomes)
    logged = sa.select(HoursEntry).where(HoursEntry.person_id.in_([c.id for c in candidates]))
    assert count(logged) == THREADS
    assert count(sa.select(AuditEvent)) >= before + THREADS
    assert_chain_intact()


@pytest.mark.parametrize("round_", range(REPEATS))
def test_logging_and_signing_at_once_neither_deadlocks_nor_miscounts(ctx, round_):
    """Candidates submit new entries while their supervisor signs their earlier ones, all at
    once: each action either happens or is refused, never a server error (on PostgreSQL two
    such transactions once waited on each other's locks), and the kept sign-off backlog
    equals a recount."""
    director = make_director()
    supervisor = long_standing_supervisor(director)
    pairs = THREADS // 2
    candidates = [make_candidate(director=director) for _ in range(pairs)]
    earlier = [
        log_entry(
            person,
            EntryInput(
                session_date=today() - timedelta(days=2),
                minutes=60,
                category_code="individual-consultation",
                supervisor_id=supervisor.id,
            ),
            submit=True,
        )
        for person in candidates
    ]
    db.session.commit()
    new = {
        "session_date": str(today() - timedelta(days=1)),
        "duration_hours": "1",
        "duration_minutes": "0",
        "category": "individual-consultation",
        "supervisor": str(supervisor.id),
        "submit_entry": "Submit for sign-off",
    }
    logging = [signed_in(ctx, person, 1)[0] for person in candidates]
    signing = signed_in(ctx, supervisor, pairs)
    prepare_new, send_new = post_form("/hours/new", new)
    sends = {}
    for client in logging:
        prepare_new(client)
        sends[id(client)] = send_new
    for client, entry in zip(signing, earlier, strict=True):
        prepare, send = post_form(
            "/hours/sign", {"entry": str(entry.id), "attest": "y"}, form_path="/hours/queue"
        )
        prepare(client)
        sends[id(client)] = send

    release()  # the test's own session holds no transaction while they run
    outcomes = at_once(logging + signing, lambda client: sends[id(client)](client))

    assert_no_server_error(outcomes)
    db.session.expire_all()
    assert backlog.differences(db.session) == []
    assert_chain_intact()
