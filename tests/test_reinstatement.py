"""Lapse and reinstatement: after the grace period a credential has lapsed; the holder
is not sent back to the start of the ladder but to a reinstatement application with the
programme's own requirements, which the board approves and a director issues."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.access.supervision import is_supervisor
from airm_training.audit.models import AuditEvent
from airm_training.core.clock import add_months, today
from airm_training.core.errors import DomainError
from airm_training.credentials.models import AwardStatus, CredentialAward, Enrolment
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.notifications.models import Notification
from airm_training.people.models import Role
from airm_training.people.services import grant_role
from airm_training.programme.models import Requirement, RequirementPurpose
from airm_training.progression.engine import evaluate_reinstatement, next_level
from airm_training.progression.models import Application, ApplicationStatus, Certificate
from airm_training.progression.reinstatement import (
    apply_for_reinstatement,
    award_condition,
    lapse_of,
    reinstate,
    reinstatement_standing,
)
from airm_training.progression.renewal import renewal_standing
from airm_training.progression.services import endorse, issue, vote
from airm_training.progression.workflow import can_endorse, can_issue
from airm_training.reports.people import PeopleReports
from tests.ce_helpers import verified_ce
from tests.factories import login, make_candidate, make_person, make_supervisor
from tests.test_renewal import holder_expiring_in, signed_hours
from tests.test_reports import next_levels_today

GRACE_DAYS = 90  # the programme file's grace_days for AIRT-S


@pytest.fixture
def lapsed():
    """An AIRT-S holder whose credential expired 120 days ago (lapsed 30 days ago), with
    a certificate; the director, a current AIRT-S, and the three board members."""
    person, director, supervisor, certificate = holder_expiring_in(-120)
    enrolled_long_ago(person)
    board = [make_person(Role.CO_CREATOR, full_name=f"Board Member {n}") for n in (1, 2, 3)]
    return person, director, supervisor, certificate, board


def enrolled_long_ago(person) -> None:
    """Enrolled before the AIRT-S was first awarded (evidence counts from enrolment)."""
    db.session.execute(
        sa.update(Enrolment)
        .where(Enrolment.person_id == person.id)
        .values(enrolled_on=add_months(today(), -40))
    )
    db.session.commit()


def ready(person, supervisor):
    """The evidence the programme's reinstatement section asks for."""
    signed_hours(person, supervisor, "continuing-education", 12, days_ago=200)
    signed_hours(person, supervisor, "individual-consultation", 3, days_ago=150)
    signed_hours(person, supervisor, "individual-consultation", 1, days_ago=10)


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


# --- when a credential has lapsed --------------------------------------------------------
def test_the_last_day_of_grace_is_not_lapsed_the_next_day_is(app):
    in_grace, *_ = holder_expiring_in(-GRACE_DAYS)  # grace ends today
    assert lapse_of(in_grace) is None
    assert renewal_standing(in_grace).in_grace
    gone, *_ = holder_expiring_in(-GRACE_DAYS - 1)
    lapse = lapse_of(gone)
    assert lapse is not None
    assert lapse.lapsed_on == today()
    assert renewal_standing(gone) is None


def test_a_current_or_renewed_level_has_not_lapsed(app):
    current, *_ = holder_expiring_in(60)
    assert lapse_of(current) is None
    renewed, _director, _supervisor, certificate = holder_expiring_in(-120)
    old = certificate.award
    db.session.add(
        CredentialAward(
            person_id=renewed.id,
            level_id=old.level_id,
            programme_version_id=old.programme_version_id,
            awarded_on=today() - timedelta(days=119),
            expires_on=today() + timedelta(days=600),
            status=AwardStatus.ACTIVE.value,
        )
    )
    db.session.flush()
    assert lapse_of(renewed) is None


def test_a_lapsed_level_is_still_held_so_it_is_not_the_next_level(lapsed):
    person, *_ = lapsed
    assert next_level(person) is None  # not "toward AIRT-S, 0 of 7 modules"
    never_held, *_ = holder_expiring_in(60)
    db.session.execute(
        sa.update(CredentialAward)
        .where(CredentialAward.person_id == never_held.id)
        .where(CredentialAward.expires_on.is_not(None))
        .values(status=AwardStatus.REVOKED.value)
    )
    assert next_level(never_held).level.code == "AIRT-S"  # a revoked level is not held


