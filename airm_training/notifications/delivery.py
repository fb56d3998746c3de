"""The one place where e-mail leaves the application. A message handed to ``deliver``
leaves only after the transaction that created it commits: a rolled-back action sends
nothing."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_mailman import EmailMessage
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from airm_training.extensions import db

_PENDING = "airm_pending_mail"


def deliver(message: EmailMessage) -> None:
    """Send ``message`` once the current transaction commits (never if it rolls back)."""
    queue_mail(db.session(), message)


def queue_mail(session: Session, message: EmailMessage) -> None:
    session.info.setdefault(_PENDING, []).append(message)


def pending_mail(session: Session) -> list[EmailMessage]:
    return list(session.info.get(_PENDING, []))


def discard_pending_mail(session: Session) -> int:
    """Drop the mail queued so far (the notifications stay); returns how many."""
    return len(session.info.pop(_PENDING, []))


def _send_pending(session: Session) -> None:
    messages = session.info.pop(_PENDING, [])
    for message in messages:
        try:
            message.send()
        except Exception:  # the notification is in the app already; mail is best effort
            current_app.logger.exception("Could not send the e-mail to %s", message.to)


def _drop_pending(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_PENDING, None)


def install_mail_delivery(session_factory: sessionmaker) -> None:
    """Send queued mail after each commit of ``session_factory``'s sessions; drop it on
    rollback."""
    if not sa.event.contains(session_factory, "after_commit", _send_pending):
        sa.event.listen(session_factory, "after_commit", _send_pending)
        sa.event.listen(session_factory, "after_soft_rollback", _drop_pending)
