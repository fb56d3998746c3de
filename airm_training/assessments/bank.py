"""The question bank: loading the shipped quizzes, and directors' edits (audited).
Past attempts keep the questions as they were drawn, so edits never change results."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from airm_training.assessments.models import Question, QuestionKind, QuestionOption, Quiz
from airm_training.audit.services import record_event
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.people.models import Person, Role
from airm_training.programme.models import Module

DEFAULT_BANK_FILE = Path(__file__).with_name("question_bank.toml")
MAX_OPTIONS = 6


def load_question_bank(path: Path = DEFAULT_BANK_FILE) -> int:
    """Create the quizzes of the file that do not exist yet; return how many."""
    if not path.is_file():
        return 0
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    existing = set(db.session.scalars(sa.select(Quiz.code)))
    modules = {m.code: m.id for m in db.session.scalars(sa.select(Module))}
    created = 0
    for doc in document.get("quizzes", []):
        if doc["code"] in existing:
            continue
        quiz = Quiz(
            code=doc["code"],
            module_id=modules.get(doc.get("module")),
            title=doc["title"],
            pass_mark_percent=doc.get("pass_mark_percent", 80),
            questions_per_attempt=doc.get("questions_per_attempt", 8),
            attempt_limit=doc.get("attempt_limit", 3),
            wait_hours=doc.get("wait_hours", 0),
        )
        for position, q in enumerate(doc.get("questions", []), start=1):
            data = QuestionInput(
                kind=q["kind"],
                prompt=q["prompt"],
                explanation=q.get("explanation", ""),
                options=[(o["text"], bool(o.get("correct"))) for o in q["options"]],
            )
            _check_question(data)
            question = Question(position=position)
            _apply_question(question, data)
            quiz.questions.append(question)
        db.session.add(quiz)
        created += 1
    db.session.flush()
    if created:
        record_event(
            "quiz.bank_loaded", "quiz", None, actor_id=None, after={"quizzes_created": created}
        )
    return created


@dataclass
class QuestionInput:
    kind: str
    prompt: str
    explanation: str
    options: list[tuple[str, bool]]  # (text, correct), blanks ignored


@dataclass
class QuizSettings:
    title: str
    pass_mark_percent: int
    questions_per_attempt: int
    attempt_limit: int
    wait_hours: int


def _require_director(actor: Person) -> None:
    if not actor.has_role(Role.DIRECTOR, Role.ADMIN):
        raise DomainError.on(None, "Only a director edits quizzes.")


def _check_question(data: QuestionInput) -> None:
    options = [(text.strip(), correct) for text, correct in data.options if text.strip()]
    problems = []
    if not data.prompt.strip():
        problems.append(("prompt", "Write the question."))
    if data.kind not in {k.value for k in QuestionKind}:
        problems.append(("kind", "Choose single or multiple choice."))
    if not 2 <= len(options) <= MAX_OPTIONS:
        problems.append(("options", f"Give between 2 and {MAX_OPTIONS} options."))
    correct = sum(1 for _, is_correct in options if is_correct)
    if data.kind == QuestionKind.SINGLE and correct != 1:
        problems.append(("options", "A single-choice question has exactly one correct option."))
    if data.kind == QuestionKind.MULTIPLE and correct < 2:
        problems.append(("options", "A multiple-choice question has at least two correct options."))
    if problems:
        raise DomainError(*problems)


def _apply_question(question: Question, data: QuestionInput) -> None:
    question.kind = data.kind
    question.prompt = data.prompt.strip()
    question.explanation = data.explanation.strip()
    question.options = [
        QuestionOption(text=text.strip(), correct=correct, position=n)
        for n, (text, correct) in enumerate(((t, c) for t, c in data.options if t.strip()), start=1)
    ]


def _question_audit(question: Question) -> dict:
    return {
        "kind": question.kind,
        "prompt": question.prompt,
        "options": [{"text": o.text, "correct": o.correct} for o in question.options],
        "retired": question.retired,
    }


def add_question(actor: Person, quiz: Quiz, data: QuestionInput) -> Question:
    _require_director(actor)
    _check_question(data)
    question = Question(position=len(quiz.questions) + 1)
    _apply_question(question, data)
    quiz.questions.append(question)
    db.session.flush()
    record_event(
        "quiz.question_added",
        "question",
        question.id,
        actor_id=actor.id,
        after=_question_audit(question),
    )
    return question


def edit_question(actor: Person, question: Question, data: QuestionInput) -> None:
    _require_director(actor)
    _check_question(data)
    before = _question_audit(question)
    _apply_question(question, data)
    db.session.flush()
    record_event(
        "quiz.question_edited",
        "question",
        question.id,
        actor_id=actor.id,
        before=before,
        after=_question_audit(question),
    )


def set_question_retired(actor: Person, question: Question, retired: bool) -> None:
    _require_director(actor)
    question.retired = retired
    db.session.flush()
    record_event(
        "quiz.question_retired" if retired else "quiz.question_restored",
        "question",
        question.id,
        actor_id=actor.id,
        after={"retired": retired},
    )


def update_settings(actor: Person, quiz: Quiz, data: QuizSettings) -> None:
    _require_director(actor)
    problems = []
    if not data.title.strip():
        problems.append(("title", "Give the quiz a title."))
    if not 1 <= data.pass_mark_percent <= 100:
        problems.append(("pass_mark_percent", "The pass mark is between 1 and 100 %."))
    if not 1 <= data.questions_per_attempt <= 100:
        problems.append(("questions_per_attempt", "Draw between 1 and 100 questions."))
    if not 1 <= data.attempt_limit <= 20:
        problems.append(("attempt_limit", "Allow between 1 and 20 attempts."))
    if not 0 <= data.wait_hours <= 24 * 60:
        problems.append(("wait_hours", "Wait between 0 and 1,440 hours."))
    if problems:
        raise DomainError(*problems)
    before = _settings(quiz)
    quiz.title = data.title.strip()
    quiz.pass_mark_percent = data.pass_mark_percent
    quiz.questions_per_attempt = data.questions_per_attempt
    quiz.attempt_limit = data.attempt_limit
    quiz.wait_hours = data.wait_hours
    db.session.flush()
    record_event(
        "quiz.settings_changed",
        "quiz",
        quiz.id,
        actor_id=actor.id,
        before=before,
        after=_settings(quiz),
    )


def _settings(quiz: Quiz) -> dict:
    return {
        "title": quiz.title,
        "pass_mark_percent": quiz.pass_mark_percent,
        "questions_per_attempt": quiz.questions_per_attempt,
        "attempt_limit": quiz.attempt_limit,
        "wait_hours": quiz.wait_hours,
    }
