"""Competency evaluations on the programme's rubric: completed once by a supervisor,
visible to the candidate at once, never changed afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from airm_training.access.supervision import is_supervisor
from airm_training.assessments.models import CompetencyEvaluation
from airm_training.assessments.notices import notify_evaluation_completed
from airm_training.audit.services import record_event
from airm_training.core.clock import today
from airm_training.core.errors import DomainError
from airm_training.credentials.services import enrolment_of
from airm_training.extensions import db
from airm_training.people.models import Person, Role
from airm_training.programme.services import current_version

OBSERVATIONS = ("live", "recorded")
MAX_COMMENT = 2000


@dataclass(frozen=True)
class RubricItem:
    code: str
    name: str


@dataclass(frozen=True)
class Rubric:
    code: str
    title: str
    minimum: int
    maximum: int
    labels: tuple[str, ...]
    items: tuple[RubricItem, ...]


def programme_rubric() -> Rubric:
    """The evaluation form of the current programme version."""
    version = current_version()
    form = (version.definition if version else {}).get("evaluation_form")
    if not form:
        raise DomainError.on(None, "The programme defines no competency evaluation form.")
    return Rubric(
        code=form["code"],
        title=form["title"],
        minimum=form["scale"]["min"],
        maximum=form["scale"]["max"],
        labels=tuple(form["scale"].get("labels", [])),
        items=tuple(RubricItem(i["code"], i["name"]) for i in form["items"]),
    )


@dataclass
class EvaluationInput:
    session_date: date
    observation: str
    ratings: dict[str, int]
    comments: dict[str, str]
    overall_comment: str


def submit_evaluation(
    evaluator: Person, candidate: Person, data: EvaluationInput
) -> CompetencyEvaluation:
    if evaluator.id == candidate.id:
        raise DomainError.on(None, "You cannot evaluate yourself.")
    if not is_supervisor(evaluator):
        raise DomainError.on(None, "Only a supervisor holding a current AIRT-S evaluates.")
    if not candidate.has_role(Role.CANDIDATE) or enrolment_of(candidate) is None:
        raise DomainError.on("candidate", "Choose an enrolled candidate.")
    rubric = programme_rubric()
    problems = []
    if data.session_date > today():
        problems.append(("session_date", "The observed session cannot be in the future."))
    if data.observation not in OBSERVATIONS:
        problems.append(("observation", "Say whether the session was observed live or recorded."))
    ratings = {}
    for item in rubric.items:
        rating = data.ratings.get(item.code)
        if rating is None or not rubric.minimum <= rating <= rubric.maximum:
            problems.append(
                (
                    f"rating_{item.code}",
                    f"Rate “{item.name}” from {rubric.minimum} to {rubric.maximum}.",
                )
            )
            continue
        comment = (data.comments.get(item.code) or "").strip()
        if len(comment) > MAX_COMMENT:
            problems.append((f"comment_{item.code}", "Keep each comment under 2,000 characters."))
        ratings[item.code] = {"name": item.name, "rating": rating, "comment": comment}
    if problems:
        raise DomainError(*problems)
    evaluation = CompetencyEvaluation(
        person_id=candidate.id,
        evaluator_id=evaluator.id,
        form_code=rubric.code,
        session_date=data.session_date,
        observation=data.observation,
        ratings=ratings,
        overall_comment=data.overall_comment.strip()[:MAX_COMMENT],
    )
    db.session.add(evaluation)
    db.session.flush()
    record_event(
        "evaluation.submitted",
        "competency_evaluation",
        evaluation.id,
        actor_id=evaluator.id,
        after={
            "person_id": candidate.id,
            "form": rubric.code,
            "ratings": {code: item["rating"] for code, item in ratings.items()},
        },
    )
    notify_evaluation_completed(evaluation)
    return evaluation


def can_view_evaluation(viewer: Person, evaluation: CompetencyEvaluation) -> bool:
    return viewer.id in (evaluation.person_id, evaluation.evaluator_id) or viewer.has_role(
        Role.DIRECTOR, Role.ADMIN, Role.CO_CREATOR
    )


def evaluations_of(person_id: int) -> list[CompetencyEvaluation]:
    return list(
        db.session.scalars(
            sa.select(CompetencyEvaluation)
            .where(CompetencyEvaluation.person_id == person_id)
            .options(selectinload(CompetencyEvaluation.evaluator))
            .order_by(CompetencyEvaluation.session_date.desc())
        )
    )
