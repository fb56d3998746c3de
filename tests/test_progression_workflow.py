"""The progression workflow through its services and pages: apply (with a frozen evidence
snapshot), endorse or decline, the board's votes, issuing the credential and its
certificate, and what the new credential allows until it is revoked."""

from __future__ import annotations

import copy
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from airm_training.access.supervision import is_supervisor
from airm_training.audit.models import AuditEvent
from airm_training.core.clock import add_months, today
from airm_training.core.errors import DomainError
from airm_training.credentials.models import CredentialAward
from airm_training.credentials.services import award_credential
from airm_training.demo import seed_demo
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import log_entry, sign_entries
from airm_training.people.models import Person, Role
from airm_training.people.services import find_by_email, grant_role
from airm_training.programme.models import CredentialLevel
from airm_training.programme.services import current_version
from airm_training.progression.engine import evaluate, next_level
from airm_training.progression.models import Application, ApplicationStatus, Certificate, Vote
from airm_training.progression.services import apply, endorse, issue, revoke, vote
from tests.factories import login, make_candidate, make_director, make_person
from tests.test_engine import (
    CONSULTATION,
    DIRECT,
    INDIVIDUAL,
    LICENCE,
    MODULES,
    insert_hours,
    long_standing_supervisor,
    qualified_candidate,
)


# --- helpers ------------------------------------------------------------------------------
def refused(action, *args, **kwargs) -> DomainError:
    """Run an action that must be refused; roll back its partial work; return the error."""
    with pytest.raises(DomainError) as caught:
        action(*args, **kwargs)
    db.session.rollback()
    return caught.value


def reasons(error: DomainError) -> str:
    return " | ".join(reason for _, reason in error.problems)


def reload(application: Application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def applications_of(person: Person) -> list[Application]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.person_id == person.id)
            .order_by(Application.id)
        )
    )


def certificates_of(person: Person) -> list[Certificate]:
    db.session.expire_all()
    statement = sa.select(Certificate).where(Certificate.holder_id == person.id)
    return list(db.session.scalars(statement))


def airt_s_awards(person: Person) -> list[CredentialAward]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(CredentialAward)
            .join(CredentialLevel, CredentialLevel.id == CredentialAward.level_id)
            .where(CredentialAward.person_id == person.id, CredentialLevel.code == "AIRT-S")
        )
    )


def events(action: str, object_type: str, object_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(
                AuditEvent.action == action,
                AuditEvent.object_type == object_type,
                AuditEvent.object_id == str(object_id),
            )
            .order_by(AuditEvent.id)
        )
    )


def applied(candidate: Person, endorser: Person, statement: str = "") -> Application:
    application = apply(candidate, endorser_id=endorser.id, statement=statement)
    db.session.commit()
    return application


def endorsed(application: Application) -> Application:
    endorse(application.endorser, application, endorse=True, reason="Ready.")
    db.session.commit()
    return reload(application)


def voted(application: Application, member: Person, approve: bool, comment: str = ""):
    vote(member, application, approve=approve, comment=comment)
    db.session.commit()
    return reload(application)


def approved(application: Application, members: list[Person]) -> Application:
    application = endorsed(application)
    for member in members[:2]:
        application = voted(application, member, True)
    assert application.state is ApplicationStatus.APPROVED
    return application


def co_creator() -> Person:
    return make_person(Role.CO_CREATOR)


def logged(person: Person, supervisor: Person, *, minutes=60, day=None) -> HoursEntry:
    entry = log_entry(
        person,
        EntryInput(
            session_date=day or today(),
            minutes=minutes,
            category_code="individual-consultation",
            supervisor_id=supervisor.id,
        ),
        submit=True,
    )
    db.session.commit()
    return entry


