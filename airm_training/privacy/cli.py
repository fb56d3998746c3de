"""``flask airm privacy-check`` and ``flask airm privacy-sweep`` (also ``airm ...``)."""

from __future__ import annotations

import json
import sys

import click
import sqlalchemy as sa

from airm_training.cli import bp
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.privacy.detector import detect
from airm_training.privacy.registry import registered_people
from airm_training.privacy.sweep import sweep


@bp.cli.command("privacy-check")
def privacy_check_command() -> None:
    """Read text lines on stdin; write one JSON object per line with its findings:
    {"line": N, "findings": [{"kind": ..., "start": ..., "end": ...}]}. Registered people
    of the configured database are not client identifiers."""
    registry = registered_people()
    for number, line in enumerate(sys.stdin, start=1):
        text = line.rstrip("\r\n")
        findings = [finding.to_json() for finding in detect(text, registry)]
        click.echo(json.dumps({"line": number, "findings": findings}))


@bp.cli.command("privacy-sweep")
def privacy_sweep_command() -> None:
    """List every stored text that may identify a client, one JSON object per line:
    where, whose and what kinds (never the text)."""
    rows = list(sweep())
    emails = dict(
        db.session.execute(
            sa.select(Person.id, Person.email).where(Person.id.in_({r.owner_id for r in rows}))
        ).all()
    )
    for row in rows:
        click.echo(json.dumps({**row.to_json(), "owner": emails.get(row.owner_id)}))
    click.echo(f"{len(rows)} stored texts may identify a client.", err=True)
