"""The main pages of every role, found in the demo data: the pages reachable from the
navigation and the main detail pages (an hours entry, a module, a case, an application,
a certificate, a person). The browser tests open them all; the markup test validates them.

The demo has no application, certificate, case waiting for a grade or quiz in progress,
so ``prepare_records`` adds a renewal request of the demo supervisor who meets the renewal
hours, a signature image of the director and a certificate (signed with it) for her AIRT-S,
a case presentation for a director to grade, and a quiz attempt in progress; nothing the
journeys rely on changes."""

from __future__ import annotations

import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask
from PIL import Image, ImageDraw

from airm_training.agreements.models import AgreementStatus, SupervisionAgreement
from airm_training.assessments.cases import CaseInput, submit_case
from airm_training.assessments.models import (
    CasePresentation,
    CompetencyEvaluation,
    Question,
    Quiz,
    QuizAttempt,
)
from airm_training.assessments.quizzes import start_attempt
from airm_training.auth.tokens import TokenPurpose, make_token
from airm_training.continuing.models import CeAudit, CeRecord
from airm_training.core.clock import today
from airm_training.credentials.models import CredentialAward
from airm_training.demo_activity import CASE_TEXT
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.people.models import Person
from airm_training.programme.models import ProgrammeVersion
from airm_training.progression.models import Application, Certificate, IssuedTranscript
from airm_training.progression.renewal import request_renewal
from airm_training.progression.services import new_certificate
from airm_training.progression.transcripts import issue_transcript
from airm_training.records.models import HoursVerification
from airm_training.records.verification import default_range, issue_verification
from airm_training.signatures.services import upload_signature
from airm_training.supporting.models import SupportingDocument
from tests.factories import into_renewal_window

ANONYMOUS = "anonymous"
ROLES = (
    ANONYMOUS,
    "aubrey.holden",
    "sofia.alvarez",
    "priya.raman",
    "daniel.okafor",
    "connie.zollner",
)
DOMAIN = "btrc.example"
CASE_TO_GRADE = "Parasocial reliance and a stage 1 formulation"
OPEN_QUIZ = "AIRM-201-Q"


@dataclass(frozen=True)
class MainPage:
    path: str
    screenshot: str | None = None  # file name under docs/screenshots/, without .png
    status: int = 200


@dataclass(frozen=True)
class RefusedForm:
    """A form posted with mistakes: the page comes back with the errors by the fields."""

    path: str
    data: dict[str, str]
    status: int = 200


# Who → forms they post with mistakes (nothing is saved), for the markup of the errors.
REFUSED_FORMS = {
    ANONYMOUS: [RefusedForm("/auth/reset", {"email": "not an address"})],
    "aubrey.holden": [
        RefusedForm(
            "/hours/new", {"session_date": "", "duration_hours": "1", "duration_minutes": "75"}
        ),
        RefusedForm(
            "/records/hours-verification", {"starts_on": "2026-02-01", "ends_on": "2026-01-01"}
        ),
        RefusedForm(
            "/directory/profile",
            {"listed": "y", "bio": "My client Tom Becker's mother called.", "save": "Save"},
        ),
        RefusedForm("/documents/new", {"kind": "liability-insurance", "title": "Insurance"}),
        RefusedForm("/agreements/new", {"starts_on": "2020-01-01", "ends_on": "2019-01-01"}),
    ],
    "daniel.okafor": [
        RefusedForm("/assessments/evaluations/new", {"overall_comment": "Fine."}),
        RefusedForm("/ce/new", {"provider": "", "credit_hours": "1", "credit_minutes": "75"}),
    ],
    "connie.zollner": [RefusedForm("/signature/", {})],
}


def _person(who: str) -> Person:
    return db.session.scalar(sa.select(Person).where(Person.email == f"{who}@{DOMAIN}"))


def _first_id(statement: sa.Select) -> int:
    """The smallest id the statement (selecting one id column) finds."""
    found = db.session.scalar(statement.order_by(*statement.selected_columns).limit(1))
    assert found is not None, f"the demo data lacks a record for {statement}"
    return found


