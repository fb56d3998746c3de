"""Every workflow is its transition table: each (state, action) pair is tried through the
services on an object put in that state. A pair in the table works and leads to the state
the table names; every other pair is refused with a DomainError and changes nothing (the
state, the audit trail). The pages ask the same ``can_<action>`` functions."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.assessments.case_rubric import case_rubric
from airm_training.assessments.cases import GradeInput, grade_case, resubmit_case, submit_case
from airm_training.assessments.models import CasePresentation, CaseStatus
from airm_training.assessments.workflow import TRANSITIONS as CASE_TRANSITIONS
from airm_training.assessments.workflow import CaseAction
from airm_training.audit.models import AuditEvent
from airm_training.core.clock import today
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.hours.models import HoursAction, HoursEntry, HoursStatus
from airm_training.hours.services import _input_of as input_of
from airm_training.hours.services import (
    request_amendment,
    return_entry,
    sign_entries,
    submit_entry,
    withdraw_entry,
)
from airm_training.hours.workflow import TRANSITIONS as HOURS_TRANSITIONS
from airm_training.progression.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Certificate,
    CertificateStatus,
    Endorsement,
    Vote,
)
from airm_training.progression.reinstatement import apply_for_reinstatement, reinstate
from airm_training.progression.renewal import renew, request_renewal
from airm_training.progression.services import apply, endorse, issue, revoke, vote
from airm_training.progression.workflow import (
    ATTAIN_TRANSITIONS,
    CERTIFICATE_TRANSITIONS,
    REINSTATEMENT_TRANSITIONS,
    RENEWAL_TRANSITIONS,
    ApplicationAction,
    CertificateAction,
)
from tests.ce_helpers import verified_ce
from tests.factories import make_candidate, make_director, make_supervisor
from tests.test_cases_and_evaluations import BOND_TYPES, case_input
from tests.test_engine import long_standing_supervisor, qualified_candidate
from tests.test_progression_workflow import co_creator, logged
from tests.test_reinstatement import enrolled_long_ago, ready
from tests.test_renewal import holder, holder_expiring_in, signed_hours  # noqa: F401 - a fixture


def audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def walk(table, states, actions, put, status_of, run) -> list[str]:
    """Try every (state, action): ``put(state)`` commits the object in ``state``; ``run``
    performs ``action`` through the services (flushing only). Returns what went wrong."""
    wrong = []
    for state in states:
        for action in actions:
            put(state)
            events = audit_count()
            expected = table.get((state, action))
            try:
                run(action)
            except DomainError as error:
                db.session.rollback()
                if expected is not None:
                    wrong.append(f"{state} --{action}--> refused: {error}")
                elif status_of() != state or audit_count() != events:
                    wrong.append(f"{state} --{action}--> refused but changed something")
                continue
            reached = status_of()
            db.session.rollback()
            if expected is None:
                wrong.append(f"{state} --{action}--> allowed, the table has no such row")
            elif reached != expected:
                wrong.append(f"{state} --{action}--> {reached}, the table says {expected}")
    return wrong


# --- hours entries -------------------------------------------------------------------------
def test_the_hours_table(app):
    director = make_director()
    supervisor = make_supervisor(director=director)
    candidate = make_candidate(director=director)
    entry = logged(candidate, supervisor, day=today() - timedelta(days=1))
    entry_id = entry.id

    def put(state: HoursStatus) -> None:
        db.session.execute(sa.delete(HoursEntry).where(HoursEntry.amends_id == entry_id))
        signed = state in (HoursStatus.SIGNED, HoursStatus.SUPERSEDED)
        db.session.execute(
            sa.update(HoursEntry)
            .where(HoursEntry.id == entry_id)
            .values(status=state.value, signed_by_id=supervisor.id if signed else None)
        )
        db.session.commit()
        db.session.expire_all()

    def status_of() -> HoursStatus:
        db.session.expire_all()
        return db.session.get(HoursEntry, entry_id).state

    def run(action: HoursAction) -> None:
        entry = db.session.get(HoursEntry, entry_id)
        if action is HoursAction.SUBMIT:
            submit_entry(entry, candidate)
        elif action is HoursAction.WITHDRAW:
            withdraw_entry(entry, candidate)
        elif action is HoursAction.SIGN:
            sign_entries(supervisor, [entry_id], attested=True)
        elif action is HoursAction.RETURN:
            return_entry(entry, supervisor, "Check the date.")
        else:  # a signed entry is superseded when its signer signs its amendment
            amendment = request_amendment(entry, candidate, input_of(entry))
            sign_entries(supervisor, [amendment.id], attested=True)

    assert walk(HOURS_TRANSITIONS, HoursStatus, HoursAction, put, status_of, run) == []


# --- case presentations --------------------------------------------------------------------
def test_the_case_presentation_table(app):
    director = make_director()
    supervisor = make_supervisor(director=director)
    candidate = make_candidate(director=director)
    presentation = submit_case(candidate, case_input(supervisor), bond_types=BOND_TYPES)
    db.session.commit()
    case_id = presentation.id

    def put(state: CaseStatus) -> None:
        db.session.execute(
            sa.update(CasePresentation)
            .where(CasePresentation.id == case_id)
            .values(status=state.value)
        )
        db.session.commit()
        db.session.expire_all()

    def status_of() -> CaseStatus:
        db.session.expire_all()
        return db.session.get(CasePresentation, case_id).state

    def run(action: CaseAction) -> None:
        presentation = db.session.get(CasePresentation, case_id)
        if action is CaseAction.RESUBMIT:
            resubmit_case(candidate, presentation, case_input(supervisor), bond_types=BOND_TYPES)
        else:
            grade_case(supervisor, presentation, grade_input(action.value))

    assert walk(CASE_TRANSITIONS, CaseStatus, CaseAction, put, status_of, run) == []


def grade_input(grade: str) -> GradeInput:
    rubric = case_rubric()
    ratings = {code: rubric.pass_minimum for code, _ in rubric.criteria}
    return GradeInput(grade=grade, feedback="Clear work.", rubric=ratings)


# --- applications ----------------------------------------------------------------------------
@pytest.fixture
def applicant(app):
    director = make_director()
    supervisor = long_standing_supervisor(director)
    candidate, _hours = qualified_candidate(supervisor=supervisor, director=director)
    board = [co_creator() for _ in range(5)]  # two vote in the walk, two stand for the past
    application = apply(candidate, endorser_id=supervisor.id, statement="")
    db.session.commit()
    return director, supervisor, board, application.id


def _put_application(application_id: int, endorser_id: int | None, approvers: list[int]):
    """Put the application in a state with the history that state implies: an endorsement
    once endorsed, the board's approvals once approved (the evidence counts them)."""
    S = ApplicationStatus

    def put(state: ApplicationStatus) -> None:
        application = db.session.get(Application, application_id)
        key = f"{application.person_id}:{application.level_id}"
        for model in (Certificate, Endorsement, Vote):
            db.session.execute(sa.delete(model).where(model.application_id == application_id))
        if endorser_id and state in (S.ENDORSED, S.APPROVED, S.ISSUED, S.REJECTED):
            db.session.add(
                Endorsement(application_id=application_id, supervisor_id=endorser_id, endorsed=True)
            )
        if state in (S.APPROVED, S.ISSUED):
            for member_id in approvers:
                db.session.add(
                    Vote(application_id=application_id, member_id=member_id, approve=True)
                )
        db.session.execute(
            sa.update(Application)
            .where(Application.id == application_id)
            .values(
                status=state.value,
                open_key=key if state in (S.SUBMITTED, S.ENDORSED, S.APPROVED) else None,
            )
        )
        db.session.commit()
        db.session.expire_all()

    def status_of() -> ApplicationStatus:
        db.session.expire_all()
        return db.session.get(Application, application_id).state

    return put, status_of


