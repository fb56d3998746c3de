"""Directors' pages for the question bank: quiz settings and questions."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from airm_training.access.needs import DIRECTOR
from airm_training.assessments.bank import (
    add_question,
    edit_question,
    set_question_retired,
    update_settings,
)
from airm_training.assessments.forms import ExtraAttemptForm, QuestionForm, QuizSettingsForm
from airm_training.assessments.models import Question, Quiz
from airm_training.assessments.quizzes import allow_extra_attempt, out_of_attempts
from airm_training.assessments.routes import bp
from airm_training.core.forms import ActionForm, flash_form_errors
from airm_training.core.permissions import requires
from airm_training.core.work import unit_of_work
from airm_training.extensions import db
from airm_training.people.models import Person


def _quiz_or_404(code: str) -> Quiz:
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.code == code))
    if quiz is None:
        abort(404)
    return quiz


@bp.route("/quizzes")
@requires(DIRECTOR)
def quizzes():
    counts = dict(
        db.session.execute(
            sa.select(Question.quiz_id, sa.func.count())
            .where(Question.retired.is_(False))
            .group_by(Question.quiz_id)
        ).all()
    )
    all_quizzes = db.session.scalars(sa.select(Quiz).order_by(Quiz.code)).all()
    return render_template("assessments/quizzes.html", quizzes=all_quizzes, counts=counts)


@bp.route("/quizzes/<code>", methods=["GET", "POST"])
@requires(DIRECTOR)
def quiz_bank(code: str):
    quiz = _quiz_or_404(code)
    form = QuizSettingsForm(obj=quiz if request.method == "GET" else None)
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            update_settings(current_user, quiz, form.to_settings())
        if work.ok:
            flash("Quiz settings saved.", "success")
            return redirect(url_for("assessments.quiz_bank", code=quiz.code))
    return render_template(
        "assessments/quiz_bank.html",
        quiz=quiz,
        form=form,
        action_form=ActionForm(),
        extra_form=ExtraAttemptForm(),
        out_of_attempts=out_of_attempts(quiz),
    )


@bp.route("/quizzes/<code>/extra-attempt", methods=["POST"])
@requires(DIRECTOR)
def extra_attempt(code: str):
    quiz = _quiz_or_404(code)
    form = ExtraAttemptForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("assessments.quiz_bank", code=quiz.code))
    person = db.session.get(Person, form.person.data)
    if person is None:
        abort(404)
    with unit_of_work() as work:
        allow_extra_attempt(current_user, person, quiz, form.reason.data or "")
    if work.ok:
        flash(f"{person.full_name} may try {quiz.title} once more.", "success")
    return redirect(url_for("assessments.quiz_bank", code=quiz.code))


@bp.route("/quizzes/<code>/questions/new", methods=["GET", "POST"])
@requires(DIRECTOR)
def new_question(code: str):
    quiz = _quiz_or_404(code)
    form = QuestionForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            add_question(current_user, quiz, form.to_input())
        if work.ok:
            flash("Question added.", "success")
            return redirect(url_for("assessments.quiz_bank", code=quiz.code))
    return render_template("assessments/question_form.html", form=form, quiz=quiz, question=None)


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@requires(DIRECTOR)
def edit_question_page(question_id: int):
    question = db.get_or_404(Question, question_id)
    form = QuestionForm()
    if request.method == "GET":
        form.kind.data = question.kind
        form.prompt.data = question.prompt
        form.explanation.data = question.explanation
        for entry, option in zip(form.options, question.options, strict=False):
            entry.form.text.data = option.text
            entry.form.correct.data = option.correct
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            edit_question(current_user, question, form.to_input())
        if work.ok:
            flash("Question saved. Past attempts keep the version they were shown.", "success")
            return redirect(url_for("assessments.quiz_bank", code=question.quiz.code))
    return render_template(
        "assessments/question_form.html", form=form, quiz=question.quiz, question=question
    )


@bp.route("/questions/<int:question_id>/<any(retire, restore):action>", methods=["POST"])
@requires(DIRECTOR)
def retire_question(question_id: int, action: str):
    question = db.get_or_404(Question, question_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work() as work:
        set_question_retired(current_user, question, action == "retire")
    if work.ok:
        flash("Question retired." if action == "retire" else "Question restored.", "success")
    return redirect(url_for("assessments.quiz_bank", code=question.quiz.code))
