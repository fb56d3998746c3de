"""The verification of supervised hours: issuing one for a period, its page and downloads
(the holder and directors), and its public page (anyone with the code)."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from airm_training.access.needs import LOGS_HOURS, can_view_person
from airm_training.core.clock import local_date, today
from airm_training.core.db import writes
from airm_training.core.permissions import public, requires
from airm_training.core.work import unit_of_work
from airm_training.documents.hours_verification import HoursVerificationPdf
from airm_training.documents.paper import configured_paper
from airm_training.extensions import db, limiter
from airm_training.records.exports import pdf_data, verification_csv, verification_url
from airm_training.records.forms import VerificationForm
from airm_training.records.models import HoursVerification
from airm_training.records.verification import (
    default_range,
    find_by_code,
    issue_verification,
    public_state,
    verifications_of,
)
from airm_training.verifiable.models import PdfKind
from airm_training.verifiable.services import issue_signed_pdf

bp = Blueprint("records", __name__, url_prefix="/records")
public_bp = Blueprint("records_public", __name__, url_prefix="/verify/hours")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,40}$")


def _verification_or_403(verification_id: int) -> HoursVerification:
    verification = db.get_or_404(HoursVerification, verification_id)
    if not can_view_person(current_user, verification.person):
        abort(403)
    return verification


@bp.route("/hours-verification", methods=["GET", "POST"])
@requires(LOGS_HOURS)
def hours_verification():
    form = VerificationForm()
    if not form.is_submitted():
        form.starts_on.data, form.ends_on.data = default_range(today())
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            verification = issue_verification(
                current_user, form.starts_on.data, form.ends_on.data, actor=current_user
            )
        if work.ok:
            return redirect(url_for("records.show", verification_id=verification.id))
    return render_template(
        "records/hours_verification.html",
        form=form,
        issued=verifications_of(current_user.id),
    )


@bp.route("/hours-verification/<int:verification_id>")
def show(verification_id: int):
    verification = _verification_or_403(verification_id)
    return render_template(
        "records/verification.html",
        verification=verification,
        view=_public_view(verification),
        url=verification_url(verification),
    )


@bp.route("/hours-verification/<int:verification_id>.pdf")
@writes  # the digest of each PDF handed out is recorded, for the public check
def pdf(verification_id: int):
    verification = _verification_or_403(verification_id)
    with unit_of_work() as work:
        signed = issue_signed_pdf(
            HoursVerificationPdf(pdf_data(verification), configured_paper()).get_pdf(),
            PdfKind.HOURS_VERIFICATION,
            person_id=verification.person_id,
            certificate_id=None,
            reason=f"Verification of supervised hours {verification.code}",
        )
    if not work.ok:
        return redirect(url_for("records.show", verification_id=verification.id))
    return _download(signed, verification, "pdf")


@bp.route("/hours-verification/<int:verification_id>.csv")
def csv(verification_id: int):
    verification = _verification_or_403(verification_id)
    return _download(verification_csv(verification), verification, "csv")


def _download(content, verification: HoursVerification, extension: str) -> Response:
    filename = (
        f"airm-hours-verification-{verification.starts_on}-{verification.ends_on}"
        f"-v{verification.version}.{extension}"
    )
    return Response(
        content,
        mimetype="application/pdf" if extension == "pdf" else "text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- public --------------------------------------------------------------------------------
def _limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _public_view(verification: HoursVerification) -> dict:
    """What the document itself states (its totals, holder and issuer), and whether the
    record still matches it; nothing else."""
    state = public_state(verification)
    snapshot = verification.snapshot
    return {
        "status": "current" if state.current else "changed",
        "holder": snapshot["holder"]["name"],
        "issuer": snapshot["organisation"],
        "issued_on": local_date(verification.issued_at).isoformat(),
        "starts_on": verification.starts_on.isoformat(),
        "ends_on": verification.ends_on.isoformat(),
        "version": verification.version,
        "newer_version": state.newer_version,
        "newer_issued_on": state.newer_issued_on.isoformat() if state.newer_issued_on else None,
        "total_minutes": verification.total_minutes,
        "sessions": verification.session_count,
        "by_category": [
            {"category": g["name"], "minutes": g["minutes"], "sessions": g["sessions"]}
            for g in snapshot["totals"]["by_category"]
        ],
        "by_supervisor": [
            {"supervisor": g["name"], "minutes": g["minutes"], "sessions": g["sessions"]}
            for g in snapshot["totals"]["by_supervisor"]
        ],
    }


def _find(code: str) -> HoursVerification | None:
    return find_by_code(code) if CODE_PATTERN.match(code) else None


@public_bp.route("/<code>", endpoint="show")
@public
@limiter.limit(_limit)
def show_public(code: str):
    verification = _find(code)
    if verification is None:
        return render_template("verify/not_found.html"), 404
    return render_template("records/verify.html", view=_public_view(verification), code=code)


@public_bp.route("/<code>.json")
@public
@limiter.limit(_limit)
def show_json(code: str):
    verification = _find(code)
    if verification is None:
        return jsonify(status="not-found"), 404
    return jsonify(_public_view(verification))
