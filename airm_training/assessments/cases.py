"""Case presentations: submitted by a candidate, graded by their chosen supervisor;
"revise" asks for a new version. Every version and grade is kept."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from airm_training.access.supervision import is_supervisor
from airm_training.assessments.case_rubric import case_rubric
from airm_training.assessments.models import (
    CaseGrade,
    CasePresentation,
    CaseStatus,
    CaseVersion,
)
from airm_training.assessments.notices import notify_case_graded
from airm_training.assessments.pdf_safety import UnsafePdf, sanitise_pdf
from airm_training.assessments.workflow import (
    CaseAction,
    can_grade,
    can_resubmit,
    transition,
)
from airm_training.audit.services import record_event
from airm_training.core.clock import utcnow
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.people.models import Person, Role

PDF_MAGIC = b"%PDF-"
MIN_TEXT_LENGTH = 200
MAX_TEXT_LENGTH = 30_000


@dataclass
class CaseInput:
    title: str
    stages: list[str]
    bond_type: str
    modalities: list[str]
    text: str
    deidentified_confirmed: bool
    supervisor_id: int | None = None
    pdf: bytes | None = None
    pdf_filename: str | None = None
    pdf_removed: list[str] = field(default_factory=list)  # set by the check: what was removed


@dataclass
class GradeInput:
    grade: str
    feedback: str
    rubric: dict[str, str] = field(default_factory=dict)  # criterion code → rating code


def _check_pdf(data: CaseInput) -> list[tuple[str, str]]:
    if data.pdf is None:
        return []
    limit = current_app.config["CASE_PDF_MAX_BYTES"]
    if len(data.pdf) > limit:
        return [("pdf", f"The PDF is larger than {limit // (1024 * 1024)} MB.")]
    if not data.pdf.startswith(PDF_MAGIC):
        return [("pdf", "That file is not a PDF.")]
    try:
        cleaned = sanitise_pdf(data.pdf)
    except UnsafePdf as refusal:
        return [("pdf", str(refusal))]
    data.pdf, data.pdf_removed = cleaned.data, cleaned.removed  # what is stored is the clean one
    return []


def _check(data: CaseInput, *, bond_types: set[str]) -> None:
    problems = []
    if not data.title.strip():
        problems.append(("title", "Give the case a title (no client names)."))
    if data.bond_type not in bond_types:
        problems.append(("bond_type", "Choose the bond type."))
    if len(data.text.strip()) < MIN_TEXT_LENGTH:
        problems.append(
            ("text", f"Write at least {MIN_TEXT_LENGTH} characters of the de-identified case.")
        )
    if len(data.text) > MAX_TEXT_LENGTH:
        problems.append(("text", f"Keep the write-up under {MAX_TEXT_LENGTH:,} characters."))
    if not data.deidentified_confirmed:
        problems.append(
            ("deidentified", "Confirm that the case contains no client-identifying information.")
        )
    problems += _check_pdf(data)
    if problems:
        raise DomainError(*problems)


def submit_case(person: Person, data: CaseInput, *, bond_types: set[str]) -> CasePresentation:
    if not person.has_role(Role.CANDIDATE):
        raise DomainError.on(None, "Case presentations are submitted by candidates.")
    supervisor = db.session.get(Person, data.supervisor_id) if data.supervisor_id else None
    if supervisor is None or supervisor.id == person.id or not is_supervisor(supervisor):
        raise DomainError.on("supervisor", "Choose a supervisor holding a current AIRT-S.")
    _check(data, bond_types=bond_types)
    presentation = CasePresentation(
        person_id=person.id,
        supervisor_id=supervisor.id,
        title=data.title.strip(),
        stages=sorted(set(data.stages)),
        bond_type=data.bond_type,
        modalities=sorted(set(data.modalities)),
        status=CaseStatus.SUBMITTED.value,
    )
    presentation.versions.append(_version(1, data))
    db.session.add(presentation)
    db.session.flush()
    record_event(
        "case.submitted",
        "case_presentation",
        presentation.id,
        actor_id=person.id,
        after={"title": presentation.title, "version": 1, "supervisor_id": supervisor.id},
    )
    return presentation


def resubmit_case(
    person: Person, presentation: CasePresentation, data: CaseInput, *, bond_types: set[str]
) -> CaseVersion:
    """A new version after a "revise" grade."""
    can_resubmit(person, presentation).enforce()
    data.title = data.title or presentation.title
    data.bond_type = data.bond_type or presentation.bond_type
    _check(data, bond_types=bond_types)
    version = _version(len(presentation.versions) + 1, data)
    presentation.versions.append(version)
    presentation.status = transition(presentation, CaseAction.RESUBMIT).value
    db.session.flush()
    record_event(
        "case.resubmitted",
        "case_presentation",
        presentation.id,
        actor_id=person.id,
        after={"version": version.number},
    )
    return version


def _version(number: int, data: CaseInput) -> CaseVersion:
    return CaseVersion(
        number=number,
        text=data.text.strip(),
        pdf=data.pdf,
        pdf_filename=(data.pdf_filename or "case.pdf")[:255] if data.pdf else None,
        pdf_size=len(data.pdf) if data.pdf else None,
        deidentified_confirmed=data.deidentified_confirmed,
    )


def can_view_case(viewer: Person, presentation: CasePresentation) -> bool:
    return viewer.id in (presentation.person_id, presentation.supervisor_id) or viewer.has_role(
        Role.DIRECTOR, Role.ADMIN, Role.CO_CREATOR
    )


def grade_case(supervisor: Person, presentation: CasePresentation, data: GradeInput) -> None:
    """Grade the latest version: pass, revise (a new version follows) or fail."""
    can_grade(supervisor, presentation).enforce()
    problems = []
    if data.grade not in {g.value for g in CaseGrade}:
        problems.append(("grade", "Choose pass, revise or fail."))
    if not data.feedback.strip():
        problems.append(("feedback", "Write feedback the candidate can learn from."))
    rubric = case_rubric()
    problems += [
        (f"rubric_{code}", f"Rate “{name}”.")
        for code, name in rubric.criteria
        if rubric.rank(data.rubric.get(code, "")) < 0
    ]
    below = rubric.below_pass(data.rubric)
    if data.grade == CaseGrade.PASS.value and below and len(problems) == 0:
        problems.append(
            (
                "grade",
                f"A pass needs every criterion rated at least “{rubric.pass_minimum_name}”; "
                f"below it: {', '.join(below)}. Choose revise or fail, or change the ratings.",
            )
        )
    if problems:
        raise DomainError(*problems)
    version = presentation.versions[-1]
    version.grade = data.grade
    version.feedback = data.feedback.strip()
    version.rubric = {code: data.rubric[code] for code, _ in rubric.criteria}
    version.graded_by_id = supervisor.id
    version.graded_at = utcnow()
    new_state = transition(presentation, CaseAction(data.grade))
    if new_state is None:
        raise DomainError.on("grade", "This grade cannot be given now.")
    presentation.status = new_state.value
    if presentation.status != CaseStatus.REVISE:
        presentation.decided_at = version.graded_at
    db.session.flush()
    record_event(
        "case.graded",
        "case_presentation",
        presentation.id,
        actor_id=supervisor.id,
        after={"version": version.number, "grade": data.grade, "rubric": version.rubric},
    )
    notify_case_graded(presentation)


def grading_queue(supervisor_id: int) -> sa.Select:
    return (
        sa.select(CasePresentation)
        .where(
            CasePresentation.supervisor_id == supervisor_id,
            CasePresentation.status == CaseStatus.SUBMITTED.value,
            CasePresentation.person_id != supervisor_id,
        )
        .options(selectinload(CasePresentation.person), selectinload(CasePresentation.versions))
        .order_by(CasePresentation.created_at)
    )
