"""What the progression engine may know about assessments, and nothing else.

Each function answers for one person with a fixed number of queries:

- ``quiz_facts(person_id, codes)`` → ``{code: QuizFact}``: passed?, best score, when the
  first passing attempt was submitted, the attempt id that counted.
- ``passed_case_presentations(person_id)`` → ``[CaseFact]``: every case presentation that
  passed, when, graded by whom (the supervisor's person id).
- ``evaluation_facts(person_id, form_code)`` → ``[EvaluationFact]``: every submitted
  evaluation on that form with its lowest rating, date and evaluator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from airm_training.assessments.models import (
    AttemptStatus,
    CaseGrade,
    CasePresentation,
    CaseStatus,
    CaseVersion,
    CompetencyEvaluation,
    Quiz,
    QuizAttempt,
)
from airm_training.extensions import db


@dataclass(frozen=True)
class QuizFact:
    code: str
    passed: bool
    best_percent: int | None
    passed_at: datetime | None
    attempt_id: int | None  # the first passing attempt


@dataclass(frozen=True)
class CaseFact:
    presentation_id: int
    title: str
    passed_at: datetime
    graded_by_id: int


@dataclass(frozen=True)
class EvaluationFact:
    evaluation_id: int
    session_date: date
    evaluator_id: int
    lowest_rating: int


def quiz_facts(person_id: int, codes: list[str]) -> dict[str, QuizFact]:
    rows = db.session.execute(
        sa.select(
            Quiz.code,
            QuizAttempt.id,
            QuizAttempt.score_percent,
            QuizAttempt.passed,
            QuizAttempt.submitted_at,
        )
        .join(QuizAttempt, QuizAttempt.quiz_id == Quiz.id)
        .where(
            Quiz.code.in_(codes),
            QuizAttempt.person_id == person_id,
            QuizAttempt.status == AttemptStatus.SUBMITTED.value,
        )
        .order_by(QuizAttempt.submitted_at)
    ).all()
    facts = {code: QuizFact(code, False, None, None, None) for code in codes}
    for code, attempt_id, score, passed, submitted_at in rows:
        fact = facts[code]
        best = score if fact.best_percent is None else max(fact.best_percent, score)
        if passed and not fact.passed:
            fact = QuizFact(code, True, best, submitted_at, attempt_id)
        else:
            fact = QuizFact(code, fact.passed, best, fact.passed_at, fact.attempt_id)
        facts[code] = fact
    return facts


def passed_case_presentations(person_id: int) -> list[CaseFact]:
    rows = db.session.execute(
        sa.select(
            CasePresentation.id,
            CasePresentation.title,
            CaseVersion.graded_at,
            CaseVersion.graded_by_id,
        )
        .join(CaseVersion, CaseVersion.presentation_id == CasePresentation.id)
        .where(
            CasePresentation.person_id == person_id,
            CasePresentation.status == CaseStatus.PASSED.value,
            CaseVersion.grade == CaseGrade.PASS.value,
        )
        .order_by(CaseVersion.graded_at)
    ).all()
    return [CaseFact(*row) for row in rows]


def evaluation_facts(person_id: int, form_code: str) -> list[EvaluationFact]:
    evaluations = db.session.scalars(
        sa.select(CompetencyEvaluation)
        .where(
            CompetencyEvaluation.person_id == person_id,
            CompetencyEvaluation.form_code == form_code,
        )
        .order_by(CompetencyEvaluation.session_date)
    )
    return [
        EvaluationFact(e.id, e.session_date, e.evaluator_id, e.lowest_rating) for e in evaluations
    ]