@pytest.fixture
def people(app):
    """A director, a long-standing supervisor (the endorser), the three co-creators and a
    candidate meeting every evidence requirement exactly, with their hours entry ids."""
    director = make_director()
    supervisor = long_standing_supervisor(director)
    candidate, hours = qualified_candidate(supervisor=supervisor, director=director)
    board = [co_creator() for _ in range(3)]
    return director, supervisor, board, candidate, hours


# --- applying -----------------------------------------------------------------------------
def test_apply_is_refused_while_any_evidence_requirement_is_unmet(people):
    director, supervisor, _board, candidate, hours = people
    beginner = make_candidate(director=director)
    error = refused(apply, beginner, endorser_id=supervisor.id, statement="")
    message = reasons(error)
    assert message.startswith("Not every requirement is met yet")
    assert MODULES in message
    assert DIRECT in message
    assert LICENCE not in message  # met, so not named
    assert applications_of(beginner) == []

    # The qualified candidate loses one counted hour of direct clinical work.
    db.session.get(HoursEntry, hours["direct-clinical"][0]).status = HoursStatus.SUPERSEDED
    db.session.commit()
    error = refused(apply, candidate, endorser_id=supervisor.id, statement="")
    assert reasons(error) == f"Not every requirement is met yet: {DIRECT}."
    assert applications_of(candidate) == []


def test_apply_needs_a_current_supervisor_as_endorser(people):
    director, _supervisor, board, candidate, _hours = people
    expired = long_standing_supervisor(director)
    award = airt_s_awards(expired)[0]
    award.expires_on = today() - timedelta(days=1)
    db.session.commit()
    for endorser_id in (expired.id, board[0].id, candidate.id, None):
        error = refused(apply, candidate, endorser_id=endorser_id, statement="")
        assert [field for field, _ in error.problems] == ["endorser"]
    assert applications_of(candidate) == []


def test_the_snapshot_freezes_every_requirement_and_the_records_counted(app, people):
    director, supervisor, board, candidate, hours = people
    # Entries that are not signed do not appear in the snapshot.
    for status in (HoursStatus.SUBMITTED, HoursStatus.RETURNED, HoursStatus.DRAFT):
        insert_hours(candidate, "direct-clinical", 1, 60, signer=supervisor, status=status)

    application = applied(candidate, supervisor, "  I am ready.  ")
    application = reload(application)
    assert application.state is ApplicationStatus.SUBMITTED
    assert application.statement == "I am ready."
    assert application.open_key is not None
    snapshot = application.snapshot
    assert snapshot["level"] == "AIRT-S"
    assert snapshot["as_of"] == today().isoformat()
    assert snapshot["programme_version_id"] == current_version().id
    requirements = {r["label"]: r for r in snapshot["requirements"]}
    assert len(requirements) == 11  # the evidence requirements, not endorsement or approval
    assert all(r["met"] for r in requirements.values())
    assert requirements[DIRECT]["progress"] == "50 h of 50 h"
    assert requirements[DIRECT]["evidence"] == {"hours_entry_ids": hours["direct-clinical"]}
    assert requirements[INDIVIDUAL]["evidence"] == {
        "hours_entry_ids": hours["individual-consultation"]
    }
    assert len(requirements[MODULES]["evidence"]["completion_ids"]) == 7
    frozen = copy.deepcopy(snapshot)

    # A new signed entry changes the standing now, never the stored snapshot.
    entry = logged(candidate, supervisor, minutes=90)
    sign_entries(supervisor, [entry.id], attested=True)
    db.session.commit()
    now = evaluate(candidate, next_level(candidate), with_evidence=True)
    individual_now = next(r for r in now.results if r.label == INDIVIDUAL)
    assert entry.id in individual_now.evidence["hours_entry_ids"]
    assert reload(application).snapshot == frozen
    # Neither opening the application nor the later steps refresh the snapshot.
    client = app.test_client()
    login(client, candidate)
    assert client.get(f"/progression/applications/{application.id}").status_code == 200
    issue(director, approved(application, board))
    db.session.commit()
    assert reload(application).state is ApplicationStatus.ISSUED
    assert reload(application).snapshot == frozen


