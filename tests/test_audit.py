"""The audit trail is a hash chain: every event carries the hash of the one before it,
and any edit, deletion or insertion behind the application's back is detected."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.audit.services import compute_hash, record_event, verify_chain
from airm_training.extensions import db
from tests.factories import make_person
from tests.tampering import lift_append_only_triggers

GENESIS = "0" * 64
table = AuditEvent.__table__


class _Event:
    def __init__(self, **values):
        self.__dict__.update(values)


def _record(n: int = 5) -> list[_Event]:
    """Append ``n`` events to the chain (which already holds the session's setup events);
    return what was written, detached from the ORM so that tampering cannot change it."""
    events = [
        record_event(
            "test.event",
            "thing",
            i,
            actor_id=None,
            before={"n": i, "tags": ["a", "b"]} if i % 2 else None,
            after={"n": i + 1, "ok": True, "ratio": 0.5},
        )
        for i in range(n)
    ]
    return [_snapshot(event) for event in events]


def _snapshot(event) -> _Event:
    return _Event(**{column.name: getattr(event, column.name) for column in table.columns})


def _rows() -> list[sa.Row]:
    """Every event as stored, in id order (read from the table, not the ORM)."""
    return list(db.session.execute(sa.select(table).order_by(table.c.id)).all())


def _row(event_id: int) -> sa.Row:
    return db.session.execute(sa.select(table).where(table.c.id == event_id)).one()


def _delete(event_id: int) -> None:
    lift_append_only_triggers()
    db.session.execute(sa.delete(table).where(table.c.id == event_id))
    db.session.expire_all()


def _update(event_id: int, **values) -> None:
    lift_append_only_triggers()
    db.session.execute(sa.update(table).where(table.c.id == event_id).values(**values))
    db.session.expire_all()


def _insert_forged(**values) -> None:
    """Insert a row whose hash is computed exactly as the application would."""
    values.setdefault("occurred_at", _row(values["id"] - 1).occurred_at + timedelta(seconds=1))
    values.setdefault("actor_id", None)
    values.setdefault("action", "credential.awarded")
    values.setdefault("object_type", "credential_award")
    values.setdefault("object_id", "999")
    values.setdefault("before", None)
    values.setdefault("after", {"level": "AIRT-S"})
    values["hash"] = compute_hash(_Event(**values))
    db.session.execute(sa.insert(table).values(**values))
    db.session.expire_all()


# --- append-only ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(lambda: sa.update(table).values(action="edited"), id="update"),
        pytest.param(lambda: sa.delete(table), id="delete"),
    ],
)
def test_the_database_refuses_to_change_or_delete_audit_events(statement):
    events = _record(2)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(statement().where(table.c.id == events[0].id))
    assert _row(events[0].id).action == "test.event"


def test_the_database_refuses_to_empty_the_audit_table():
    _record(1)
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE trigger covers emptying the table")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.text("TRUNCATE audit_event"))
    assert _rows()


# --- recording --------------------------------------------------------------------------
def test_record_event_links_each_event_to_the_one_before():
    last_before = db.session.scalar(sa.select(table.c.hash).order_by(table.c.id.desc()).limit(1))
    events = _record(4)

    assert events[0].prev_hash == last_before
    for previous, event in itertools.pairwise(events):
        assert event.id == previous.id + 1
        assert event.prev_hash == previous.hash
    for event in events:
        assert len(event.hash) == 64
        assert event.hash == compute_hash(event)
    assert len({event.hash for event in events}) == len(events)


def test_the_first_event_of_the_chain_links_to_the_genesis_hash():
    _record(2)
    rows = _rows()
    assert rows[0].prev_hash == GENESIS
    for previous, row in itertools.pairwise(rows):
        assert row.prev_hash == previous.hash


def test_stored_events_hash_to_their_stored_hash():
    """What is read back from the database hashes to what was written (JSON, datetimes)."""
    events = _record(3)
    db.session.commit()
    for event in events:
        row = _row(event.id)
        assert compute_hash(row) == row.hash == event.hash


def test_hash_covers_every_field():
    event = _record(1)[0]
    original = compute_hash(event)
    for field, value in (
        ("id", event.id + 1),
        ("occurred_at", event.occurred_at + timedelta(microseconds=1)),
        ("actor_id", 12345),
        ("action", "other.action"),
        ("object_type", "other"),
        ("object_id", "other"),
        ("before", {"n": -1}),
        ("after", {"n": -1}),
        ("prev_hash", "f" * 64),
    ):
        forged = _snapshot(event)
        setattr(forged, field, value)
        assert compute_hash(forged) != original, field


# --- verifying ------------------------------------------------------------------------
def test_verify_chain_reports_an_intact_chain():
    _record(5)
    report = verify_chain()
    assert report.intact
    assert report.first_bad_id is None
    assert report.problem is None
    assert report.events_checked == len(_rows())


def test_verify_chain_walks_every_batch():
    _record(7)
    report = verify_chain(batch_size=2)
    assert report.intact
    assert report.events_checked == len(_rows())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("action", "credential.revoked"),
        ("actor_id", "a person"),
        ("object_id", "31337"),
        ("object_type", "somewhere_else"),
        ("after", {"n": 1000, "ok": False, "ratio": 0.5}),
        ("before", {"n": 2}),
        ("occurred_at", "shift"),
        ("hash", "a" * 64),
        ("prev_hash", "b" * 64),
    ],
)
def test_editing_a_middle_event_is_detected_at_that_event(field, value):
    person = make_person()  # an existing person to name as the (forged) actor
    events = _record(5)
    middle = events[2]
    if field == "occurred_at":
        value = middle.occurred_at - timedelta(days=3)
    if field == "actor_id":
        assert middle.actor_id is None
        value = person.id
    _update(middle.id, **{field: value})

    report = verify_chain()
    assert not report.intact
    assert report.first_bad_id == middle.id
    assert report.problem
    assert report.events_checked == middle.id - 1


def test_a_tampered_event_rehashed_is_caught_at_the_next_event():
    events = _record(5)
    middle = events[2]
    _update(middle.id, action="credential.revoked")
    _update(middle.id, hash=compute_hash(_row(middle.id)))
    assert compute_hash(_row(middle.id)) == _row(middle.id).hash  # consistent on its own

    report = verify_chain()
    assert report.first_bad_id == middle.id + 1
    assert "link" in report.problem


def test_deleting_a_middle_event_is_detected():
    events = _record(5)
    middle = events[2]
    _delete(middle.id)

    report = verify_chain()
    assert not report.intact
    assert report.first_bad_id == middle.id + 1
    assert str(middle.id) in report.problem
    assert report.events_checked == middle.id - 1


def test_deleting_the_first_event_is_detected():
    _record(3)
    first_id = _rows()[0].id
    _delete(first_id)

    report = verify_chain()
    assert report.first_bad_id == first_id + 1
    assert report.events_checked == 0


def test_an_appended_event_linking_to_an_earlier_event_is_detected():
    events = _record(4)
    forged_id = events[-1].id + 1
    _insert_forged(id=forged_id, prev_hash=events[1].hash)

    report = verify_chain()
    assert report.first_bad_id == forged_id
    assert "link" in report.problem
    assert report.events_checked == forged_id - 1


def test_an_appended_event_with_a_made_up_hash_is_detected():
    events = _record(3)
    forged_id = events[-1].id + 1
    _insert_forged(id=forged_id, prev_hash=events[-1].hash)
    _update(forged_id, hash="c" * 64)

    report = verify_chain()
    assert report.first_bad_id == forged_id
    assert "hash" in report.problem


def test_an_event_spliced_into_the_middle_is_detected():
    """Renumber the later events to make room, then insert a well-formed forged event
    linked to the one before it: the event after the forgery no longer links."""
    events = _record(5)
    middle = events[2]
    for event_id in sorted((e.id for e in events[3:]), reverse=True):
        _update(event_id, id=event_id + 1)
    _insert_forged(id=middle.id + 1, prev_hash=middle.hash)
    assert [row.id for row in _rows()][-6:] == list(range(middle.id - 2, middle.id + 4))

    report = verify_chain()
    assert report.first_bad_id == middle.id + 2
    assert report.events_checked == middle.id + 1


def test_changing_an_event_id_is_detected():
    events = _record(5)
    last = events[-1]
    _update(last.id, id=last.id + 10)

    report = verify_chain()
    assert report.first_bad_id == last.id + 10
    assert f"expected event {last.id}" in report.problem


def test_swapping_two_event_ids_is_detected():
    events = _record(5)
    a, b = events[1].id, events[2].id
    _update(a, id=-1)
    _update(b, id=a)
    _update(-1, id=b)

    assert verify_chain().first_bad_id == a


# --- the command ------------------------------------------------------------------------
def _audit_verify(app):
    return app.test_cli_runner().invoke(args=["airm", "audit-verify"])


def test_audit_verify_command_on_an_intact_chain(app):
    _record(3)
    result = _audit_verify(app)
    assert result.exit_code == 0, result.output
    assert "intact" in result.output
    assert f"{len(_rows())} events" in result.output


def test_audit_verify_command_on_a_broken_chain(app):
    events = _record(5)
    _update(events[2].id, after={"n": 0})

    result = _audit_verify(app)
    assert result.exit_code == 1
    assert "intact" not in result.output
    assert f"BROKEN at event {events[2].id}" in result.stderr