def test_the_badge_says_in_grace_then_lapsed(app):
    in_grace, *_ = holder_expiring_in(-GRACE_DAYS)
    award = next(a for a in _awards(in_grace) if a.expires_on)
    assert award_condition(award, today()) == "expired — in grace"
    assert award_condition(award, today() + timedelta(days=1)) == "lapsed"


def _awards(person):
    return db.session.scalars(
        sa.select(CredentialAward).where(CredentialAward.person_id == person.id)
    )


# --- the requirements are the programme's reinstatement section ---------------------------
def test_the_requirements_are_the_programme_reinstatement_section(lapsed):
    person, _director, supervisor, _certificate, _board = lapsed
    standing = reinstatement_standing(person).standing
    section = db.session.scalars(
        sa.select(Requirement)
        .where(
            Requirement.programme_level_id == lapse_of(person).rules.id,
            Requirement.purpose == RequirementPurpose.REINSTATE.value,
        )
        .order_by(Requirement.position)
    ).all()
    assert [r.label for r in standing.results] == [r.label for r in section]
    assert [r.kind for r in standing.results] == ["licence", "hours", "hours", "hours", "approval"]
    assert not reinstatement_standing(person).evidence_met
    ready(person, supervisor)
    assert reinstatement_standing(person).evidence_met


def test_hours_older_than_the_requirement_window_do_not_count(lapsed):
    person, _director, supervisor, _certificate, _board = lapsed
    signed_hours(person, supervisor, "continuing-education", 12, days_ago=760)  # > 24 months
    signed_hours(person, supervisor, "individual-consultation", 1, days_ago=100)  # > 3 months
    results = reinstatement_standing(person).standing.results
    ce = next(r for r in results if "Continuing education" in r.label)
    recent = next(r for r in results if "3 months" in r.label)
    assert (ce.current, ce.met) == (0, False)
    assert (recent.current, recent.met) == (0, False)


def test_verified_continuing_education_is_never_counted_as_signed_supervised_hours(lapsed):
    """A CE record is verified by a director, not signed by a supervisor: it creates no
    hours entry and no reinstatement requirement on signed hours counts it."""
    person, director, _supervisor, _certificate, _board = lapsed
    for days_ago in (5, 40):
        verified_ce(person, director, hours=10, days_ago=days_ago)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(HoursEntry.id)).where(HoursEntry.person_id == person.id)
        )
        == 0
    )
    standing = reinstatement_standing(person)
    signed = [r for r in standing.standing.results if r.kind == "hours"]
    assert len(signed) == 3
    assert all((r.current, r.met) == (0, False) for r in signed)
    assert not standing.evidence_met
    with pytest.raises(DomainError, match="not met yet"):
        apply_for_reinstatement(person, statement="")
    snapshot = evaluate_reinstatement(person, lapse_of(person).rules, with_evidence=True)
    assert all(r.evidence.get("hours_entry_ids", []) == [] for r in snapshot.results)


# --- applying, the board, the director ------------------------------------------------------
def test_reinstatement_is_refused_until_the_requirements_are_met(lapsed):
    person, *_ = lapsed
    with pytest.raises(DomainError, match=r"not met yet: .*Continuing education"):
        apply_for_reinstatement(person, statement="")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_only_a_lapsed_credential_is_reinstated(app):
    current, _director, supervisor, _certificate = holder_expiring_in(60)
    enrolled_long_ago(current)
    ready(current, supervisor)
    with pytest.raises(DomainError, match="no lapsed credential"):
        apply_for_reinstatement(current, statement="")