def test_applying_twice_is_refused(people):
    _director, supervisor, _board, candidate, _hours = people
    first = applied(candidate, supervisor)
    error = refused(apply, candidate, endorser_id=supervisor.id, statement="again")
    assert "already have an application" in reasons(error)
    assert [a.id for a in applications_of(candidate)] == [first.id]


def test_a_second_post_to_apply_redirects_to_the_existing_application(client, people):
    _director, supervisor, _board, candidate, _hours = people
    login(client, candidate)
    token = client.form_token("/progression/apply")
    data = {"endorser": str(supervisor.id), "statement": "", "csrf_token": token}
    first = client.post("/progression/apply", data=data)
    assert first.status_code == 302
    (application,) = applications_of(candidate)
    assert first.headers["Location"].endswith(f"/progression/applications/{application.id}")
    second = client.post("/progression/apply", data={**data, "statement": "twice"})
    assert second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert [a.id for a in applications_of(candidate)] == [application.id]


def test_the_open_key_blocks_a_second_open_application_in_the_database(people):
    _director, supervisor, _board, candidate, _hours = people
    first = applied(candidate, supervisor)
    duplicate = Application(
        person_id=first.person_id,
        level_id=first.level_id,
        programme_version_id=first.programme_version_id,
        endorser_id=supervisor.id,
        status=ApplicationStatus.SUBMITTED.value,
        open_key=first.open_key,
        statement="",
        snapshot={},
    )
    db.session.add(duplicate)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert [a.id for a in applications_of(candidate)] == [first.id]


def test_the_apply_page_refuses_a_candidate_who_does_not_qualify(client, people):
    director, supervisor, _board, _candidate, _hours = people
    beginner = make_candidate(director=director)
    login(client, beginner)
    page = client.get("/progression/apply").get_data(as_text=True)
    assert "You can apply once every requirement below is met." in page
    assert 'name="endorser"' not in page
    response = client.submit(
        "/progression/apply",
        {"endorser": str(supervisor.id), "statement": ""},
        form_path="/candidate",
    )
    assert response.status_code == 200
    assert "Not every requirement is met yet" in response.get_data(as_text=True)
    assert applications_of(beginner) == []


# --- endorsing ----------------------------------------------------------------------------
def test_only_the_named_endorser_may_endorse(people):
    director, supervisor, board, candidate, _hours = people
    application = applied(candidate, supervisor)
    other_supervisor = long_standing_supervisor(director)
    for person in (other_supervisor, director, board[0]):
        error = refused(endorse, person, application, endorse=True, reason="")
        assert "Only the supervisor named as endorser" in reasons(error)
    application = reload(application)
    assert application.state is ApplicationStatus.SUBMITTED
    assert application.endorsements == []

    endorse(supervisor, application, endorse=True, reason="")
    db.session.commit()
    application = reload(application)
    assert application.state is ApplicationStatus.ENDORSED
    assert [(e.supervisor_id, e.endorsed) for e in application.endorsements] == [
        (supervisor.id, True)
    ]
    assert len(events("application.endorsed", "application", application.id)) == 1
    # Endorsing again is refused: it no longer waits for endorsement.
    refused(endorse, supervisor, reload(application), endorse=True, reason="")
    assert len(reload(application).endorsements) == 1


def test_nobody_endorses_their_own_application(people):
    director, supervisor, _board, candidate, _hours = people
    application = applied(candidate, supervisor)
    # The applicant comes to hold a current AIRT-S too and is (wrongly) named as endorser.
    award_credential(
        candidate, "AIRT-S", actor_id=director.id, version=current_version(), awarded_on=today()
    )
    application.endorser_id = candidate.id
    db.session.commit()
    assert is_supervisor(candidate)
    error = refused(endorse, candidate, reload(application), endorse=True, reason="")
    assert reasons(error) == "You cannot endorse your own application."
    application = reload(application)
    assert application.state is ApplicationStatus.SUBMITTED
    assert application.endorsements == []


