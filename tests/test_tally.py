"""The kept hours tally: written in the transaction that changes what it rests on, always
equal to a recomputation, read by evaluations instead of the entries."""

# ruff: noqa: F811 - the fixtures imported from test_engine are redefined as arguments

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from airm_training.cli import rebuild_standing_command
from airm_training.core.changes import marked_people
from airm_training.core.clock import today
from airm_training.credentials.models import CredentialAward, Enrolment
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.hours.services import sign_entries
from airm_training.programme.models import Requirement
from airm_training.progression import tally
from airm_training.progression.engine import evaluate_many, next_level
from airm_training.progression.models import HoursTally
from tests.test_engine import (  # noqa: F401 - fixtures used as arguments
    COC,
    DIRECT,
    INDIVIDUAL,
    candidate,
    director,
    insert_hours,
    make_candidate,
    months_ago,
    result,
    supervisor,
)


def kept(person, label: str) -> tuple[int, int] | None:
    """The tally's (minutes, sessions) of the requirement labelled ``label``."""
    rules = next_level(person)
    (req,) = [r for r in rules.requirements if r.label == label and r.purpose == "attain"]
    row = db.session.get(HoursTally, (req.id, person.id))
    return None if row is None else (row.minutes, row.sessions)


def test_signed_entries_are_tallied_when_the_transaction_commits(candidate, supervisor):
    insert_hours(candidate, "direct-clinical", 3, 60, signer=supervisor)
    assert kept(candidate, DIRECT) == (180, 3)
    assert tally.differences(db.session) == []


def test_signing_through_the_service_updates_the_tally(candidate, supervisor):
    ids = insert_hours(
        candidate, "direct-clinical", 2, 90, signer=supervisor, status=HoursStatus.SUBMITTED
    )
    assert kept(candidate, DIRECT) == (0, 0)
    assert sign_entries(supervisor, ids, attested=True) == 2
    assert candidate.id in marked_people(db.session)
    # Before the commit the evaluation reads the entries, not the stale tally.
    assert result(candidate, DIRECT).current == 3
    db.session.commit()
    assert not marked_people(db.session)
    assert kept(candidate, DIRECT) == (180, 2)
    assert result(candidate, DIRECT).current == 3


def test_a_rolled_back_change_leaves_the_tally_and_no_marks(candidate, supervisor):
    insert_hours(candidate, "direct-clinical", 1, 60, signer=supervisor)
    entry = db.session.scalar(sa.select(HoursEntry).where(HoursEntry.person_id == candidate.id))
    entry.minutes = 600
    db.session.flush()
    assert candidate.id in marked_people(db.session)
    db.session.rollback()
    assert not marked_people(db.session)
    assert kept(candidate, DIRECT) == (60, 1)


def test_a_bulk_update_of_entries_is_tallied(candidate, supervisor):
    insert_hours(candidate, "direct-clinical", 2, 60, signer=supervisor)
    db.session.execute(
        sa.update(HoursEntry).where(HoursEntry.person_id == candidate.id).values(minutes=120)
    )
    db.session.commit()
    assert kept(candidate, DIRECT) == (240, 2)


def test_a_revoked_signer_changes_the_consultation_counted_for_those_they_signed(
    candidate, supervisor
):
    insert_hours(candidate, "individual-consultation", 4, 60, signer=supervisor)
    assert kept(candidate, INDIVIDUAL) == (240, 4)
    award = db.session.scalar(
        sa.select(CredentialAward).where(CredentialAward.person_id == supervisor.id)
    )
    award.status = "revoked"
    db.session.commit()
    assert kept(candidate, INDIVIDUAL) == (0, 0)
    assert result(candidate, INDIVIDUAL).current == 0
    assert tally.differences(db.session) == []


def test_moving_the_enrolment_date_is_tallied(candidate, supervisor):
    insert_hours(candidate, "direct-clinical", 2, 60, signer=supervisor, first_day_ago=30)
    enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.person_id == candidate.id))
    enrolment.enrolled_on = today() - timedelta(days=5)
    db.session.commit()
    assert kept(candidate, DIRECT) == (0, 0)
    assert tally.differences(db.session) == []