def test_the_application_table(applicant):
    director, supervisor, board, application_id = applicant
    put, status_of = _put_application(application_id, supervisor.id, [m.id for m in board[3:]])

    def run(action: ApplicationAction) -> None:
        application = db.session.get(Application, application_id)
        if action in (ApplicationAction.ENDORSE, ApplicationAction.DECLINE):
            approve = action is ApplicationAction.ENDORSE
            endorse(supervisor, application, endorse=approve, reason="" if approve else "No.")
        elif action in (ApplicationAction.APPROVE, ApplicationAction.REJECT):
            approve = action is ApplicationAction.APPROVE
            for member in board[:2]:  # two of three decide either way (quorum 2)
                vote(member, application, approve=approve, comment="" if approve else "No.")
                db.session.expire_all()
                application = db.session.get(Application, application_id)
        elif action is ApplicationAction.ISSUE:
            issue(director, application)
        else:
            renew(director, application)

    wrong = walk(ATTAIN_TRANSITIONS, ApplicationStatus, ApplicationAction, put, status_of, run)
    assert wrong == []


def test_the_renewal_table(holder):  # noqa: F811 - the fixture imported above
    person, director, supervisor, _certificate = holder
    verified_ce(person, director, 12, days_ago=30)
    signed_hours(person, supervisor, "individual-consultation", 4, days_ago=20)
    application = request_renewal(person)
    db.session.commit()
    assert application.kind == ApplicationKind.RENEW
    put, status_of = _put_application(application.id, None, [])
    board = [co_creator() for _ in range(2)]

    def run(action: ApplicationAction) -> None:
        application = db.session.get(Application, application_id)
        if action in (ApplicationAction.ENDORSE, ApplicationAction.DECLINE):
            endorse(supervisor, application, endorse=True, reason="")
        elif action in (ApplicationAction.APPROVE, ApplicationAction.REJECT):
            vote(board[0], application, approve=True, comment="")
        elif action is ApplicationAction.ISSUE:
            issue(director, application)
        else:
            renew(director, application)

    application_id = application.id
    wrong = walk(RENEWAL_TRANSITIONS, ApplicationStatus, ApplicationAction, put, status_of, run)
    assert wrong == []


