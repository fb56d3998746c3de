"""Quizzes (a question bank, attempts with the questions as they were drawn), case
presentations (versions, each graded) and competency evaluations (immutable)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from airm_training.core.clock import utcnow
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.programme.models import Module


# --- quizzes -------------------------------------------------------------------------------
class QuestionKind(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"


class Quiz(db.Model):
    __tablename__ = "quiz"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), unique=True)
    module_id: Mapped[int | None] = mapped_column(sa.ForeignKey("module.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    pass_mark_percent: Mapped[int] = mapped_column(default=80)
    questions_per_attempt: Mapped[int] = mapped_column(default=8)
    attempt_limit: Mapped[int] = mapped_column(default=3)
    wait_hours: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)

    module: Mapped[Module | None] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz", order_by="Question.position", cascade="all, delete-orphan"
    )


class QuizExtraAttempt(db.Model):
    """One more attempt at a quiz allowed to one person by a director, with the reason."""

    __tablename__ = "quiz_extra_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz.id"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    granted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    reason: Mapped[str] = mapped_column(sa.Text)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Question(db.Model):
    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    prompt: Mapped[str] = mapped_column(sa.Text)
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)

    quiz: Mapped[Quiz] = relationship(back_populates="questions")
    options: Mapped[list[QuestionOption]] = relationship(
        back_populates="question",
        order_by="QuestionOption.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class QuestionOption(db.Model):
    __tablename__ = "question_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    correct: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship(back_populates="options")


class AttemptStatus(enum.StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"


class QuizAttempt(db.Model):
    """One sitting of a quiz. ``items`` hold the questions exactly as drawn, so editing
    the bank later never changes a past result."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (sa.Index("ix_quiz_attempt_person_quiz", "person_id", "quiz_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz.id"))
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    status: Mapped[str] = mapped_column(sa.String(10), default=AttemptStatus.OPEN)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    score_percent: Mapped[int | None]
    passed: Mapped[bool | None]
    pass_mark_percent: Mapped[int]

    quiz: Mapped[Quiz] = relationship()
    person: Mapped[Person] = relationship()
    items: Mapped[list[AttemptItem]] = relationship(
        back_populates="attempt",
        order_by="AttemptItem.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class AttemptItem(db.Model):
    __tablename__ = "attempt_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempt.id"), index=True)
    position: Mapped[int]
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question.id"))
    # {"kind", "prompt", "explanation", "options": [{"id", "text"}...], "correct": [ids]}
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    selected: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    correct: Mapped[bool | None]

    attempt: Mapped[QuizAttempt] = relationship(back_populates="items")


# --- case presentations ------------------------------------------------------------------------
class CaseStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # the latest version waits for a grade
    REVISE = "revise"  # returned for a new version
    PASSED = "passed"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            "submitted": "Waiting for a grade",
            "revise": "Revise and resubmit",
            "passed": "Passed",
            "failed": "Not passed",
        }[self.value]


class CaseGrade(enum.StrEnum):
    PASS = "pass"  # noqa: S105  # nosec B105  # a grade, not a password
    REVISE = "revise"
    FAIL = "fail"


class CasePresentation(db.Model):
    __tablename__ = "case_presentation"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    stages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    bond_type: Mapped[str] = mapped_column(sa.String(40))
    modalities: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(20), default=CaseStatus.SUBMITTED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    supervisor: Mapped[Person] = relationship(foreign_keys=[supervisor_id])
    versions: Mapped[list[CaseVersion]] = relationship(
        back_populates="presentation", order_by="CaseVersion.number", cascade="all, delete-orphan"
    )

    @property
    def state(self) -> CaseStatus:
        return CaseStatus(self.status)


class CaseVersion(db.Model):
    __tablename__ = "case_version"
    __table_args__ = (sa.UniqueConstraint("presentation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    presentation_id: Mapped[int] = mapped_column(sa.ForeignKey("case_presentation.id"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    pdf_filename: Mapped[str | None] = mapped_column(sa.String(255))
    pdf_size: Mapped[int | None]
    deidentified_confirmed: Mapped[bool]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    grade: Mapped[str | None] = mapped_column(sa.String(10))
    feedback: Mapped[str | None] = mapped_column(sa.Text)
    rubric: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    graded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    graded_at: Mapped[datetime | None]

    presentation: Mapped[CasePresentation] = relationship(back_populates="versions")
    graded_by: Mapped[Person | None] = relationship()


# --- competency evaluations --------------------------------------------------------------------
def lowest_rating(ratings: dict[str, Any]) -> int:
    """An evaluation's lowest rating, from its stored ratings."""
    return min(item["rating"] for item in ratings.values())


class CompetencyEvaluation(db.Model):
    """A supervisor's ratings of a candidate on the programme's rubric. Immutable."""

    __tablename__ = "competency_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    evaluator_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    form_code: Mapped[str] = mapped_column(sa.String(40))
    session_date: Mapped[date]
    observation: Mapped[str] = mapped_column(sa.String(10))  # live or recorded
    # {item_code: {"name": ..., "rating": 1..4, "comment": ...}}
    ratings: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    overall_comment: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    evaluator: Mapped[Person] = relationship(foreign_keys=[evaluator_id])

    @property
    def lowest_rating(self) -> int:
        return lowest_rating(self.ratings)
