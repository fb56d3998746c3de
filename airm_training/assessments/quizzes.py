"""Taking a quiz: drawing questions, one submission per attempt, scoring on the server."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from airm_training.assessments.models import (
    AttemptItem,
    AttemptStatus,
    Question,
    QuestionKind,
    Quiz,
    QuizAttempt,
    QuizExtraAttempt,
)
from airm_training.audit.services import record_event
from airm_training.core.clock import utcnow
from airm_training.core.errors import DomainError
from airm_training.curriculum.services import completions_of
from airm_training.extensions import db
from airm_training.people.models import Person, Role

_random = secrets.SystemRandom()


@dataclass(frozen=True)
class QuizStanding:
    """Where a person stands on one quiz."""

    quiz: Quiz
    attempts_used: int
    best_percent: int | None
    passed: bool
    open_attempt_id: int | None
    next_attempt_at: datetime | None  # when waiting time applies
    extra_attempts: int = 0  # allowed to this person by a director

    @property
    def attempts_allowed(self) -> int:
        """The quiz's limit plus the extra attempts a director allowed this person."""
        return self.quiz.attempt_limit + self.extra_attempts

    @property
    def attempts_left(self) -> int:
        return max(self.attempts_allowed - self.attempts_used, 0)


def standings(person: Person, quizzes: list[Quiz]) -> dict[int, QuizStanding]:
    """Quiz id → standing, for all ``quizzes`` in one query."""
    attempts: dict[int, list[QuizAttempt]] = {q.id: [] for q in quizzes}
    if quizzes:
        rows = db.session.scalars(
            sa.select(QuizAttempt)
            .where(
                QuizAttempt.person_id == person.id,
                QuizAttempt.quiz_id.in_(list(attempts)),
            )
            .options(lazyload(QuizAttempt.items))
            .order_by(QuizAttempt.started_at)
        )
        for attempt in rows:
            attempts[attempt.quiz_id].append(attempt)
    extra = _extra_attempts(person.id, list(attempts)) if quizzes else {}
    return {quiz.id: _standing(quiz, attempts[quiz.id], extra.get(quiz.id, 0)) for quiz in quizzes}


def _extra_attempts(person_id: int, quiz_ids: list[int]) -> dict[int, int]:
    return dict(
        db.session.execute(
            sa.select(QuizExtraAttempt.quiz_id, sa.func.count())
            .where(QuizExtraAttempt.person_id == person_id, QuizExtraAttempt.quiz_id.in_(quiz_ids))
            .group_by(QuizExtraAttempt.quiz_id)
        ).all()
    )


def _standing(quiz: Quiz, attempts: list[QuizAttempt], extra: int = 0) -> QuizStanding:
    submitted = [a for a in attempts if a.status == AttemptStatus.SUBMITTED]
    open_attempt = next((a for a in attempts if a.status == AttemptStatus.OPEN), None)
    best = max((a.score_percent for a in submitted), default=None)
    next_at = None
    if submitted and quiz.wait_hours and not any(a.passed for a in submitted):
        next_at = submitted[-1].submitted_at + timedelta(hours=quiz.wait_hours)
    return QuizStanding(
        quiz=quiz,
        attempts_used=len(submitted) + (1 if open_attempt else 0),
        best_percent=best,
        passed=any(a.passed for a in submitted),
        open_attempt_id=open_attempt.id if open_attempt else None,
        next_attempt_at=next_at,
        extra_attempts=extra,
    )


def locked_by(person: Person, quiz: Quiz) -> list[str]:
    """Codes of the modules still to complete before the quiz's module, and so the
    quiz, is unlocked (the quiz follows its module's prerequisites)."""
    return locks(person, [quiz])[quiz.id]


def locks(person: Person, quizzes: list[Quiz]) -> dict[int, list[str]]:
    """Quiz id → the prerequisite modules still to complete (one query)."""
    done = completions_of(person.id)
    return {
        quiz.id: [m.code for m in quiz.module.prerequisites if m.id not in done]
        if quiz.module is not None
        else []
        for quiz in quizzes
    }


def out_of_attempts(quiz: Quiz) -> list[Person]:
    """People who have used every attempt at ``quiz`` without passing it (two queries)."""
    used = db.session.execute(
        sa.select(
            QuizAttempt.person_id,
            sa.func.count(),
            sa.func.max(sa.case((QuizAttempt.passed.is_(True), 1), else_=0)),
        )
        .where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.status == AttemptStatus.SUBMITTED)
        .group_by(QuizAttempt.person_id)
    ).all()
    extra = dict(
        db.session.execute(
            sa.select(QuizExtraAttempt.person_id, sa.func.count())
            .where(QuizExtraAttempt.quiz_id == quiz.id)
            .group_by(QuizExtraAttempt.person_id)
        ).all()
    )
    ids = [
        person_id
        for person_id, count, passed in used
        if not passed and count >= quiz.attempt_limit + extra.get(person_id, 0)
    ]
    if not ids:
        return []
    return list(
        db.session.scalars(sa.select(Person).where(Person.id.in_(ids)).order_by(Person.full_name))
    )


