"""Notices when a credential enters its grace period and when it lapses after it: the
holder is told with the way back (late renewal, then reinstatement), the directors with
a link to the holder; each once per credential and transition however often the
reminders run."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from airm_training.core.clock import today
from airm_training.credentials.models import AwardStatus, CredentialAward
from airm_training.credentials.services import award_credential
from airm_training.extensions import db
from airm_training.notifications.models import Notification, NotificationKind, ReminderSent
from airm_training.notifications.services import link_of
from airm_training.people.models import Person, Role
from airm_training.people.services import grant_role
from airm_training.programme.models import Requirement, RequirementPurpose
from airm_training.programme.services import current_version
from airm_training.reminders import LAPSE_NOTICE_DAYS, send_reminders
from tests.test_renewal import holder_expiring_in

GRACE_DAYS = 90  # the programme file's grace_days for AIRT-S
NOTICES = (NotificationKind.CREDENTIAL_IN_GRACE, NotificationKind.CREDENTIAL_LAPSED)


def run(day: date) -> list[str]:
    lines = send_reminders(day)
    db.session.commit()
    return lines


def notices_of(person: Person) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(
                Notification.person_id == person.id,
                Notification.kind.in_([k.value for k in NOTICES]),
            )
            .order_by(Notification.id)
        )
    )


def award_of(person: Person) -> CredentialAward:
    return db.session.scalar(
        sa.select(CredentialAward).where(
            CredentialAward.person_id == person.id, CredentialAward.expires_on.is_not(None)
        )
    )


@pytest.fixture
def expiring(app):
    """An AIRT-S holder whose credential expires in 10 days, and the director."""
    person, director, _supervisor, _certificate = holder_expiring_in(10)
    return person, director, award_of(person)


def test_every_day_from_expiry_to_past_the_lapse_tells_each_transition_once(expiring, outbox):
    person, director, award = expiring
    grace_ends = award.expires_on + timedelta(days=GRACE_DAYS)
    sent_on: dict[date, list[Notification]] = {}
    for offset in range(-3, GRACE_DAYS + LAPSE_NOTICE_DAYS + 5):  # a daily cron job
        day = award.expires_on + timedelta(days=offset)
        run(day)
        told = [
            n for n in notices_of(person) if n.id not in {m.id for v in sent_on.values() for m in v}
        ]
        if told:
            sent_on[day] = told
    in_grace, lapsed = award.expires_on + timedelta(days=1), grace_ends + timedelta(days=1)
    assert sorted(sent_on) == [in_grace, lapsed]
    (grace_notice,) = sent_on[in_grace]
    assert grace_notice.kind == NotificationKind.CREDENTIAL_IN_GRACE.value
    assert grace_notice.heading == "Credential expired — in grace"
    assert grace_notice.message == (
        f"Your AIRT-S credential expired on {award.expires_on} and is expired — in grace "
        f"until {grace_ends}: it confers no rights meanwhile, and you can still renew it late."
    )
    assert link_of(grace_notice) == "http://localhost/home"
    (lapse_notice,) = sent_on[lapsed]
    assert lapse_notice.kind == NotificationKind.CREDENTIAL_LAPSED.value
    assert lapse_notice.message == (
        f"Your AIRT-S credential lapsed on {lapsed}, after its grace period. The way back "
        "is a reinstatement application."
    )
    assert link_of(lapse_notice) == "http://localhost/progression/reinstatement"
    # The director is told of both, with a link to the holder.
    to_director = notices_of(director)
    assert [n.kind for n in to_director] == [k.value for k in NOTICES]
    assert to_director[0].message == (
        f"{person.full_name}'s AIRT-S credential expired on {award.expires_on}; it is in grace "
        f"until {grace_ends} and can still be renewed late."
    )
    assert to_director[1].message == (
        f"{person.full_name}'s AIRT-S credential lapsed on {lapsed}, after its grace period."
    )
    assert {link_of(n) for n in to_director} == {f"http://localhost/people/{person.id}"}
    keys = db.session.execute(
        sa.select(ReminderSent.kind, ReminderSent.object_id).where(
            ReminderSent.kind.in_(["credential_in_grace", "credential_lapsed"])
        )
    ).all()
    assert sorted(keys) == [("credential_in_grace", award.id), ("credential_lapsed", award.id)]
    mails = [m for m in outbox if "grace" in m.subject.lower() or "lapsed" in m.subject.lower()]
    assert sorted(m.to[0] for m in mails) == sorted([person.email, director.email] * 2)
    assert any("http://localhost/progression/reinstatement" in m.body for m in mails)


def test_the_expiry_day_itself_is_not_yet_in_grace(expiring):
    person, _director, award = expiring
    run(award.expires_on)
    assert notices_of(person) == []
    lines = run(award.expires_on + timedelta(days=1))
    assert f"{person.full_name}: Your AIRT-S credential expired on {award.expires_on} and is " in (
        "\n".join(lines)
    )
    assert [n.kind for n in notices_of(person)] == ["credential_in_grace"]


def test_a_run_on_the_last_day_of_grace_tells_in_grace_then_the_next_day_lapsed(expiring):
    person, _director, award = expiring
    last = award.expires_on + timedelta(days=GRACE_DAYS)
    run(last)
    run(last)
    assert [n.kind for n in notices_of(person)] == ["credential_in_grace"]
    run(last + timedelta(days=1))
    run(last + timedelta(days=2))
    assert [n.kind for n in notices_of(person)] == ["credential_in_grace", "credential_lapsed"]


def test_a_lapse_found_late_is_told_once_without_the_grace_notice(expiring):
    person, _director, award = expiring
    lapsed = award.expires_on + timedelta(days=GRACE_DAYS + 1)
    run(lapsed + timedelta(days=LAPSE_NOTICE_DAYS - 1))
    assert [n.kind for n in notices_of(person)] == ["credential_lapsed"]


def test_a_lapse_older_than_the_notice_window_is_not_told(expiring):
    person, director, award = expiring
    lapsed = award.expires_on + timedelta(days=GRACE_DAYS + 1)
    run(lapsed + timedelta(days=LAPSE_NOTICE_DAYS))
    assert notices_of(person) == notices_of(director) == []


def test_a_credential_renewed_in_grace_does_not_lapse(expiring):
    person, director, award = expiring
    run(award.expires_on + timedelta(days=5))
    award_credential(  # the late renewal: a new award counted from the old expiry
        person,
        "AIRT-S",
        actor_id=director.id,
        version=current_version(),
        awarded_on=award.expires_on + timedelta(days=6),
        valid_from=award.expires_on + timedelta(days=1),
    )
    db.session.commit()
    run(award.expires_on + timedelta(days=GRACE_DAYS + 1))
    assert [n.kind for n in notices_of(person)] == ["credential_in_grace"]


def test_a_revoked_credential_or_an_inactive_holder_is_not_told(expiring):
    person, director, award = expiring
    award.status = AwardStatus.REVOKED.value
    other, *_ = holder_expiring_in(10)
    other.active = False
    db.session.commit()
    run(award.expires_on + timedelta(days=1))
    assert notices_of(person) == notices_of(other) == notices_of(director) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderSent)) == 0


def test_a_holder_who_is_a_director_gets_their_own_notice_not_the_directors(app):
    person, director, _supervisor, _certificate = holder_expiring_in(-1)
    grant_role(person, Role.DIRECTOR, actor_id=director.id)
    db.session.commit()
    run(today())
    (own,) = notices_of(person)
    assert own.message.startswith("Your AIRT-S credential expired on")
    assert link_of(own) == "http://localhost/home"
    (to_director,) = notices_of(director)
    assert to_director.message.startswith(f"{person.full_name}'s AIRT-S credential expired on")


def test_a_level_without_reinstatement_points_the_lapsed_holder_to_a_new_application(expiring):
    person, _director, award = expiring
    db.session.execute(
        sa.delete(Requirement).where(Requirement.purpose == RequirementPurpose.REINSTATE.value)
    )
    db.session.commit()
    run(award.expires_on + timedelta(days=GRACE_DAYS + 1))
    (notice,) = notices_of(person)
    assert notice.message.endswith("after its grace period. To hold it again, apply for it anew.")
    assert link_of(notice) == "http://localhost/progression/apply"
