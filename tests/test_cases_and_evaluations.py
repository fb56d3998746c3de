"""Case presentations (submission with an optional PDF, grading, revise and resubmit)
and competency evaluations (rated on the programme's rubric, immutable)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pikepdf
import pytest
import sqlalchemy as sa

from airm_training.assessments.cases import (
    CaseInput,
    GradeInput,
    grade_case,
    grading_queue,
    resubmit_case,
    submit_case,
)
from airm_training.assessments.evaluations import (
    EvaluationInput,
    programme_rubric,
    submit_evaluation,
)
from airm_training.assessments.facts import evaluation_facts, passed_case_presentations
from airm_training.assessments.models import (
    CasePresentation,
    CaseStatus,
    CaseVersion,
    CompetencyEvaluation,
)
from airm_training.assessments.pdf_safety import sanitise_pdf
from airm_training.audit.models import AuditEvent
from airm_training.core.clock import today
from airm_training.core.errors import DomainError
from airm_training.credentials.models import CredentialAward
from airm_training.credentials.services import award_credential
from airm_training.extensions import db
from airm_training.people.models import Role
from airm_training.people.services import grant_role
from airm_training.programme.services import current_version
from tests.factories import login, make_candidate, make_director, make_person, make_supervisor
from tests.pdfs import pdf_bytes
from tests.query_count import count_queries

BOND_TYPES = {"Emotional support", "Romantic", "Parasocial", "Habitual reliance"}
CASE_TEXT = (
    "An adult client described nightly conversations with a companion app that had become "
    "the main source of comfort after a move to a new city. We explored what the bond gave "
    "and what it cost, paced the attachment-awareness stage carefully, and agreed on small "
    "experiments with human contact between sessions."
)
RATING_CODES = (
    "attachment-awareness",
    "disruption-detachment",
    "integration-of-meaning",
    "relational-reconnection",
    "relational-ethical-practice",
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


def events(action: str, object_id=None) -> list[AuditEvent]:
    statement = sa.select(AuditEvent).where(AuditEvent.action == action)
    if object_id is not None:
        statement = statement.where(AuditEvent.object_id == str(object_id))
    return list(db.session.scalars(statement.order_by(AuditEvent.id)))


def cases_of(person) -> list[CasePresentation]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(CasePresentation)
            .where(CasePresentation.person_id == person.id)
            .order_by(CasePresentation.id)
        )
    )


def reload(presentation: CasePresentation) -> CasePresentation:
    db.session.expire_all()
    return db.session.get(CasePresentation, presentation.id)


def versions(presentation: CasePresentation) -> list[CaseVersion]:
    return list(reload(presentation).versions)


def case_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CasePresentation))


def case_fields(supervisor, **changes) -> dict:
    data = {
        "title": "Romantic bond, stage 2 pacing",
        "supervisor": str(supervisor.id),
        "bond_type": "Romantic",
        "stages": ["attachment-awareness", "disruption-detachment"],
        "modalities": ["EMDR"],
        "text": CASE_TEXT,
        "deidentified": "y",
        "submit": "Submit for grading",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def post_case(client, supervisor, *, pdf: bytes | None = None, filename="case.pdf", **changes):
    token = client.form_token("/assessments/cases/new")
    data = {**case_fields(supervisor, **changes), "csrf_token": token}
    if pdf is not None:
        data["pdf"] = (io.BytesIO(pdf), filename)
    return client.post("/assessments/cases/new", data=data, content_type="multipart/form-data")


def case_id_from(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    match = re.search(r"/assessments/cases/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def case_input(supervisor, **changes) -> CaseInput:
    values = {
        "title": "Parasocial bond, stage 1",
        "stages": ["attachment-awareness"],
        "bond_type": "Parasocial",
        "modalities": ["CBT"],
        "text": CASE_TEXT,
        "deidentified_confirmed": True,
        "supervisor_id": supervisor.id if supervisor is not None else None,
    }
    values.update(changes)
    return CaseInput(**values)


def submitted_case(candidate, supervisor, **changes) -> CasePresentation:
    presentation = submit_case(candidate, case_input(supervisor, **changes), bond_types=BOND_TYPES)
    db.session.commit()
    return presentation


ALL_MET = {"formulation": "met", "stage-work": "met", "integration": "met", "ethics": "met"}


def graded(supervisor, presentation, grade: str, feedback: str = "Clear formulation.") -> None:
    grade_case(supervisor, presentation, GradeInput(grade, feedback, ALL_MET))
    db.session.commit()


def revised(candidate, presentation, text: str = CASE_TEXT + " Revised.") -> CaseVersion:
    version = resubmit_case(
        candidate,
        presentation,
        CaseInput("", [], "", [], text, True),
        bond_types=BOND_TYPES,
    )
    db.session.commit()
    return version


def grade_fields(grade="pass", feedback="Clear formulation of the bond.", **changes) -> dict:
    data = {
        "grade": grade,
        "feedback": feedback,
        "rubric_formulation": "met",
        "rubric_stage-work": "met",
        "rubric_integration": "met",
        "rubric_ethics": "met",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def token_of(client, person) -> str:
    """A CSRF token from a page every signed-in person may open."""
    return client.form_token(f"/people/{person.id}")


def post_grade(client, case_id: int, **fields):
    return client.submit(
        f"/assessments/cases/{case_id}/grade",
        grade_fields(**fields),
        form_path=f"/assessments/cases/{case_id}",
    )


def expire_airt_s(person) -> None:
    """The person's AIRT-S ran out yesterday."""
    db.session.execute(
        sa.update(CredentialAward)
        .where(CredentialAward.person_id == person.id)
        .values(expires_on=today() - timedelta(days=1))
    )
    db.session.commit()
    db.session.expire_all()


