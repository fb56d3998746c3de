"""Progression pages: applying, endorsing, the board's votes, issuing, certificates."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from airm_training.access.needs import CANDIDATE, CO_CREATOR, DIRECTOR, SUPERVISOR
from airm_training.access.supervision import supervisors_query
from airm_training.core.db import writes
from airm_training.core.forms import (
    ActionForm,
    flash_form_errors,
)
from airm_training.core.pagination import paginate
from airm_training.core.permissions import requires
from airm_training.core.urls import external_url
from airm_training.core.work import unit_of_work
from airm_training.documents.certificate import CertificatePdf
from airm_training.documents.evidence import EvidencePdf
from airm_training.documents.paper import configured_paper
from airm_training.documents.transcript import TranscriptPdf
from airm_training.extensions import db
from airm_training.notifications.links import register_target
from airm_training.people.models import Person
from airm_training.privacy.services import confirm_form
from airm_training.progression import workflow
from airm_training.progression.documents import certificate_data, evidence_data
from airm_training.progression.due import evaluations_due
from airm_training.progression.engine import evaluate, next_level
from airm_training.progression.forms import (
    ApplyForm,
    EndorseForm,
    ReinstateForm,
    RevokeForm,
    VoteForm,
)
from airm_training.progression.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Certificate,
)
from airm_training.progression.reinstatement import (
    apply_for_reinstatement,
    award_condition,
    reinstate,
    reinstatement_standing,
)
from airm_training.progression.renewal import renew, request_renewal
from airm_training.progression.services import (
    apply,
    can_view_application,
    can_view_certificate,
    endorse,
    issue,
    open_application,
    revoke,
    standing_for,
    verification_status,
    vote,
)
from airm_training.progression.transcripts import issue_transcript
from airm_training.verifiable.models import PdfKind
from airm_training.verifiable.services import issue_signed_pdf, linkedin_url, signed_credential_of

bp = Blueprint("progression", __name__, url_prefix="/progression")
register_target("application", "progression.application", "application_id")
register_target("certificate", "progression.certificate", "certificate_id")
register_target("reinstatement", "progression.reinstatement_page", "person_id")  # no id: one's own
register_target("apply", "progression.apply_page", "person_id")  # no id: one's own
bp.add_app_template_global(workflow, "progression_workflow")  # what the pages offer
bp.add_app_template_global(award_condition)


def _application_or_403(application_id: int) -> Application:
    application = db.get_or_404(Application, application_id)
    if not can_view_application(current_user, application):
        abort(403)
    return application


@bp.route("/apply", methods=["GET", "POST"])
@requires(CANDIDATE)
def apply_page():
    rules = next_level(current_user)
    if rules is None:
        flash("There is no next level to apply for.", "info")
        return redirect(url_for("main.candidate_home"))
    existing = open_application(current_user.id)
    if existing is not None:
        return redirect(url_for("progression.application", application_id=existing.id))
    standing = evaluate(current_user, rules)
    form = ApplyForm()
    form.endorser.choices = [
        SelectChoice(p.id, p.display_name)
        for p in db.session.scalars(supervisors_query())
        if p.id != current_user.id
    ]
    if form.validate_on_submit():
        with unit_of_work(form, conflict="You already have an application in progress.") as work:
            application = apply(
                current_user, endorser_id=form.endorser.data, statement=form.statement.data or ""
            )
            confirm_form(form, "application", application.id, actor_id=current_user.id)
        if work.ok:
            flash("Application submitted. Your endorser has been asked to review it.", "success")
            return redirect(url_for("progression.application", application_id=application.id))
    return render_template("progression/apply.html", form=form, standing=standing, rules=rules)


@bp.route("/applications/<int:application_id>")
def application(application_id: int):
    return _application_page(_application_or_403(application_id))


def _application_page(application: Application, **forms):
    """The application's page; ``forms`` replaces a decision form that waits for its
    privacy confirmation."""
    return render_template(
        "progression/application.html",
        application=application,
        standing=standing_for(application),
        endorse_form=forms.get("endorse_form") or EndorseForm(),
        vote_form=forms.get("vote_form") or VoteForm(),
        action_form=ActionForm(),
    )


def _record_decision(application_id: int, form, action, done: str, form_name: str):
    """Validate a decision form on the application page, run ``action(application,
    form)`` in one transaction and come back to the page with the outcome."""
    application = _application_or_403(application_id)
    back = redirect(url_for("progression.application", application_id=application_id))
    if not form.validate_on_submit():
        if form.privacy_pending:
            return _application_page(application, **{form_name: form})
        flash_form_errors(form)
        return back
    with unit_of_work(conflict="Your decision on this application is already recorded.") as work:
        action(application, form)
        confirm_form(form, "application", application.id, actor_id=current_user.id)
    if work.ok:
        flash(done, "success")
    return back


@bp.route("/applications/<int:application_id>/endorse", methods=["POST"])
@requires(SUPERVISOR)
def endorse_application(application_id: int):
    return _record_decision(
        application_id,
        EndorseForm(),
        lambda application, form: endorse(
            current_user,
            application,
            endorse=form.decision.data == "endorse",
            reason=form.reason.data or "",
        ),
        "Your decision is recorded.",
        "endorse_form",
    )


@bp.route("/applications/<int:application_id>/vote", methods=["POST"])
@requires(CO_CREATOR)
def vote_application(application_id: int):
    return _record_decision(
        application_id,
        VoteForm(),
        lambda application, form: vote(
            current_user,
            application,
            approve=form.decision.data == "approve",
            comment=form.comment.data or "",
        ),
        "Your vote is recorded.",
        "vote_form",
    )


@bp.route("/applications/<int:application_id>/issue", methods=["POST"])
@requires(DIRECTOR)
def issue_application(application_id: int):
    application = _application_or_403(application_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work(conflict="This application has already been issued.") as work:
        certificate = issue(current_user, application)
    if not work.ok:
        return redirect(url_for("progression.application", application_id=application_id))
    flash(f"Issued certificate {certificate.serial}.", "success")
    return redirect(url_for("progression.certificate", certificate_id=certificate.id))


@bp.route("/endorsements")
@requires(SUPERVISOR)
def endorsements():
    waiting = db.session.scalars(
        sa.select(Application)
        .where(
            Application.endorser_id == current_user.id,
            Application.status == ApplicationStatus.SUBMITTED.value,
        )
        .options(selectinload(Application.person))
        .order_by(Application.submitted_at)
    ).all()
    return render_template("progression/endorsements.html", waiting=waiting)


@bp.route("/evaluations-due")
@requires(SUPERVISOR)
def evaluations_due_list():
    """Supervisees whose next level asks for a competency evaluation, longest enrolled
    first; each with a link to the evaluation form for them."""
    return render_template("progression/evaluations_due.html", due=evaluations_due(current_user.id))


@bp.route("/issuing")
@requires(DIRECTOR)
def issuing():
    approved = db.session.scalars(
        sa.select(Application)
        .where(
            sa.or_(
                Application.status == ApplicationStatus.APPROVED.value,
                sa.and_(
                    Application.kind == ApplicationKind.RENEW.value,
                    Application.status == ApplicationStatus.SUBMITTED.value,
                ),
            )
        )
        .options(selectinload(Application.person), selectinload(Application.level))
        # waiting longest first: since approval, or since a renewal was asked for
        .order_by(
            sa.func.coalesce(Application.decided_at, Application.submitted_at), Application.id
        )
    ).all()
    certificates = paginate(sa.select(Certificate).order_by(Certificate.id.desc()), per_page=25)
    return render_template(
        "progression/issuing.html",
        approved=approved,
        certificates=certificates,
        status_of=verification_status,
    )


# --- certificates ------------------------------------------------------------------------
def _certificate_or_403(certificate_id: int) -> Certificate:
    certificate = db.get_or_404(Certificate, certificate_id)
    if not can_view_certificate(current_user, certificate):
        abort(403)
    return certificate


@bp.route("/certificates/<int:certificate_id>")
def certificate(certificate_id: int):
    certificate = _certificate_or_403(certificate_id)
    return render_template(
        "progression/certificate.html",
        certificate=certificate,
        status=verification_status(certificate),
        verify_url=external_url("verify.show", code=certificate.verification_code),
        signed=signed_credential_of(certificate),
        linkedin_url=linkedin_url(certificate),
        revoke_form=RevokeForm(),
    )


@bp.route("/certificates/<int:certificate_id>.pdf")
@writes  # the digest of each PDF handed out is recorded, for the public check
def certificate_pdf(certificate_id: int):
    certificate = _certificate_or_403(certificate_id)
    with unit_of_work() as work:
        pdf = issue_signed_pdf(
            CertificatePdf(certificate_data(certificate), configured_paper()).get_pdf(),
            PdfKind.CERTIFICATE,
            person_id=certificate.holder_id,
            certificate_id=certificate.id,
            reason=f"Certificate {certificate.serial}",
        )
    if not work.ok:
        return redirect(url_for("progression.certificate", certificate_id=certificate.id))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{certificate.serial}.pdf"'},
    )


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["POST"])
@requires(DIRECTOR)
def revoke_certificate(certificate_id: int):
    certificate = _certificate_or_403(certificate_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work() as work:
        revoke(current_user, certificate, form.reason.data or "")
    if work.ok:
        flash(
            f"Certificate {certificate.serial} revoked. The verification page says so now.",
            "success",
        )
    return redirect(url_for("progression.certificate", certificate_id=certificate_id))


@bp.route("/transcript.pdf")
@writes  # each transcript handed out is recorded, with the digest of its PDF
def my_transcript():
    return _transcript_response(current_user)


@bp.route("/people/<int:person_id>/transcript.pdf")
@writes  # each transcript handed out is recorded, with the digest of its PDF
@requires(DIRECTOR)
def transcript_of(person_id: int):
    return _transcript_response(db.get_or_404(Person, person_id))


def _transcript_response(person: Person) -> Response:
    with unit_of_work() as work:
        pdf = issue_signed_pdf(
            TranscriptPdf(issue_transcript(person), configured_paper()).get_pdf(),
            PdfKind.TRANSCRIPT,
            person_id=person.id,
            certificate_id=None,
            reason=f"Transcript of {person.display_name}",
        )
    if not work.ok:
        return redirect(url_for("main.home"))
    filename = f"airm-transcript-{person.id}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- renewal ---------------------------------------------------------------------------------
@bp.route("/renewal", methods=["POST"])
def request_renewal_page():
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work(conflict="You already have an application in progress.") as work:
        application = request_renewal(current_user)
    if not work.ok:
        return redirect(url_for("main.home"))
    flash("Renewal requested. A director will renew your credential.", "success")
    return redirect(url_for("progression.application", application_id=application.id))


@bp.route("/applications/<int:application_id>/renew", methods=["POST"])
@requires(DIRECTOR)
def renew_application(application_id: int):
    application = _application_or_403(application_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work() as work:
        certificate = renew(current_user, application)
    if not work.ok:
        return redirect(url_for("progression.application", application_id=application_id))
    flash(f"Renewed: certificate {certificate.serial} replaces the previous one.", "success")
    return redirect(url_for("progression.certificate", certificate_id=certificate.id))


# --- reinstatement after a lapse ------------------------------------------------------------
@bp.route("/reinstatement", methods=["GET", "POST"])
def reinstatement_page():
    """The lapsed credential's reinstatement requirements, and the application to the
    board once they are met."""
    existing = open_application(current_user.id)
    if existing is not None:
        return redirect(url_for("progression.application", application_id=existing.id))
    reinstatement = reinstatement_standing(current_user)
    if reinstatement is None:
        flash("You hold no lapsed credential to reinstate.", "info")
        return redirect(url_for("main.home"))
    form = ReinstateForm()
    if form.validate_on_submit():
        with unit_of_work(form, conflict="You already have an application in progress.") as work:
            application = apply_for_reinstatement(current_user, statement=form.statement.data or "")
            confirm_form(form, "application", application.id, actor_id=current_user.id)
        if work.ok:
            flash("Reinstatement requested. The co-creators' board will vote on it.", "success")
            return redirect(url_for("progression.application", application_id=application.id))
    return render_template("progression/reinstatement.html", form=form, reinstatement=reinstatement)


@bp.route("/applications/<int:application_id>/reinstate", methods=["POST"])
@requires(DIRECTOR)
def reinstate_application(application_id: int):
    application = _application_or_403(application_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work() as work:
        certificate = reinstate(current_user, application)
    if not work.ok:
        return redirect(url_for("progression.application", application_id=application_id))
    flash(f"Reinstated: certificate {certificate.serial} replaces the lapsed one.", "success")
    return redirect(url_for("progression.certificate", certificate_id=certificate.id))


@bp.route("/applications/<int:application_id>/evidence.pdf")
def evidence_pdf(application_id: int):
    application = _application_or_403(application_id)
    return Response(
        EvidencePdf(evidence_data(application)).get_pdf(),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="evidence-{application.id}.pdf"'},
    )