def test_evaluations_read_the_tally_not_the_entries(candidate, supervisor):
    """Figures changed behind the tally's back (raw SQL) show, are found by the check,
    and are put right by the rebuild."""
    insert_hours(candidate, "direct-clinical", 1, 60, signer=supervisor)
    db.session.execute(
        sa.text("UPDATE hours_tally SET minutes = 3000, sessions = 50 WHERE person_id = :p"),
        {"p": candidate.id},
    )
    db.session.commit()
    assert result(candidate, DIRECT).current == 50
    assert tally.differences(db.session)
    tally.rebuild(db.session)
    db.session.commit()
    assert tally.differences(db.session) == []
    assert result(candidate, DIRECT).current == 1


def test_an_earlier_day_and_evidence_are_read_from_the_entries(candidate, supervisor):
    insert_hours(candidate, "direct-clinical", 1, 60, signer=supervisor, first_day_ago=10)
    db.session.execute(
        sa.text("UPDATE hours_tally SET minutes = 3000 WHERE person_id = :p"), {"p": candidate.id}
    )
    db.session.commit()
    assert result(candidate, DIRECT, as_of=today() - timedelta(days=1)).current == 1
    assert result(candidate, DIRECT, with_evidence=True).current == 1


def test_people_without_kept_figures_are_read_live(candidate, supervisor):
    insert_hours(candidate, "direct-clinical", 2, 60, signer=supervisor)
    db.session.execute(sa.delete(HoursTally))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursTally)) == 0
    assert evaluate_many([candidate])[candidate.id].results
    assert result(candidate, DIRECT).current == 2


def test_many_people_read_the_tally_in_one_query_for_every_hours_requirement(director, supervisor):
    people = [make_candidate(director=director, enrolled_on=months_ago(13)) for _ in range(3)]
    for person in people:
        insert_hours(person, "direct-clinical", 2, 60, signer=supervisor)
    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = db.engines[None].engine
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        standings = evaluate_many([p.id for p in people])
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    hours_reads = [s for s in statements if "hours_entry" in s or "hours_tally" in s]
    assert len(hours_reads) == 1
    assert "FROM hours_tally" in hours_reads[0]
    for person in people:
        (direct,) = [r for r in standings[person.id].results if r.label == DIRECT]
        assert direct.current == 2


def test_a_deleted_requirement_takes_its_tally_with_it(candidate, supervisor):
    insert_hours(candidate, "didactic", 1, 60, signer=supervisor)
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(HoursTally))
    assert rows >= 5
    req = db.session.scalar(
        sa.select(Requirement).join(HoursTally, HoursTally.requirement_id == Requirement.id)
    )
    db.session.delete(req)
    db.session.flush()
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(HoursTally)
            .where(HoursTally.requirement_id == req.id)
        )
        == 0
    )
    db.session.rollback()


def test_the_rebuild_command_and_its_check(app, candidate, supervisor):
    insert_hours(candidate, "direct-clinical", 1, 60, signer=supervisor)
    runner = app.test_cli_runner()
    checked = runner.invoke(rebuild_standing_command, ["--check"])
    assert checked.exit_code == 0, checked.output
    assert "0 kept figures differ" in checked.output
    db.session.execute(
        sa.text("UPDATE hours_tally SET minutes = 1 WHERE person_id = :p"), {"p": candidate.id}
    )
    db.session.commit()
    checked = runner.invoke(rebuild_standing_command, ["--check"])
    assert checked.exit_code == 1
    assert f"person {candidate.id}: differs" in checked.output
    rebuilt = runner.invoke(rebuild_standing_command, [])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Recomputed" in rebuilt.output
    assert kept(candidate, DIRECT) == (60, 1)
    assert COC  # the consultation-of-consultation requirement is tallied too
    assert kept(candidate, COC) == (0, 0)
