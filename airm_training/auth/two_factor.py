"""Two-factor sign-in: time-based codes from an authenticator app (RFC 6238) and
single-use recovery codes. Services flush; the caller commits.

Codes and secrets are never logged or written to the audit trail."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, timedelta

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from airm_training.audit.models import AuditEvent
from airm_training.audit.services import record_event
from airm_training.auth.models import RecoveryCode, TotpCredential
from airm_training.auth.passwords import password_matches
from airm_training.core import clock
from airm_training.core.encryption import reencrypt
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.people.models import Person, Role
from airm_training.people.services import end_sessions

REQUIRED_FOR = (Role.DIRECTOR, Role.ADMIN, Role.CO_CREATOR)
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_CODE_LENGTH = 10
# Wrong codes allowed per person in the window before every attempt is refused.
MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=15)
FAILED_ACTION = "auth.two_factor_failed"
WRONG_CODE = "That code is not right. Enter the current code from your app, or a recovery code."
USED_CODE = (
    "That code has already been used (or a newer one has). Wait for your app to show the "
    "next code, or enter a recovery code."
)


# --- state ---------------------------------------------------------------------------------
def credential_of(person: Person) -> TotpCredential | None:
    return db.session.scalar(sa.select(TotpCredential).where(TotpCredential.person_id == person.id))


def is_enrolled(person: Person) -> bool:
    credential = credential_of(person)
    return credential is not None and credential.is_confirmed


def is_required_for(person: Person) -> bool:
    """Whether the person's roles oblige them to use two-factor sign-in (config flag)."""
    return bool(current_app.config["TWO_FACTOR_REQUIRED"]) and person.has_role(*REQUIRED_FOR)


def must_enrol(person: Person) -> bool:
    """Required but not set up yet: the person may open nothing but the set-up page."""
    return is_required_for(person) and not is_enrolled(person)


def remaining_recovery_codes(person: Person) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(RecoveryCode.id)).where(
            RecoveryCode.person_id == person.id, RecoveryCode.used_at.is_(None)
        )
    )


def reencrypt_secrets() -> int:
    """Encrypt every stored secret again with the first configured key; how many."""
    credentials = db.session.scalars(sa.select(TotpCredential)).all()
    for credential in credentials:
        credential.encrypted_secret = reencrypt(credential.encrypted_secret)
    db.session.flush()
    return len(credentials)


# --- enrolment -----------------------------------------------------------------------------
def begin_enrolment(person: Person) -> TotpCredential:
    """The unconfirmed secret to show the person (the same one until they confirm it)."""
    credential = credential_of(person)
    if credential is not None and credential.is_confirmed:
        raise DomainError.on(None, "Two-factor sign-in is already set up.")
    if credential is None:
        credential = TotpCredential(person_id=person.id, secret=pyotp.random_base32())
        db.session.add(credential)
        db.session.flush()
    return credential


def provisioning_uri(person: Person, credential: TotpCredential) -> str:
    """The ``otpauth://`` link an authenticator app reads from the QR code."""
    issuer = f"AIRM {current_app.config['ORGANISATION_SHORT_NAME']}"
    return pyotp.TOTP(credential.secret).provisioning_uri(name=person.email, issuer_name=issuer)


def qr_code_svg(data: str) -> Markup:
    """``data`` as an inline SVG QR code (no image URL, so no CSP exception is needed)."""
    svg = segno.make(data, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title="QR code for your authenticator app"
    )
    return Markup(svg)  # noqa: S704  # nosec B704  # segno's own markup, nothing interpolated


def confirm_enrolment(person: Person, code: str) -> list[str]:
    """Turn two-factor sign-in on with a first code from the app; the new recovery codes.

    Every other session of the person ends (the caller starts a fresh one)."""
    credential = credential_of(person)
    if credential is None or credential.is_confirmed:
        raise DomainError.on(None, "Start the set-up again from the Security page.")
    _refuse_if_throttled(person)
    if not _accept_totp(credential, _normalise(code)):
        _record_failure(person, "enrol")
        raise DomainError.on("code", "That code is not right. Enter the code the app shows now.")
    credential.confirmed_at = clock.utcnow()
    codes = _replace_recovery_codes(person)
    end_sessions(person)
    record_event("auth.two_factor_enabled", "person", person.id, actor_id=person.id)
    return codes


def disable_two_factor(person: Person, *, password: str, code: str) -> None:
    """Turn two-factor sign-in off: needs the password and a current code."""
    if not is_enrolled(person):
        raise DomainError.on(None, "Two-factor sign-in is not set up.")
    if is_required_for(person):
        raise DomainError.on(
            None, "Your role requires two-factor sign-in; it cannot be turned off."
        )
    if not password_matches(person, password):
        raise DomainError.on("password", "That is not your current password.")
    verify_second_factor(person, code, purpose="disable")
    _remove_two_factor(person)
    record_event("auth.two_factor_disabled", "person", person.id, actor_id=person.id)


