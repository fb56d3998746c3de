"""The outbox against a real SMTP server on loopback (aiosmtpd): a server that is down,
silent, refusing and then recovering loses no message and delivers none twice; requests
never wait for it; messages that keep failing are marked failed for the directors.

These tests commit for real to a database of their own."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections import Counter
from email import message_from_bytes

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from airm_training.extensions import db
from airm_training.notifications.delivery import deliver
from airm_training.notifications.mailer import backoff, deliver_due
from airm_training.notifications.models import MailStatus, OutboxMessage
from tests.committed import _transaction, committed_app, signed_in_client  # noqa: F401 - _transaction: these tests commit
from tests.factories import make_director, make_person

SMTP_PORT = 8525
DEAD_PORT = 8526  # nothing listens there


class Handler:
    """Records each accepted message; ``mode`` decides how it behaves: "ok", "refuse"
    (451 on RCPT), "reject" (550 on RCPT) or "silent" (answers DATA only after a pause
    longer than the client's timeout, and then does not keep the message)."""

    def __init__(self):
        self.mode = "ok"
        self.received: list[str] = []  # Message-IDs
        self.greetings = 0  # EHLO commands: clients that talked to the server

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "refuse":
            return "451 4.3.0 Try again later"
        if self.mode == "reject":
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "silent":
            await asyncio.sleep(3)
            return "451 4.3.0 Too late"
        message = message_from_bytes(envelope.content)
        self.received.append(message["Message-ID"])
        return "250 Message accepted"


@pytest.fixture(scope="module")
def smtp():
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture(scope="module")
def mail_app(database_url, tmp_path_factory):
    directory = tmp_path_factory.mktemp("outbox")
    yield from committed_app(
        database_url,
        directory,
        "outbox",
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=SMTP_PORT,
        MAIL_TIMEOUT=1,
        MAIL_MAX_ATTEMPTS=3,
    )


@pytest.fixture
def ctx(mail_app, smtp):
    smtp.mode = "ok"
    smtp.received.clear()
    smtp.greetings = 0
    with mail_app.app_context():
        db.session.execute(sa.delete(OutboxMessage))
        db.session.commit()
        yield mail_app
        db.session.remove()


def queued(count: int) -> list[int]:
    messages = [
        deliver(to=f"person{n}@example.org", subject=f"Test {n}", body="Hello")
        for n in range(count)
    ]
    db.session.flush()
    ids = [message.id for message in messages]
    db.session.commit()  # and hold no transaction (SQLite's write lock) afterwards
    return ids


def make_due() -> None:
    """Let the backoff pass (instead of waiting for it)."""
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.PENDING.value)
        .values(next_attempt_at=OutboxMessage.created_at)
    )
    db.session.commit()


def states() -> dict[int, tuple[str, int]]:
    db.session.expire_all()
    return {
        m.id: (m.status, m.attempts) for m in db.session.scalars(sa.select(OutboxMessage)).all()
    }


def ids_received(smtp: Handler, app) -> Counter:
    domain = app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2]
    return Counter(
        int(value.removeprefix("<outbox-").removesuffix(f"@{domain}>")) for value in smtp.received
    )


def test_a_running_server_receives_each_message_once(ctx, smtp):
    ids = queued(3)
    run = deliver_due()
    assert sorted(run.sent) == ids
    assert ids_received(smtp, ctx) == Counter(ids)
    assert deliver_due().handled == 0  # nothing left, nothing sent again
    assert all(state == (MailStatus.SENT.value, 1) for state in states().values())


def test_a_server_that_is_down_delays_delivery_then_it_recovers(ctx, smtp):
    ids = queued(2)
    ctx.extensions["mailman"].port = DEAD_PORT
    try:
        run = deliver_due()
    finally:
        ctx.extensions["mailman"].port = SMTP_PORT
    # The connection failed on the first message; the second was not tried.
    assert run.retrying == ids[:1]
    assert states() == {ids[0]: (MailStatus.PENDING.value, 1), ids[1]: (MailStatus.PENDING, 0)}
    first = db.session.get(OutboxMessage, ids[0])
    assert "ConnectionRefusedError" in first.last_error
    assert deliver_due().sent == ids[1:]  # the untried one is due at once; the other waits
    make_due()
    assert deliver_due().sent == ids[:1]
    assert ids_received(smtp, ctx) == Counter(ids)


def test_a_silent_server_times_out_and_nothing_is_sent_twice(ctx, smtp):
    ids = queued(2)
    smtp.mode = "silent"
    started = time.monotonic()
    run = deliver_due()
    elapsed = time.monotonic() - started
    assert run.retrying == ids[:1]
    assert elapsed < 2.5, f"the worker waited {elapsed:.1f} s for a silent server"
    assert "timed out" in db.session.get(OutboxMessage, ids[0]).last_error
    smtp.mode = "ok"
    make_due()
    assert sorted(deliver_due().sent) == ids
    assert ids_received(smtp, ctx) == Counter(ids)


