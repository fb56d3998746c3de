"""Public verification of certificates and transcripts: no login, nothing private,
rate-limited."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from airm_training.core.clock import local_date
from airm_training.core.permissions import public
from airm_training.extensions import db, limiter
from airm_training.progression.models import Certificate, IssuedTranscript
from airm_training.progression.services import verification_status
from airm_training.progression.transcripts import find_transcript
from airm_training.verifiable.forms import CheckForm

bp = Blueprint("verify", __name__, url_prefix="/verify")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,40}$")


def _limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


def _public_view(certificate: Certificate) -> dict:
    """Only what a certificate itself shows, plus its status."""
    return {
        "status": verification_status(certificate),
        "serial": certificate.serial,
        "holder": certificate.holder_name,
        "credential": f"{certificate.level_name} ({certificate.level_code})",
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else None,
        "issuer": certificate.organisation,
        "issued_by": certificate.issuer_name,
        "revoked_on": (
            local_date(certificate.revoked_at).isoformat() if certificate.revoked_at else None
        ),
    }


def _find(code: str) -> Certificate | None:
    if not CODE_PATTERN.match(code):
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.verification_code == code))


@bp.route("/")
@public
@limiter.limit(_limit)
def form():
    code = (request.args.get("code") or "").strip()
    if code:
        return redirect(url_for("verify.show", code=code))
    return render_template("verify/form.html", form=CheckForm())


def _find_transcript(code: str) -> IssuedTranscript | None:
    return find_transcript(code) if CODE_PATTERN.match(code) else None


def _transcript_view(transcript: IssuedTranscript) -> dict:
    """Only what the transcript's pages print about itself."""
    return {
        "status": "issued",
        "document": "transcript",
        "holder": transcript.holder_name,
        "issuer": transcript.organisation,
        "generated_on": transcript.generated_on.isoformat(),
        "reference": transcript.reference,
    }


@bp.route("/<code>")
@public
@limiter.limit(_limit)
def show(code: str):
    """A certificate's standing, or what a transcript with this code printed."""
    certificate = _find(code)
    if certificate is not None:
        return render_template(
            "verify/show.html", view=_public_view(certificate), code=certificate.verification_code
        )
    transcript = _find_transcript(code)
    if transcript is not None:
        return render_template("verify/transcript.html", view=_transcript_view(transcript))
    return render_template("verify/not_found.html"), 404


@bp.route("/<code>.json")
@public
@limiter.limit(_limit)
def show_json(code: str):
    certificate = _find(code)
    if certificate is not None:
        return jsonify(_public_view(certificate))
    transcript = _find_transcript(code)
    if transcript is not None:
        return jsonify(_transcript_view(transcript))
    return jsonify(status="not-found"), 404
