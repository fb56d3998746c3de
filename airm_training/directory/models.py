"""A person's entry in the public directory: whether they opted in, and what they wrote."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from airm_training.core.clock import utcnow
from airm_training.extensions import db

BIO_MAX = 600


class DirectoryProfile(db.Model):
    __tablename__ = "directory_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), unique=True)
    listed: Mapped[bool] = mapped_column(default=False)
    bio: Mapped[str] = mapped_column(sa.Text, default="")
    modalities: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
