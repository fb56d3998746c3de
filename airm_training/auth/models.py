"""Two-factor sign-in: a person's authenticator-app secret and their recovery codes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from airm_training.core.clock import utcnow
from airm_training.core.encryption import decrypt, encrypt
from airm_training.extensions import db


class TotpCredential(db.Model):
    """The shared secret of a person's authenticator app (RFC 6238 time-based codes).

    Unconfirmed (``confirmed_at`` empty) until the person enters a first code from the
    app. ``last_counter`` is the 30-second time step of the last accepted code: a code of
    that step or an earlier one is never accepted again. The secret is stored encrypted
    (``core/encryption.py``); ``secret`` reads and writes it in plain text."""

    __tablename__ = "totp_credential"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), unique=True)
    encrypted_secret: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    last_counter: Mapped[int | None] = mapped_column(sa.BigInteger)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def secret(self) -> str:
        return decrypt(self.encrypted_secret)

    @secret.setter
    def secret(self, value: str) -> None:
        self.encrypted_secret = encrypt(value)


class RecoveryCode(db.Model):
    """A single-use code for signing in without the authenticator app (stored hashed)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]