def supervising_candidate():
    """Someone holding a current AIRT-S who is also an enrolled candidate."""
    director = make_director()
    person = make_candidate(director=director)
    award_credential(
        person,
        "AIRT-S",
        actor_id=director.id,
        version=current_version(),
        awarded_on=today() - timedelta(days=30),
    )
    db.session.commit()
    return person


def signed_in(app, person):
    """A fresh browser signed in as ``person``."""
    client = app.test_client()
    login(client, person)
    return client


@pytest.fixture
def people(app):
    """A director, a current supervisor and two enrolled candidates."""
    director = make_director()
    return (
        make_supervisor(director=director),
        make_candidate(director=director),
        make_candidate(director=director),
    )


# --- submitting a case presentation ---------------------------------------------------------
def test_candidate_submits_a_case_without_pdf(client, people):
    supervisor, candidate, _other = people
    login(client, candidate)
    case_id = case_id_from(post_case(client, supervisor))
    (presentation,) = cases_of(candidate)
    assert presentation.id == case_id
    assert presentation.supervisor_id == supervisor.id
    assert presentation.status == CaseStatus.SUBMITTED
    assert presentation.bond_type == "Romantic"
    assert presentation.stages == ["attachment-awareness", "disruption-detachment"]
    assert presentation.modalities == ["EMDR"]
    (version,) = presentation.versions
    assert version.number == 1
    assert version.text == CASE_TEXT
    assert version.deidentified_confirmed is True
    assert version.pdf is None and version.pdf_size is None and version.pdf_filename is None
    (event,) = events("case.submitted", case_id)
    assert event.actor_id == candidate.id
    assert event.after == {
        "title": "Romantic bond, stage 2 pacing",
        "version": 1,
        "supervisor_id": supervisor.id,
    }
    page = client.get(f"/assessments/cases/{case_id}").get_data(as_text=True)
    assert "Waiting for a grade" in page
    assert "Download the PDF" not in page


def test_candidate_submits_a_case_with_pdf_stored_in_the_database(client, people):
    supervisor, candidate, _other = people
    login(client, candidate)
    content = pdf_bytes(50_000)
    case_id = case_id_from(post_case(client, supervisor, pdf=content, filename="my case.pdf"))
    (version,) = versions(db.session.get(CasePresentation, case_id))
    assert version.pdf.startswith(b"%PDF-")  # the file as re-written by the sanitiser
    assert len(pikepdf.open(io.BytesIO(version.pdf)).pages) == 1
    assert version.pdf_size == len(version.pdf)
    assert version.pdf_filename == "my case.pdf"
    page = client.get(f"/assessments/cases/{case_id}").get_data(as_text=True)
    assert f"/assessments/cases/{case_id}/versions/1.pdf" in page


def test_pdf_of_exactly_the_size_limit_is_accepted(app, client, people):
    supervisor, candidate, _other = people
    login(client, candidate)
    content = pdf_bytes(app.config["CASE_PDF_MAX_BYTES"])
    case_id = case_id_from(post_case(client, supervisor, pdf=content))
    (version,) = versions(db.session.get(CasePresentation, case_id))
    assert 0 < version.pdf_size == len(version.pdf)


@pytest.mark.parametrize(
    "content",
    [
        b"<html><body>Not a PDF at all</body></html>\n%%EOF\n",
        b"MZ\x90\x00" + b"\x00" * 2000,
        b"%PDF-1.7\n" + b"truncated, no end marker" * 10,
    ],
    ids=["html", "executable", "truncated-pdf"],
)
def test_file_named_pdf_that_is_not_a_pdf_is_refused(client, people, content):
    supervisor, candidate, _other = people
    login(client, candidate)
    response = post_case(client, supervisor, pdf=content, filename="case.pdf")
    assert response.status_code == 200
    assert "That file is not a PDF." in response.get_data(as_text=True)
    assert cases_of(candidate) == []
    assert events("case.submitted") == []


def test_file_with_another_extension_is_refused(client, people):
    supervisor, candidate, _other = people
    login(client, candidate)
    response = post_case(client, supervisor, pdf=pdf_bytes(), filename="case.docx")
    assert response.status_code == 200
    assert "Upload a PDF file." in response.get_data(as_text=True)
    assert cases_of(candidate) == []


def test_pdf_over_the_size_limit_is_refused(app, client, people):
    supervisor, candidate, _other = people
    login(client, candidate)
    limit = app.config["CASE_PDF_MAX_BYTES"]
    assert limit < app.config["MAX_CONTENT_LENGTH"] - 100_000
    response = post_case(client, supervisor, pdf=pdf_bytes(limit + 1))
    assert response.status_code == 200
    assert "The PDF is larger than 4 MB." in response.get_data(as_text=True)
    assert cases_of(candidate) == []
    assert events("case.submitted") == []


def test_request_over_max_content_length_gets_413_and_stores_nothing(app, client, people):
    supervisor, candidate, _other = people
    login(client, candidate)
    response = post_case(client, supervisor, pdf=pdf_bytes(app.config["MAX_CONTENT_LENGTH"] + 1))
    assert response.status_code == 413
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert cases_of(candidate) == []
    assert case_count() == 0
    assert events("case.submitted") == []


