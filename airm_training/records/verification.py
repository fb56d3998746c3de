"""The board-ready verification of supervised hours: what it lists (every signed session in
a date range, totals by category and supervisor, each supervisor's licences and AIRT-S
dates, the sign-offs and their attestation), issuing it as a numbered version with a
verification code, and what its public page may say. Services flush; the caller commits."""

from __future__ import annotations

import hashlib
import json
import secrets
import string
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from airm_training.access.supervision import supervision_periods
from airm_training.audit.services import record_event
from airm_training.core.clock import add_months, local_date, local_datetime, today
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.people.models import Licence, Person
from airm_training.programme.models import HoursCategory
from airm_training.records.models import HoursVerification

SNAPSHOT_SCHEMA = 1
MAX_RANGE_YEARS = 10
CODE_LENGTH = 24  # letters and digits (about 143 bits): cannot be guessed
CODE_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class PublicState:
    """What the public page says about an issued verification."""

    current: bool  # the signed sessions of its range are still exactly those it lists
    newer_version: int | None  # the latest version issued for the same range, when newer
    newer_issued_on: date | None


# --- rules ---------------------------------------------------------------------------------
def default_range(day: date) -> tuple[date, date]:
    """The last 12 months up to and including ``day``."""
    return add_months(day, -12) + timedelta(days=1), day


def range_problems(starts_on: date | None, ends_on: date | None, day: date) -> list[tuple]:
    """What is wrong with a requested date range (empty when it is fine)."""
    problems: list[tuple[str | None, str]] = []
    if starts_on is None:
        problems.append(("starts_on", "Enter the first day as YYYY-MM-DD."))
    if ends_on is None:
        problems.append(("ends_on", "Enter the last day as YYYY-MM-DD."))
    if problems:
        return problems
    if ends_on > day:
        problems.append(("ends_on", "The last day cannot be in the future."))
    if starts_on > ends_on:
        problems.append(("starts_on", "The first day must come before the last day."))
    elif add_months(starts_on, 12 * MAX_RANGE_YEARS) <= ends_on:
        problems.append(("starts_on", f"Choose at most {MAX_RANGE_YEARS} years at a time."))
    return problems


# --- what the document lists ---------------------------------------------------------------
def _sessions(person_id: int, starts_on: date, ends_on: date) -> list[dict[str, Any]]:
    """Every signed session of the person in the range, oldest first (one query)."""
    signer = aliased(Person)
    rows = db.session.execute(
        sa.select(
            HoursEntry.id,
            HoursEntry.session_date,
            HoursCategory.code,
            HoursCategory.name,
            HoursEntry.minutes,
            signer.id,
            signer.full_name,
            signer.post_nominals,
            HoursEntry.signed_at,
            HoursEntry.attestation,
            HoursEntry.amends_id,
        )
        .join(HoursCategory, HoursCategory.id == HoursEntry.category_id)
        .join(signer, signer.id == HoursEntry.signed_by_id)
        .where(
            HoursEntry.person_id == person_id,
            HoursEntry.status == HoursStatus.SIGNED.value,
            HoursEntry.session_date >= starts_on,
            HoursEntry.session_date <= ends_on,
        )
        .order_by(HoursEntry.session_date, HoursEntry.id)
    ).all()
    return [
        {
            "entry_id": entry_id,
            "date": session_date.isoformat(),
            "category": code,
            "category_name": category_name,
            "minutes": minutes,
            "supervisor_id": supervisor_id,
            "supervisor": _display(name, post_nominals),
            "signed_at": local_datetime(signed_at).isoformat(timespec="seconds"),
            "attestation": attestation or "",
            "amends_entry": amends_id,
        }
        for (
            entry_id,
            session_date,
            code,
            category_name,
            minutes,
            supervisor_id,
            name,
            post_nominals,
            signed_at,
            attestation,
            amends_id,
        ) in rows
    ]


def _display(name: str, post_nominals: str) -> str:
    return f"{name}, {post_nominals}" if post_nominals else name


def fingerprint(sessions: list[dict[str, Any]]) -> str:
    """A digest of the sessions listed: any sign-off, amendment or new signed entry in the
    range changes it."""
    keys = ("entry_id", "date", "category", "minutes", "supervisor_id", "signed_at")
    material = json.dumps([[s[k] for k in keys] for s in sessions], separators=(",", ":"))
    return hashlib.sha256(material.encode()).hexdigest()


def _totals(sessions: list[dict[str, Any]]) -> dict[str, Any]:
    by_category: dict[str, dict[str, Any]] = {}
    by_supervisor: dict[int, dict[str, Any]] = {}
    for s in sessions:
        category = by_category.setdefault(
            s["category"],
            {"category": s["category"], "name": s["category_name"], "minutes": 0, "sessions": 0},
        )
        supervisor = by_supervisor.setdefault(
            s["supervisor_id"],
            {
                "supervisor_id": s["supervisor_id"],
                "name": s["supervisor"],
                "minutes": 0,
                "sessions": 0,
            },
        )
        for group in (category, supervisor):
            group["minutes"] += s["minutes"]
            group["sessions"] += 1
    return {
        "minutes": sum(s["minutes"] for s in sessions),
        "sessions": len(sessions),
        "by_category": sorted(by_category.values(), key=lambda g: g["name"]),
        "by_supervisor": sorted(by_supervisor.values(), key=lambda g: g["name"]),
    }