def reset_two_factor(person: Person, *, actor_id: int | None) -> None:
    """For a person who lost both their phone and their recovery codes (an administrator's
    command): the password alone signs them in again, and one whose role requires two-factor
    sign-in sets it up anew right after."""
    if credential_of(person) is None:
        raise DomainError.on(None, "This person has no two-factor sign-in to reset.")
    _remove_two_factor(person)
    record_event("auth.two_factor_reset", "person", person.id, actor_id=actor_id)


def _remove_two_factor(person: Person) -> None:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.person_id == person.id))
    db.session.execute(sa.delete(TotpCredential).where(TotpCredential.person_id == person.id))
    end_sessions(person)


def regenerate_recovery_codes(person: Person, *, password: str) -> list[str]:
    """New recovery codes replace every old one (used or not)."""
    if not is_enrolled(person):
        raise DomainError.on(None, "Two-factor sign-in is not set up.")
    if not password_matches(person, password):
        raise DomainError.on("password", "That is not your current password.")
    codes = _replace_recovery_codes(person)
    record_event("auth.recovery_codes_regenerated", "person", person.id, actor_id=person.id)
    return codes


# --- checking a code -----------------------------------------------------------------------
def verify_second_factor(person: Person, code: str, *, purpose: str) -> str:
    """Accept a current app code (``"totp"``) or an unused recovery code (``"recovery"``).

    A wrong code is audited (without the code); after ``MAX_FAILURES`` wrong codes in
    ``FAILURE_WINDOW`` every code is refused until the window has passed."""
    credential = credential_of(person)
    if credential is None or not credential.is_confirmed:
        raise DomainError.on(None, "Two-factor sign-in is not set up.")
    _refuse_if_throttled(person)
    entered = _normalise(code)
    if _accept_totp(credential, entered):
        return "totp"
    if _use_recovery_code(person, entered):
        return "recovery"
    _record_failure(person, purpose)
    if _already_used_totp(credential, entered) or _used_recovery_code(person, entered):
        raise DomainError.on("code", USED_CODE)
    raise DomainError.on("code", WRONG_CODE)


def _normalise(code: str) -> str:
    return "".join(character for character in code.lower() if character.isalnum())


def _accept_totp(credential: TotpCredential, code: str) -> bool:
    """A code of the current time step or either neighbour, newer than the last one used."""
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(credential.secret)
    now = totp.timecode(clock.utcnow().replace(tzinfo=UTC))
    for counter in (now - 1, now, now + 1):
        if credential.last_counter is not None and counter <= credential.last_counter:
            continue
        if hmac.compare_digest(totp.generate_otp(counter), code):
            credential.last_counter = counter
            db.session.flush()
            return True
    return False


def _already_used_totp(credential: TotpCredential, code: str) -> bool:
    """The code of a time step already used for this credential (a replay)."""
    if len(code) != 6 or not code.isdigit() or credential.last_counter is None:
        return False
    totp = pyotp.TOTP(credential.secret)
    now = totp.timecode(clock.utcnow().replace(tzinfo=UTC))
    return any(
        counter <= credential.last_counter and hmac.compare_digest(totp.generate_otp(counter), code)
        for counter in (now - 1, now, now + 1)
    )


def _used_recovery_code(person: Person, code: str) -> bool:
    if len(code) != RECOVERY_CODE_LENGTH:
        return False
    return (
        db.session.scalar(
            sa.select(RecoveryCode.id).where(
                RecoveryCode.person_id == person.id,
                RecoveryCode.code_hash == _hash_recovery_code(code),
                RecoveryCode.used_at.is_not(None),
            )
        )
        is not None
    )


def _hash_recovery_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _use_recovery_code(person: Person, code: str) -> bool:
    if len(code) != RECOVERY_CODE_LENGTH:
        return False
    stored = db.session.scalar(
        sa.select(RecoveryCode).where(
            RecoveryCode.person_id == person.id,
            RecoveryCode.code_hash == _hash_recovery_code(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if stored is None:
        return False
    stored.used_at = clock.utcnow()
    db.session.flush()
    record_event(
        "auth.recovery_code_used",
        "person",
        person.id,
        actor_id=person.id,
        after={"remaining": remaining_recovery_codes(person)},
    )
    return True


def _replace_recovery_codes(person: Person) -> list[str]:
    """Delete the person's recovery codes and make new ones; the codes, formatted for people."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.person_id == person.id))
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    db.session.add_all(
        RecoveryCode(person_id=person.id, code_hash=_hash_recovery_code(code)) for code in codes
    )
    db.session.flush()
    half = RECOVERY_CODE_LENGTH // 2
    return [f"{code[:half]}-{code[half:]}" for code in codes]


def _recent_failures(person: Person) -> int:
    since = clock.utcnow() - FAILURE_WINDOW
    return db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == FAILED_ACTION,
            AuditEvent.object_type == "person",
            AuditEvent.object_id == str(person.id),
            AuditEvent.occurred_at >= since,
        )
    )


def _refuse_if_throttled(person: Person) -> None:
    if _recent_failures(person) >= MAX_FAILURES:
        raise DomainError.on(
            "code", "Too many wrong codes. Wait a quarter of an hour, then try again."
        )


def _record_failure(person: Person, purpose: str) -> None:
    record_event(FAILED_ACTION, "person", person.id, actor_id=None, after={"purpose": purpose})
