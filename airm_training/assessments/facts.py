"""What the progression engine may know about assessments, and nothing else.

Each ``*_for`` function answers for a set of people (ids, or a query selecting them) with
one query, whatever their number, leaving out people it found nothing for; the
single-person forms are the same query for one person:

- ``quiz_facts(person_id, codes)`` → ``{code: QuizFact}``: passed?, best score, when the
  first passing attempt was submitted, the attempt id that counted.
- ``passed_case_presentations(person_id)`` → ``[CaseFact]``: every case presentation that
  passed, when, graded by whom (the supervisor's person id).
- ``evaluation_facts(person_id, form_code)`` → ``[EvaluationFact]``: every submitted
  evaluation on that form with its lowest rating, date and evaluator.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
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
    lowest_rating,
)
from airm_training.core.reads import Read


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


People = Collection[int] | sa.Select  # person ids, or a query selecting them


def quiz_facts(person_id: int, codes: list[str]) -> dict[str, QuizFact]:
    found = quiz_facts_for([person_id], codes).get(person_id, {})
    return {code: found.get(code, QuizFact(code, False, None, None, None)) for code in codes}


def quiz_facts_for(people: People, codes: list[str]) -> dict[int, dict[str, QuizFact]]:
    """``{person_id: {code: QuizFact}}`` for the quizzes each person has submitted."""
    return quiz_facts_read(people, codes).run()


def quiz_facts_read(people: People, codes: list[str]) -> Read:
    return Read(
        sa.select(
            QuizAttempt.person_id,
            Quiz.code,
            QuizAttempt.id,
            QuizAttempt.score_percent,
            QuizAttempt.passed,
            QuizAttempt.submitted_at,
        )
        .join(QuizAttempt, QuizAttempt.quiz_id == Quiz.id)
        .where(
            Quiz.code.in_(codes),
            QuizAttempt.person_id.in_(people),
            QuizAttempt.status == AttemptStatus.SUBMITTED.value,
        )
        .order_by(QuizAttempt.submitted_at, QuizAttempt.id),
        _fold_quiz_facts,
    )


def _fold_quiz_facts(rows) -> dict[int, dict[str, QuizFact]]:
    result: dict[int, dict[str, QuizFact]] = defaultdict(dict)
    for person_id, code, attempt_id, score, passed, submitted_at in rows:
        facts = result[person_id]
        fact = facts.get(code) or QuizFact(code, False, None, None, None)
        best = score if fact.best_percent is None else max(fact.best_percent, score)
        if passed and not fact.passed:
            fact = QuizFact(code, True, best, submitted_at, attempt_id)
        else:
            fact = QuizFact(code, fact.passed, best, fact.passed_at, fact.attempt_id)
        facts[code] = fact
    return dict(result)


def passed_case_presentations(person_id: int) -> list[CaseFact]:
    return passed_case_presentations_for([person_id]).get(person_id, [])


def passed_case_presentations_for(people: People) -> dict[int, list[CaseFact]]:
    return passed_case_presentations_read(people).run()


def passed_case_presentations_read(people: People) -> Read:
    return Read(
        sa.select(
            CasePresentation.person_id,
            CasePresentation.id,
            CasePresentation.title,
            CaseVersion.graded_at,
            CaseVersion.graded_by_id,
        )
        .join(CaseVersion, CaseVersion.presentation_id == CasePresentation.id)
        .where(
            CasePresentation.person_id.in_(people),
            CasePresentation.status == CaseStatus.PASSED.value,
            CaseVersion.grade == CaseGrade.PASS.value,
        )
        .order_by(CaseVersion.graded_at, CaseVersion.id),
        _fold_case_facts,
    )


def _fold_case_facts(rows) -> dict[int, list[CaseFact]]:
    result: dict[int, list[CaseFact]] = defaultdict(list)
    for person_id, *fact in rows:
        result[person_id].append(CaseFact(*fact))
    return dict(result)


def evaluation_facts(person_id: int, form_code: str) -> list[EvaluationFact]:
    return evaluation_facts_for([person_id], [form_code]).get((person_id, form_code), [])


def evaluation_facts_for(
    people: People, form_codes: Collection[str]
) -> dict[tuple[int, str], list[EvaluationFact]]:
    """``{(person_id, form_code): [EvaluationFact]}``, oldest session first."""
    return evaluation_facts_read(people, form_codes).run()


def evaluation_facts_read(people: People, form_codes: Collection[str]) -> Read:
    return Read(
        sa.select(
            CompetencyEvaluation.person_id,
            CompetencyEvaluation.form_code,
            CompetencyEvaluation.id,
            CompetencyEvaluation.session_date,
            CompetencyEvaluation.evaluator_id,
            CompetencyEvaluation.ratings,
        )
        .where(
            CompetencyEvaluation.person_id.in_(people),
            CompetencyEvaluation.form_code.in_(form_codes),
        )
        .order_by(CompetencyEvaluation.session_date, CompetencyEvaluation.id),
        _fold_evaluation_facts,
    )


def _fold_evaluation_facts(rows) -> dict[tuple[int, str], list[EvaluationFact]]:
    result: dict[tuple[int, str], list[EvaluationFact]] = defaultdict(list)
    for person_id, form_code, evaluation_id, session_date, evaluator_id, ratings in rows:
        result[(person_id, form_code)].append(
            EvaluationFact(evaluation_id, session_date, evaluator_id, lowest_rating(ratings))
        )
    return dict(result)
