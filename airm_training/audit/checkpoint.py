"""Checkpoints of the audit chain kept outside the database.

The chain itself shows an altered or removed event in the middle, but not the newest
events cut off its end. A checkpoint (event count, last id, last hash, time) is appended
as a JSON line to a file outside the database (or a log), signed with an HMAC key derived
from the instance's ``SECRET_KEY``; checking the chain against it shows events deleted
after it was written. Run ``airm audit-checkpoint`` often (e.g. hourly from cron)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from airm_training.audit.models import AuditEvent
from airm_training.core.clock import utcnow

FIELDS = ("events", "last_id", "last_hash", "at")


def _key() -> bytes:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"airm-audit-checkpoint", hashlib.sha256).digest()


def _signature(values: dict) -> str:
    message = json.dumps({k: values[k] for k in FIELDS}, sort_keys=True, separators=(",", ":"))
    return hmac.new(_key(), message.encode(), hashlib.sha256).hexdigest()


def make_checkpoint(session) -> dict:
    """The chain's head now, signed."""
    count, last_id = session.execute(
        sa.select(sa.func.count(AuditEvent.id), sa.func.max(AuditEvent.id))
    ).one()
    last_hash = session.scalar(sa.select(AuditEvent.hash).where(AuditEvent.id == last_id))
    values = {
        "events": count,
        "last_id": last_id,
        "last_hash": last_hash,
        "at": utcnow().isoformat(timespec="seconds"),
    }
    return {**values, "signature": _signature(values)}


def append_checkpoint(session, path: Path) -> dict:
    checkpoint = make_checkpoint(session)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(checkpoint, sort_keys=True) + "\n")
    return checkpoint


@dataclass(frozen=True)
class CheckpointProblem:
    line: int
    reason: str


def check_against(session, path: Path) -> CheckpointProblem | None:
    """The first checkpoint in ``path`` that the chain in the database contradicts (or
    whose signature is wrong), or None when the chain holds every one."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        return CheckpointProblem(0, f"cannot read the checkpoint file ({error.strerror})")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            checkpoint = json.loads(line)
            values = {k: checkpoint[k] for k in FIELDS}
            signature = checkpoint["signature"]
        except (json.JSONDecodeError, KeyError, TypeError):
            return CheckpointProblem(number, "is not a checkpoint")
        if not hmac.compare_digest(str(signature), _signature(values)):
            return CheckpointProblem(number, "its signature is wrong (altered, or another key)")
        problem = _contradiction(session, values)
        if problem:
            return CheckpointProblem(number, problem)
    return None


def _contradiction(session, values: dict) -> str | None:
    if values["last_id"] is None:
        return None  # written when the chain was empty
    head = session.execute(
        sa.select(AuditEvent.hash).where(AuditEvent.id == values["last_id"])
    ).scalar()
    count = session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.id <= values["last_id"])
    )
    if head is None:
        return (
            f"event {values['last_id']}, the newest at {values['at']}, is missing: "
            "the newest events were deleted"
        )
    if head != values["last_hash"]:
        return f"event {values['last_id']} is not the one recorded at {values['at']}"
    if count != values["events"]:
        return (
            f"{values['events']} events were recorded up to event {values['last_id']}, "
            f"{count} remain"
        )
    return None
