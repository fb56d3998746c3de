"""Passwords: the rules a new one must meet (length, not on the shipped list of common
passwords), hashing, and checking one against a person's stored hash."""

from __future__ import annotations

import secrets
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from airm_training.core.errors import DomainError

if TYPE_CHECKING:
    from airm_training.people.models import Person

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128

HEADER_PREFIX = "## "


@cache
def common_passwords() -> frozenset[str]:
    """Every password of ``common_passwords.txt``, lower-cased (read once per process)."""
    text = files("airm_training.auth").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith(HEADER_PREFIX)
    )


def is_common_password(password: str) -> bool:
    """Whether ``password`` (ignoring case and surrounding spaces) is on the list."""
    return password.strip().lower() in common_passwords()


def check_password_rules(password: str, field: str = "password") -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise DomainError.on(
            field, f"Use at least {PASSWORD_MIN_LENGTH} characters; a short phrase works well."
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise DomainError.on(field, f"Use at most {PASSWORD_MAX_LENGTH} characters.")
    if is_common_password(password):
        raise DomainError.on(
            field, "This password is on a list of commonly used passwords; choose another."
        )


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def password_matches(person: Person, password: str) -> bool:
    return bool(person.password_hash) and check_password_hash(person.password_hash, password)


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def spend_password_check(password: str) -> None:
    """Check ``password`` against a hash nobody's password matches: the same work as a real
    check, so an unknown account answers in the time of a known one."""
    check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
