"""Signed, expiring, single-use links for invitations and password resets.

A token carries the person's id and a fingerprint of their current password hash and
session version. Setting a password changes both, so a used token stops working."""

from __future__ import annotations

import hashlib
from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from airm_training.extensions import db
from airm_training.people.models import Person


class TokenPurpose(StrEnum):
    INVITE = "invite"
    RESET = "reset"


class TokenError(Exception):
    """The link is expired, tampered with or already used; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _serializer(purpose: TokenPurpose) -> URLSafeTimedSerializer:
    # Signed with SECRET_KEY; links signed with a key in SECRET_KEY_FALLBACKS still work.
    keys = [*current_app.config.get("SECRET_KEY_FALLBACKS", []), current_app.config["SECRET_KEY"]]
    return URLSafeTimedSerializer(keys, salt=f"airm-{purpose}")


def _fingerprint(person: Person) -> str:
    material = f"{person.password_hash or ''}:{person.session_version}:{person.active}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def _max_age(purpose: TokenPurpose) -> int:
    key = "INVITE_TOKEN_MAX_AGE" if purpose is TokenPurpose.INVITE else "RESET_TOKEN_MAX_AGE"
    return current_app.config[key]


def make_token(person: Person, purpose: TokenPurpose) -> str:
    return _serializer(purpose).dumps({"p": person.id, "f": _fingerprint(person)})


def person_for_token(token: str, purpose: TokenPurpose) -> Person:
    """The person the token was made for, or TokenError."""
    try:
        data = _serializer(purpose).loads(token, max_age=_max_age(purpose))
    except SignatureExpired:
        raise TokenError("This link has expired. Ask for a new one.") from None
    except BadSignature:
        raise TokenError("This link is not valid. Check that you copied all of it.") from None
    person = db.session.get(Person, data.get("p")) if isinstance(data, dict) else None
    if person is None or not person.active:
        raise TokenError("This link is not valid. Check that you copied all of it.")
    if data.get("f") != _fingerprint(person):
        raise TokenError("This link has already been used. Ask for a new one if you need it.")
    return person
