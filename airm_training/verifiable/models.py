"""The signed credential of each certificate, and the fingerprint of every PDF issued."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from airm_training.core.clock import utcnow
from airm_training.extensions import db
from airm_training.progression.models import Certificate


class SignedCredential(db.Model):
    """The Open Badges credential of a certificate, signed once at issue in both forms,
    kept as issued so that a key rotation never changes it."""

    __tablename__ = "signed_credential"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificate.id"), unique=True)
    credential_uri: Mapped[str] = mapped_column(sa.String(60), unique=True)  # urn:uuid:...
    status_index: Mapped[int] = mapped_column(unique=True)
    kid: Mapped[str] = mapped_column(sa.String(40))
    jwt: Mapped[str] = mapped_column(sa.Text)
    document: Mapped[dict[str, Any]] = mapped_column(sa.JSON)  # with its Data Integrity proof
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    certificate: Mapped[Certificate] = relationship()


class PdfKind(enum.StrEnum):
    CERTIFICATE = "certificate"
    TRANSCRIPT = "transcript"
    HOURS_VERIFICATION = "hours-verification"


class IssuedPdf(db.Model):
    """The SHA-256 of a PDF the application handed out, so a copy can be recognised."""

    __tablename__ = "issued_pdf"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    certificate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificate.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    certificate: Mapped[Certificate | None] = relationship()
