"""Assessment pages for candidates and supervisors: quizzes, case presentations,
competency evaluations."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from airm_training.access.needs import CANDIDATE, SUPERVISOR
from airm_training.access.supervision import supervisors_query
from airm_training.assessments import workflow
from airm_training.assessments.case_rubric import case_rubric
from airm_training.assessments.cases import (
    CaseInput,
    GradeInput,
    can_view_case,
    grade_case,
    grading_queue,
    resubmit_case,
    submit_case,
)
from airm_training.assessments.evaluations import (
    EvaluationInput,
    can_view_evaluation,
    evaluations_of,
    programme_rubric,
    submit_evaluation,
)
from airm_training.assessments.forms import (
    CaseForm,
    EvaluationForm,
    GradeForm,
    RevisionForm,
    grade_form,
)
from airm_training.assessments.models import (
    AttemptStatus,
    CasePresentation,
    CaseStatus,
    CaseVersion,
    CompetencyEvaluation,
    Quiz,
    QuizAttempt,
)
from airm_training.assessments.quizzes import (
    locks,
    public_items,
    standings,
    start_attempt,
    submit_attempt,
)
from airm_training.core.forms import (
    ActionForm,
)
from airm_training.core.input import id_value, id_values
from airm_training.core.permissions import requires
from airm_training.core.work import unit_of_work
from airm_training.curriculum.services import enrolled_candidates
from airm_training.extensions import db
from airm_training.notifications.links import register_target
from airm_training.people.models import Person
from airm_training.privacy.services import confirm_form
from airm_training.programme.services import taxonomy

bp = Blueprint("assessments", __name__, url_prefix="/assessments")
register_target("case_presentation", "assessments.case", "case_id")
register_target("competency_evaluation", "assessments.evaluation", "evaluation_id")
bp.add_app_template_global(workflow, "case_workflow")  # what the case page offers


def _active_quizzes() -> list[Quiz]:
    return list(
        db.session.scalars(sa.select(Quiz).where(Quiz.retired.is_(False)).order_by(Quiz.code))
    )


# --- the candidate's overview --------------------------------------------------------------
# What ``?show=`` narrows the overview to: the two kinds of assessment waiting for the
# candidate (the home page's next steps open them).
SHOWN = {
    "revise": "case presentations to revise",
    "started": "quizzes started, not submitted",
}


@bp.route("/")
@requires(CANDIDATE)
def mine():
    show = request.args.get("show")
    show = show if show in SHOWN else None
    quizzes = _active_quizzes()
    quiz_standings = standings(current_user, quizzes)
    if show == "started":
        quizzes = [quiz for quiz in quizzes if quiz_standings[quiz.id].open_attempt_id]
    cases = sa.select(CasePresentation).where(CasePresentation.person_id == current_user.id)
    if show == "revise":
        cases = cases.where(CasePresentation.status == CaseStatus.REVISE.value)
    return render_template(
        "assessments/mine.html",
        show=show,
        shown=SHOWN.get(show or ""),
        quizzes=quizzes,
        standings=quiz_standings,
        locks=locks(current_user, quizzes),
        cases=list(db.session.scalars(cases.order_by(CasePresentation.created_at.desc()))),
        evaluations=evaluations_of(current_user.id),
        action_form=ActionForm(),
    )


# --- quizzes -------------------------------------------------------------------------------
@bp.route("/quizzes/<code>/start", methods=["POST"])
@requires(CANDIDATE)
def start_quiz(code: str):
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.code == code)) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work() as work:
        attempt = start_attempt(current_user, quiz)
    if not work.ok:
        return redirect(url_for("assessments.mine"))
    return redirect(url_for("assessments.attempt", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@requires(CANDIDATE)
def attempt(attempt_id: int):
    attempt = db.get_or_404(QuizAttempt, attempt_id)
    if attempt.person_id != current_user.id:
        abort(403)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        answers = {
            item.position: id_values(request.form.getlist(f"q{item.position}"))
            for item in attempt.items
        }
        with unit_of_work() as work:
            submit_attempt(current_user, attempt, answers)
        if work.ok:
            verdict = "passed" if attempt.passed else "did not pass"
            flash(
                f"You scored {attempt.score_percent} % and {verdict}.",
                "success" if attempt.passed else "warning",
            )
        return redirect(url_for("assessments.attempt", attempt_id=attempt.id))
    if attempt.status == AttemptStatus.OPEN:
        return render_template(
            "assessments/attempt.html", attempt=attempt, items=public_items(attempt), form=form
        )
    return render_template("assessments/result.html", attempt=attempt)


# --- case presentations ----------------------------------------------------------------------
def _case_form() -> CaseForm:
    form = CaseForm()
    form.supervisor.choices = [
        SelectChoice(p.id, p.display_name)
        for p in db.session.scalars(supervisors_query())
        if p.id != current_user.id
    ]
    terms = taxonomy()
    form.bond_type.choices = [SelectChoice(b, b) for b in terms.bond_types]
    form.modalities.choices = [SelectChoice(m, m) for m in sorted(terms.modalities)]
    return form


@bp.route("/cases/new", methods=["GET", "POST"])
@requires(CANDIDATE)
def new_case():
    form = _case_form()
    if form.validate_on_submit():
        data = form.to_input()
        with unit_of_work(form) as work:
            presentation = submit_case(current_user, data, bond_types=set(taxonomy().bond_types))
            confirm_form(form, "case_presentation", presentation.id, actor_id=current_user.id)
        if work.ok:
            flash("Case presentation submitted for grading.", "success")
            _flash_pdf_cleaning(data)
            return redirect(url_for("assessments.case", case_id=presentation.id))
    return render_template("assessments/case_form.html", form=form)


def _flash_pdf_cleaning(data: CaseInput) -> None:
    if data.pdf_removed:
        flash(
            f"Your PDF was cleaned before it was stored: removed {', '.join(data.pdf_removed)}.",
            "warning",
        )


def _case_or_403(case_id: int) -> CasePresentation:
    presentation = db.get_or_404(CasePresentation, case_id)
    if not can_view_case(current_user, presentation):
        abort(403)
    return presentation


@bp.route("/cases/<int:case_id>")
def case(case_id: int):
    rubric = case_rubric()
    return _case_page(_case_or_403(case_id), grade_form(rubric), rubric)


def _case_page(presentation: CasePresentation, form: GradeForm, rubric):
    return render_template(
        "assessments/case.html",
        presentation=presentation,
        grade_form=form,
        rubric=rubric.criteria,
        pass_minimum=rubric.pass_minimum_name,
    )


@bp.route("/cases/<int:case_id>/revise", methods=["GET", "POST"])
@requires(CANDIDATE)
def revise_case(case_id: int):
    presentation = _case_or_403(case_id)
    if presentation.person_id != current_user.id:
        abort(403)
    form = RevisionForm()
    if request.method == "GET" and presentation.versions:
        form.text.data = presentation.versions[-1].text
    if form.validate_on_submit():
        upload = form.pdf.data
        data = _revision_input(presentation, form, upload)
        with unit_of_work(form) as work:
            resubmit_case(current_user, presentation, data, bond_types=set(taxonomy().bond_types))
            confirm_form(form, "case_presentation", presentation.id, actor_id=current_user.id)
        if work.ok:
            flash("New version submitted for grading.", "success")
            _flash_pdf_cleaning(data)
            return redirect(url_for("assessments.case", case_id=presentation.id))
    return render_template("assessments/revise.html", form=form, presentation=presentation)


def _revision_input(presentation: CasePresentation, form: RevisionForm, upload):
    content = upload.read() if upload else None
    return CaseInput(
        title=presentation.title,
        stages=list(presentation.stages),
        bond_type=presentation.bond_type,
        modalities=list(presentation.modalities),
        text=form.text.data or "",
        deidentified_confirmed=bool(form.deidentified.data),
        pdf=content or None,
        pdf_filename=upload.filename if upload else None,
    )


@bp.route("/cases/<int:case_id>/versions/<int:number>.pdf")
def case_pdf(case_id: int, number: int):
    presentation = _case_or_403(case_id)
    version = db.session.scalar(
        sa.select(CaseVersion).where(
            CaseVersion.presentation_id == presentation.id, CaseVersion.number == number
        )
    )
    if version is None or version.pdf is None:
        abort(404)
    return Response(
        version.pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="case-{case_id}-v{number}.pdf"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.route("/cases/<int:case_id>/grade", methods=["POST"])
@requires(SUPERVISOR)
def grade(case_id: int):
    presentation = _case_or_403(case_id)
    rubric = case_rubric()
    form = grade_form(rubric)
    if not form.validate_on_submit():
        return _case_page(presentation, form, rubric)
    data = GradeInput(
        grade=form.grade.data,
        feedback=form.feedback.data,
        rubric={code: form[f"rubric_{code}"].data for code, _ in rubric.criteria},
    )
    with unit_of_work(form) as work:
        grade_case(current_user, presentation, data)
        confirm_form(form, "case_presentation", presentation.id, actor_id=current_user.id)
    if not work.ok:
        return _case_page(presentation, form, rubric)
    flash("Grade recorded; the candidate sees it now.", "success")
    return redirect(url_for("assessments.grading"))


@bp.route("/grading")
@requires(SUPERVISOR)
def grading():
    return render_template(
        "assessments/grading.html",
        waiting=list(db.session.scalars(grading_queue(current_user.id))),
    )


# --- competency evaluations --------------------------------------------------------------------
@bp.route("/evaluations/new", methods=["GET", "POST"])
@requires(SUPERVISOR)
def new_evaluation():
    rubric = programme_rubric()
    form = EvaluationForm()
    form.candidate.choices = [
        SelectChoice(p.id, p.display_name) for p in enrolled_candidates() if p.id != current_user.id
    ]
    form.privacy_extra = {
        f"comment_{item.code}": (item.name, request.form.get(f"comment_{item.code}"))
        for item in rubric.items
    }
    if request.method == "GET" and request.args.get("candidate", type=id_value):
        form.candidate.data = request.args.get("candidate", type=id_value)
    if form.validate_on_submit():
        candidate = db.get_or_404(Person, form.candidate.data)
        data = EvaluationInput(
            session_date=form.session_date.data,
            observation=form.observation.data,
            ratings={
                item.code: request.form.get(f"rating_{item.code}", type=int)
                for item in rubric.items
            },
            comments={
                item.code: request.form.get(f"comment_{item.code}", "") for item in rubric.items
            },
            overall_comment=form.overall_comment.data or "",
        )
        with unit_of_work(form) as work:
            evaluation = submit_evaluation(current_user, candidate, data)
            confirm_form(form, "competency_evaluation", evaluation.id, actor_id=current_user.id)
        if work.ok:
            flash("Evaluation submitted. The candidate can read it now.", "success")
            return redirect(url_for("assessments.evaluation", evaluation_id=evaluation.id))
    return render_template("assessments/evaluation_form.html", form=form, rubric=rubric)


@bp.route("/evaluations/<int:evaluation_id>")
def evaluation(evaluation_id: int):
    evaluation = db.get_or_404(CompetencyEvaluation, evaluation_id)
    if not can_view_evaluation(current_user, evaluation):
        abort(403)
    return render_template(
        "assessments/evaluation.html", evaluation=evaluation, rubric=programme_rubric()
    )
