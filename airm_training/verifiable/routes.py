"""Public, machine-readable endpoints: the issuer's DID document and JWKS, the status list,
each certificate's credential in both forms, and the check of anything a person holds."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from airm_training.core.permissions import public
from airm_training.extensions import db, limiter
from airm_training.progression.models import Certificate
from airm_training.progression.verify import CODE_PATTERN
from airm_training.verifiable import did
from airm_training.verifiable.checking import verify_pdf, verify_text
from airm_training.verifiable.forms import CheckForm
from airm_training.verifiable.services import (
    key_store,
    public_base,
    signed_credential_of,
    signed_status_list,
    status_list_jwt,
)

bp = Blueprint("verifiable", __name__)
PDF_MAGIC = b"%PDF-"
JSON_LD = "application/ld+json"
VC_JWT = "application/vc+jwt"


def _limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


@bp.route("/.well-known/did.json")
@public
def did_json():
    """The ``did:web`` document (only meaningful on an HTTPS public base URL)."""
    issuer = did.did_web(public_base())
    if issuer is None:
        abort(404)
    return jsonify(did.did_document(issuer, key_store().key_sets()))


@bp.route("/.well-known/jwks.json")
@public
def jwks():
    return jsonify(did.jwks(key_store().key_sets()))


@bp.route("/credentials/status/<int:list_no>")
@public
def status_list(list_no: int):
    """The revocation list; as a VC-JWT when the client asks for ``application/vc+jwt``."""
    if list_no > 10_000:
        abort(404)
    if request.accept_mimetypes.best_match([JSON_LD, VC_JWT]) == VC_JWT:
        return Response(status_list_jwt(list_no), mimetype=VC_JWT)
    body = json.dumps(signed_status_list(list_no))
    return Response(body, mimetype="application/json", headers={"Cache-Control": "no-cache"})


def _signed_or_404(code: str):
    if not CODE_PATTERN.match(code):
        abort(404)
    certificate = db.session.scalar(
        sa.select(Certificate).where(Certificate.verification_code == code)
    )
    signed = signed_credential_of(certificate) if certificate else None
    if signed is None:
        abort(404)
    return signed


@bp.route("/credentials/<code>.json")
@public
@limiter.limit(_limit)
def credential_json(code: str):
    signed = _signed_or_404(code)
    filename = f"{signed.certificate.serial}.json"
    return Response(
        json.dumps(signed.document, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@bp.route("/credentials/<code>.jwt")
@public
@limiter.limit(_limit)
def credential_jwt(code: str):
    signed = _signed_or_404(code)
    return Response(
        signed.jwt,
        mimetype=VC_JWT,
        headers={"Content-Disposition": f'attachment; filename="{signed.certificate.serial}.jwt"'},
    )


@bp.route("/verify/check", methods=["POST"])
@public
@limiter.limit(_limit)
def check():
    """Verify a pasted credential or an uploaded PDF; nothing is stored."""
    form = CheckForm()
    verdict = None
    if form.validate_on_submit():
        upload = form.document.data
        pdf = upload.read() if upload else b""
        text = (form.credential.data or "").strip()
        if pdf and not pdf.startswith(PDF_MAGIC):
            form.document.errors.append("This file is not a PDF.")
        elif pdf:
            verdict = verify_pdf(pdf)
        elif text:
            verdict = verify_text(text)
        else:
            form.credential.errors.append("Paste a credential or choose a PDF.")
    status = 200 if verdict or not form.errors else 400
    return render_template("verify/check.html", form=form, verdict=verdict), status