def test_deidentification_confirmation_is_required(client, people):
    supervisor, candidate, _other = people
    login(client, candidate)
    response = post_case(client, supervisor, deidentified=None)
    assert response.status_code == 200
    assert "Confirm that the case contains no client-identifying information." in (
        response.get_data(as_text=True)
    )
    assert cases_of(candidate) == []
    refused(
        submit_case,
        candidate,
        case_input(supervisor, deidentified_confirmed=False),
        bond_types=BOND_TYPES,
    )
    assert cases_of(candidate) == []


@pytest.mark.parametrize(
    "text",
    ["x" * 199, "   " + "y" * 199 + "\n\n   ", "Too short."],
    ids=["199", "padded-199", "short"],
)
def test_text_under_200_characters_is_refused(client, people, text):
    supervisor, candidate, _other = people
    login(client, candidate)
    response = post_case(client, supervisor, text=text)
    assert response.status_code == 200
    assert "at least 200 characters" in response.get_data(as_text=True)
    assert cases_of(candidate) == []


def test_text_of_200_characters_is_accepted(people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor, text="z" * 200)
    assert versions(presentation)[0].text == "z" * 200


def test_bond_type_must_be_one_of_the_programme(people):
    supervisor, candidate, _other = people
    error = refused(
        submit_case, candidate, case_input(supervisor, bond_type="Toaster"), bond_types=BOND_TYPES
    )
    assert "Choose the bond type" in reasons(error)


def test_supervisor_must_hold_a_current_airt_s(client, people):
    supervisor, candidate, other = people
    expired = make_supervisor()
    expire_airt_s(expired)
    login(client, candidate)
    for choice in (other, expired, make_director()):
        response = post_case(client, choice)
        assert response.status_code == 200
        assert "Not a valid choice" in response.get_data(as_text=True)
    assert cases_of(candidate) == []
    for choice in (other, expired):
        error = refused(submit_case, candidate, case_input(choice), bond_types=BOND_TYPES)
        assert "current AIRT-S" in reasons(error)
    refused(submit_case, candidate, case_input(None), bond_types=BOND_TYPES)
    assert cases_of(candidate) == []
    page = client.get("/assessments/cases/new").get_data(as_text=True)
    assert f'value="{supervisor.id}"' in page
    assert f'value="{expired.id}"' not in page


def test_a_supervisor_cannot_be_chosen_for_their_own_case(client):
    person = supervising_candidate()
    other_supervisor = make_supervisor()
    login(client, person)
    page = client.get("/assessments/cases/new").get_data(as_text=True)
    assert f'<option value="{person.id}"' not in page
    assert f'<option value="{other_supervisor.id}"' in page
    response = post_case(client, person)
    assert response.status_code == 200
    assert cases_of(person) == []
    error = refused(submit_case, person, case_input(person), bond_types=BOND_TYPES)
    assert "current AIRT-S" in reasons(error)
    assert cases_of(person) == []
    case_id_from(post_case(client, other_supervisor))


def test_only_candidates_submit_cases(client):
    supervisor = make_supervisor()
    other = make_supervisor()
    login(client, supervisor)
    assert client.get("/assessments/cases/new").status_code == 403
    refused(submit_case, supervisor, case_input(other), bond_types=BOND_TYPES)


# --- the PDF: who may download it ---------------------------------------------------------------
def test_pdf_download_permissions(app, client, people):
    supervisor, candidate, other_candidate = people
    login(client, candidate)
    content = pdf_bytes(10_000)
    case_id = case_id_from(post_case(client, supervisor, pdf=content))
    path = f"/assessments/cases/{case_id}/versions/1.pdf"
    (stored,) = versions(db.session.get(CasePresentation, case_id))
    for viewer in (candidate, supervisor, make_director()):
        response = signed_in(app, viewer).get(path)
        assert response.status_code == 200, viewer
        assert response.data == stored.pdf
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    for outsider in (other_candidate, make_supervisor()):
        browser = signed_in(app, outsider)
        assert browser.get(path).status_code == 403
        assert browser.get(f"/assessments/cases/{case_id}").status_code == 403
    assert client.get(f"/assessments/cases/{case_id}/versions/2.pdf").status_code == 404


