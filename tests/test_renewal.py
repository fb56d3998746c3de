"""Renewal: the cycle's requirements, the holder's request and the director's renewal,
which supersedes the old certificate."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.access.supervision import is_supervisor
from airm_training.core.clock import add_months, today
from airm_training.core.errors import DomainError
from airm_training.credentials.models import AwardStatus, CredentialAward
from airm_training.credentials.services import award_credential
from airm_training.extensions import db
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import log_entry, sign_entries
from airm_training.programme.services import current_version
from airm_training.progression.models import Certificate
from airm_training.progression.renewal import renew, renewal_standing, request_renewal
from airm_training.progression.services import new_certificate
from tests.ce_helpers import verified_ce
from tests.factories import login, make_candidate, make_director, make_supervisor


@pytest.fixture
def holder():
    """An AIRT-S holder (with a certificate) whose 24 months end in 60 days, inside the
    renewal window, and their consultant."""
    return holder_expiring_in(60)


def holder_expiring_in(days: int):
    director = make_director()
    person = make_candidate(director=director)
    award = award_credential(
        person,
        "AIRT-S",
        actor_id=director.id,
        version=current_version(),
        awarded_on=add_months(today() + timedelta(days=days + 1), -24),
    )
    assert award.expires_on == today() + timedelta(days=days)
    certificate = new_certificate(person, award, director, ["Board Member"], application_id=None)
    db.session.commit()
    return (
        person,
        director,
        make_supervisor(director=director, awarded_on=today() - timedelta(days=400)),
        certificate,
    )


def signed_hours(person, supervisor, category, hours, days_ago):
    entry = log_entry(
        person,
        EntryInput(
            session_date=today() - timedelta(days=days_ago),
            minutes=hours * 60,
            category_code=category,
            supervisor_id=supervisor.id,
        ),
        submit=True,
    )
    sign_entries(supervisor, [entry.id], attested=True)
    db.session.commit()


def test_only_verified_ce_in_the_cycle_counts(holder):
    person, director, _supervisor, _certificate = holder
    verified_ce(person, director, 10, days_ago=700)  # before the cycle
    verified_ce(person, director, 6, days_ago=20)
    standing = renewal_standing(person)
    ce = next(
        r for r in standing.standing.results if r.label.startswith("Verified continuing education")
    )
    assert ce.label == "Verified continuing education in the cycle: 12 hours"
    assert ce.current == 6
    assert not ce.met
    assert ce.not_counted == "10 h outside the renewal cycle"
    assert not standing.met
    with pytest.raises(DomainError, match="not met yet"):
        request_renewal(person)


def test_request_and_renew_supersedes_the_old_certificate(holder, client):
    person, director, supervisor, old_certificate = holder
    verified_ce(person, director, 12, days_ago=30)
    signed_hours(person, supervisor, "individual-consultation", 4, days_ago=20)
    assert renewal_standing(person).met
    application = request_renewal(person)
    db.session.commit()
    with pytest.raises(DomainError, match="already have an application"):
        request_renewal(person)
    db.session.rollback()
    with pytest.raises(DomainError, match="Only a director"):
        renew(supervisor, application)
    db.session.rollback()
    certificate = renew(director, application)
    db.session.commit()
    db.session.expire_all()
    old = db.session.get(Certificate, old_certificate.id)
    assert old.status == "superseded"
    assert old.superseded_by_id == certificate.id
    assert old.award.status == AwardStatus.SUPERSEDED
    new_award = db.session.get(CredentialAward, certificate.award_id)
    assert new_award.awarded_on == today()
    # the new validity runs from the old expiry: renewing early costs nothing
    assert new_award.expires_on == add_months(old.award.expires_on + timedelta(days=1), 24) - (
        timedelta(days=1)
    )
    assert application.status_label == "Renewed"
    assert new_award.status == AwardStatus.ACTIVE
    assert (
        client.get(f"/verify/{old.verification_code}").get_data(as_text=True).count("Superseded")
        == 1
    )
    assert "✓ Valid" in client.get(f"/verify/{certificate.verification_code}").get_data(
        as_text=True
    )
    with pytest.raises(DomainError):
        renew(director, application)  # renewing twice does nothing


def test_renewal_routes(app, holder):
    person, director, supervisor, _certificate = holder
    verified_ce(person, director, 12, days_ago=30)
    signed_hours(person, supervisor, "individual-consultation", 4, days_ago=20)
    own = app.test_client()
    login(own, person)
    home = own.get("/candidate").get_data(as_text=True)
    assert "Request renewal" in home
    response = own.submit("/progression/renewal", form_path="/candidate")
    application_path = response.headers["Location"]
    assert "/progression/applications/" in application_path
    assert (
        own.post(
            f"{application_path}/renew", data={"csrf_token": own.form_token("/candidate")}
        ).status_code
        == 403
    )
    staff = app.test_client()
    login(staff, director)
    renewed = staff.submit(f"{application_path}/renew", form_path=application_path)
    assert renewed.status_code == 302
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Certificate)
            .where(Certificate.holder_id == person.id)
        )
        == 2
    )


def test_renewal_opens_90_days_before_expiry(app):
    person, director, supervisor, _certificate = holder_expiring_in(91)
    verified_ce(person, director, 12, days_ago=30)
    signed_hours(person, supervisor, "individual-consultation", 4, days_ago=20)
    standing = renewal_standing(person)
    assert standing.met and not standing.window_open
    assert standing.opens_on == today() + timedelta(days=1)
    with pytest.raises(DomainError, match="opens on"):
        request_renewal(person)
    db.session.rollback()
    own = app.test_client()
    login(own, person)
    home = own.get("/candidate").get_data(as_text=True)
    assert "Request renewal" not in home
    assert f"Renewal opens on {standing.opens_on}" in home


def test_in_grace_the_credential_confers_nothing_but_can_be_renewed_late(app):
    person, director, supervisor, _certificate = holder_expiring_in(-10)  # expired 10 days ago
    verified_ce(person, director, 12, days_ago=30)
    signed_hours(person, supervisor, "individual-consultation", 4, days_ago=20)
    standing = renewal_standing(person)
    assert standing.in_grace and standing.status == "expired — in grace"
    assert not is_supervisor(person)  # an AIRT-S in grace cannot sign
    application = request_renewal(person)
    assert application.status_label == "Renewal requested, waiting for a director"
    certificate = renew(director, application)
    db.session.commit()
    new_award = db.session.get(CredentialAward, certificate.award_id)
    assert new_award.expires_on == add_months(standing.award.expires_on + timedelta(days=1), 24) - (
        timedelta(days=1)
    )
    assert is_supervisor(person)


def test_after_grace_there_is_no_late_renewal(app):
    person, _director, _supervisor, _certificate = holder_expiring_in(-91)
    assert renewal_standing(person) is None
    with pytest.raises(DomainError, match="no credential that is renewed"):
        request_renewal(person)
