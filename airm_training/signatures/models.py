"""A signature image uploaded by a director or a board member, and which image each
certificate was issued with (so that a certificate always prints what it was issued
with, whatever its signatories upload or remove later)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from airm_training.core.clock import utcnow
from airm_training.extensions import db


class SignatureImage(db.Model):
    """One uploaded image; the person's current one is the one not retired. A retired
    image is kept only while a certificate prints it."""

    __tablename__ = "signature_image"
    __table_args__ = (
        sa.Index(
            "uq_signature_image_current",
            "person_id",
            unique=True,
            sqlite_where=sa.text("retired_at IS NULL"),
            postgresql_where=sa.text("retired_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    content_type: Mapped[str] = mapped_column(sa.String(40))
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]


class CertificateSignature(db.Model):
    """The image drawn at one signature line of a certificate: position 0 is the
    issuing director, 1, 2, ... the board members in the order of ``approver_names``.
    A line without a row prints the name only."""

    __tablename__ = "certificate_signature"

    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificate.id"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    signature_id: Mapped[int] = mapped_column(sa.ForeignKey("signature_image.id"), index=True)
