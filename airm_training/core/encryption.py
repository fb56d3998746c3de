"""Secrets encrypted at rest (two-factor keys) with ``cryptography``'s MultiFernet.

The keys come from ``TOTP_KEYS`` (``AIRM_TOTP_KEYS``: comma-separated Fernet keys, the
first encrypts, every one decrypts, so a new key can be put first and the old ones kept
until ``airm rotate-totp-keys`` has re-encrypted everything). Without it a key is derived
from ``SECRET_KEY``, so a development database works without setting anything."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

__all__ = ["InvalidToken", "decrypt", "encrypt", "new_key", "reencrypt"]


def _derived_key(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"airm-totp-secrets")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def _fernet() -> MultiFernet:
    keys = current_app.config.get("TOTP_KEYS") or [_derived_key(current_app.config["SECRET_KEY"])]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The plain text; InvalidToken when no configured key opens it."""
    return _fernet().decrypt(token.encode("ascii")).decode()


def reencrypt(token: str) -> str:
    """``token`` encrypted again with the first key (for key rotation)."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")
