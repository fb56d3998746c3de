"""Verification of what a person holds: a credential JWT, a credential JSON with its Data
Integrity proof, or a PDF. Each answer is one of ``VERDICTS`` with its reasons."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import jwt
import sqlalchemy as sa
from flask import current_app

from airm_training.core.clock import local_date
from airm_training.extensions import db
from airm_training.progression.models import Certificate
from airm_training.progression.services import verification_status
from airm_training.verifiable import did, proofs
from airm_training.verifiable.models import IssuedPdf, PdfKind, SignedCredential
from airm_training.verifiable.pdf_signing import check_pdf_signature
from airm_training.verifiable.services import key_store

VERDICTS = ("valid", "revoked", "expired", "superseded", "bad signature", "altered", "unknown")


@dataclass
class Verdict:
    status: str
    form: str
    reasons: list[str] = field(default_factory=list)
    certificate: Certificate | None = None


def verify_text(text: str) -> Verdict:
    """A pasted credential: JSON when it starts with ``{``, a compact JWT otherwise."""
    text = text.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            return Verdict("unknown", "JSON", ["This is not valid JSON."])
        if not isinstance(document, dict):
            return Verdict("unknown", "JSON", ["This JSON is not a credential."])
        return verify_json(document)
    return verify_jwt(text)


def _stored(credential_uri: object) -> SignedCredential | None:
    if not isinstance(credential_uri, str) or len(credential_uri) > 60:
        return None
    return db.session.scalar(
        sa.select(SignedCredential).where(SignedCredential.credential_uri == credential_uri)
    )


def _differences(given: dict, issued: dict) -> list[str]:
    keys = sorted(set(given) | set(issued))
    return [k for k in keys if given.get(k) != issued.get(k)]


def _standing(verdict: Verdict, signed: SignedCredential | None, valid_until: object) -> Verdict:
    """A genuine credential: its certificate's standing today."""
    if signed is None:
        verdict.status = "unknown"
        verdict.reasons.append("The signature is ours but no credential of ours has this id.")
        return verdict
    certificate = signed.certificate
    verdict.certificate = certificate
    status = verification_status(certificate)
    if status == "valid" and isinstance(valid_until, str | int):
        until = (
            datetime.fromtimestamp(valid_until, UTC)
            if isinstance(valid_until, int)
            else datetime.fromisoformat(valid_until.replace("Z", "+00:00"))
        )
        if until < datetime.now(UTC):
            status = "expired"
    verdict.status = status
    reason = {
        "valid": f"Certificate {certificate.serial} is in force.",
        "expired": f"Certificate {certificate.serial} expired on {certificate.expires_on}.",
        "superseded": f"Certificate {certificate.serial} was replaced by a renewed one.",
        "revoked": (
            f"Certificate {certificate.serial} was revoked on "
            f"{local_date(certificate.revoked_at) if certificate.revoked_at else 'an earlier day'}."
        ),
    }[status]
    verdict.reasons.append(reason)
    return verdict


def verify_jwt(token: str) -> Verdict:
    verdict = Verdict("unknown", "VC-JWT")
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        verdict.reasons.append("This is neither a credential JSON nor a signed JWT.")
        return verdict
    key_set = key_store().find(str(header.get("kid", "")).rsplit("#", 1)[-1])
    if key_set is None or header.get("alg") != "RS256":
        verdict.reasons.append("It is not signed with a key this organisation publishes.")
        return verdict
    signed = _stored(claims.get("jti"))
    try:
        jwt.decode(
            token,
            key_set.rsa_public,
            algorithms=["RS256"],
            options={"verify_exp": False, "verify_nbf": False, "verify_aud": False},
        )
    except jwt.InvalidSignatureError:
        issued = jwt.decode(signed.jwt, options={"verify_signature": False}) if signed else None
        if issued is not None and issued != claims:
            verdict.status = "altered"
            verdict.reasons.append(
                "Its content differs from what was issued: "
                + ", ".join(_differences(claims, issued))
            )
        else:
            verdict.status = "bad signature"
            verdict.reasons.append("The signature does not match the organisation's key.")
        return verdict
    except jwt.PyJWTError as error:
        verdict.reasons.append(f"The JWT could not be checked: {error}.")
        return verdict
    verdict.reasons.append(f"Signed with the organisation's RSA key {key_set.kid}.")
    return _standing(verdict, signed, claims.get("exp"))


def _our_ed25519_key(method: str):
    """The Ed25519 public key of a verification method, when it is one of ours."""
    fragment = method.rsplit("#", 1)[-1]
    for key_set in key_store().key_sets():
        if did.multibase_ed25519(key_set.ed25519_public) == fragment:
            return key_set.ed25519_public
    return None


def verify_json(document: dict) -> Verdict:
    verdict = Verdict("unknown", "JSON with a Data Integrity proof")
    signed = _stored(document.get("id"))
    try:
        proofs.verify_data_integrity(document, _our_ed25519_key)
    except proofs.ProofError as error:
        if signed is not None and document != signed.document:
            verdict.status = "altered"
            verdict.reasons.append(
                "Its content differs from what was issued: "
                + ", ".join(_differences(document, signed.document))
            )
        elif "not a key of this issuer" in str(error) or "no eddsa" in str(error):
            verdict.reasons.append(str(error))
        else:
            verdict.status = "bad signature"
            verdict.reasons.append(str(error))
        return verdict
    verdict.reasons.append("The Data Integrity proof (eddsa-rdfc-2022) matches our key.")
    return _standing(verdict, signed, document.get("validUntil"))


# Documents that state the record as of the day they were issued (no validity to check).
DATED_RECORDS = {
    PdfKind.TRANSCRIPT: "It is a transcript; it states the record as of that day.",
    PdfKind.HOURS_VERIFICATION: (
        "It is a verification of supervised hours; it states the signed hours as of that day."
    ),
}


def verify_pdf(pdf: bytes) -> Verdict:
    verdict = Verdict("unknown", "PDF")
    issued = db.session.scalar(
        sa.select(IssuedPdf).where(IssuedPdf.sha256 == hashlib.sha256(pdf).hexdigest())
    )
    if issued is not None:
        verdict.reasons.append(
            f"This is exactly the file issued on {local_date(issued.created_at)}."
        )
        if issued.kind in DATED_RECORDS:
            verdict.status = "valid"
            verdict.reasons.append(DATED_RECORDS[issued.kind])
            return verdict
        signed = db.session.scalar(
            sa.select(SignedCredential).where(
                SignedCredential.certificate_id == issued.certificate_id
            )
        )
        if signed is not None:
            return _standing(verdict, signed, signed.document.get("validUntil"))
        verdict.certificate = issued.certificate
        verdict.status = verification_status(issued.certificate)
        return verdict
    roots = [str(k.certificate_path) for k in key_store().key_sets()]
    if current_app.config.get("PDF_SIGNING_CERT"):
        roots.append(current_app.config["PDF_SIGNING_CERT"])
    state = check_pdf_signature(pdf, roots)
    if not state.signed:
        verdict.reasons.append("This is not a file this organisation issued (no signature).")
        return verdict
    verdict.status = "altered"
    if not state.intact:
        verdict.reasons.append("Its signature no longer matches its content: it was changed.")
    elif not state.covers_whole_file:
        verdict.reasons.append("Something was added to the file after it was signed.")
    else:
        verdict.status = "unknown"
        verdict.reasons.append(
            f"It carries an intact signature ({state.signer}) but is not a file we issued."
        )
    return verdict
