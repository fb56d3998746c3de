"""Checkpoints outside the database catch what the chain alone cannot: the newest events
deleted. ``audit-checkpoint F`` appends the signed head; ``audit-verify --checkpoint F``
fails when events it recorded are gone, replaced, or the line was altered."""

from __future__ import annotations

import json

import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.audit.services import record_event, verify_chain
from airm_training.extensions import db
from tests.tampering import lift_append_only_triggers

table = AuditEvent.__table__


def record(n: int) -> list[int]:
    ids = [record_event("test.event", "thing", i, actor_id=None).id for i in range(n)]
    db.session.flush()
    return ids


def checkpoint(app, path):
    return app.test_cli_runner().invoke(args=["airm", "audit-checkpoint", str(path)])


def verify(app, path):
    return app.test_cli_runner().invoke(args=["airm", "audit-verify", "--checkpoint", str(path)])


def delete_from(event_id: int) -> None:
    lift_append_only_triggers()
    db.session.execute(sa.delete(table).where(table.c.id >= event_id))
    db.session.expire_all()


def test_an_intact_chain_holds_every_checkpoint(app, tmp_path):
    path = tmp_path / "audit.checkpoints"
    record(3)
    first = checkpoint(app, path)
    assert first.exit_code == 0, first.output
    record(2)
    assert checkpoint(app, path).exit_code == 0
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["events"] for line in lines][1] == lines[0]["events"] + 2
    assert set(lines[0]) == {"events", "last_id", "last_hash", "at", "signature"}

    result = verify(app, path)

    assert result.exit_code == 0, result.output
    assert "every checkpoint" in result.output


def test_deleting_the_newest_events_is_detected(app, tmp_path):
    path = tmp_path / "audit.checkpoints"
    ids = record(5)
    assert checkpoint(app, path).exit_code == 0
    delete_from(ids[-2])
    assert verify_chain().intact  # the chain alone cannot tell

    result = verify(app, path)

    assert result.exit_code == 1
    assert f"event {ids[-1]}" in result.stderr
    assert "newest events were deleted" in result.stderr


def test_newest_events_replaced_by_others_are_detected(app, tmp_path):
    path = tmp_path / "audit.checkpoints"
    ids = record(3)
    assert checkpoint(app, path).exit_code == 0
    delete_from(ids[0])
    record(3)  # the same ids again, other content
    assert verify_chain().intact

    result = verify(app, path)

    assert result.exit_code == 1
    assert f"event {ids[-1]} is not the one recorded" in result.stderr


def test_an_altered_checkpoint_line_is_refused(app, tmp_path):
    path = tmp_path / "audit.checkpoints"
    record(2)
    assert checkpoint(app, path).exit_code == 0
    line = json.loads(path.read_text())
    line["events"] -= 1
    line["last_id"] -= 1
    path.write_text(json.dumps(line) + "\n")

    result = verify(app, path)

    assert result.exit_code == 1
    assert "signature is wrong" in result.stderr


def test_a_checkpoint_signed_with_another_instance_key_is_refused(app, tmp_path, monkeypatch):
    path = tmp_path / "audit.checkpoints"
    record(1)
    monkeypatch.setitem(app.config, "SECRET_KEY", "another instance's secret key")
    assert checkpoint(app, path).exit_code == 0
    monkeypatch.undo()
    assert verify(app, path).exit_code == 1