def test_an_endorser_whose_airt_s_expired_cannot_endorse(people):
    _director, supervisor, _board, candidate, _hours = people
    application = applied(candidate, supervisor)
    award = airt_s_awards(supervisor)[0]
    award.expires_on = today() - timedelta(days=1)
    db.session.commit()
    error = refused(endorse, supervisor, reload(application), endorse=True, reason="")
    assert "not current" in reasons(error)
    application = reload(application)
    assert application.state is ApplicationStatus.SUBMITTED
    assert application.endorsements == []


def test_declining_needs_a_reason_and_returns_the_application(people):
    _director, supervisor, _board, candidate, _hours = people
    application = applied(candidate, supervisor)
    for blank in ("", "   "):
        error = refused(endorse, supervisor, reload(application), endorse=False, reason=blank)
        assert [field for field, _ in error.problems] == ["reason"]
    assert reload(application).state is ApplicationStatus.SUBMITTED

    endorse(supervisor, reload(application), endorse=False, reason="  More stage 3 work.  ")
    db.session.commit()
    application = reload(application)
    assert application.state is ApplicationStatus.DECLINED
    assert application.open_key is None
    assert application.decision_reason == "More stage 3 work."
    assert application.decided_at is not None
    assert len(events("application.endorsement_declined", "application", application.id)) == 1

    again = applied(candidate, supervisor, "Second try")
    assert again.id != application.id
    assert reload(again).state is ApplicationStatus.SUBMITTED


def test_the_endorse_action_refuses_anyone_but_the_endorser(app, people):
    director, supervisor, _board, candidate, _hours = people
    application = applied(candidate, supervisor)
    page = f"/progression/applications/{application.id}"
    data = {"decision": "endorse", "reason": ""}

    # Another supervisor may not even open the application.
    stranger = app.test_client()
    login(stranger, long_standing_supervisor(director))
    assert stranger.submit(f"{page}/endorse", data, form_path=page).status_code == 403

    # A supervisor on the board may open it, but the service refuses the endorsement.
    member = long_standing_supervisor(director)
    grant_role(member, Role.CO_CREATOR, actor_id=director.id)
    db.session.commit()
    client = app.test_client()
    login(client, member)
    response = client.submit(f"{page}/endorse", data, form_path=page)
    assert response.status_code == 302
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Only the supervisor named as endorser can endorse." in followed
    application = reload(application)
    assert application.state is ApplicationStatus.SUBMITTED
    assert application.endorsements == []


# --- the board ----------------------------------------------------------------------------
def test_only_co_creators_vote(client, people):
    director, supervisor, _board, candidate, _hours = people
    application = endorsed(applied(candidate, supervisor))
    error = refused(vote, director, reload(application), approve=True, comment="")
    assert "Only members of the co-creators' board vote." in reasons(error)
    refused(vote, supervisor, reload(application), approve=True, comment="")
    assert reload(application).votes == []

    login(client, director)
    page = f"/progression/applications/{application.id}"
    response = client.submit(f"{page}/vote", {"decision": "approve"}, form_path=page)
    assert response.status_code == 403
    assert reload(application).votes == []


def test_nobody_votes_on_their_own_application(people):
    director, supervisor, board, _candidate, _hours = people
    member, _ = qualified_candidate(supervisor=supervisor, director=director)
    grant_role(member, Role.CO_CREATOR, actor_id=director.id)
    db.session.commit()
    application = endorsed(applied(member, supervisor))
    error = refused(vote, member, reload(application), approve=True, comment="")
    assert reasons(error) == "You cannot vote on your own application."
    assert reload(application).votes == []
    # The other members can.
    application = voted(reload(application), board[0], True)
    assert [v.member_id for v in application.votes] == [board[0].id]


