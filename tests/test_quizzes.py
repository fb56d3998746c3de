"""Module quizzes: drawing and scoring on the server, attempt limits and waiting time,
one submission per attempt, the key never sent before submission, past results frozen
against bank edits, and the directors' question bank (validated and audited)."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import count

import pytest
import sqlalchemy as sa
from markupsafe import escape

from airm_training.assessments.bank import (
    QuestionInput,
    QuizSettings,
    add_question,
    edit_question,
    set_question_retired,
    update_settings,
)
from airm_training.assessments.facts import quiz_facts
from airm_training.assessments.models import (
    AttemptItem,
    AttemptStatus,
    Question,
    QuestionOption,
    Quiz,
    QuizAttempt,
)
from airm_training.assessments.quizzes import (
    allow_extra_attempt,
    out_of_attempts,
    public_items,
    standings,
    start_attempt,
    submit_attempt,
)
from airm_training.audit.models import AuditEvent
from airm_training.core.clock import utcnow
from airm_training.core.errors import DomainError
from airm_training.curriculum.services import complete_module
from airm_training.extensions import db
from tests.factories import login, make_candidate, make_director, make_supervisor
from tests.query_count import count_queries

QUIZ = "AIRM-101-Q"
_codes = count(1)


# --- helpers ------------------------------------------------------------------------------
def quiz(code: str = QUIZ) -> Quiz:
    return db.session.scalar(sa.select(Quiz).where(Quiz.code == code))


def reload(attempt: QuizAttempt) -> QuizAttempt:
    db.session.expire_all()
    return db.session.get(QuizAttempt, attempt.id)


def attempts_of(person, code: str = QUIZ) -> list[QuizAttempt]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(QuizAttempt)
            .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
            .where(QuizAttempt.person_id == person.id, Quiz.code == code)
            .order_by(QuizAttempt.id)
        )
    )


def events(action: str, object_id=None) -> list[AuditEvent]:
    statement = sa.select(AuditEvent).where(AuditEvent.action == action)
    if object_id is not None:
        statement = statement.where(AuditEvent.object_id == str(object_id))
    return list(db.session.scalars(statement.order_by(AuditEvent.id)))


def refused(action, *args, **kwargs) -> DomainError:
    """Run an action that must be refused; roll back its partial work; return the error."""
    with pytest.raises(DomainError) as caught:
        action(*args, **kwargs)
    db.session.rollback()
    return caught.value


def reasons(error: DomainError) -> str:
    return " | ".join(reason for _, reason in error.problems)


def started(person, code: str = QUIZ) -> QuizAttempt:
    attempt = start_attempt(person, quiz(code))
    db.session.commit()
    return attempt


def right(item: AttemptItem) -> list[int]:
    return list(item.snapshot["correct"])


def wrong(item: AttemptItem) -> list[int]:
    """One option that is not part of the key (wrong for either kind of question)."""
    return [next(o["id"] for o in item.snapshot["options"] if o["id"] not in right(item))]


def answers(attempt: QuizAttempt, n_right: int) -> dict[int, list[int]]:
    """The first ``n_right`` items answered correctly, the rest wrongly."""
    return {
        item.position: right(item) if n <= n_right else wrong(item)
        for n, item in enumerate(attempt.items, start=1)
    }


def submitted(person, n_right: int, code: str = QUIZ) -> QuizAttempt:
    attempt = started(person, code)
    submit_attempt(person, attempt, answers(attempt, n_right))
    db.session.commit()
    return reload(attempt)


def backdate(attempt: QuizAttempt, hours: float) -> None:
    """Pretend the attempt was submitted ``hours`` ago."""
    db.session.execute(
        sa.update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id)
        .values(submitted_at=utcnow() - timedelta(hours=hours))
    )
    db.session.commit()


def insert_attempt(person, quiz_: Quiz, *, score: int, hours_ago: float) -> QuizAttempt:
    """A submitted attempt written straight into the table."""
    when = utcnow() - timedelta(hours=hours_ago)
    attempt = QuizAttempt(
        quiz_id=quiz_.id,
        person_id=person.id,
        status=AttemptStatus.SUBMITTED.value,
        started_at=when - timedelta(minutes=10),
        submitted_at=when,
        score_percent=score,
        passed=score >= quiz_.pass_mark_percent,
        pass_mark_percent=quiz_.pass_mark_percent,
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt


def custom_quiz(*questions: tuple[str, list[tuple[str, bool]]], **settings) -> Quiz:
    """A quiz of our own, every question drawn each time (no wait unless asked)."""
    n = next(_codes)
    values = {
        "pass_mark_percent": 80,
        "questions_per_attempt": len(questions),
        "attempt_limit": 3,
        "wait_hours": 0,
    }
    values.update(settings)
    made = Quiz(code=f"TEST-{n}-Q", title=f"Test quiz {n}", **values)
    for position, (kind, options) in enumerate(questions, start=1):
        question = Question(
            kind=kind,
            prompt=f"Test question {n}.{position}?",
            explanation=f"Explanation {n}.{position}.",
            position=position,
        )
        question.options = [
            QuestionOption(text=f"Option {n}.{position}.{i}", correct=correct, position=i)
            for i, (_text, correct) in enumerate(options, start=1)
        ]
        made.questions.append(question)
    db.session.add(made)
    db.session.commit()
    return made


SINGLE = ("single", [("a", True), ("b", False), ("c", False)])
MULTIPLE = ("multiple", [("a", True), ("b", True), ("c", False), ("d", False)])


def without_csrf(html: str) -> str:
    """The page without its CSRF tokens (the form fields' and the page's meta tag), which
    carry the second they were made."""
    html = re.sub(r'(name="csrf-token" content=")[^"]*', r"\1", html)
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", html)


@pytest.fixture
def candidate(app):
    return make_candidate()


@pytest.fixture
def director(app):
    return make_director()


@pytest.fixture
def candidate_client(client, candidate):
    login(client, candidate)
    client.person = candidate
    return client


def start_through_page(client, code: str = QUIZ):
    return client.submit(f"/assessments/quizzes/{code}/start", form_path="/assessments/")


def attempt_id_from(response) -> int:
    assert response.status_code == 302
    match = re.search(r"/assessments/attempts/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def form_answers(attempt: QuizAttempt, chosen: dict[int, list[int]]) -> dict:
    return {f"q{position}": [str(i) for i in ids] for position, ids in chosen.items()}


# --- scoring --------------------------------------------------------------------------------
def score_one(person, question, choose) -> AttemptItem:
    """Take a one-question quiz, answering with ``choose(item)``; return the scored item."""
    made = custom_quiz(question)
    attempt = started(person, made.code)
    (item,) = attempt.items
    submit_attempt(person, attempt, {item.position: choose(item)})
    db.session.commit()
    attempt = reload(attempt)
    (item,) = attempt.items
    assert attempt.score_percent == (100 if item.correct else 0)
    assert attempt.passed is bool(item.correct)
    return item


def test_single_choice_right_answer_is_correct(candidate):
    item = score_one(candidate, SINGLE, right)
    assert item.correct is True
    assert item.selected == right(item)


def test_single_choice_wrong_answer_is_wrong(candidate):
    item = score_one(candidate, SINGLE, wrong)
    assert item.correct is False
    assert item.selected == wrong(item)


def test_multiple_choice_needs_exactly_the_correct_set(candidate):
    item = score_one(candidate, MULTIPLE, right)
    assert item.correct is True
    assert len(item.selected) == 2


def test_multiple_choice_partial_answer_is_wrong(candidate):
    item = score_one(candidate, MULTIPLE, lambda item: right(item)[:1])
    assert item.correct is False


def test_multiple_choice_superset_is_wrong(candidate):
    item = score_one(candidate, MULTIPLE, lambda item: right(item) + wrong(item))
    assert item.correct is False
    assert len(item.selected) == 3


def test_two_answers_to_a_single_choice_question_count_as_not_answered(candidate):
    item = score_one(candidate, SINGLE, lambda item: right(item) + wrong(item))
    assert item.correct is False
    assert item.selected == []


@pytest.mark.parametrize("question", [SINGLE, MULTIPLE], ids=["single", "multiple"])
def test_unanswered_question_counts_as_wrong(candidate, question):
    item = score_one(candidate, question, lambda _item: [])
    assert item.correct is False
    assert item.selected == []


def test_option_ids_outside_the_item_are_ignored(candidate):
    made = custom_quiz(SINGLE, MULTIPLE)
    attempt = started(candidate, made.code)
    single, multiple = sorted(attempt.items, key=lambda i: i.snapshot["kind"] != "single")
    foreign = wrong(multiple)[0]  # a real option id, but of the other question
    chosen = {
        single.position: [*right(single), foreign, 987_654],
        multiple.position: [*right(multiple), right(single)[0], 987_655],
    }
    submit_attempt(candidate, attempt, chosen)
    db.session.commit()
    attempt = reload(attempt)
    assert [item.correct for item in attempt.items] == [True, True]
    assert {item.position: item.selected for item in attempt.items} == {
        single.position: right(single),
        multiple.position: sorted(right(multiple)),
    }
    assert attempt.score_percent == 100


@pytest.mark.parametrize(
    ("n_right", "percent", "passed"),
    [(8, 100, True), (7, 88, True), (6, 75, False), (0, 0, False)],
)
def test_score_percent_and_pass_mark(candidate, n_right, percent, passed):
    attempt = submitted(candidate, n_right)
    assert len(attempt.items) == 8
    assert attempt.pass_mark_percent == 80
    assert attempt.score_percent == percent
    assert attempt.passed is passed
    assert sum(1 for item in attempt.items if item.correct) == n_right
    (event,) = events("quiz.attempt_submitted", attempt.id)
    assert event.after["score_percent"] == percent
    assert event.after["passed"] is passed


def test_exactly_the_pass_mark_passes(candidate):
    made = custom_quiz(*[SINGLE] * 5)  # 4 of 5 = 80 %
    attempt = submitted(candidate, 4, made.code)
    assert attempt.score_percent == 80
    assert attempt.passed is True


def test_pass_mark_is_the_one_in_force_when_the_attempt_started(candidate, director):
    attempt = started(candidate)
    update_settings(director, quiz(), QuizSettings(quiz().title, 90, 8, 3, 24))
    db.session.commit()
    submit_attempt(candidate, attempt, answers(attempt, 7))
    db.session.commit()
    attempt = reload(attempt)
    assert attempt.pass_mark_percent == 80
    assert attempt.score_percent == 88
    assert attempt.passed is True


# --- drawing ---------------------------------------------------------------------------------
def test_questions_drawn_per_attempt_without_duplicates(candidate):
    attempt = started(candidate)
    question_ids = [item.question_id for item in attempt.items]
    assert len(question_ids) == quiz().questions_per_attempt == 8
    assert len(set(question_ids)) == 8
    assert [item.position for item in attempt.items] == list(range(1, 9))
    bank = {q.id: q for q in quiz().questions}
    for item in attempt.items:
        question = bank[item.question_id]
        assert item.snapshot["prompt"] == question.prompt
        assert sorted(o["id"] for o in item.snapshot["options"]) == sorted(
            o.id for o in question.options
        )
        assert item.snapshot["correct"] == sorted(o.id for o in question.options if o.correct)
    (event,) = events("quiz.attempt_started", attempt.id)
    assert sorted(event.after["questions"]) == sorted(question_ids)


def test_retired_questions_are_never_drawn(candidate, director):
    questions = quiz().questions
    assert len(questions) == 10
    for question in questions[:2]:
        set_question_retired(director, question, True)
    db.session.commit()
    for _ in range(3):  # the draw is random: the same eight every time
        attempt = started(candidate)
        assert {item.question_id for item in attempt.items} == {q.id for q in questions[2:]}
        db.session.delete(attempt)
        db.session.commit()


def test_fewer_questions_left_than_drawn_draws_all_of_them(candidate, director):
    questions = quiz().questions
    for question in questions[:4]:
        set_question_retired(director, question, True)
    db.session.commit()
    attempt = started(candidate)
    assert sorted(item.question_id for item in attempt.items) == sorted(q.id for q in questions[4:])


def test_drawn_count_follows_the_quiz_settings(candidate, director):
    update_settings(director, quiz(), QuizSettings(quiz().title, 80, 5, 3, 24))
    db.session.commit()
    attempt = started(candidate)
    assert len(attempt.items) == 5
    assert len({item.question_id for item in attempt.items}) == 5


# --- attempts, waiting, passing --------------------------------------------------------------
def test_attempt_limit(candidate):
    for n in range(1, 4):
        attempt = submitted(candidate, 0)
        assert attempt.passed is False
        backdate(attempt, hours=25 * (4 - n))  # the waiting time is over each time
    error = refused(start_attempt, candidate, quiz())
    assert "used all 3 attempts" in reasons(error)
    assert len(attempts_of(candidate)) == 3


def test_attempt_limit_follows_the_quiz_settings(candidate, director):
    update_settings(director, quiz(), QuizSettings(quiz().title, 80, 8, 1, 0))
    db.session.commit()
    submitted(candidate, 0)
    error = refused(start_attempt, candidate, quiz())
    assert "used all 1 attempts" in reasons(error)


def test_a_quiz_follows_its_modules_prerequisites(candidate_client):
    person = candidate_client.person
    error = refused(start_attempt, person, quiz("AIRM-102-Q"))
    assert "opens once its module is unlocked: complete AIRM-101 first" in reasons(error)
    assert attempts_of(person, "AIRM-102-Q") == []
    page = candidate_client.get("/assessments/").get_data(as_text=True)
    assert "Locked: complete AIRM-101 first" in page
    response = start_through_page(candidate_client, "AIRM-102-Q")
    assert attempts_of(person, "AIRM-102-Q") == []
    assert response.status_code in (302, 303)
    complete_module(person, quiz().module)
    db.session.commit()
    assert started(person, "AIRM-102-Q").quiz.code == "AIRM-102-Q"


def used_every_attempt(person) -> None:
    for n in range(1, 4):
        backdate(submitted(person, 0), hours=25 * (4 - n))


def test_a_director_allows_one_person_one_more_attempt_with_a_reason(candidate, director):
    other = make_candidate()
    used_every_attempt(candidate)
    used_every_attempt(other)
    assert [p.id for p in out_of_attempts(quiz())] == sorted([candidate.id, other.id])
    error = refused(allow_extra_attempt, director, candidate, quiz(), "  ")
    assert "Say why" in reasons(error)
    refused(allow_extra_attempt, make_supervisor(), candidate, quiz(), "Illness")
    allow_extra_attempt(director, candidate, quiz(), "Illness during the third attempt")
    db.session.commit()
    (event,) = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "quiz.extra_attempt_allowed")
    ).all()
    assert event.actor_id == director.id
    assert event.after["person_id"] == candidate.id
    assert event.after["reason"] == "Illness during the third attempt"
    assert [p.id for p in out_of_attempts(quiz())] == [other.id]
    # one more for this person only, then the limit holds again
    error = refused(allow_extra_attempt, director, candidate, quiz(), "Again")
    assert "still has 1 attempts left" in reasons(error)
    assert refused(start_attempt, other, quiz())
    submitted(candidate, 0)
    assert "used all 4 attempts" in reasons(refused(start_attempt, candidate, quiz()))


def test_the_extra_attempt_form_on_the_quiz_page(client, candidate, director):
    used_every_attempt(candidate)
    login(client, director)
    path = f"/assessments/quizzes/{QUIZ}"
    assert candidate.full_name in client.get(path).get_data(as_text=True)
    response = client.submit(
        f"{path}/extra-attempt", {"person": candidate.id, "reason": "Power cut"}, form_path=path
    )
    assert response.status_code == 302
    assert standings(candidate, [quiz()])[quiz().id].attempts_left == 1
    own = client.application.test_client()
    login(own, candidate)
    page = own.get("/assessments/").get_data(as_text=True)
    assert "3 of 4 <span" in page and "(1 extra allowed)" in page
    no_reason = client.submit(
        f"{path}/extra-attempt", {"person": candidate.id, "reason": "  "}, form_path=path
    )
    assert "Say why another attempt is allowed." in client.get(path).get_data(as_text=True)
    assert no_reason.status_code == 302
    assert standings(candidate, [quiz()])[quiz().id].attempts_left == 1
    no_token = client.post(f"{path}/extra-attempt", data={"person": candidate.id, "reason": "x"})
    assert no_token.status_code == 400
    assert standings(candidate, [quiz()])[quiz().id].attempts_left == 1


def test_waiting_time_between_attempts(candidate):
    first = submitted(candidate, 0)
    error = refused(start_attempt, candidate, quiz())
    assert "try again after" in reasons(error)
    backdate(first, hours=23)
    refused(start_attempt, candidate, quiz())
    assert len(attempts_of(candidate)) == 1
    backdate(first, hours=24.5)
    second = started(candidate)
    assert second.id != first.id
    assert second.status == AttemptStatus.OPEN


def test_no_waiting_time_when_the_quiz_has_none(candidate, director):
    update_settings(director, quiz(), QuizSettings(quiz().title, 80, 8, 3, 0))
    db.session.commit()
    first = submitted(candidate, 0)
    second = started(candidate)
    assert second.id != first.id


def test_starting_while_an_attempt_is_open_returns_the_same_attempt(candidate):
    first = started(candidate)
    again = started(candidate)
    assert again.id == first.id
    assert len(attempts_of(candidate)) == 1
    assert len(events("quiz.attempt_started", first.id)) == 1


def test_starting_through_the_page_twice_continues_the_open_attempt(candidate_client):
    first = attempt_id_from(start_through_page(candidate_client))
    second = attempt_id_from(start_through_page(candidate_client))
    assert first == second
    assert len(attempts_of(candidate_client.person)) == 1


def test_no_new_attempt_after_passing(candidate):
    attempt = submitted(candidate, 8)
    assert attempt.passed is True
    backdate(attempt, hours=48)
    error = refused(start_attempt, candidate, quiz())
    assert "already passed" in reasons(error)
    assert len(attempts_of(candidate)) == 1


def test_start_through_the_page_after_passing_is_refused(candidate_client):
    attempt = submitted(candidate_client.person, 8)
    backdate(attempt, hours=48)
    response = start_through_page(candidate_client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/assessments/")
    assert "already passed" in candidate_client.get("/assessments/").get_data(as_text=True)
    assert len(attempts_of(candidate_client.person)) == 1


def test_best_attempt_decides(candidate):
    failed_first = submitted(candidate, 5)
    backdate(failed_first, hours=72)
    passed = submitted(candidate, 7)
    backdate(passed, hours=48)
    insert_attempt(candidate, quiz(), score=38, hours_ago=1)  # a later fail
    fact = quiz_facts(candidate.id, [QUIZ, "AIRM-102-Q"])
    assert fact[QUIZ].passed is True
    assert fact[QUIZ].best_percent == 88
    assert fact[QUIZ].attempt_id == passed.id
    assert fact[QUIZ].passed_at == reload(passed).submitted_at
    assert fact["AIRM-102-Q"].passed is False
    assert fact["AIRM-102-Q"].best_percent is None


def test_facts_of_someone_who_only_failed(candidate):
    attempt = submitted(candidate, 6)
    backdate(attempt, hours=30)
    submitted(candidate, 5)
    fact = quiz_facts(candidate.id, [QUIZ])[QUIZ]
    assert fact.passed is False
    assert fact.best_percent == 75
    assert fact.attempt_id is None


def test_open_attempts_do_not_count_in_the_facts(candidate):
    started(candidate)
    fact = quiz_facts(candidate.id, [QUIZ])[QUIZ]
    assert fact.best_percent is None
    assert fact.passed is False


# --- one submission per attempt --------------------------------------------------------------
def test_second_submit_raises_and_leaves_the_result(candidate):
    attempt = started(candidate)
    submit_attempt(candidate, attempt, answers(attempt, 2))
    db.session.commit()
    first = reload(attempt)
    score, when = first.score_percent, first.submitted_at
    selected = [item.selected for item in first.items]
    assert score == 25
    error = refused(submit_attempt, candidate, first, answers(first, 8))
    assert "already submitted" in reasons(error)
    again = reload(attempt)
    assert again.score_percent == score
    assert again.passed is False
    assert again.submitted_at == when
    assert [item.selected for item in again.items] == selected
    assert len(events("quiz.attempt_submitted", attempt.id)) == 1


def test_submitting_someone_elses_attempt_is_refused(candidate):
    other = make_candidate()
    attempt = started(candidate)
    refused(submit_attempt, other, attempt, answers(attempt, 8))
    assert reload(attempt).status == AttemptStatus.OPEN


def test_posting_the_same_answers_twice_keeps_the_first_result(candidate_client):
    attempt_id = attempt_id_from(start_through_page(candidate_client))
    attempt = db.session.get(QuizAttempt, attempt_id)
    path = f"/assessments/attempts/{attempt_id}"
    token = candidate_client.form_token(path)
    data = {**form_answers(attempt, answers(attempt, 5)), "csrf_token": token}
    response = candidate_client.post(path, data=data)
    assert response.status_code == 302
    first = reload(attempt)
    assert first.status == AttemptStatus.SUBMITTED
    assert first.score_percent == 62
    when = first.submitted_at
    # the same request again (a double click or a replay)...
    replay = candidate_client.post(path, data=data)
    assert replay.status_code == 302
    assert "already submitted" in candidate_client.get(path).get_data(as_text=True)
    # ...and a better answer sheet afterwards
    better = {**form_answers(attempt, answers(attempt, 8)), "csrf_token": token}
    candidate_client.post(path, data=better)
    again = reload(attempt)
    assert again.score_percent == 62
    assert again.passed is False
    assert again.submitted_at == when
    assert len(events("quiz.attempt_submitted", attempt_id)) == 1


def test_submitting_through_the_page_scores_the_form_answers(candidate_client):
    attempt_id = attempt_id_from(start_through_page(candidate_client))
    attempt = db.session.get(QuizAttempt, attempt_id)
    chosen = answers(attempt, 7)
    del chosen[attempt.items[0].position]  # one left unanswered, the other seven right
    response = candidate_client.submit(
        f"/assessments/attempts/{attempt_id}", form_answers(attempt, chosen)
    )
    assert response.status_code == 302
    attempt = reload(attempt)
    assert attempt.score_percent == 75
    assert attempt.items[0].correct is False
    assert attempt.items[0].selected == []
    page = candidate_client.get(f"/assessments/attempts/{attempt_id}").get_data(as_text=True)
    assert "75 %" in page


# --- who may open an attempt ----------------------------------------------------------------
def test_someone_elses_attempt_is_forbidden(client, candidate):
    attempt = started(candidate)
    other = make_candidate()
    login(client, other)
    path = f"/assessments/attempts/{attempt.id}"
    assert client.get(path).status_code == 403
    token = client.form_token("/assessments/")
    response = client.post(
        path, data={**form_answers(attempt, answers(attempt, 8)), "csrf_token": token}
    )
    assert response.status_code == 403
    assert reload(attempt).status == AttemptStatus.OPEN


@pytest.mark.parametrize("maker", [make_supervisor, make_director], ids=["supervisor", "director"])
def test_non_candidates_cannot_take_quizzes(client, maker):
    person = maker()
    login(client, person)
    assert client.get("/assessments/").status_code == 403
    token = client.form_token(f"/people/{person.id}")
    response = client.post(f"/assessments/quizzes/{QUIZ}/start", data={"csrf_token": token})
    assert response.status_code == 403
    assert attempts_of(person) == []
    refused(start_attempt, person, quiz())


def test_start_and_submit_need_the_csrf_token(candidate_client):
    response = candidate_client.post(f"/assessments/quizzes/{QUIZ}/start")
    assert response.status_code == 400
    assert attempts_of(candidate_client.person) == []
    attempt = started(candidate_client.person)
    response = candidate_client.post(
        f"/assessments/attempts/{attempt.id}", data=form_answers(attempt, answers(attempt, 8))
    )
    assert response.status_code == 400
    response = candidate_client.post(
        f"/assessments/attempts/{attempt.id}",
        data={**form_answers(attempt, answers(attempt, 8)), "csrf_token": "forged"},
    )
    assert response.status_code == 400
    assert reload(attempt).status == AttemptStatus.OPEN


# --- the key never reaches the browser before submission -------------------------------------
def test_public_items_hold_no_key(candidate):
    attempt = started(candidate)
    for item in public_items(attempt):
        assert set(item) == {"position", "kind", "prompt", "options"}
        for option in item["options"]:
            assert set(option) == {"id", "text"}


def test_attempt_page_does_not_depend_on_the_key(candidate_client):
    attempt_id = attempt_id_from(start_through_page(candidate_client))
    path = f"/assessments/attempts/{attempt_id}"
    before = candidate_client.get(path)
    assert before.status_code == 200
    items = db.session.scalars(sa.select(AttemptItem).where(AttemptItem.attempt_id == attempt_id))
    original = {}
    for item in list(items):
        snapshot = dict(item.snapshot)
        original[item.id] = snapshot["correct"]
        # mark the other options correct instead
        snapshot["correct"] = [
            o["id"] for o in snapshot["options"] if o["id"] not in snapshot["correct"]
        ]
        db.session.execute(
            sa.update(AttemptItem).where(AttemptItem.id == item.id).values(snapshot=snapshot)
        )
    db.session.commit()
    db.session.expire_all()
    flipped = {
        item.id: item.snapshot["correct"]
        for item in db.session.scalars(
            sa.select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)
        )
    }
    assert len(flipped) == 8
    for item_id, correct in flipped.items():
        assert correct and not set(correct) & set(original[item_id])
    after = candidate_client.get(path)
    assert after.status_code == 200
    before_html, after_html = before.get_data(as_text=True), after.get_data(as_text=True)
    assert without_csrf(before_html) == without_csrf(after_html)
    # every option is offered, none is marked
    attempt = reload(db.session.get(QuizAttempt, attempt_id))
    for item in attempt.items:
        assert str(escape(item.snapshot["prompt"])) in before_html
        for option in item.snapshot["options"]:
            assert f'value="{option["id"]}"' in before_html
        if item.snapshot["explanation"]:
            assert str(escape(item.snapshot["explanation"])) not in before_html
    for marker in ("✓", "correct answer", "checked", "text-success"):
        assert marker not in before_html


def test_result_page_shows_explanations_and_correct_answers(candidate_client):
    attempt_id = attempt_id_from(start_through_page(candidate_client))
    attempt = db.session.get(QuizAttempt, attempt_id)
    candidate_client.submit(
        f"/assessments/attempts/{attempt_id}", form_answers(attempt, answers(attempt, 6))
    )
    page = candidate_client.get(f"/assessments/attempts/{attempt_id}").get_data(as_text=True)
    attempt = reload(attempt)
    assert "75 %" in page
    assert "Not passed" in page
    key_size = 0
    for item in attempt.items:
        assert str(escape(item.snapshot["explanation"])) in page
        for option in item.snapshot["options"]:
            text = re.escape(str(escape(option["text"])))
            marked = re.search(
                text + r"(</strong>)?\s*<span class=\"text-success small\">\(correct answer\)",
                page,
            )
            assert bool(marked) is (option["id"] in item.snapshot["correct"]), option["text"]
        key_size += len(item.snapshot["correct"])
    assert page.count("(correct answer)") == key_size
    assert page.count("✗ Wrong") == 2
    assert page.count("(your answer, wrong)") == 2


# --- bank edits never change past results ------------------------------------------------------
def test_editing_a_question_does_not_alter_past_results(candidate_client, director):
    attempt_id = attempt_id_from(start_through_page(candidate_client))
    attempt = db.session.get(QuizAttempt, attempt_id)
    candidate_client.submit(
        f"/assessments/attempts/{attempt_id}", form_answers(attempt, answers(attempt, 7))
    )
    path = f"/assessments/attempts/{attempt_id}"
    candidate_client.get(path)  # shows (and clears) the score message
    page_before = candidate_client.get(path).get_data(as_text=True)
    assert "✓ Correct" in page_before
    attempt = reload(attempt)
    stored = (
        attempt.score_percent,
        attempt.passed,
        [(i.snapshot, i.selected, i.correct) for i in attempt.items],
    )
    assert stored[0] == 88
    # the director rewrites a single-choice question: a new prompt, another correct option
    item = next(i for i in attempt.items if i.snapshot["kind"] == "single")
    question = db.session.get(Question, item.question_id)
    old_prompt = question.prompt
    was_correct = next(n for n, o in enumerate(question.options) if o.correct)
    now_correct = (was_correct + 1) % len(question.options)
    new_options = [(o.text, n == now_correct) for n, o in enumerate(question.options)]
    edit_question(
        director,
        question,
        QuestionInput(question.kind, "A rewritten prompt?", "A new explanation.", new_options),
    )
    db.session.commit()
    db.session.expire_all()
    question = db.session.get(Question, item.question_id)
    assert question.prompt == "A rewritten prompt?"
    assert [o.correct for o in question.options] == [
        n == now_correct for n in range(len(question.options))
    ]
    attempt = reload(attempt)
    assert (
        attempt.score_percent,
        attempt.passed,
        [(i.snapshot, i.selected, i.correct) for i in attempt.items],
    ) == stored
    assert next(i for i in attempt.items if i.id == item.id).snapshot["prompt"] == old_prompt
    page_after = candidate_client.get(path).get_data(as_text=True)
    assert without_csrf(page_after) == without_csrf(page_before)
    assert "A rewritten prompt?" not in page_after


# --- the question bank: directors only, validated and audited ----------------------------------
def question_form(kind="single", prompt="Which is right?", options=None, explanation="So."):
    options = options if options is not None else [("Right", True), ("Wrong", False)]
    data = {"kind": kind, "prompt": prompt, "explanation": explanation}
    for n in range(6):
        text, correct = options[n] if n < len(options) else ("", False)
        data[f"options-{n}-text"] = text
        if correct:
            data[f"options-{n}-correct"] = "y"
    return data


@pytest.fixture
def director_client(client, director):
    login(client, director)
    client.person = director
    return client


def test_director_adds_a_question_through_the_page(director_client):
    before = len(quiz().questions)
    response = director_client.submit(
        f"/assessments/quizzes/{QUIZ}/questions/new",
        question_form(
            "multiple",
            "Which two are signals?",
            [("One", True), ("Two", True), ("Three", False)],
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    questions = quiz().questions
    assert len(questions) == before + 1
    added = questions[-1]
    assert added.kind == "multiple"
    assert [(o.text, o.correct) for o in added.options] == [
        ("One", True),
        ("Two", True),
        ("Three", False),
    ]
    (event,) = events("quiz.question_added", added.id)
    assert event.actor_id == director_client.person.id
    assert event.after["prompt"] == "Which two are signals?"


def test_director_edits_a_question_through_the_page(director_client):
    question = quiz().questions[0]
    old_prompt = question.prompt
    response = director_client.submit(
        f"/assessments/questions/{question.id}/edit",
        question_form("single", "Reworded?", [("Yes", False), ("No", True)]),
    )
    assert response.status_code == 302
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert question.prompt == "Reworded?"
    assert [(o.text, o.correct) for o in question.options] == [("Yes", False), ("No", True)]
    (event,) = events("quiz.question_edited", question.id)
    assert event.actor_id == director_client.person.id
    assert event.before["prompt"] == old_prompt
    assert event.after["options"] == [
        {"text": "Yes", "correct": False},
        {"text": "No", "correct": True},
    ]


def test_director_retires_and_restores_a_question(director_client):
    question = quiz().questions[0]
    response = director_client.submit(
        f"/assessments/questions/{question.id}/retire", form_path=f"/assessments/quizzes/{QUIZ}"
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, question.id).retired is True
    (event,) = events("quiz.question_retired", question.id)
    assert event.actor_id == director_client.person.id
    director_client.submit(
        f"/assessments/questions/{question.id}/restore", form_path=f"/assessments/quizzes/{QUIZ}"
    )
    db.session.expire_all()
    assert db.session.get(Question, question.id).retired is False
    assert len(events("quiz.question_restored", question.id)) == 1


def test_director_changes_quiz_settings_through_the_page(director_client):
    title = quiz().title
    response = director_client.submit(
        f"/assessments/quizzes/{QUIZ}",
        {
            "title": "Renamed quiz",
            "pass_mark_percent": "75",
            "questions_per_attempt": "6",
            "attempt_limit": "4",
            "wait_hours": "12",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    changed = quiz()
    assert (
        changed.title,
        changed.pass_mark_percent,
        changed.questions_per_attempt,
        changed.attempt_limit,
        changed.wait_hours,
    ) == ("Renamed quiz", 75, 6, 4, 12)
    (event,) = events("quiz.settings_changed", changed.id)
    assert event.before["title"] == title
    assert event.before["pass_mark_percent"] == 80
    assert event.after["wait_hours"] == 12
    assert event.actor_id == director_client.person.id


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("single", [("A", True), ("B", True), ("C", False)], "exactly one correct"),
        ("single", [("A", False), ("B", False)], "exactly one correct"),
        ("multiple", [("A", True), ("B", False), ("C", False)], "at least two correct"),
        ("single", [("A", True)], "between 2 and 6 options"),
        ("single", [("A", True), ("   ", False)], "between 2 and 6 options"),
        ("multiple", [(f"Option {n}", n < 3) for n in range(7)], "between 2 and 6 options"),
        ("essay", [("A", True), ("B", False)], "single or multiple"),
    ],
)
def test_invalid_questions_are_refused(director, kind, options, message):
    before = len(quiz().questions)
    data = QuestionInput(kind, "Prompt?", "", options)
    error = refused(add_question, director, quiz(), data)
    assert message in reasons(error)
    question = quiz().questions[0]
    original = [(o.text, o.correct) for o in question.options]
    error = refused(edit_question, director, question, data)
    assert message in reasons(error)
    db.session.expire_all()
    assert len(quiz().questions) == before
    assert [(o.text, o.correct) for o in quiz().questions[0].options] == original
    assert events("quiz.question_added") == []
    assert events("quiz.question_edited") == []


def test_valid_boundary_questions_are_accepted(director):
    add_question(
        director, quiz(), QuestionInput("single", "Two options?", "", [("A", True), ("B", False)])
    )
    six = [(f"Option {n}", n < 2) for n in range(6)]
    add_question(director, quiz(), QuestionInput("multiple", "Six options?", "", six))
    db.session.commit()
    assert len(events("quiz.question_added")) == 2
    assert len(quiz().questions) == 12


def test_invalid_question_through_the_page_changes_nothing(director_client):
    before = len(quiz().questions)
    response = director_client.submit(
        f"/assessments/quizzes/{QUIZ}/questions/new",
        question_form("single", "Two right?", [("A", True), ("B", True)]),
    )
    assert response.status_code == 200
    assert "exactly one correct option" in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(quiz().questions) == before
    assert events("quiz.question_added") == []


GOOD_SETTINGS = {
    "title": "Quiz",
    "pass_mark_percent": 80,
    "questions_per_attempt": 8,
    "attempt_limit": 3,
    "wait_hours": 24,
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Give the quiz a title"),
        ({"pass_mark_percent": 0}, "pass mark is between 1 and 100"),
        ({"pass_mark_percent": 101}, "pass mark is between 1 and 100"),
        ({"questions_per_attempt": 0}, "between 1 and 100 questions"),
        ({"attempt_limit": 0}, "between 1 and 20 attempts"),
        ({"attempt_limit": 21}, "between 1 and 20 attempts"),
        ({"wait_hours": -1}, "Wait between 0 and 1,440 hours"),
        ({"wait_hours": 1441}, "Wait between 0 and 1,440 hours"),
    ],
)
def test_bad_quiz_settings_are_refused(director, changes, message):
    error = refused(update_settings, director, quiz(), QuizSettings(**{**GOOD_SETTINGS, **changes}))
    assert message in reasons(error)
    db.session.expire_all()
    unchanged = quiz()
    assert (unchanged.pass_mark_percent, unchanged.attempt_limit, unchanged.wait_hours) == (
        80,
        3,
        24,
    )
    assert events("quiz.settings_changed") == []


def test_bad_quiz_settings_through_the_page_change_nothing(director_client):
    response = director_client.submit(
        f"/assessments/quizzes/{QUIZ}", {**GOOD_SETTINGS, "pass_mark_percent": "150"}
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert quiz().pass_mark_percent == 80
    assert events("quiz.settings_changed") == []


def test_bank_services_refuse_non_directors(candidate):
    supervisor = make_supervisor()
    question = quiz().questions[0]
    data = QuestionInput("single", "Sneaky?", "", [("A", True), ("B", False)])
    for actor in (candidate, supervisor):
        refused(add_question, actor, quiz(), data)
        refused(edit_question, actor, question, data)
        refused(set_question_retired, actor, question, True)
        refused(update_settings, actor, quiz(), QuizSettings(**GOOD_SETTINGS))
    db.session.expire_all()
    assert db.session.get(Question, question.id).retired is False
    assert db.session.get(Question, question.id).prompt != "Sneaky?"


@pytest.mark.parametrize(
    "maker", [make_candidate, make_supervisor], ids=["candidate", "supervisor"]
)
def test_bank_pages_are_forbidden_to_non_directors(client, maker):
    person = maker()
    login(client, person)
    question = quiz().questions[0]
    pages = [
        "/assessments/quizzes",
        f"/assessments/quizzes/{QUIZ}",
        f"/assessments/quizzes/{QUIZ}/questions/new",
        f"/assessments/questions/{question.id}/edit",
    ]
    for path in pages:
        assert client.get(path).status_code == 403, path
    token = client.form_token(f"/people/{person.id}")
    posts = {
        f"/assessments/quizzes/{QUIZ}": {**GOOD_SETTINGS, "pass_mark_percent": "10"},
        f"/assessments/quizzes/{QUIZ}/questions/new": question_form(prompt="Sneaky?"),
        f"/assessments/questions/{question.id}/edit": question_form(prompt="Sneaky?"),
        f"/assessments/questions/{question.id}/retire": {},
    }
    for path, data in posts.items():
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 403, path
    db.session.expire_all()
    assert quiz().pass_mark_percent == 80
    assert db.session.get(Question, question.id).retired is False
    assert len(quiz().questions) == 10


def test_bank_page_shows_the_key_to_directors(director_client):
    page = director_client.get(f"/assessments/quizzes/{QUIZ}").get_data(as_text=True)
    for question in quiz().questions:
        for option in question.options:
            # The key is read out too: the tick is decoration, "Correct:" is for screen readers.
            mark = (
                '✓</span><span class="visually-hidden">Correct:</span>'
                if option.correct
                else "·</span>"
            )
            assert f"{mark} {escape(option.text)}" in page


# --- query counts -------------------------------------------------------------------------------
def test_my_assessments_page_query_count_does_not_grow_with_attempts(candidate_client):
    person = candidate_client.person
    quizzes = list(db.session.scalars(sa.select(Quiz).order_by(Quiz.code)))
    assert len(quizzes) == 7
    insert_attempt(person, quizzes[0], score=50, hours_ago=100)
    small = count_queries(lambda: candidate_client.get("/assessments/"))
    for n in range(19):
        insert_attempt(person, quizzes[(n + 1) % 7], score=25 + 5 * (n % 12), hours_ago=99 - n)
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(QuizAttempt.person_id == person.id))
        == 20
    )
    large = count_queries(lambda: candidate_client.get("/assessments/"))
    assert large == small


def test_my_assessments_page_shows_standings(candidate_client):
    person = candidate_client.person
    passed = submitted(person, 8)
    backdate(passed, hours=2)
    complete_module(person, quiz().module)  # AIRM-102 builds on it
    db.session.commit()
    failed = submitted(person, 5, "AIRM-102-Q")
    assert failed.score_percent == 62  # 5 of 8, rounded half to even
    page = candidate_client.get("/assessments/").get_data(as_text=True)
    assert "100 %" in page
    assert "62 %" in page
    assert "✓ Passed" in page
    assert "Next try after" in page


def test_a_retired_quiz_cannot_be_started(candidate):
    retired = quiz()
    retired.retired = True
    db.session.commit()
    error = refused(start_attempt, candidate, quiz())
    assert "retired" in reasons(error)
    assert attempts_of(candidate) == []
