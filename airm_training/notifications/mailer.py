"""The outbox worker: delivers the committed e-mails of ``outbox_message``.

Each run claims a batch of due messages (a short transaction that sets ``locked_until``,
so a second worker skips them), sends them over one SMTP connection with a timeout, and
commits each outcome at once: sent, or one more failed attempt with the next one later
(exponential backoff), or failed for good after ``MAIL_MAX_ATTEMPTS``. A message whose
outcome was committed is never sent again; only a worker killed between the server's
acceptance and that commit leaves a message to be sent once more when its lease ends."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_mailman import EmailMessage

from airm_training.core import jobs
from airm_training.core.clock import utcnow
from airm_training.extensions import db, mail
from airm_training.notifications.delivery import COMPOSERS
from airm_training.notifications.models import MailStatus, OutboxMessage

# Refusals of one message; the connection stays usable for the next one.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


@dataclass
class DeliveryRun:
    sent: list[int] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return len(self.sent) + len(self.dropped) + len(self.retrying) + len(self.failed)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: base · 2^(attempts-1), capped."""
    config = current_app.config
    seconds = config["MAIL_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["MAIL_RETRY_MAX_SECONDS"]))


def _lease() -> timedelta:
    """How long a claim lasts: long enough for a whole batch to time out message by message."""
    config = current_app.config
    return timedelta(seconds=config["MAIL_TIMEOUT"] * (config["MAIL_BATCH_SIZE"] + 2) + 60)


def claim_due(now: datetime, limit: int) -> list[int]:
    """Lock up to ``limit`` due messages for this worker and commit the claim."""
    return jobs.claim_due(OutboxMessage, MailStatus.PENDING.value, now, limit, _lease())


def _email(message: OutboxMessage) -> EmailMessage:
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or "localhost"
    return EmailMessage(
        subject=message.subject,
        body=message.body,
        to=[message.recipient],
        # The same id on every attempt: a receiving system can tell a repeat.
        headers={"Message-ID": f"<outbox-{message.id}@{domain}>"},
    )


def _record_sent(message: OutboxMessage) -> None:
    message.status = MailStatus.SENT.value
    message.sent_at = utcnow()
    message.attempts += 1
    message.locked_until = None
    message.last_error = None
    db.session.commit()


def _record_failure(message: OutboxMessage, error: Exception) -> bool:
    """One more failed attempt; True when it was the last one allowed."""
    message.attempts += 1
    message.locked_until = None
    message.last_error = f"{type(error).__name__}: {error}"[:300]
    last = message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
    if last:
        message.status = MailStatus.FAILED.value
    else:
        message.next_attempt_at = utcnow() + backoff(message.attempts)
    db.session.commit()
    return last


def _release(ids: list[int]) -> None:
    """Give back claimed messages not tried (the connection failed before them)."""
    if ids:
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == MailStatus.PENDING.value)
            .values(locked_until=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def _compose(message: OutboxMessage) -> bool:
    """Turn a queued request into its e-mail (committed); False when there is nothing to
    send (the message is then marked dropped)."""
    composed = COMPOSERS[message.purpose](message)
    if composed is None:
        message.status = MailStatus.DROPPED.value
        message.locked_until = None
    else:
        message.subject, message.body = composed
    message.purpose = None
    db.session.commit()
    return composed is not None


def deliver_due(limit: int | None = None) -> DeliveryRun:
    """Deliver the messages due now; stop the batch at the first connection failure."""
    run = DeliveryRun()
    ids = claim_due(utcnow(), limit or current_app.config["MAIL_BATCH_SIZE"])
    if not ids:
        return run
    connection = mail.get_connection(timeout=current_app.config["MAIL_TIMEOUT"])
    try:
        for index, message_id in enumerate(ids):
            message = db.session.get(OutboxMessage, message_id)
            if message is None or message.status != MailStatus.PENDING.value:
                continue
            if message.purpose is not None and not _compose(message):
                run.dropped.append(message.id)
                continue
            try:
                connection.open()  # no-op once open; a refused or silent server raises
                connection.send_messages([_email(message)])
            except MESSAGE_ERRORS as error:
                (run.failed if _record_failure(message, error) else run.retrying).append(message.id)
            except (OSError, smtplib.SMTPException) as error:
                (run.failed if _record_failure(message, error) else run.retrying).append(message.id)
                _release(ids[index + 1 :])
                break
            else:
                _record_sent(message)
                run.sent.append(message.id)
    finally:
        try:
            connection.close()
        except (OSError, smtplib.SMTPException):
            current_app.logger.warning("Closing the mail connection failed", exc_info=True)
    return run


def outbox_counts() -> dict[str, int]:
    """How many messages are in each state."""
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    ).all()
    return {status.value: 0 for status in MailStatus} | dict(rows)


def failed_messages(limit: int = 100) -> list[OutboxMessage]:
    """The newest messages that could not be delivered."""
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.status == MailStatus.FAILED.value)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )
