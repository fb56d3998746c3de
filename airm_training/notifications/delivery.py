"""The one place where e-mail leaves the application: ``deliver`` writes a row to the
outbox in the caller's transaction. A rolled-back action leaves no row, so it sends
nothing; the ``send-mail`` worker (``notifications/mailer.py``) delivers what was
committed. No request ever talks to the mail server."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from airm_training.extensions import db
from airm_training.notifications.models import OutboxMessage

_QUEUED = "airm_outbox_queued"
SUBJECT_MAX = 200

# purpose -> composer: given the queued request, the (subject, body) to send, or None when
# there is nothing to send. Features register theirs; the worker calls them.
Composer = Callable[[OutboxMessage], tuple[str, str] | None]
COMPOSERS: dict[str, Composer] = {}


def register_composer(purpose: str, composer: Composer) -> None:
    COMPOSERS[purpose] = composer


def deliver(*, to: str, subject: str, body: str, purpose: str | None = None) -> OutboxMessage:
    """Send an e-mail to ``to`` once the current transaction commits (never if it rolls
    back): the outbox row is part of that transaction."""
    return queue_mail(db.session(), to=to, subject=subject, body=body, purpose=purpose)


def queue_mail(
    session: Session, *, to: str, subject: str, body: str, purpose: str | None = None
) -> OutboxMessage:
    """Add an e-mail to ``to`` to the outbox in ``session``'s transaction (with a
    ``purpose``, a request that its registered composer turns into the e-mail)."""
    message = OutboxMessage(recipient=to, subject=subject[:SUBJECT_MAX], body=body, purpose=purpose)
    session.add(message)
    session.info.setdefault(_QUEUED, []).append(message)
    return message


def discard_pending_mail(session: Session) -> int:
    """Take back the e-mails queued so far in this session (the notifications stay), e.g.
    for demo data; returns how many."""
    queued = session.info.pop(_QUEUED, [])
    for message in queued:
        if message in session:
            session.expunge(message) if message.id is None else session.delete(message)
    session.flush()
    return len(queued)
