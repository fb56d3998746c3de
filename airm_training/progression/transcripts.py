"""Transcripts handed out: each gets a verification code, printed on its pages and kept
with what the transcript printed, so the public verification page can confirm a
printout's holder, date and reference."""

from __future__ import annotations

import secrets
from dataclasses import replace

import sqlalchemy as sa

from airm_training.core.urls import external_url
from airm_training.documents.transcript import TranscriptData
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.progression.documents import transcript_data
from airm_training.progression.models import IssuedTranscript


def issue_transcript(person: Person) -> TranscriptData:
    """The transcript's data with a new verification code, recorded; the caller commits."""
    data = transcript_data(person)
    record = IssuedTranscript(
        verification_code=secrets.token_urlsafe(12),  # 96 random bits, like certificates
        person_id=person.id,
        holder_name=data.holder_name,
        organisation=data.organisation,
        generated_on=data.generated_on,
        reference=data.reference,
    )
    db.session.add(record)
    db.session.flush()
    return replace(
        data,
        verification_code=record.verification_code,
        verification_url=external_url("verify.show", code=record.verification_code),
    )


def find_transcript(code: str) -> IssuedTranscript | None:
    return db.session.scalar(
        sa.select(IssuedTranscript).where(IssuedTranscript.verification_code == code)
    )