def test_each_member_votes_once(people):
    _director, supervisor, board, candidate, _hours = people
    application = voted(endorsed(applied(candidate, supervisor)), board[0], False, "Not yet")
    error = refused(vote, board[0], reload(application), approve=True, comment="")
    assert "already voted" in reasons(error)
    assert [(v.member_id, v.approve) for v in reload(application).votes] == [(board[0].id, False)]

    db.session.add(Vote(application_id=application.id, member_id=board[0].id, approve=True))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert len(reload(application).votes) == 1


def test_a_vote_before_endorsement_is_refused(people):
    _director, supervisor, board, candidate, _hours = people
    application = applied(candidate, supervisor)
    error = refused(vote, board[0], reload(application), approve=True, comment="")
    assert "not waiting for the board" in reasons(error)


def test_two_approvals_approve(people):
    _director, supervisor, board, candidate, _hours = people
    application = endorsed(applied(candidate, supervisor))
    application = voted(application, board[0], True)
    assert application.state is ApplicationStatus.ENDORSED
    application = voted(application, board[1], True, "Well prepared.")
    assert application.state is ApplicationStatus.APPROVED
    assert application.decided_at is not None
    assert application.open_key is not None  # still open until issued
    assert len(events("application.voted", "application", application.id)) == 2
    [event] = events("application.approved", "application", application.id)
    assert event.after == {"approvals": 2, "quorum": 2}
    # The third member can no longer vote.
    refused(vote, board[2], reload(application), approve=True, comment="")


def test_one_rejection_does_not_decide_and_a_rejection_needs_reasons(people):
    _director, supervisor, board, candidate, _hours = people
    application = endorsed(applied(candidate, supervisor))
    error = refused(vote, board[0], reload(application), approve=False, comment="  ")
    assert [field for field, _ in error.problems] == ["comment"]
    application = voted(application, board[0], False, "Needs more consultation.")
    assert application.state is ApplicationStatus.ENDORSED
    application = voted(application, board[1], True)
    assert application.state is ApplicationStatus.ENDORSED
    application = voted(application, board[2], True)
    assert application.state is ApplicationStatus.APPROVED


def test_two_rejections_reject_with_the_reasons_and_the_candidate_may_apply_again(people):
    _director, supervisor, board, candidate, _hours = people
    application = endorsed(applied(candidate, supervisor))
    application = voted(application, board[0], False, "Needs more consultation.")
    application = voted(application, board[1], False, "Case two lacks stage 4.")
    assert application.state is ApplicationStatus.REJECTED
    assert application.open_key is None
    assert "Needs more consultation." in application.decision_reason
    assert "Case two lacks stage 4." in application.decision_reason
    assert len(events("application.rejected", "application", application.id)) == 1
    refused(vote, board[2], reload(application), approve=True, comment="")

    again = applied(candidate, supervisor)
    assert again.id != application.id
    assert reload(again).state is ApplicationStatus.SUBMITTED


# --- issuing ------------------------------------------------------------------------------
def test_only_an_approved_application_is_issued(people):
    director, supervisor, board, candidate, _hours = people
    application = applied(candidate, supervisor)
    refused(issue, director, reload(application))
    application = endorsed(application)
    error = refused(issue, director, reload(application))
    assert reasons(error) == "Only an approved application can be issued."
    application = voted(application, board[0], True)
    refused(issue, director, reload(application))
    assert certificates_of(candidate) == []
    assert airt_s_awards(candidate) == []


def test_only_a_director_issues(client, people):
    _director, supervisor, board, candidate, _hours = people
    application = approved(applied(candidate, supervisor), board)
    for person in (board[0], supervisor, candidate):
        error = refused(issue, person, reload(application))
        assert reasons(error) == "Only a director issues credentials."
    login(client, board[0])
    page = f"/progression/applications/{application.id}"
    assert client.submit(f"{page}/issue", {}, form_path=page).status_code == 403
    assert reload(application).state is ApplicationStatus.APPROVED
    assert certificates_of(candidate) == []
    assert airt_s_awards(candidate) == []


