"""Mass assignment: fields a form does not offer (status, roles, signed and verified
flags, someone else's id, a grade, a score) are ignored. Each main form is posted with
its good values plus such fields; the record it creates or changes must be exactly what
the good values alone would make."""

from __future__ import annotations

import sqlalchemy as sa

from airm_training.assessments.models import (
    CasePresentation,
    CompetencyEvaluation,
    QuizAttempt,
)
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.people.models import Licence, Person
from airm_training.progression.models import Application, Endorsement, Vote

# One demo world for the module, each test a savepoint of it:
from tests.hostile import _transaction, demo_world  # noqa: F401
from tests.test_fuzz_forms import (
    _person,
    _signed_in_client,
    _token,
    case_apply,
    case_endorse,
    case_evaluation,
    case_hours_edit,
    case_hours_new,
    case_invite,
    case_licence,
    case_new_case,
    case_quiz_attempt,
    case_vote,
)


def _post(app, case, extras: dict):
    client = _signed_in_client(app, case.principal)
    response = client.post(
        case.path,
        data={**case.baseline, **extras, "csrf_token": _token(client, case.principal)},
    )
    assert response.status_code == 302, response.status_code
    db.session.expire_all()
    return response


def _latest(model):
    return db.session.scalar(sa.select(model).order_by(model.id.desc()).limit(1))


def test_hours_entries_ignore_owner_status_and_signature_fields(app):
    other, supervisor = _person("marcus.bell"), _person("connie.zollner")
    _post(
        app,
        case_hours_new(),
        {
            "person_id": str(other.id),
            "status": "signed",
            "signed_by_id": str(supervisor.id),
            "signed_at": "2024-01-01T00:00:00",
            "attestation": "I attest",
            "late": "0",
            "import_id": "1",
            "amends_id": "1",
        },
    )
    entry = _latest(HoursEntry)
    assert entry.person_id == _person("aubrey.holden").id
    assert entry.status == "submitted"
    assert entry.signed_by_id is None and entry.signed_at is None and entry.attestation is None
    assert entry.import_id is None and entry.amends_id is None


def test_editing_an_entry_cannot_move_it_to_someone_else_or_sign_it(app):
    case = case_hours_edit()
    entry_id = int(case.path.split("/")[2])
    _post(app, case, {"person_id": str(_person("marcus.bell").id), "status": "signed"})
    entry = db.session.get(HoursEntry, entry_id)
    assert entry.person_id == _person("aubrey.holden").id
    assert entry.status == "submitted"
    assert entry.signed_by_id is None


def test_an_invitation_grants_only_the_roles_offered_and_no_password(app):
    case = case_invite()
    _post(
        app,
        case,
        {"active": "0", "session_version": "99", "password_hash": "x", "password": "p" * 20},
    )
    person = db.session.scalar(sa.select(Person).where(Person.email == "new.colleague@example.org"))
    assert sorted(role.value for role in person.roles) == ["candidate"]
    assert person.active is True
    assert person.password_hash is None
    assert person.session_version != 99


def test_a_licence_is_never_verified_by_the_form_that_records_it(app):
    case = case_licence()
    me = _person("aubrey.holden")
    _post(
        app,
        case,
        {
            "verified": "y",
            "verified_at": "2024-01-01",
            "verified_by_id": str(me.id),
            "person_id": str(_person("marcus.bell").id),
        },
    )
    licence = _latest(Licence)
    assert licence.person_id == me.id
    assert licence.verified_at is None and licence.verified_by_id is None


def test_a_case_is_submitted_ungraded_by_its_author(app):
    _post(
        app,
        case_new_case(),
        {
            "status": "passed",
            "grade": "pass",
            "person_id": str(_person("marcus.bell").id),
            "feedback": "Excellent.",
        },
    )
    presentation = _latest(CasePresentation)
    assert presentation.person_id == _person("aubrey.holden").id
    assert presentation.status == "submitted"
    assert presentation.versions[-1].grade is None


def test_an_evaluation_is_always_by_the_person_submitting_it(app):
    case = case_evaluation()
    _post(app, case, {"evaluator_id": str(_person("elizabeth.abbruzza").id), "form_code": "x"})
    evaluation = _latest(CompetencyEvaluation)
    assert evaluation.evaluator_id == _person("connie.zollner").id
    assert evaluation.form_code != "x"


def test_a_quiz_score_is_computed_never_posted(app):
    case = case_quiz_attempt()
    attempt_id = int(case.path.rsplit("/", 1)[1])
    wrong = {name: ["999999"] for name in case.baseline}  # no such option: every answer wrong
    client = _signed_in_client(app, case.principal)
    client.post(
        case.path,
        data={
            **wrong,
            "score_percent": "100",
            "passed": "y",
            "status": "passed",
            "csrf_token": _token(client, case.principal),
        },
    )
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.score_percent == 0
    assert not attempt.passed


def test_an_application_starts_submitted_whatever_is_posted(app):
    case = case_apply()
    _post(
        app,
        case,
        {"status": "approved", "person_id": str(_person("aubrey.holden").id), "level_id": "1"},
    )
    application = _latest(Application)
    assert application.person_id == _person("sofia.alvarez").id
    assert application.status == "submitted"
    assert application.level.code == "AIRT-S"


def test_an_endorsement_is_the_endorser_s_own(app):
    case = case_endorse()
    _post(app, case, {"supervisor_id": str(_person("connie.zollner").id), "status": "approved"})
    endorsement = _latest(Endorsement)
    assert endorsement.supervisor_id == _person("elizabeth.abbruzza").id
    assert endorsement.application.status == "endorsed"


def test_a_vote_is_the_voter_s_own(app):
    case = case_vote()
    _post(app, case, {"member_id": str(_person("jessica.lamar").id), "status": "approved"})
    vote = _latest(Vote)
    assert vote.member_id == _person("connie.zollner").id
    assert vote.application.status == "endorsed"  # one approval does not decide