def test_the_reinstatement_table(app):
    person, director, supervisor, _certificate = holder_expiring_in(-120)  # lapsed
    enrolled_long_ago(person)
    ready(person, supervisor)
    board = [co_creator() for _ in range(4)]  # two vote in the walk, two stand for the past
    application_id = apply_for_reinstatement(person, statement="").id
    db.session.commit()
    put, status_of = _put_application(application_id, None, [m.id for m in board[2:]])

    def run(action: ApplicationAction) -> None:
        application = db.session.get(Application, application_id)
        if action in (ApplicationAction.ENDORSE, ApplicationAction.DECLINE):
            endorse(supervisor, application, endorse=True, reason="")
        elif action in (ApplicationAction.APPROVE, ApplicationAction.REJECT):
            approve = action is ApplicationAction.APPROVE
            for member in board[:2]:  # two of three decide either way (quorum 2)
                vote(member, application, approve=approve, comment="" if approve else "No.")
                db.session.expire_all()
                application = db.session.get(Application, application_id)
        elif action is ApplicationAction.ISSUE:
            reinstate(director, application)
        else:
            renew(director, application)

    wrong = walk(
        REINSTATEMENT_TRANSITIONS, ApplicationStatus, ApplicationAction, put, status_of, run
    )
    assert wrong == []


# --- certificates ----------------------------------------------------------------------------
def test_the_certificate_table(holder):  # noqa: F811 - the fixture imported above
    person, director, supervisor, certificate = holder
    verified_ce(person, director, 12, days_ago=30)
    signed_hours(person, supervisor, "individual-consultation", 4, days_ago=20)
    certificate_id = certificate.id
    renewal_id = request_renewal(person).id
    db.session.commit()

    def put(state: CertificateStatus) -> None:
        db.session.execute(
            sa.update(Certificate).where(Certificate.id == certificate_id).values(status=state)
        )
        db.session.commit()
        db.session.expire_all()

    def status_of() -> CertificateStatus:
        db.session.expire_all()
        return CertificateStatus(db.session.get(Certificate, certificate_id).status)

    def revoke_it(_action: CertificateAction) -> None:
        revoke(director, db.session.get(Certificate, certificate_id), "Issued in error.")

    revocation = {
        k: v for k, v in CERTIFICATE_TRANSITIONS.items() if k[1] is CertificateAction.REVOKE
    }
    states = list(CertificateStatus)
    assert walk(revocation, states, [CertificateAction.REVOKE], put, status_of, revoke_it) == []
    # Renewing the credential supersedes its certificate, only a valid one.
    for state in states:
        put(state)
        renew(director, db.session.get(Application, renewal_id))
        expected = CERTIFICATE_TRANSITIONS.get((state, CertificateAction.SUPERSEDE), state)
        assert status_of() is expected, state
        db.session.rollback()