def test_issuing_rechecks_the_evidence(people):
    director, supervisor, board, candidate, hours = people
    application = approved(applied(candidate, supervisor), board)
    # A counted entry was superseded by an amendment after the application.
    db.session.get(HoursEntry, hours["direct-clinical"][0]).status = HoursStatus.SUPERSEDED
    db.session.commit()
    error = refused(issue, director, reload(application))
    assert DIRECT in reasons(error)
    assert "no longer meets" in reasons(error)
    assert reload(application).state is ApplicationStatus.APPROVED
    assert certificates_of(candidate) == []
    assert airt_s_awards(candidate) == []


def test_issuing_awards_airt_s_and_one_certificate(app, people):
    director, supervisor, board, candidate, _hours = people
    application = approved(applied(candidate, supervisor), board)
    certificate = issue(director, reload(application))
    db.session.commit()

    (award,) = airt_s_awards(candidate)
    assert award.awarded_on == today()
    assert award.expires_on == add_months(today(), 24) - timedelta(days=1)
    assert award.awarded_by_id == director.id
    (certificate,) = certificates_of(candidate)
    assert re.fullmatch(r"AIRM-\d{4}-\d{5}", certificate.serial)
    assert certificate.serial.startswith(f"AIRM-{today().year}-")
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,}", certificate.verification_code)
    assert certificate.award_id == award.id
    assert certificate.application_id == application.id
    assert certificate.holder_name == candidate.display_name
    assert (certificate.level_code, certificate.level_name) == ("AIRT-S", "AIRM-Trained Supervisor")
    assert (certificate.issued_on, certificate.expires_on) == (award.awarded_on, award.expires_on)
    assert certificate.issuer_name == director.display_name
    assert certificate.approver_names == [board[0].display_name, board[1].display_name]
    assert certificate.organisation == app.config["ORGANISATION_NAME"]
    assert certificate.status == "valid"
    application = reload(application)
    assert application.state is ApplicationStatus.ISSUED
    assert application.open_key is None
    assert next_level(candidate) is None

    error = refused(issue, director, reload(application))
    assert "Only an approved application" in reasons(error)
    assert len(certificates_of(candidate)) == 1
    assert len(airt_s_awards(candidate)) == 1


def test_two_certificates_never_share_a_verification_code(people):
    director, supervisor, board, candidate, _hours = people
    second, _ = qualified_candidate(supervisor=supervisor, director=director)
    codes = set()
    for person in (candidate, second):
        issue(director, approved(applied(person, supervisor), board))
        db.session.commit()
        codes.add(certificates_of(person)[0].verification_code)
    assert len(codes) == 2


def test_the_new_holder_supervises_until_revoked(people):
    director, supervisor, board, candidate, _hours = people
    certificate = issue(director, approved(applied(candidate, supervisor), board))
    db.session.commit()
    assert is_supervisor(candidate)

    supervisee = make_candidate(director=director)
    first = logged(supervisee, candidate)
    second = logged(supervisee, candidate, minutes=30)
    assert sign_entries(candidate, [first.id], attested=True) == 1
    db.session.commit()
    assert db.session.get(HoursEntry, first.id).signed_by_id == candidate.id

    revoke(director, db.session.get(Certificate, certificate.id), "Licence lapsed.")
    db.session.commit()
    assert not is_supervisor(candidate)
    error = refused(sign_entries, candidate, [second.id], attested=True)
    assert "not current" in reasons(error)
    db.session.expire_all()
    assert db.session.get(HoursEntry, second.id).status == HoursStatus.SUBMITTED
    (award,) = airt_s_awards(candidate)
    assert award.status == "revoked"
    assert award.revoked_reason == "Licence lapsed."