def test_the_board_approves_and_a_director_reinstates(lapsed):
    person, director, supervisor, old_certificate, board = lapsed
    ready(person, supervisor)
    application = apply_for_reinstatement(person, statement="Back in practice since spring.")
    db.session.commit()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.status_label == "Reinstatement requested, waiting for the board"
    assert application.renews_award_id == old_certificate.award_id
    assert application.snapshot["reinstates_award_id"] == old_certificate.award_id
    assert [e.after["level"] for e in events("reinstatement.requested")] == ["AIRT-S"]
    told = set(
        db.session.scalars(
            sa.select(Notification.person_id).where(
                Notification.object_type == "application",
                Notification.object_id == application.id,
            )
        )
    )
    assert told == {member.id for member in board}
    with pytest.raises(DomainError, match="already have an application"):
        apply_for_reinstatement(person, statement="")
    db.session.rollback()
    # no endorsement step: the board votes at once
    assert not can_endorse(supervisor, application)
    with pytest.raises(DomainError):
        endorse(supervisor, application, endorse=True, reason="")
    db.session.rollback()
    vote(board[0], application, approve=True, comment="")
    assert application.status == ApplicationStatus.SUBMITTED  # one of a quorum of two
    vote(board[1], application, approve=True, comment="")
    db.session.commit()
    assert application.status == ApplicationStatus.APPROVED
    assert application.status_label == "Approved, waiting to be reinstated"
    # issued by reinstating, never as a new level
    assert not can_issue(director, application)
    with pytest.raises(DomainError):
        issue(director, application)
    db.session.rollback()
    with pytest.raises(DomainError, match="Only a director"):
        reinstate(supervisor, application)
    db.session.rollback()
    certificate = reinstate(director, application)
    db.session.commit()
    db.session.expire_all()
    new_award = db.session.get(CredentialAward, certificate.award_id)
    assert new_award.awarded_on == today()
    assert new_award.expires_on == add_months(today(), 24) - timedelta(days=1)
    old = db.session.get(Certificate, old_certificate.id)
    assert old.status == "superseded"
    assert old.superseded_by_id == certificate.id
    assert old.award.status == AwardStatus.SUPERSEDED
    assert certificate.approver_names == ["Board Member 1", "Board Member 2"]
    assert application.status_label == "Reinstated"
    assert application.open_key is None
    assert is_supervisor(person)
    assert lapse_of(person) is None
    (event,) = events("credential.reinstated")
    assert event.actor_id == director.id
    assert event.after == {"award_id": new_award.id, "certificate": certificate.serial}
    with pytest.raises(DomainError):
        reinstate(director, application)  # twice does nothing


def test_the_board_rejects_with_reasons(lapsed):
    person, _director, supervisor, _certificate, board = lapsed
    ready(person, supervisor)
    application = apply_for_reinstatement(person, statement="")
    db.session.commit()
    with pytest.raises(DomainError, match="reasons"):
        vote(board[0], application, approve=False, comment="")
    db.session.rollback()
    vote(board[0], application, approve=False, comment="No practice since the lapse.")
    assert application.status == ApplicationStatus.SUBMITTED  # 2 of 3 can still approve
    vote(board[1], application, approve=False, comment="Agreed.")
    assert application.status == ApplicationStatus.REJECTED
    assert application.status_label == "Reinstatement not approved by the board"
    assert application.decision_reason == "No practice since the lapse.; Agreed."
    assert application.open_key is None


def test_the_quorum_is_the_reinstatement_sections_own(lapsed):
    person, _director, supervisor, _certificate, board = lapsed
    approval = db.session.scalar(
        sa.select(Requirement).where(
            Requirement.programme_level_id == lapse_of(person).rules.id,
            Requirement.purpose == RequirementPurpose.REINSTATE.value,
            Requirement.kind == "approval",
        )
    )
    approval.params = {**approval.params, "quorum": 1}  # the attainment quorum stays 2
    db.session.flush()
    ready(person, supervisor)
    application = apply_for_reinstatement(person, statement="")
    vote(board[0], application, approve=True, comment="")
    assert application.status == ApplicationStatus.APPROVED
    # and an application for the level itself still needs the attainment quorum
    candidate = make_candidate()
    attain = Application(
        person_id=candidate.id,
        level_id=approval.programme_level.level_id,
        programme_version_id=approval.programme_level.programme_version_id,
        endorser_id=supervisor.id,
        status=ApplicationStatus.ENDORSED.value,
        open_key=f"{candidate.id}:attain",
        snapshot={},
    )
    db.session.add(attain)
    db.session.flush()
    vote(board[0], attain, approve=True, comment="")
    assert attain.status == ApplicationStatus.ENDORSED
    vote(board[1], attain, approve=True, comment="")
    assert attain.status == ApplicationStatus.APPROVED