def _entry(person: Person, status: str) -> int:
    return _first_id(
        sa.select(HoursEntry.id).where(
            HoursEntry.person_id == person.id, HoursEntry.status == status
        )
    )


def prepare_records() -> None:
    """Daniel asks to renew (his renewal hours are met); Connie uploads a signature and
    her AIRT-S gets a certificate; Aubrey submits a case for Connie to grade and starts a quiz.
    Idempotent, inside an app context."""
    daniel, connie, aubrey = (
        _person(w) for w in ("daniel.okafor", "connie.zollner", "aubrey.holden")
    )
    if db.session.scalar(sa.select(Application.id).where(Application.person_id == daniel.id)):
        return
    into_renewal_window(daniel)
    request_renewal(daniel)
    award = db.session.scalar(
        sa.select(CredentialAward).where(CredentialAward.person_id == connie.id)
    )
    upload_signature(connie, signature_image())
    new_certificate(connie, award, connie, [], application_id=None)
    case = CaseInput(
        title=CASE_TO_GRADE,
        stages=["attachment-awareness"],
        bond_type="Parasocial",
        modalities=["CBT"],
        text=CASE_TEXT,
        deidentified_confirmed=True,
        supervisor_id=connie.id,
    )
    submit_case(aubrey, case, bond_types={"Parasocial"})
    start_attempt(aubrey, db.session.scalar(sa.select(Quiz).where(Quiz.code == OPEN_QUIZ)))
    issue_verification(aubrey, *default_range(today()), actor=aubrey)
    db.session.commit()