def test_pdf_download_of_a_version_without_pdf_is_404(client, people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    login(client, candidate)
    assert client.get(f"/assessments/cases/{presentation.id}/versions/1.pdf").status_code == 404


# --- grading ------------------------------------------------------------------------------------
def test_assigned_supervisor_grades_through_the_page(client, people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    login(client, supervisor)
    page = client.get(f"/assessments/cases/{presentation.id}").get_data(as_text=True)
    assert "Grade version 1" in page
    response = post_grade(client, presentation.id, grade="pass")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/assessments/grading")
    presentation = reload(presentation)
    assert presentation.status == CaseStatus.PASSED
    assert presentation.decided_at is not None
    (version,) = presentation.versions
    assert version.grade == "pass"
    assert version.graded_by_id == supervisor.id
    assert version.feedback == "Clear formulation of the bond."
    assert version.rubric == {
        "formulation": "met",
        "stage-work": "met",
        "integration": "met",
        "ethics": "met",
    }


def test_another_supervisor_cannot_grade(client, people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    other = make_supervisor()
    login(client, other)
    response = client.post(
        f"/assessments/cases/{presentation.id}/grade",
        data={**grade_fields(), "csrf_token": token_of(client, other)},
    )
    assert response.status_code == 403
    assert reload(presentation).status == CaseStatus.SUBMITTED
    error = refused(grade_case, other, presentation, GradeInput("pass", "Fine."))
    assert "Only the supervisor this case was submitted to" in reasons(error)
    assert reload(presentation).versions[0].grade is None
    assert events("case.graded") == []


def test_a_director_supervisor_who_was_not_chosen_cannot_grade(client, people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    other = make_supervisor()
    grant_role(other, Role.DIRECTOR, actor_id=None)
    db.session.commit()
    login(client, other)
    response = post_grade(client, presentation.id)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Only the supervisor this case was submitted to can grade it." in page
    assert reload(presentation).status == CaseStatus.SUBMITTED
    assert events("case.graded") == []


def test_a_candidate_cannot_grade(client, people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    login(client, candidate)
    response = post_grade(client, presentation.id)
    assert response.status_code == 403
    assert reload(presentation).status == CaseStatus.SUBMITTED
    refused(grade_case, candidate, presentation, GradeInput("pass", "Great, says me."))
    assert reload(presentation).status == CaseStatus.SUBMITTED


def test_a_supervisor_never_grades_their_own_work(client):
    person = supervising_candidate()
    # A case of their own addressed to themselves cannot be made through the form: write it.
    presentation = CasePresentation(
        person_id=person.id,
        supervisor_id=person.id,
        title="My own case",
        bond_type="Romantic",
        status=CaseStatus.SUBMITTED.value,
    )
    presentation.versions.append(CaseVersion(number=1, text=CASE_TEXT, deidentified_confirmed=True))
    db.session.add(presentation)
    db.session.commit()
    error = refused(
        grade_case, person, presentation, GradeInput("pass", "Excellent, if I may say.")
    )
    assert "cannot grade your own work" in reasons(error)
    login(client, person)
    response = post_grade(client, presentation.id)
    assert response.status_code == 200
    assert "cannot grade your own work" in response.get_data(as_text=True)
    assert reload(presentation).status == CaseStatus.SUBMITTED
    assert list(db.session.scalars(grading_queue(person.id))) == []
    assert "My own case" not in client.get("/assessments/grading").get_data(as_text=True)


def test_a_supervisor_whose_airt_s_expired_cannot_grade(client, people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    expire_airt_s(supervisor)
    error = refused(grade_case, supervisor, presentation, GradeInput("pass", "Fine."))
    assert "AIRT-S is not current" in reasons(error)
    login(client, supervisor)
    response = client.post(
        f"/assessments/cases/{presentation.id}/grade",
        data={**grade_fields(), "csrf_token": token_of(client, supervisor)},
    )
    assert response.status_code == 403
    assert reload(presentation).status == CaseStatus.SUBMITTED
    assert reload(presentation).versions[0].grade is None


def test_feedback_is_required(client, people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    error = refused(grade_case, supervisor, presentation, GradeInput("pass", "   \n "))
    assert "Write feedback" in reasons(error)
    login(client, supervisor)
    response = post_grade(client, presentation.id, feedback="")
    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)
    assert reload(presentation).status == CaseStatus.SUBMITTED
    assert events("case.graded") == []


@pytest.mark.parametrize("grade", ["excellent", "PASS", ""])
def test_grade_must_be_pass_revise_or_fail(client, people, grade):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    error = refused(grade_case, supervisor, presentation, GradeInput(grade, "Some feedback."))
    assert "Choose pass, revise or fail." in reasons(error)
    login(client, supervisor)
    response = post_grade(client, presentation.id, grade=grade)
    assert response.status_code == 200
    assert 'id="grade-errors"' in response.get_data(as_text=True)
    assert reload(presentation).status == CaseStatus.SUBMITTED
    assert reload(presentation).versions[0].grade is None
    assert events("case.graded") == []


def test_revise_lets_the_candidate_submit_version_2(app, client, people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    post_grade(
        signed_in(app, supervisor),
        presentation.id,
        grade="revise",
        feedback="Say more about pacing.",
    )
    presentation = reload(presentation)
    assert presentation.status == CaseStatus.REVISE
    assert presentation.decided_at is None
    login(client, candidate)
    path = f"/assessments/cases/{presentation.id}/revise"
    form_page = client.get(path).get_data(as_text=True)
    assert "Say more about pacing." in form_page
    new_text = CASE_TEXT + " Pacing: two sessions per stage, checked with the client."
    content = pdf_bytes(3000)
    response = client.post(
        path,
        data={
            "csrf_token": client.form_token(path),
            "text": new_text,
            "deidentified": "y",
            "pdf": (io.BytesIO(content), "v2.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    presentation = reload(presentation)
    assert presentation.status == CaseStatus.SUBMITTED
    first, second = presentation.versions
    assert (first.number, first.grade, first.feedback) == (1, "revise", "Say more about pacing.")
    assert first.text == CASE_TEXT
    assert (second.number, second.grade, second.text) == (2, None, new_text)
    assert second.pdf == sanitise_pdf(content).data  # the cleaned file (the same each time)
    page = client.get(f"/assessments/cases/{presentation.id}").get_data(as_text=True)
    assert "Version 1" in page and "Version 2" in page
    assert "Grade: Revise and resubmit" in page
    assert "Say more about pacing." in page
    assert "Waiting for a grade" in page
    (event,) = events("case.resubmitted", presentation.id)
    assert event.actor_id == candidate.id
    assert event.after == {"version": 2}
    # version 2 is graded; version 1 keeps its grade
    graded(supervisor, presentation, "pass", "Much clearer.")
    first, second = versions(presentation)
    assert (first.grade, second.grade) == ("revise", "pass")
    assert first.feedback == "Say more about pacing."


def test_a_revision_is_checked_like_the_first_version(client, people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    graded(supervisor, presentation, "revise")
    login(client, candidate)
    path = f"/assessments/cases/{presentation.id}/revise"
    response = client.post(
        path,
        data={
            "csrf_token": client.form_token(path),
            "text": "Too short.",
            "pdf": (io.BytesIO(b"not a pdf"), "v2.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "at least 200 characters" in page
    assert "not a PDF" in page
    assert "Confirm that the case contains no client-identifying information." in page
    assert len(versions(presentation)) == 1
    assert reload(presentation).status == CaseStatus.REVISE


@pytest.mark.parametrize("grade", [None, "pass", "fail"], ids=["waiting", "passed", "failed"])
def test_resubmitting_when_not_asked_to_revise_is_refused(client, people, grade):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    if grade:
        graded(supervisor, presentation, grade)
    status = reload(presentation).status
    login(client, candidate)
    path = f"/assessments/cases/{presentation.id}/revise"
    response = client.submit(path, {"text": CASE_TEXT + " Again.", "deidentified": "y"})
    assert response.status_code == 200
    assert "only after a “revise” grade" in response.get_data(as_text=True)
    assert len(versions(presentation)) == 1
    assert reload(presentation).status == status
    error = refused(
        resubmit_case,
        candidate,
        reload(presentation),
        CaseInput("", [], "", [], CASE_TEXT, True),
        bond_types=BOND_TYPES,
    )
    assert "only after a “revise” grade" in reasons(error)
    assert events("case.resubmitted") == []


def test_only_the_author_revises(client, people):
    supervisor, candidate, other = people
    presentation = submitted_case(candidate, supervisor)
    graded(supervisor, presentation, "revise")
    login(client, other)
    assert client.get(f"/assessments/cases/{presentation.id}/revise").status_code == 403
    refused(
        resubmit_case,
        other,
        reload(presentation),
        CaseInput("", [], "", [], CASE_TEXT, True),
        bond_types=BOND_TYPES,
    )
    assert len(versions(presentation)) == 1


def test_pass_is_reported_in_the_facts_with_the_grader(people):
    supervisor, candidate, _other = people
    waiting = submitted_case(candidate, supervisor, title="Still waiting")
    revising = submitted_case(candidate, supervisor, title="Being revised")
    graded(supervisor, revising, "revise")
    failing = submitted_case(candidate, supervisor, title="Not passed")
    graded(supervisor, failing, "fail")
    passing = submitted_case(candidate, supervisor, title="Passed after a revision")
    graded(supervisor, passing, "revise")
    revised(candidate, passing)
    graded(supervisor, passing, "pass")
    assert reload(passing).status == CaseStatus.PASSED
    assert reload(waiting).status == CaseStatus.SUBMITTED
    (fact,) = passed_case_presentations(candidate.id)
    assert fact.presentation_id == passing.id
    assert fact.title == "Passed after a revision"
    assert fact.graded_by_id == supervisor.id
    assert fact.passed_at == reload(passing).versions[1].graded_at
    assert fact.passed_at == reload(passing).decided_at


def test_fail_is_final(client, people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    graded(supervisor, presentation, "fail", "The bond is not formulated.")
    presentation = reload(presentation)
    assert presentation.status == CaseStatus.FAILED
    assert presentation.decided_at is not None
    error = refused(grade_case, supervisor, presentation, GradeInput("pass", "Changed my mind."))
    assert "not waiting for a grade" in reasons(error)
    refused(
        resubmit_case,
        candidate,
        reload(presentation),
        CaseInput("", [], "", [], CASE_TEXT, True),
        bond_types=BOND_TYPES,
    )
    assert [v.grade for v in versions(presentation)] == ["fail"]
    assert reload(presentation).status == CaseStatus.FAILED
    assert passed_case_presentations(candidate.id) == []
    login(client, candidate)
    page = client.get(f"/assessments/cases/{presentation.id}").get_data(as_text=True)
    assert "Not passed" in page
    assert "Submit a new version" not in page


def test_a_grade_stands_once_given(people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    graded(supervisor, presentation, "pass")
    refused(grade_case, supervisor, reload(presentation), GradeInput("fail", "Second thoughts."))
    assert [v.grade for v in versions(presentation)] == ["pass"]
    assert len(events("case.graded", presentation.id)) == 1


def test_case_events_are_audited(people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    graded(supervisor, presentation, "revise")
    revised(candidate, presentation)
    graded(supervisor, presentation, "pass")
    submitted_events = events("case.submitted", presentation.id)
    resubmitted_events = events("case.resubmitted", presentation.id)
    graded_events = events("case.graded", presentation.id)
    assert [(e.actor_id, e.after["version"]) for e in submitted_events] == [(candidate.id, 1)]
    assert [(e.actor_id, e.after["version"]) for e in resubmitted_events] == [(candidate.id, 2)]
    assert [(e.actor_id, e.after) for e in graded_events] == [
        (supervisor.id, {"version": 1, "grade": "revise", "rubric": ALL_MET}),
        (supervisor.id, {"version": 2, "grade": "pass", "rubric": ALL_MET}),
    ]


# --- the rubric ---------------------------------------------------------------------------------
def test_the_rubric_offers_no_preselected_rating(client, people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    login(client, supervisor)
    page = client.get(f"/assessments/cases/{presentation.id}").get_data(as_text=True)
    for code in ALL_MET:
        select = re.search(rf'<select[^>]*name="rubric_{code}".*?</select>', page, re.S).group(0)
        assert "selected" not in select
        assert '<option value="">Choose a rating…</option>' in select
    assert "A pass needs every criterion rated at least “Met”" in page


def test_a_grade_without_every_criterion_rated_is_refused(client, people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    error = refused(
        grade_case, supervisor, presentation, GradeInput("revise", "Fine.", {"ethics": "met"})
    )
    fields = {name for name, _ in error.problems}
    assert fields == {"rubric_formulation", "rubric_stage-work", "rubric_integration"}
    login(client, supervisor)
    post_grade(client, presentation.id, grade="pass", **{"rubric_ethics": ""})
    assert reload(presentation).status == CaseStatus.SUBMITTED
    assert events("case.graded", presentation.id) == []


@pytest.mark.parametrize(
    "ratings",
    [
        dict.fromkeys(ALL_MET, "not-met"),
        {**ALL_MET, "ethics": "partly"},
        {**ALL_MET, "formulation": "not-met"},
    ],
)
def test_a_pass_needs_every_criterion_at_the_programmes_minimum(client, people, ratings):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    error = refused(grade_case, supervisor, presentation, GradeInput("pass", "Fine.", ratings))
    ((field, reason),) = error.problems
    assert field == "grade"
    assert "A pass needs every criterion rated at least “Met”" in reason
    login(client, supervisor)
    response = post_grade(
        client, presentation.id, grade="pass", **{f"rubric_{k}": v for k, v in ratings.items()}
    )
    assert "A pass needs every criterion" in response.get_data(as_text=True)
    assert reload(presentation).status == CaseStatus.SUBMITTED
    # the same ratings may still ask for a revision
    graded_with = GradeInput("revise", "Work on these.", ratings)
    grade_case(supervisor, reload(presentation), graded_with)
    assert reload(presentation).status == CaseStatus.REVISE


def test_a_refused_grade_keeps_the_ratings_and_feedback_and_says_why_at_the_grade(client, people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    login(client, supervisor)
    ratings = {f"rubric_{code}": "not-met" for code in ALL_MET}
    response = post_grade(
        client, presentation.id, grade="pass", feedback="Long feedback kept.", **ratings
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for code in ALL_MET:
        select = re.search(rf'<select[^>]*name="rubric_{code}".*?</select>', page, re.S).group(0)
        assert '<option selected value="not-met">' in select
    assert "Long feedback kept.</textarea>" in page
    grade_errors = re.search(r'id="grade-errors">(.*?)</div>', page, re.S).group(1)
    assert "A pass needs every criterion rated at least “Met”" in grade_errors
    assert '<input checked class="form-check-input is-invalid"' in page
    assert reload(presentation).status == CaseStatus.SUBMITTED
    assert events("case.graded", presentation.id) == []


def test_a_grade_with_a_missing_rating_says_so_at_that_criterion(client, people):
    supervisor, candidate, _other = people
    presentation = submitted_case(candidate, supervisor)
    login(client, supervisor)
    response = post_grade(client, presentation.id, grade="revise", **{"rubric_ethics": ""})
    assert response.status_code == 200
    errors = re.search(
        r'name="rubric_ethics".*?<div class="invalid-feedback d-block">(.*?)</div>',
        response.get_data(as_text=True),
        re.S,
    )
    assert "Rate “Ethics, boundaries and de-identification”." in errors.group(1)
    assert reload(presentation).status == CaseStatus.SUBMITTED


# --- the grading queue ----------------------------------------------------------------------------
def test_grading_queue_lists_only_cases_waiting_for_this_supervisor(app, client, people):
    supervisor, candidate, other = people
    colleague = make_supervisor()
    submitted_case(candidate, supervisor, title="Waiting for me")
    resubmitted = submitted_case(other, supervisor, title="Second version waiting")
    graded(supervisor, resubmitted, "revise")
    revised(other, resubmitted)
    in_revision = submitted_case(candidate, supervisor, title="Back with the candidate")
    graded(supervisor, in_revision, "revise")
    done = submitted_case(candidate, supervisor, title="Already passed")
    graded(supervisor, done, "pass")
    failed = submitted_case(other, supervisor, title="Already failed")
    graded(supervisor, failed, "fail")
    submitted_case(candidate, colleague, title="Waiting for a colleague")
    queue = [p.title for p in db.session.scalars(grading_queue(supervisor.id))]
    assert queue == ["Waiting for me", "Second version waiting"]
    login(client, supervisor)
    page = client.get("/assessments/grading").get_data(as_text=True)
    assert "Waiting for me" in page
    assert "Second version waiting" in page
    assert "version 2" in page
    for title in (
        "Back with the candidate",
        "Already passed",
        "Already failed",
        "Waiting for a colleague",
    ):
        assert title not in page
    page = signed_in(app, colleague).get("/assessments/grading").get_data(as_text=True)
    assert "Waiting for a colleague" in page
    assert "Waiting for me" not in page


def test_grading_queue_query_count_is_constant(client):
    supervisor = make_supervisor()
    director = make_director()
    candidates = [make_candidate(director=director) for _ in range(15)]
    for n, candidate in enumerate(candidates[:2]):
        submitted_case(candidate, supervisor, title=f"Case {n}")
    login(client, supervisor)
    small = count_queries(lambda: client.get("/assessments/grading"))
    for n, candidate in enumerate(candidates[2:], start=2):
        submitted_case(candidate, supervisor, title=f"Case {n}")
    assert len(list(db.session.scalars(grading_queue(supervisor.id)))) == 15
    page = client.get("/assessments/grading").get_data(as_text=True)
    assert page.count("· version 1") == 15
    large = count_queries(lambda: client.get("/assessments/grading"))
    assert large == small


# --- competency evaluations ----------------------------------------------------------------------
def evaluation_fields(candidate, *, day=None, **changes) -> dict:
    data = {
        "candidate": str(candidate.id),
        "session_date": (day or today() - timedelta(days=2)).isoformat(),
        "observation": "recorded",
        "overall_comment": "Steady, thoughtful work.",
    }
    for n, code in enumerate(RATING_CODES):
        data[f"rating_{code}"] = str(2 + n % 3)  # 2, 3, 4, 2, 3
        data[f"comment_{code}"] = f"Comment on {code}."
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def post_evaluation(client, candidate, **changes):
    return client.submit("/assessments/evaluations/new", evaluation_fields(candidate, **changes))


def evaluation_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CompetencyEvaluation))


def evaluation_input(**changes) -> EvaluationInput:
    values = {
        "session_date": today() - timedelta(days=1),
        "observation": "live",
        "ratings": dict.fromkeys(RATING_CODES, 3),
        "comments": {},
        "overall_comment": "",
    }
    values.update(changes)
    return EvaluationInput(**values)


def test_rubric_is_the_programmes_five_items_rated_1_to_4():
    rubric = programme_rubric()
    assert tuple(item.code for item in rubric.items) == RATING_CODES
    assert (rubric.minimum, rubric.maximum) == (1, 4)


def test_supervisor_submits_an_evaluation_the_candidate_sees(app, client, people):
    supervisor, candidate, other = people
    login(client, supervisor)
    response = post_evaluation(client, candidate)
    assert response.status_code == 302
    match = re.search(r"/assessments/evaluations/(\d+)$", response.headers["Location"])
    evaluation = db.session.get(CompetencyEvaluation, int(match.group(1)))
    assert evaluation.person_id == candidate.id
    assert evaluation.evaluator_id == supervisor.id
    assert evaluation.form_code == "airm-competency"
    assert evaluation.session_date == today() - timedelta(days=2)
    assert evaluation.observation == "recorded"
    assert {code: item["rating"] for code, item in evaluation.ratings.items()} == {
        "attachment-awareness": 2,
        "disruption-detachment": 3,
        "integration-of-meaning": 4,
        "relational-reconnection": 2,
        "relational-ethical-practice": 3,
    }
    assert evaluation.ratings["relational-ethical-practice"]["comment"] == (
        "Comment on relational-ethical-practice."
    )
    assert evaluation.overall_comment == "Steady, thoughtful work."
    (event,) = events("evaluation.submitted", evaluation.id)
    assert event.actor_id == supervisor.id
    assert event.after["ratings"]["integration-of-meaning"] == 4
    path = f"/assessments/evaluations/{evaluation.id}"
    assert client.get(path).status_code == 200  # the evaluator
    browser = signed_in(app, candidate)
    page = browser.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Comment on disruption-detachment." in html
    assert "<strong>4</strong> of 4" in html
    assert "Steady, thoughtful work." in html
    assert "lowest rating 2" in browser.get("/assessments/").get_data(as_text=True)
    assert signed_in(app, other).get(path).status_code == 403
    assert signed_in(app, make_supervisor()).get(path).status_code == 403
    assert signed_in(app, make_director()).get(path).status_code == 200


@pytest.mark.parametrize(
    "changes",
    [
        {"rating_integration-of-meaning": None},
        {"rating_relational-ethical-practice": "0"},
        {"rating_attachment-awareness": "5"},
        {"rating_disruption-detachment": "-1"},
        {"rating_relational-reconnection": "three"},
    ],
    ids=["missing", "zero", "five", "negative", "text"],
)
def test_missing_or_out_of_range_ratings_are_refused(client, people, changes):
    supervisor, candidate, _other = people
    login(client, supervisor)
    response = post_evaluation(client, candidate, **changes)
    assert response.status_code == 200
    assert "from 1 to 4" in response.get_data(as_text=True)
    assert evaluation_count() == 0
    assert events("evaluation.submitted") == []


@pytest.mark.parametrize("bad", [None, 0, 5])
def test_service_refuses_missing_or_out_of_range_ratings(people, bad):
    supervisor, candidate, _other = people
    ratings = dict.fromkeys(RATING_CODES, 3)
    if bad is None:
        del ratings["integration-of-meaning"]
    else:
        ratings["integration-of-meaning"] = bad
    error = refused(submit_evaluation, supervisor, candidate, evaluation_input(ratings=ratings))
    assert "from 1 to 4" in reasons(error)
    assert evaluation_count() == 0


def test_extreme_ratings_are_accepted(people):
    supervisor, candidate, _other = people
    ratings = {code: 1 if n % 2 else 4 for n, code in enumerate(RATING_CODES)}
    evaluation = submit_evaluation(supervisor, candidate, evaluation_input(ratings=ratings))
    db.session.commit()
    assert evaluation.lowest_rating == 1


def test_future_session_date_is_refused(client, people):
    supervisor, candidate, _other = people
    login(client, supervisor)
    response = post_evaluation(client, candidate, day=today() + timedelta(days=1))
    assert response.status_code == 200
    assert "cannot be in the future" in response.get_data(as_text=True)
    assert evaluation_count() == 0
    error = refused(
        submit_evaluation,
        supervisor,
        candidate,
        evaluation_input(session_date=today() + timedelta(days=1)),
    )
    assert "cannot be in the future" in reasons(error)
    submit_evaluation(supervisor, candidate, evaluation_input(session_date=today()))
    db.session.commit()
    assert evaluation_count() == 1


def test_observation_must_be_live_or_recorded(people):
    supervisor, candidate, _other = people
    error = refused(
        submit_evaluation, supervisor, candidate, evaluation_input(observation="rumour")
    )
    assert "live or recorded" in reasons(error)


def test_a_supervisor_cannot_evaluate_themselves(client):
    person = supervising_candidate()
    login(client, person)
    page = client.get("/assessments/evaluations/new").get_data(as_text=True)
    assert f'<option value="{person.id}"' not in page
    response = post_evaluation(client, person)
    assert response.status_code == 200
    assert evaluation_count() == 0
    error = refused(submit_evaluation, person, person, evaluation_input())
    assert "cannot evaluate yourself" in reasons(error)
    assert evaluation_count() == 0


def test_only_enrolled_candidates_are_evaluated(people):
    supervisor, _candidate, _other = people
    stranger = make_person(Role.CANDIDATE)  # never enrolled
    error = refused(submit_evaluation, supervisor, stranger, evaluation_input())
    assert "enrolled candidate" in reasons(error)
    error = refused(submit_evaluation, supervisor, make_director(), evaluation_input())
    assert "enrolled candidate" in reasons(error)
    assert evaluation_count() == 0


@pytest.mark.parametrize("maker", [make_candidate, make_director], ids=["candidate", "director"])
def test_non_supervisors_cannot_evaluate(client, people, maker):
    _supervisor, candidate, _other = people
    person = maker()
    login(client, person)
    assert client.get("/assessments/evaluations/new").status_code == 403
    response = client.post(
        "/assessments/evaluations/new",
        data={**evaluation_fields(candidate), "csrf_token": token_of(client, person)},
    )
    assert response.status_code == 403
    error = refused(submit_evaluation, person, candidate, evaluation_input())
    assert "current AIRT-S" in reasons(error)
    assert evaluation_count() == 0


def test_a_supervisor_whose_airt_s_expired_cannot_evaluate(client, people):
    supervisor, candidate, _other = people
    expire_airt_s(supervisor)
    error = refused(submit_evaluation, supervisor, candidate, evaluation_input())
    assert "current AIRT-S" in reasons(error)
    login(client, supervisor)
    assert client.get("/assessments/evaluations/new").status_code == 403
    assert evaluation_count() == 0


KNOWN_POST_ENDPOINTS = {
    "start_quiz",
    "attempt",
    "new_case",
    "revise_case",
    "grade",
    "new_evaluation",
    "new_question",
    "edit_question_page",
    "retire_question",
    "quiz_bank",
    "extra_attempt",
}


def test_no_route_changes_an_evaluation(app):
    writers = {
        rule.endpoint.removeprefix("assessments.")
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("assessments.")
        and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
    }
    assert writers <= KNOWN_POST_ENDPOINTS
    assert "new_evaluation" in writers
    evaluation_rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("assessments.") and "evaluation_id" in rule.arguments
    ]
    assert evaluation_rules
    for rule in evaluation_rules:
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_an_evaluation_cannot_be_posted_over(client, people):
    supervisor, candidate, _other = people
    evaluation = submit_evaluation(supervisor, candidate, evaluation_input())
    db.session.commit()
    login(client, supervisor)
    response = client.post(
        f"/assessments/evaluations/{evaluation.id}",
        data={**evaluation_fields(candidate), "csrf_token": token_of(client, supervisor)},
    )
    assert response.status_code == 405
    db.session.expire_all()
    assert {
        item["rating"]
        for item in db.session.get(CompetencyEvaluation, evaluation.id).ratings.values()
    } == {3}


def test_evaluation_facts_report_the_lowest_rating(people):
    supervisor, candidate, other = people
    second_supervisor = make_supervisor()
    later = dict.fromkeys(RATING_CODES, 4)
    later["integration-of-meaning"] = 2
    earlier = dict.fromkeys(RATING_CODES, 3)
    earlier["relational-ethical-practice"] = 1
    late = submit_evaluation(
        second_supervisor,
        candidate,
        evaluation_input(ratings=later, session_date=today() - timedelta(days=3)),
    )
    early = submit_evaluation(
        supervisor,
        candidate,
        evaluation_input(ratings=earlier, session_date=today() - timedelta(days=20)),
    )
    submit_evaluation(supervisor, other, evaluation_input())
    db.session.commit()
    facts = evaluation_facts(candidate.id, "airm-competency")
    assert [(f.evaluation_id, f.lowest_rating, f.evaluator_id) for f in facts] == [
        (early.id, 1, supervisor.id),
        (late.id, 2, second_supervisor.id),
    ]
    assert facts[0].session_date == today() - timedelta(days=20)
    assert evaluation_facts(candidate.id, "another-form") == []


def test_my_assessments_page_query_count_does_not_grow_with_cases_and_evaluations(app, people):
    _supervisor, candidate, _other = people
    director = make_director()
    browser = signed_in(app, candidate)

    def add_some(n: int) -> None:
        for _ in range(n):
            supervisor = make_supervisor(director=director)
            submitted_case(candidate, supervisor)
            submit_evaluation(supervisor, candidate, evaluation_input())
        db.session.commit()

    add_some(1)
    small = count_queries(lambda: browser.get("/assessments/"))
    add_some(6)
    page = browser.get("/assessments/").get_data(as_text=True)
    assert page.count("lowest rating 3") == 7
    large = count_queries(lambda: browser.get("/assessments/"))
    assert large == small