def test_nobody_votes_on_their_own_reinstatement(lapsed):
    person, _director, supervisor, _certificate, _board = lapsed
    grant_role(person, Role.CO_CREATOR, actor_id=None)
    ready(person, supervisor)
    application = apply_for_reinstatement(person, statement="")
    with pytest.raises(DomainError, match="own application"):
        vote(person, application, approve=True, comment="")


def test_a_lapsed_holder_is_not_a_stalled_candidate(lapsed):
    person, *_ = lapsed
    reports = PeopleReports(today(), stalled_days=0)
    assert person.id not in next_levels_today()
    assert person.full_name not in [row[0] for row in reports.stalled(page=None).rows]


# --- the pages ------------------------------------------------------------------------------
def test_the_home_page_shows_the_lapse_and_the_way_back(app, lapsed):
    person, _director, supervisor, _certificate, _board = lapsed
    own = app.test_client()
    login(own, person)
    home = own.get("/candidate").get_data(as_text=True)
    assert "Toward AIRM-Trained Supervisor" not in home
    assert "Lapsed</strong> on" in home
    assert "AIRT-S · lapsed" in home
    assert "Reinstatement requirements" in home
    ready(person, supervisor)
    assert "Apply for reinstatement" in own.get("/candidate").get_data(as_text=True)


def test_the_reinstatement_routes(app, lapsed):
    person, director, supervisor, _certificate, board = lapsed
    own = app.test_client()
    login(own, person)
    page = own.get("/progression/reinstatement")
    assert page.status_code == 200
    assert "You can apply once every requirement" in page.get_data(as_text=True)
    refused = own.submit("/progression/reinstatement", {"statement": ""})
    assert refused.status_code == 200
    assert "not met yet" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0
    ready(person, supervisor)
    bad_csrf = own.post("/progression/reinstatement", data={"csrf_token": "forged"})
    assert bad_csrf.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0
    too_long = own.submit("/progression/reinstatement", {"statement": "x" * 5001})
    assert too_long.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0
    response = own.submit("/progression/reinstatement", {"statement": "Back in practice."})
    assert response.status_code == 302
    path = response.headers["Location"]
    assert "/progression/applications/" in path
    assert "AIRT-S reinstatement" in own.get(path).get_data(as_text=True)
    assert own.get("/progression/reinstatement").headers["Location"].endswith(path)
    # a stranger cannot see it; the holder cannot reinstate it
    stranger = app.test_client()
    login(stranger, make_supervisor())
    assert stranger.get(path).status_code == 403
    token = own.form_token(path)
    assert own.post(f"{path}/reinstate", data={"csrf_token": token}).status_code == 403
    for member in board[:2]:
        voter = app.test_client()
        login(voter, member)
        listed = voter.get("/board").get_data(as_text=True)
        assert f"{person.display_name} · AIRT-S reinstatement" in listed
        voted = voter.submit(f"{path}/vote", {"decision": "approve"}, form_path=path)
        assert voted.status_code == 302
    staff = app.test_client()
    login(staff, director)
    assert "Reinstate AIRT-S" in staff.get(path).get_data(as_text=True)
    assert staff.post(f"{path}/reinstate", data={"csrf_token": "forged"}).status_code == 400
    done = staff.submit(f"{path}/reinstate", form_path=path)
    assert done.status_code == 302
    assert "/progression/certificates/" in done.headers["Location"]
    assert lapse_of(person) is None


def test_someone_without_a_lapse_is_sent_home(app):
    current, *_ = holder_expiring_in(60)
    own = app.test_client()
    login(own, current)
    response = own.get("/progression/reinstatement")
    assert response.status_code == 302
    assert "no lapsed credential" in own.get("/home", follow_redirects=True).get_data(as_text=True)