def test_revoking_needs_a_director_and_a_reason_and_happens_once(people):
    director, supervisor, board, candidate, _hours = people
    certificate = issue(director, approved(applied(candidate, supervisor), board))
    db.session.commit()
    refused(revoke, board[0], db.session.get(Certificate, certificate.id), "reason")
    error = refused(revoke, director, db.session.get(Certificate, certificate.id), "   ")
    assert [field for field, _ in error.problems] == ["reason"]
    assert certificates_of(candidate)[0].status == "valid"
    revoke(director, db.session.get(Certificate, certificate.id), "Found ineligible.")
    db.session.commit()
    error = refused(revoke, director, db.session.get(Certificate, certificate.id), "again")
    assert "already revoked" in reasons(error)
    assert len(events("certificate.revoked", "certificate", certificate.id)) == 1


def test_the_application_page_shows_a_revoked_credential_as_a_refusal(app, people):
    director, supervisor, board, candidate, _hours = people
    application = approved(applied(candidate, supervisor), board)
    certificate = issue(director, reload(application))
    db.session.commit()
    client = app.test_client()
    login(client, candidate)
    path = f"/progression/applications/{application.id}"
    assert 'text-bg-success">Issued<' in client.get(path).get_data(as_text=True)
    revoke(director, db.session.get(Certificate, certificate.id), "Found ineligible.")
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert 'text-bg-danger">Issued, then revoked<' in page
    assert "Found ineligible." in page


def test_the_certificate_page_and_pdf_are_for_the_holder_and_directors(app, people):
    director, supervisor, board, candidate, _hours = people
    certificate = issue(director, approved(applied(candidate, supervisor), board))
    db.session.commit()
    other = make_candidate(director=director)
    page = f"/progression/certificates/{certificate.id}"
    paths = (page, f"{page}.pdf")
    for person, expected in (
        (candidate, 200),
        (director, 200),
        (other, 403),
        (supervisor, 403),
        (board[0], 403),
    ):
        client = app.test_client()
        login(client, person)
        for path in paths:
            response = client.get(path)
            assert response.status_code == expected, (person, path)
            if expected == 200 and path.endswith(".pdf"):
                assert response.mimetype == "application/pdf"
                assert response.data.startswith(b"%PDF-")
    anonymous = app.test_client().get(paths[0])
    assert anonymous.status_code == 302
    assert "/auth/login" in anonymous.headers["Location"]


def test_every_step_is_audited(people):
    director, supervisor, board, candidate, _hours = people
    application = approved(applied(candidate, supervisor), board)
    certificate = issue(director, reload(application))
    db.session.commit()
    revoke(director, db.session.get(Certificate, certificate.id), "Audit test.")
    db.session.commit()

    [submitted] = events("application.submitted", "application", application.id)
    assert submitted.actor_id == candidate.id
    assert submitted.after["level"] == "AIRT-S"
    [endorsement] = events("application.endorsed", "application", application.id)
    assert endorsement.actor_id == supervisor.id
    votes = events("application.voted", "application", application.id)
    assert [(e.actor_id, e.after["approve"]) for e in votes] == [
        (board[0].id, True),
        (board[1].id, True),
    ]
    assert len(events("application.approved", "application", application.id)) == 1
    [issued] = events("certificate.issued", "certificate", certificate.id)
    assert issued.actor_id == director.id
    assert issued.after["serial"] == certificate.serial
    assert issued.after["application_id"] == application.id
    [revoked] = events("certificate.revoked", "certificate", certificate.id)
    assert revoked.actor_id == director.id
    assert revoked.after == {"status": "revoked", "reason": "Audit test."}


