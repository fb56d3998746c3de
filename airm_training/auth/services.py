"""Authentication rules: who may sign in, and sending links by e-mail."""

from __future__ import annotations

from flask import current_app, render_template

from airm_training.audit.services import record_event
from airm_training.auth.passwords import password_matches, spend_password_check
from airm_training.auth.tokens import TokenPurpose, make_token
from airm_training.core.clock import utcnow
from airm_training.core.errors import DomainError
from airm_training.core.urls import external_url, site_base_url
from airm_training.notifications.delivery import deliver, register_composer
from airm_training.notifications.models import OutboxMessage
from airm_training.people.models import Person
from airm_training.people.services import find_by_email, normalise_email, set_password

RESET_PURPOSE = "password_reset"
RESET_SUBJECT = "Reset your AIRM Training & Credentials password"


class SignInRefused(Exception):
    """Sign-in failed; the message is safe to show (it never says which part was wrong)."""


def authenticate(email: str, password: str) -> Person:
    """The person whose e-mail and password these are (the first step of signing in)."""
    person = find_by_email(email)
    if person is None or not person.password_hash:
        spend_password_check(password)  # no answer sooner than for a real account
    if person is None or not password_matches(person, password):
        record_event(
            "auth.login_failed",
            "person",
            person.id if person else None,
            actor_id=None,
            after={"email": email.strip().lower()[:254]},
        )
        raise SignInRefused("That e-mail and password do not match an account.")
    if not person.active:
        record_event("auth.login_refused_inactive", "person", person.id, actor_id=person.id)
        raise SignInRefused("This account has been deactivated. Contact the programme office.")
    return person


def complete_sign_in(person: Person, *, second_factor: str | None = None) -> None:
    """Record a sign-in whose every step succeeded (``second_factor``: "totp", "recovery")."""
    person.last_login_at = utcnow()
    after = {"second_factor": second_factor} if second_factor else None
    record_event("auth.login", "person", person.id, actor_id=person.id, after=after)


def change_password(person: Person, *, current_password: str, new_password: str) -> None:
    """A signed-in person sets a new password; every session of theirs ends."""
    if not password_matches(person, current_password):
        raise DomainError.on("current_password", "That is not your current password.")
    if current_password == new_password:
        raise DomainError.on("password", "Choose a password different from the current one.")
    set_password(person, new_password, actor_id=person.id)


def link_mail(person: Person, purpose: TokenPurpose, base: str | None = None) -> tuple[str, str]:
    """The subject and body of an invitation or password-reset e-mail to ``person``."""
    endpoint = "auth.accept_invite" if purpose is TokenPurpose.INVITE else "auth.reset_password"
    link = external_url(endpoint, _base=base, token=make_token(person, purpose))
    organisation = current_app.config["ORGANISATION_NAME"]
    subject = (
        f"Your invitation to AIRM Training & Credentials — {organisation}"
        if purpose is TokenPurpose.INVITE
        else RESET_SUBJECT
    )
    body = render_template(
        f"auth/email/{purpose.value}.txt", person=person, link=link, organisation=organisation
    )
    return subject, body


def send_link(person: Person, purpose: TokenPurpose) -> None:
    """Queue an e-mail with an invitation or password-reset link (in the outbox, so in the
    caller's transaction)."""
    subject, body = link_mail(person, purpose)
    deliver(to=person.email, subject=subject, body=body)


def request_password_reset(email: str) -> None:
    """Queue the request as typed; the mail worker looks the address up and sends a link
    only to an active account. The request does the same work whoever asks."""
    deliver(
        to=normalise_email(email)[:254],
        subject=RESET_SUBJECT,
        body=site_base_url(),
        purpose=RESET_PURPOSE,
    )


def compose_reset(message: OutboxMessage) -> tuple[str, str] | None:
    """The reset e-mail for a queued request, or None when no active account has the
    address (then nothing is sent, and the asker cannot tell)."""
    person = find_by_email(message.recipient)
    if person is None or not person.active:
        return None
    record_event("auth.reset_requested", "person", person.id, actor_id=None)
    return link_mail(person, TokenPurpose.RESET, base=message.body or None)


register_composer(RESET_PURPOSE, compose_reset)
