"""The kept sign-off backlog: entries waiting for sign-off by the day they were submitted,
written in the transaction that submits, signs, returns, withdraws or deletes them, always
equal to a recount, and read by the director's overview instead of the entries."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from airm_training.cli import rebuild_standing_command
from airm_training.core.changes import days_pending
from airm_training.core.clock import local_date, today, utcnow
from airm_training.extensions import db
from airm_training.hours import backlog
from airm_training.hours.models import HoursEntry, HoursStatus, SignoffBacklog
from airm_training.hours.services import (
    delete_entry,
    return_entry,
    sign_entries,
    submit_entry,
    withdraw_entry,
)
from airm_training.reports import queues
from tests.factories import login, make_candidate, make_director
from tests.test_engine import insert_hours
from tests.test_hours_services import logged, reload, supervisor_for_a_year
from tests.test_reports import rows_of


@pytest.fixture
def people(app):
    """A supervisor current for a year and a candidate."""
    return supervisor_for_a_year(), make_candidate(director=make_director())


def kept() -> dict:
    """The backlog as kept, summed by day: {day: entries}, days with none left out."""
    db.session.expire_all()
    return dict(
        db.session.execute(
            sa.select(SignoffBacklog.day, sa.func.sum(SignoffBacklog.entries))
            .group_by(SignoffBacklog.day)
            .having(sa.func.sum(SignoffBacklog.entries) > 0)
        ).all()
    )


def live(overdue_before: datetime) -> tuple[int, int, datetime | None]:
    """The figures counted from the entries themselves."""
    return db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(HoursEntry.submitted_at < overdue_before),
            sa.func.min(HoursEntry.submitted_at),
        ).where(HoursEntry.status == HoursStatus.SUBMITTED.value)
    ).one()


def submitted_at(person, supervisor, moments: list[datetime]) -> list[int]:
    """Entries waiting for sign-off, submitted at these moments: inserted directly, then
    moved to those moments by an UPDATE statement."""
    ids = insert_hours(
        person, "direct-clinical", len(moments), 60, signer=supervisor, status=HoursStatus.SUBMITTED
    )
    for entry_id, moment in zip(ids, moments, strict=True):
        db.session.execute(
            sa.update(HoursEntry).where(HoursEntry.id == entry_id).values(submitted_at=moment)
        )
    db.session.commit()
    assert backlog.differences(db.session) == []  # the UPDATE moved them: followed
    return ids


def test_submitting_signing_and_returning_keep_the_count_of_the_day(people):
    supervisor, candidate = people
    day = utcnow().date()
    first = logged(candidate, supervisor)
    second = logged(candidate, supervisor, minutes=90)
    third = logged(candidate, supervisor, minutes=30)
    assert kept() == {day: 3}
    assert sign_entries(supervisor, [first.id], attested=True) == 1
    db.session.commit()
    assert kept() == {day: 2}
    return_entry(reload(second), supervisor, "Please add the modality.")
    db.session.commit()
    assert kept() == {day: 1}
    withdraw_entry(reload(third), candidate)
    db.session.commit()
    assert kept() == {}
    submit_entry(reload(third), candidate)
    db.session.commit()
    assert kept() == {day: 1}
    assert backlog.differences(db.session) == []


def test_a_deleted_draft_and_a_bulk_insert_are_counted(people):
    supervisor, candidate = people
    draft = logged(candidate, supervisor, submit=False)
    assert kept() == {}
    insert_hours(
        candidate, "direct-clinical", 2, 60, signer=supervisor, status=HoursStatus.SUBMITTED
    )
    assert kept() == {utcnow().date(): 2}
    delete_entry(reload(draft), candidate)
    db.session.commit()
    assert kept() == {utcnow().date(): 2}
    withdrawn = db.session.scalar(
        sa.select(HoursEntry).where(HoursEntry.status == HoursStatus.SUBMITTED.value).limit(1)
    )
    db.session.delete(withdrawn)
    db.session.commit()
    assert kept() == {utcnow().date(): 1}
    assert backlog.differences(db.session) == []


def test_a_rolled_back_submission_leaves_the_backlog_and_no_marks(people):
    supervisor, candidate = people
    entry = logged(candidate, supervisor, submit=False)
    submit_entry(reload(entry), candidate)
    db.session.flush()
    assert days_pending(db.session)
    db.session.rollback()
    assert not days_pending(db.session)
    assert kept() == {}


def test_the_figures_from_the_backlog_equal_a_count_of_the_entries(people):
    supervisor, candidate = people
    now = utcnow().replace(microsecond=0)
    cut = now - timedelta(days=14)
    moments = [
        cut - timedelta(days=3),
        cut - timedelta(minutes=1),  # the day of the cut, before it
        cut + timedelta(minutes=1),  # the day of the cut, after it
        cut - timedelta(days=1),
        now - timedelta(hours=2),
    ]
    submitted_at(candidate, supervisor, moments)
    figures = backlog.waiting_figures(db.session, cut)
    assert figures == live(cut)
    assert figures[:2] == (5, 3)
    assert figures[2] == min(moments)


def test_the_report_by_supervisor_from_the_backlog_equals_a_count_of_the_entries(people):
    supervisor, candidate = people
    other = supervisor_for_a_year()
    now = utcnow().replace(microsecond=0)
    submitted_at(candidate, supervisor, [now - timedelta(days=3), now - timedelta(hours=1)])
    insert_hours(candidate, "didactic", 1, 90, signer=None, status=HoursStatus.SUBMITTED)
    logged(candidate, other, minutes=45)
    rows = rows_of(queues.pending_signoffs(today()))
    three_days = local_date(now - timedelta(days=3))
    # Oldest first: the entry naming no supervisor was submitted before the other's.
    assert rows == [
        (supervisor.full_name, 2, 2.0, three_days.isoformat(), (today() - three_days).days),
        ("No supervisor named", 1, 1.5, today().isoformat(), 0),
        (other.full_name, 1, 0.75, today().isoformat(), 0),
    ]
    # Read live in a transaction whose changes are not kept yet: the same report.
    entry = logged(candidate, other, submit=False)
    submit_entry(reload(entry), candidate)
    db.session.flush()
    live = rows_of(queues.pending_signoffs(today()))
    db.session.commit()
    assert live == rows_of(queues.pending_signoffs(today()))
    assert [row[1] for row in live if row[0] == other.full_name] == [2]


def test_while_changes_are_not_kept_yet_the_figures_are_counted_live(people):
    supervisor, candidate = people
    entry = logged(candidate, supervisor, submit=False)
    submit_entry(reload(entry), candidate)
    db.session.flush()
    cut = utcnow() - timedelta(days=14)
    assert backlog.waiting_figures(db.session, cut)[0] == 1
    db.session.commit()
    assert backlog.waiting_figures(db.session, cut)[0] == 1


def signoff_tile(client) -> tuple[str, str]:
    """The count and label of the director's sign-off tile."""
    page = client.get("/director").get_data(as_text=True)
    tile = re.search(
        r'data-queue="sign-offs">.*?queue-count">(\d+)</span>\s*<span class="queue-label">([^<]+)',
        page,
        re.S,
    )
    assert tile, "no sign-off tile on the director's home"
    return tile.group(1), tile.group(2)


