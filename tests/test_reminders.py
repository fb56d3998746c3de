"""Reminders: expiring credentials and licences at 90, 30 and 7 days, work waiting more
than 14 days; each sent once however often the command runs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from airm_training.assessments.cases import CaseInput, submit_case
from airm_training.assessments.models import CaseVersion
from airm_training.core.clock import today, utcnow
from airm_training.credentials.models import CredentialAward
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.notifications.models import (
    Channel,
    Notification,
    NotificationKind,
    ReminderSent,
)
from airm_training.notifications.services import set_channel
from airm_training.people.models import Person, Role
from airm_training.people.services import add_licence
from airm_training.progression.models import Endorsement
from airm_training.progression.services import apply, endorse, vote
from airm_training.reminders import expiry_threshold, send_reminders
from tests.factories import (
    make_candidate,
    make_director,
    make_licensed,
    make_person,
    make_supervisor,
)
from tests.test_engine import (
    BOND_TYPES,
    CASE_TEXT,
    long_standing_supervisor,
    qualified_candidate,
)
from tests.test_notifications import submitted


def reminders_of(person: Person) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(
                Notification.person_id == person.id,
                Notification.kind == NotificationKind.REMINDER.value,
            )
            .order_by(Notification.id)
        )
    )


def run(day: date) -> list[str]:
    lines = send_reminders(day)
    db.session.commit()
    return lines


@pytest.fixture
def director(app) -> Person:
    return make_director()


def licensed(director: Person, expires_on: date, **kwargs) -> Person:
    person = make_person(Role.CANDIDATE, **kwargs)
    make_licensed(person, verifier=director, expires_on=expires_on)
    return person


@pytest.mark.parametrize(
    ("days_left", "threshold"),
    [(91, None), (90, 90), (89, 90), (31, 90), (30, 30), (8, 30), (7, 7), (0, 7), (-1, None)],
)
def test_the_threshold_reached(days_left, threshold):
    assert expiry_threshold(days_left) == threshold


# --- expiries -----------------------------------------------------------------------------
def test_a_licence_is_reminded_once_at_each_threshold(director, outbox):
    expires = today() + timedelta(days=200)
    person = licensed(director, expires, full_name="Lee Licence")
    sent_on = {}
    for days_left in range(120, -3, -1):  # every day, as a daily cron job would
        lines = run(expires - timedelta(days=days_left))
        if lines:
            sent_on[days_left] = lines
    assert sorted(sent_on, reverse=True) == [90, 30, 7]
    assert sent_on[90] == [
        f"Lee Licence: Your LMHC licence (Washington) expires in 90 days, on {expires}. "
        "Record the renewed licence so a director can verify it."
    ]
    assert len(reminders_of(person)) == 3
    assert [m.to for m in outbox] == [[person.email]] * 3
    assert f"http://localhost/people/{person.id}" in outbox[0].body


def test_89_days_left_on_the_first_run_sends_the_90_day_reminder_once(director):
    expires = today() + timedelta(days=100)
    person = licensed(director, expires)
    assert run(expires - timedelta(days=91)) == []
    (line,) = run(expires - timedelta(days=89))
    assert "expires in 89 days" in line
    assert run(expires - timedelta(days=89)) == []
    assert run(expires - timedelta(days=31)) == []
    assert len(run(expires - timedelta(days=30))) == 1
    keys = db.session.scalars(
        sa.select(ReminderSent.threshold).where(ReminderSent.kind == "licence_expiry")
    )
    assert sorted(keys) == [30, 90]
    assert len(reminders_of(person)) == 2


def test_a_licence_found_late_gets_only_the_tightest_reminder(director):
    expires = today() + timedelta(days=20)
    person = licensed(director, expires)
    (line,) = run(today())
    assert "expires in 20 days" in line
    assert run(today()) == []
    assert len(reminders_of(person)) == 1


def test_a_renewed_licence_is_not_reminded(director):
    expires = today() + timedelta(days=30)
    person = licensed(director, expires)
    add_licence(
        person,
        licence_type="LMHC",
        number="MH-RENEWED",
        jurisdiction="Washington",
        expires_on=expires + timedelta(days=730),
        actor_id=person.id,
    )
    db.session.commit()
    assert run(today()) == []
    assert reminders_of(person) == []


def test_a_deactivated_holder_is_not_reminded_and_nothing_is_recorded(director):
    person = licensed(director, today() + timedelta(days=7), active=False)
    assert run(today()) == []
    assert reminders_of(person) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderSent)) == 0


def test_an_expiring_credential_is_reminded_to_its_holder(director):
    supervisor = make_supervisor(director=director)
    award = db.session.scalar(
        sa.select(CredentialAward).where(CredentialAward.person_id == supervisor.id)
    )
    assert award.expires_on is not None
    lines = run(award.expires_on - timedelta(days=30))
    assert lines == [
        f"{supervisor.full_name}: Your AIRT-S credential expires in 30 days, on {award.expires_on}."
    ]
    assert run(award.expires_on - timedelta(days=29)) == []
    assert len(reminders_of(supervisor)) == 1


def test_in_app_only_gets_the_reminder_without_mail(director, outbox):
    person = licensed(director, today() + timedelta(days=7))
    set_channel(person, Channel.IN_APP_ONLY.value)
    db.session.commit()
    assert len(run(today())) == 1
    assert len(reminders_of(person)) == 1
    assert outbox == []


# --- waiting work -------------------------------------------------------------------------
def submitted_days_ago(entry: HoursEntry, days: int) -> None:
    db.session.execute(
        sa.update(HoursEntry)
        .where(HoursEntry.id == entry.id)
        .values(submitted_at=utcnow() - timedelta(days=days))
    )
    db.session.commit()


def test_hours_waiting_more_than_14_days_are_one_reminder_per_supervisor(director):
    supervisor = make_supervisor(director=director)
    candidate = make_candidate(director=director)
    entries = [submitted(candidate, supervisor, days_ago=n) for n in range(3)]
    submitted_days_ago(entries[0], 14)
    assert run(today()) == []  # 14 days is not more than 14
    submitted_days_ago(entries[0], 15)
    submitted_days_ago(entries[1], 16)
    (line,) = run(today())
    assert line == f"{supervisor.full_name}: " + (
        "2 hours entries have waited more than 14 days for your sign-off."
    )
    assert run(today()) == []
    submitted_days_ago(entries[2], 20)  # another one becomes overdue: a new reminder
    (line,) = run(today())
    assert "3 hours entries have waited" in line
    assert len(reminders_of(supervisor)) == 2
    assert reminders_of(candidate) == []


def test_a_case_waiting_for_a_grade_is_reminded_to_its_supervisor(director):

    supervisor = make_supervisor(director=director)
    candidate = make_candidate(director=director)
    case = submit_case(
        candidate,
        CaseInput(
            title="Grief after the companion app closed",
            stages=[],
            bond_type="Romantic",
            modalities=[],
            text=CASE_TEXT,
            deidentified_confirmed=True,
            supervisor_id=supervisor.id,
        ),
        bond_types=BOND_TYPES,
    )
    db.session.commit()
    assert run(today()) == []
    db.session.execute(
        sa.update(CaseVersion)
        .where(CaseVersion.presentation_id == case.id)
        .values(submitted_at=utcnow() - timedelta(days=15))
    )
    db.session.commit()
    (line,) = run(today())
    assert line.startswith(f"{supervisor.full_name}: A case presentation by {candidate.full_name}")
    assert "companion" not in line  # the title stays in the app
    assert run(today()) == []
    (reminder,) = reminders_of(supervisor)
    assert (reminder.object_type, reminder.object_id) == ("case_presentation", case.id)


def test_applications_waiting_remind_the_endorser_then_the_board_members_yet_to_vote(director):
    endorser = long_standing_supervisor(director)
    candidate, _hours = qualified_candidate(supervisor=endorser, director=director)
    board = [make_person(Role.CO_CREATOR) for _ in range(3)]
    application = apply(candidate, endorser_id=endorser.id, statement="")
    application.submitted_at = utcnow() - timedelta(days=15)
    db.session.commit()
    (line,) = run(today())
    assert line.startswith(f"{endorser.full_name}: {candidate.full_name}'s application")
    assert "for your endorsement" in line
    assert run(today()) == []

    endorse(endorser, application, endorse=True, reason="Ready.")
    vote(board[0], application, approve=True, comment="")
    db.session.commit()
    assert run(today()) == []  # endorsed just now
    db.session.execute(
        sa.update(Endorsement)
        .where(Endorsement.application_id == application.id)
        .values(created_at=utcnow() - timedelta(days=15))
    )
    db.session.commit()
    lines = run(today())
    assert sorted(lines) == sorted(
        f"{m.full_name}: {candidate.full_name}'s application for AIRT-S has waited more than "
        "14 days for your vote."
        for m in board[1:]
    )
    assert reminders_of(board[0]) == []
    assert run(today()) == []


# --- safety -------------------------------------------------------------------------------
def test_the_unique_key_refuses_a_second_copy(app):
    db.session.add(ReminderSent(kind="licence_expiry", object_id=1, threshold=30, sent_on=today()))
    db.session.flush()
    db.session.add(ReminderSent(kind="licence_expiry", object_id=1, threshold=30, sent_on=today()))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_command_prints_what_it_sent_then_nothing(app, director, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://training.example.org")
    expires = today() + timedelta(days=300)
    person = licensed(director, expires, full_name="Cron Person")
    monkeypatch.setattr("airm_training.core.clock.today", lambda: expires - timedelta(days=7))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["airm", "send-reminders"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == [
        "Sent 1 reminder:",
        f"  Cron Person: Your LMHC licence (Washington) expires in 7 days, on {expires}. "
        "Record the renewed licence so a director can verify it.",
    ]
    (mail,) = outbox
    assert f"https://training.example.org/people/{person.id}" in mail.body
    assert "https://training.example.org/notifications/preferences" in mail.body
    second = runner.invoke(args=["airm", "send-reminders"])
    assert second.exit_code == 0
    assert second.output == "Nothing to send.\n"
    assert len(outbox) == 1


def test_an_overlapping_run_exits_cleanly_and_sends_nothing(app, director, outbox, monkeypatch):
    """A second run that reached the same reminders while the first was sending meets the
    unique key when it writes them (simulated: it read before the first run's commit)."""
    expires = today() + timedelta(days=300)
    licensed(director, expires, full_name="Overlap Person")
    monkeypatch.setattr("airm_training.core.clock.today", lambda: expires - timedelta(days=7))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["airm", "send-reminders"]).exit_code == 0
    assert len(outbox) == 1
    monkeypatch.setattr("airm_training.reminders._already_sent", lambda _due: set())

    second = runner.invoke(args=["airm", "send-reminders"])

    assert second.exit_code == 0
    assert second.output == (
        "Another run is in progress and is sending these reminders; this run sent none.\n"
    )
    assert len(outbox) == 1