# --- the whole way through the pages ------------------------------------------------------
def test_apply_endorse_vote_and_issue_through_the_pages(app, people):
    director, supervisor, board, candidate, _hours = people
    clients = {}
    for name, person in (
        ("candidate", candidate),
        ("supervisor", supervisor),
        ("member1", board[0]),
        ("member2", board[1]),
        ("director", director),
    ):
        clients[name] = app.test_client()
        login(clients[name], person)

    home = clients["candidate"].get("/candidate").get_data(as_text=True)
    assert "Apply for AIRT-S" in home
    page = clients["candidate"].get("/progression/apply").get_data(as_text=True)
    assert f'value="{supervisor.id}"' in page
    response = clients["candidate"].submit(
        "/progression/apply", {"endorser": str(supervisor.id), "statement": "Ready."}
    )
    assert response.status_code == 302
    (application,) = applications_of(candidate)
    page = f"/progression/applications/{application.id}"
    assert "Apply for AIRT-S" not in clients["candidate"].get("/candidate").get_data(as_text=True)

    response = clients["supervisor"].submit(
        f"{page}/endorse", {"decision": "endorse", "reason": "Solid work."}, form_path=page
    )
    assert response.status_code == 302
    assert reload(application).state is ApplicationStatus.ENDORSED

    for name in ("member1", "member2"):
        response = clients[name].submit(
            f"{page}/vote", {"decision": "approve", "comment": ""}, form_path=page
        )
        assert response.status_code == 302
    assert reload(application).state is ApplicationStatus.APPROVED

    response = clients["director"].submit(f"{page}/issue", {}, form_path=page)
    assert response.status_code == 302
    (certificate,) = certificates_of(candidate)
    assert response.headers["Location"].endswith(f"/progression/certificates/{certificate.id}")
    shown = clients["candidate"].get(f"/progression/certificates/{certificate.id}")
    assert certificate.serial in shown.get_data(as_text=True)
    # A second issue through the page changes nothing.
    again = clients["director"].submit(f"{page}/issue", {}, form_path=page)
    assert again.status_code == 302
    assert len(certificates_of(candidate)) == 1


def test_a_rejection_through_the_pages_needs_a_comment(app, people):
    _director, supervisor, board, candidate, _hours = people
    application = endorsed(applied(candidate, supervisor))
    client = app.test_client()
    login(client, board[0])
    page = f"/progression/applications/{application.id}"
    response = client.submit(f"{page}/vote", {"decision": "reject", "comment": ""}, form_path=page)
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Give the reasons for rejecting" in followed
    assert reload(application).votes == []


# --- the demo candidate -------------------------------------------------------------------
def test_the_demo_candidate_can_apply(app, client):
    seed_demo()
    db.session.commit()
    sofia = find_by_email("sofia.alvarez@btrc.example")
    standing = evaluate(sofia, next_level(sofia))
    assert standing.evidence_met, [r.label for r in standing.evidence_results if not r.met]
    # the demo counts consultation only inside approved supervision agreements
    consultation = next(r for r in standing.results if r.label.startswith(CONSULTATION))
    assert consultation.label.endswith("(inside an approved supervision agreement)")
    assert consultation.met and not consultation.not_counted

    login(client, sofia, "airm-demo-password")
    assert "Apply for AIRT-S" in client.get("/candidate").get_data(as_text=True)
    endorser = find_by_email("elizabeth.abbruzza@btrc.example")
    expired = find_by_email("hannah.price@btrc.example")
    page = client.get("/progression/apply").get_data(as_text=True)
    assert f'value="{endorser.id}"' in page
    assert f'value="{expired.id}"' not in page  # an expired AIRT-S cannot endorse
    response = client.submit("/progression/apply", {"endorser": str(endorser.id)})
    assert response.status_code == 302
    (application,) = applications_of(sofia)
    assert application.endorser_id == endorser.id

    marcus = find_by_email("marcus.bell@btrc.example")
    other = app.test_client()
    login(other, marcus, "airm-demo-password")
    assert "Apply for AIRT-S" not in other.get("/candidate").get_data(as_text=True)