def allow_extra_attempt(director: Person, person: Person, quiz: Quiz, reason: str) -> None:
    """One more attempt at ``quiz`` for ``person`` alone, with the director's reason."""
    if not director.has_role(Role.DIRECTOR, Role.ADMIN):
        raise DomainError.on(None, "Only a director can allow another attempt.")
    reason = reason.strip()
    if not reason:
        raise DomainError.on("reason", "Say why another attempt is allowed.")
    if len(reason) > 1000:
        raise DomainError.on("reason", "Keep the reason under 1000 characters.")
    standing = standings(person, [quiz])[quiz.id]
    if standing.passed:
        raise DomainError.on(None, f"{person.full_name} has already passed {quiz.title}.")
    if standing.attempts_left > 0:
        raise DomainError.on(
            None, f"{person.full_name} still has {standing.attempts_left} attempts left."
        )
    extra = QuizExtraAttempt(
        quiz_id=quiz.id, person_id=person.id, granted_by_id=director.id, reason=reason
    )
    db.session.add(extra)
    db.session.flush()
    record_event(
        "quiz.extra_attempt_allowed",
        "quiz",
        quiz.id,
        actor_id=director.id,
        after={
            "person_id": person.id,
            "reason": reason,
            "extra_attempts": standing.extra_attempts + 1,
        },
    )


def start_attempt(person: Person, quiz: Quiz) -> QuizAttempt:
    """Open an attempt (or return the one already open) with freshly drawn questions."""
    if not person.has_role(Role.CANDIDATE):
        raise DomainError.on(None, "Quizzes are taken by candidates.")
    if quiz.retired:
        raise DomainError.on(None, "This quiz has been retired.")
    locked = locked_by(person, quiz)
    if locked:
        raise DomainError.on(
            None,
            f"{quiz.title} opens once its module is unlocked: complete {', '.join(locked)} first.",
        )
    standing = standings(person, [quiz])[quiz.id]
    if standing.open_attempt_id is not None:
        return db.session.get(QuizAttempt, standing.open_attempt_id)
    if standing.passed:
        raise DomainError.on(None, f"You have already passed {quiz.title}.")
    if standing.attempts_left <= 0:
        raise DomainError.on(
            None,
            f"You have used all {quiz.attempt_limit + standing.extra_attempts} attempts. "
            "A director can allow another attempt.",
        )
    now = utcnow()
    if standing.next_attempt_at and standing.next_attempt_at > now:
        raise DomainError.on(
            None,
            f"You can try again after {standing.next_attempt_at:%Y-%m-%d %H:%M} UTC.",
        )
    pool = [q for q in quiz.questions if not q.retired]
    if len(pool) < 1:
        raise DomainError.on(None, "This quiz has no questions yet.")
    drawn = _random.sample(pool, min(quiz.questions_per_attempt, len(pool)))
    attempt = QuizAttempt(
        quiz_id=quiz.id,
        person_id=person.id,
        status=AttemptStatus.OPEN.value,
        started_at=now,
        pass_mark_percent=quiz.pass_mark_percent,
    )
    attempt.items = [
        AttemptItem(position=n, question_id=q.id, snapshot=_snapshot(q), selected=[])
        for n, q in enumerate(drawn, start=1)
    ]
    db.session.add(attempt)
    db.session.flush()
    record_event(
        "quiz.attempt_started",
        "quiz_attempt",
        attempt.id,
        actor_id=person.id,
        after={"quiz": quiz.code, "questions": [q.id for q in drawn]},
    )
    return attempt


def _snapshot(question: Question) -> dict:
    options = list(question.options)
    _random.shuffle(options)
    return {
        "kind": question.kind,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "options": [{"id": o.id, "text": o.text} for o in options],
        "correct": sorted(o.id for o in question.options if o.correct),
    }


def public_items(attempt: QuizAttempt) -> list[dict]:
    """What the attempt page may show before submission: never the key."""
    return [
        {
            "position": item.position,
            "kind": item.snapshot["kind"],
            "prompt": item.snapshot["prompt"],
            "options": item.snapshot["options"],
        }
        for item in attempt.items
    ]


def submit_attempt(person: Person, attempt: QuizAttempt, answers: dict[int, list[int]]) -> None:
    """Score an open attempt once. ``answers`` maps item position → chosen option ids.
    A second submission, or a replay of an old one, changes nothing."""
    if attempt.person_id != person.id:
        raise DomainError.on(None, "This attempt belongs to someone else.")
    claimed = db.session.execute(
        sa.update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.status == AttemptStatus.OPEN.value)
        .values(status=AttemptStatus.SUBMITTED.value, submitted_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise DomainError.on(None, "This attempt was already submitted; its result stands.")
    db.session.refresh(attempt)
    correct = 0
    for item in attempt.items:
        allowed = {option["id"] for option in item.snapshot["options"]}
        chosen = sorted(set(answers.get(item.position, [])) & allowed)
        if item.snapshot["kind"] == QuestionKind.SINGLE and len(chosen) > 1:
            chosen = []  # two answers to a single-choice question: not answered
        item.selected = chosen
        item.correct = chosen == item.snapshot["correct"]
        correct += item.correct
    attempt.score_percent = round(100 * correct / len(attempt.items)) if attempt.items else 0
    attempt.passed = attempt.score_percent >= attempt.pass_mark_percent
    db.session.flush()
    record_event(
        "quiz.attempt_submitted",
        "quiz_attempt",
        attempt.id,
        actor_id=person.id,
        after={
            "quiz_id": attempt.quiz_id,
            "score_percent": attempt.score_percent,
            "passed": attempt.passed,
        },
    )