def test_a_refusing_server_is_retried_until_it_accepts(ctx, smtp):
    ids = queued(2)
    smtp.mode = "refuse"
    run = deliver_due()
    assert sorted(run.retrying) == ids  # a refused message leaves the connection usable
    smtp.mode = "ok"
    make_due()
    assert sorted(deliver_due().sent) == ids
    assert states() == dict.fromkeys(ids, (MailStatus.SENT.value, 2))
    assert ids_received(smtp, ctx) == Counter(ids)


def test_a_message_refused_every_time_is_failed_after_the_last_attempt(ctx, smtp):
    (message_id,) = queued(1)
    smtp.mode = "reject"
    for _ in range(2):
        assert deliver_due().retrying == [message_id]
        make_due()
    assert deliver_due().failed == [message_id]
    make_due()
    assert deliver_due().handled == 0  # a failed message is not tried again
    message = db.session.get(OutboxMessage, message_id)
    assert (message.status, message.attempts) == (MailStatus.FAILED.value, 3)
    assert "550" in message.last_error
    assert smtp.received == []


def test_faults_in_turn_lose_nothing_and_send_nothing_twice(ctx, smtp):
    ids = queued(12)
    ctx.config["MAIL_BATCH_SIZE"] = 4
    try:
        for mode in ("ok", "silent", "refuse", "ok", "silent", "ok", "refuse", "ok", "ok", "ok"):
            smtp.mode = mode
            deliver_due()
            make_due()
    finally:
        ctx.config["MAIL_BATCH_SIZE"] = 50
    assert states() == {i: (MailStatus.SENT.value, states()[i][1]) for i in ids}
    assert ids_received(smtp, ctx) == Counter(ids)


def test_the_backoff_doubles_up_to_its_cap(ctx):
    ctx.config.update(MAIL_RETRY_BASE_SECONDS=60, MAIL_RETRY_MAX_SECONDS=600)
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 480, 600]


@pytest.mark.parametrize("port", [DEAD_PORT, SMTP_PORT])
def test_requests_never_wait_for_the_mail_server(ctx, smtp, port):
    """With the server down or silent, inviting and asking for a reset answer at once,
    and the same way for a known and an unknown address."""
    smtp.mode = "silent"
    ctx.extensions["mailman"].port = port
    ctx.extensions["mailman"].timeout = 5  # a request that waited would take 5 s
    try:
        director = make_director(email=f"director{port}@example.org")
        known = make_person(email=f"known{port}@example.org").email
        director_email = director.email
        db.session.commit()
        client = signed_in_client(ctx, director_email)
        started = time.monotonic()
        invited = client.submit(
            "/people/invite",
            {"email": f"new{port}@example.org", "full_name": "New Person", "roles": "candidate"},
        )
        anonymous = ctx.test_client()
        answers = [
            anonymous.submit("/auth/reset", {"email": email})
            for email in (known, f"nobody{port}@example.org")
        ]
        elapsed = time.monotonic() - started
    finally:
        ctx.extensions["mailman"].port = SMTP_PORT
        ctx.extensions["mailman"].timeout = None
    print(
        f"SMTP {'down' if port == DEAD_PORT else 'silent'}: invite and 2 resets in {elapsed:.3f} s"
    )
    assert invited.status_code == 302
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    assert elapsed < 4, f"the requests took {elapsed:.1f} s"
    assert smtp.greetings == 0, "a request talked to the mail server"
    recipients = set(db.session.scalars(sa.select(OutboxMessage.recipient)))
    assert recipients == {f"new{port}@example.org", known, f"nobody{port}@example.org"}
    assert smtp.received == []
    smtp.mode = "ok"
    run = deliver_due()  # the worker, not the request, finds that "nobody" has no account
    assert (len(run.sent), len(run.dropped)) == (2, 1)
    assert len(smtp.received) == 2
    assert smtp.greetings >= 1  # the worker's connection is counted


def test_the_command_delivers_once_or_in_a_loop_until_stopped(ctx, smtp):
    ids = queued(2)
    once = ctx.test_cli_runner().invoke(args=["airm", "send-mail"])
    assert once.exit_code == 0, once.output
    assert once.output == "Sent 2, to retry 0, failed 0.\n"
    assert ids_received(smtp, ctx) == Counter(ids)

    later = queued(1)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        looped = ctx.test_cli_runner().invoke(
            args=["airm", "send-mail", "--loop", "--interval", "0.1"]
        )
    finally:
        timer.cancel()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    assert looped.exit_code == 0, looped.output
    assert looped.output.splitlines() == ["Sent 1, to retry 0, failed 0.", "Stopped."]
    assert ids_received(smtp, ctx) == Counter(ids + later)


def test_two_workers_at_once_send_each_message_once(ctx, smtp):
    ids = queued(20)
    ctx.config["MAIL_BATCH_SIZE"] = 5
    runs: list = []

    def work():
        with ctx.app_context():
            while (run := deliver_due()).handled:
                runs.append(run)
            db.session.remove()

    workers = [threading.Thread(target=work) for _ in range(2)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
    finally:
        ctx.config["MAIL_BATCH_SIZE"] = 50
    assert sorted(i for run in runs for i in run.sent) == ids
    assert ids_received(smtp, ctx) == Counter(ids)