def signature_image() -> bytes:
    """A pen stroke, as a scanned signature with a transparent background would be."""
    image = Image.new("RGBA", (480, 120), (0, 0, 0, 0))
    stroke = [(12, 90), (60, 20), (85, 95), (130, 30), (160, 80), (220, 40), (300, 75), (460, 35)]
    ImageDraw.Draw(image).line(stroke, fill=(24, 32, 90, 255), width=6, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _transcript_code(app: Flask, person: Person) -> str:
    """The verification code of a transcript of ``person`` (one is issued if none was)."""
    code = db.session.scalar(
        sa.select(IssuedTranscript.verification_code)
        .where(IssuedTranscript.person_id == person.id)
        .limit(1)
    )
    if code is None:
        with app.test_request_context():
            code = issue_transcript(person).verification_code
        db.session.commit()
    return code


def main_pages(app: Flask) -> dict[str, list[MainPage]]:
    """Who (an e-mail local part, or ``anonymous``) → the pages they open."""
    with app.app_context():
        prepare_records()
        aubrey, sofia, daniel, connie, priya, marcus = (
            _person(who)
            for who in (
                "aubrey.holden",
                "sofia.alvarez",
                "daniel.okafor",
                "connie.zollner",
                "priya.raman",
                "marcus.bell",
            )
        )
        returned, signed = _entry(aubrey, "returned"), _entry(aubrey, "signed")
        to_sign_by_connie, to_sign_by_daniel = (
            _entry(aubrey, "submitted"),
            _entry(marcus, "submitted"),
        )
        case = _first_id(
            sa.select(CasePresentation.id).where(CasePresentation.person_id == aubrey.id)
        )
        to_grade = _first_id(
            sa.select(CasePresentation.id).where(CasePresentation.title == CASE_TO_GRADE)
        )
        attempt = _first_id(
            sa.select(QuizAttempt.id).where(
                QuizAttempt.person_id == aubrey.id, QuizAttempt.submitted_at.is_not(None)
            )
        )
        open_attempt = _first_id(
            sa.select(QuizAttempt.id).where(
                QuizAttempt.person_id == aubrey.id, QuizAttempt.submitted_at.is_(None)
            )
        )
        evaluation = _first_id(
            sa.select(CompetencyEvaluation.id).where(CompetencyEvaluation.person_id == sofia.id)
        )
        question = _first_id(sa.select(Question.id).join(Quiz).where(Quiz.code == "AIRM-101-Q"))
        application = _first_id(sa.select(Application.id).where(Application.person_id == daniel.id))
        certificate = db.session.scalar(
            sa.select(Certificate).where(Certificate.holder_id == connie.id).limit(1)
        )
        code = certificate.verification_code
        transcript_code = _transcript_code(app, aubrey)
        reset_token = make_token(marcus, TokenPurpose.RESET)
        certificate_id = certificate.id
        version = _first_id(sa.select(ProgrammeVersion.id))
        ids = {p.email.split("@")[0]: p.id for p in (aubrey, priya)}
        verification = db.session.scalar(
            sa.select(HoursVerification).where(HoursVerification.person_id == aubrey.id)
        )
        verification_id, verification_code = verification.id, verification.code
        priya_copy = _first_id(
            sa.select(SupportingDocument.id).where(SupportingDocument.person_id == priya.id)
        )
        aubrey_insurance = _first_id(
            sa.select(SupportingDocument.id).where(
                SupportingDocument.person_id == aubrey.id,
                SupportingDocument.kind == "liability-insurance",
            )
        )
        ce_pending = _first_id(
            sa.select(CeRecord.id).where(
                CeRecord.person_id == daniel.id, CeRecord.status == "pending"
            )
        )
        ce_audit = _first_id(sa.select(CeAudit.id))
        marcus_rejected = _first_id(
            sa.select(SupportingDocument.id).where(SupportingDocument.person_id == marcus.id)
        )
        aubrey_agreement, waiting_agreement = (
            _first_id(
                sa.select(SupervisionAgreement.id).where(
                    SupervisionAgreement.candidate_id == aubrey.id,
                    SupervisionAgreement.status == status.value,
                )
            )
            for status in (AgreementStatus.APPROVED, AgreementStatus.AWAITING_APPROVAL)
        )
        marcus_early = _first_id(
            sa.select(HoursEntry.id).where(
                HoursEntry.person_id == marcus.id, HoursEntry.status == "signed"
            )
        )
    return {
        ANONYMOUS: [
            MainPage("/auth/login"),
            MainPage("/auth/reset"),
            MainPage(f"/auth/reset/{reset_token}"),
            MainPage("/auth/reset/not-a-token", status=400),
            MainPage("/verify/"),
            MainPage(f"/verify/{code}"),
            MainPage(f"/verify/{transcript_code}"),
            MainPage("/verify/no-such-code", status=404),
            MainPage(f"/verify/hours/{verification_code}"),
            MainPage("/directory/"),
            MainPage("/directory/?credential=AIRT-S&location=Washington"),
        ],
        "aubrey.holden": [
            MainPage("/candidate", "candidate-progress"),
            MainPage("/hours/", "my-hours"),
            MainPage("/hours/new", "log-hours"),
            MainPage("/hours/import"),
            MainPage(f"/hours/{returned}"),
            MainPage(f"/hours/{returned}/edit"),
            MainPage(f"/hours/{signed}"),
            MainPage(f"/hours/{signed}/amend"),
            MainPage("/records/hours-verification"),
            MainPage(f"/records/hours-verification/{verification_id}"),
            MainPage("/directory/profile"),
            MainPage("/curriculum/", "curriculum"),
            MainPage("/curriculum/AIRM-201", "module"),
            MainPage("/assessments/", "assessments"),
            MainPage(f"/assessments/attempts/{attempt}"),
            MainPage(f"/assessments/attempts/{open_attempt}"),
            MainPage("/assessments/cases/new"),
            MainPage(f"/assessments/cases/{case}"),
            MainPage(f"/assessments/cases/{case}/revise"),
            MainPage(f"/people/{ids['aubrey.holden']}"),
            MainPage("/hours/999999", status=404),
            MainPage("/notifications/"),
            MainPage("/notifications/preferences"),
            MainPage("/privacy/mine"),
            MainPage("/auth/security"),
            MainPage("/auth/security/password"),
            MainPage("/auth/security/two-factor/setup"),
            MainPage("/documents/", "my-documents"),
            MainPage("/documents/new", "upload-document"),
            MainPage(f"/documents/{aubrey_insurance}"),
            MainPage("/agreements/"),
            MainPage("/agreements/new"),
            MainPage(f"/agreements/{aubrey_agreement}"),
        ],
        "sofia.alvarez": [
            MainPage("/candidate", "ready-to-apply"),
            MainPage("/progression/apply"),
            MainPage(f"/assessments/evaluations/{evaluation}"),
        ],
        "priya.raman": [MainPage("/candidate"), MainPage(f"/documents/{priya_copy}")],
        "daniel.okafor": [
            MainPage("/candidate"),
            MainPage("/supervision", "supervisor-home"),
            MainPage("/hours/queue"),
            MainPage(f"/hours/{to_sign_by_daniel}"),
            MainPage("/assessments/grading"),
            MainPage("/assessments/evaluations/new"),
            MainPage("/progression/endorsements"),
            MainPage("/progression/evaluations-due", "evaluations-due"),
            MainPage(f"/progression/applications/{application}"),
            MainPage("/hours/supervisees"),
            MainPage(f"/hours/{marcus_early}"),
            MainPage("/ce/", "my-continuing-education"),
            MainPage("/ce/new", "record-continuing-education"),
            MainPage(f"/ce/{ce_pending}"),
        ],
        "connie.zollner": [
            MainPage("/director", "director-overview"),
            MainPage("/hours/queue", "sign-off-queue"),
            MainPage(f"/hours/{to_sign_by_connie}"),
            MainPage("/hours/supervisees", "supervisees"),
            MainPage("/board", "board"),
            MainPage("/people/", "people"),
            MainPage("/people/invite"),
            MainPage(f"/people/{ids['priya.raman']}"),
            MainPage(f"/people/{ids['aubrey.holden']}"),
            MainPage("/curriculum/manage"),
            MainPage("/curriculum/manage/new"),
            MainPage("/curriculum/AIRM-201/edit"),
            MainPage("/curriculum/AIRM-201/attendance"),
            MainPage("/assessments/quizzes", "quizzes"),
            MainPage("/assessments/quizzes/AIRM-101-Q"),
            MainPage("/assessments/quizzes/AIRM-101-Q/questions/new"),
            MainPage(f"/assessments/questions/{question}/edit"),
            MainPage("/progression/issuing", "issuing"),
            MainPage(f"/progression/applications/{application}"),
            MainPage(f"/progression/certificates/{certificate_id}"),
            MainPage("/assessments/grading"),
            MainPage(f"/assessments/cases/{to_grade}"),
            MainPage("/audit/", "audit-trail"),
            MainPage("/audit/?verify=1"),
            MainPage(f"/audit/?object_type=person&object_id={ids['aubrey.holden']}"),
            MainPage(f"/people/{ids['aubrey.holden']}/progress"),
            MainPage(f"/people/{ids['aubrey.holden']}/deactivate"),
            MainPage("/people/?role=candidate&credential=AIRT-C:current"),
            MainPage("/notifications/", "notifications"),
            MainPage("/reports/", "reports"),
            MainPage("/reports/?days=abc"),
            MainPage("/reports/mail"),
            MainPage("/privacy/sweep"),
            MainPage("/privacy/mine"),
            MainPage("/programme/"),
            MainPage("/programme/compare"),
            MainPage("/design", "design-system"),
            MainPage(f"/programme/versions/{version}/levels/AIRT-S/edit"),
            MainPage(f"/programme/people/{ids['aubrey.holden']}/move"),
            MainPage("/directory/profile"),
            MainPage("/people/invitations/"),
            MainPage("/documents/review", "documents-to-review"),
            MainPage("/documents/review?status=all"),
            MainPage(f"/documents/{priya_copy}", "document-review"),
            MainPage(f"/documents/{marcus_rejected}"),
            MainPage("/agreements/review"),
            MainPage(f"/agreements/{waiting_agreement}"),
            MainPage("/ce/review", "continuing-education-to-verify"),
            MainPage("/ce/review?status=all"),
            MainPage(f"/ce/{ce_pending}", "continuing-education-review"),
            MainPage("/ce/audits", "continuing-education-audits"),
            MainPage(f"/ce/audits/{ce_audit}", "continuing-education-audit"),
            MainPage("/signature/", "my-signature"),
            MainPage("/signature/remove"),
        ],
    }