def _licences(person_ids: set[int]) -> dict[int, list[dict[str, Any]]]:
    """Each person's licences on file (one query)."""
    found: dict[int, list[dict[str, Any]]] = {pid: [] for pid in person_ids}
    if not person_ids:
        return found
    for licence in db.session.scalars(
        sa.select(Licence)
        .where(Licence.person_id.in_(person_ids))
        .order_by(Licence.licence_type, Licence.jurisdiction)
    ):
        found[licence.person_id].append(
            {
                "type": licence.licence_type,
                "number": licence.number,
                "jurisdiction": licence.jurisdiction,
                "expires_on": licence.expires_on.isoformat(),
                "verified": licence.is_verified,
            }
        )
    return found


def _supervisors(sessions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each supervisor who signed a listed session: licences, AIRT-S periods (the read model
    of supervision), and their sign-offs in this document."""
    ids = {s["supervisor_id"] for s in sessions}
    licences, periods = _licences(ids), supervision_periods(ids)
    result = []
    for supervisor_id in sorted(ids):
        signed = [s for s in sessions if s["supervisor_id"] == supervisor_id]
        result.append(
            {
                "supervisor_id": supervisor_id,
                "name": signed[0]["supervisor"],
                "licences": licences[supervisor_id],
                "airt_s": [
                    {"from": start.isoformat(), "through": end.isoformat() if end else None}
                    for start, end in sorted(periods[supervisor_id])
                ],
                "sign_offs": len(signed),
                "minutes": sum(s["minutes"] for s in signed),
                "first_signed_at": min(s["signed_at"] for s in signed),
                "last_signed_at": max(s["signed_at"] for s in signed),
                "attestations": sorted({s["attestation"] for s in signed if s["attestation"]}),
                "entry_ids": [s["entry_id"] for s in signed],
            }
        )
    return sorted(result, key=lambda r: r["name"])


def build_snapshot(person: Person, starts_on: date, ends_on: date) -> dict[str, Any]:
    """Everything the document shows, as plain JSON values (a constant number of queries)."""
    sessions = _sessions(person.id, starts_on, ends_on)
    return {
        "schema": SNAPSHOT_SCHEMA,
        "organisation": current_app.config["ORGANISATION_NAME"],
        "holder": {
            "name": person.display_name,
            "licences": _licences({person.id})[person.id],
        },
        "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(),
        "sessions": sessions,
        "totals": _totals(sessions),
        "supervisors": _supervisors(sessions),
    }


# --- issuing -------------------------------------------------------------------------------
def new_code() -> str:
    """A verification code of letters and digits only (nothing a spreadsheet or a reader
    could take for a sign or a separator)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _latest(person_id: int, starts_on: date, ends_on: date) -> HoursVerification | None:
    return db.session.scalar(
        sa.select(HoursVerification)
        .where(
            HoursVerification.person_id == person_id,
            HoursVerification.starts_on == starts_on,
            HoursVerification.ends_on == ends_on,
        )
        .order_by(HoursVerification.version.desc())
        .limit(1)
    )


def issue_verification(
    person: Person, starts_on: date | None, ends_on: date | None, *, actor: Person
) -> HoursVerification:
    """The verification of ``person``'s signed hours in the range: the latest version when
    nothing changed since it was issued, else a new version (audited)."""
    problems = range_problems(starts_on, ends_on, today())
    if problems:
        raise DomainError(*problems)
    snapshot = build_snapshot(person, starts_on, ends_on)
    digest = fingerprint(snapshot["sessions"])
    latest = _latest(person.id, starts_on, ends_on)
    if latest is not None and latest.fingerprint == digest:
        return latest
    verification = HoursVerification(
        person_id=person.id,
        code=new_code(),
        starts_on=starts_on,
        ends_on=ends_on,
        version=(latest.version + 1) if latest else 1,
        fingerprint=digest,
        total_minutes=snapshot["totals"]["minutes"],
        session_count=snapshot["totals"]["sessions"],
        snapshot=snapshot,
        issued_by_id=actor.id,
    )
    db.session.add(verification)
    db.session.flush()
    record_event(
        "hours_verification.issued",
        "hours_verification",
        verification.id,
        actor_id=actor.id,
        after={
            "person_id": person.id,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "version": verification.version,
            "total_minutes": verification.total_minutes,
            "sessions": verification.session_count,
            "fingerprint": digest,
        },
    )
    return verification


def verifications_of(person_id: int) -> list[HoursVerification]:
    """The person's issued verifications, newest first."""
    return list(
        db.session.scalars(
            sa.select(HoursVerification)
            .where(HoursVerification.person_id == person_id)
            .order_by(HoursVerification.issued_at.desc(), HoursVerification.id.desc())
        )
    )


def find_by_code(code: str) -> HoursVerification | None:
    return db.session.scalar(sa.select(HoursVerification).where(HoursVerification.code == code))


def public_state(verification: HoursVerification) -> PublicState:
    """Whether the record still matches the document, and the newest version of its range."""
    now = fingerprint(
        _sessions(verification.person_id, verification.starts_on, verification.ends_on)
    )
    latest = _latest(verification.person_id, verification.starts_on, verification.ends_on)
    newer = latest if latest is not None and latest.version > verification.version else None
    return PublicState(
        current=now == verification.fingerprint and newer is None,
        newer_version=newer.version if newer else None,
        newer_issued_on=local_date(newer.issued_at) if newer else None,
    )