def test_the_director_overview_reads_the_kept_backlog(client, people):
    supervisor, candidate = people
    logged(candidate, supervisor)
    director = make_director(email="second.director@example.org")
    login(client, director)
    assert signoff_tile(client) == ("1", "entry waiting for sign-off")
    db.session.execute(
        sa.text("UPDATE signoff_backlog SET entries = 7 WHERE supervisor_id = :s"),
        {"s": supervisor.id},
    )
    db.session.commit()
    assert signoff_tile(client) == ("7", "entries waiting for sign-off")


def test_the_rebuild_command_and_its_check_cover_the_backlog(app, people):
    supervisor, candidate = people
    logged(candidate, supervisor)
    runner = app.test_cli_runner()
    checked = runner.invoke(rebuild_standing_command, ["--check"])
    assert checked.exit_code == 0, checked.output
    db.session.execute(
        sa.text("UPDATE signoff_backlog SET entries = 5 WHERE supervisor_id = :s"),
        {"s": supervisor.id},
    )
    db.session.commit()
    checked = runner.invoke(rebuild_standing_command, ["--check"])
    assert checked.exit_code == 1
    day = utcnow().date().isoformat()
    assert (
        f"entries waiting for sign-off, submitted on {day} to supervisor {supervisor.id}: differ"
        in checked.output
    )
    rebuilt = runner.invoke(rebuild_standing_command, [])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "1 sign-off backlog figures" in rebuilt.output
    assert kept() == {utcnow().date(): 1}
