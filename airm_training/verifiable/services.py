"""Signing a certificate's credential at issue, the published status list, and the
fingerprints of the PDFs handed out."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode

import jwt
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from airm_training.core.urls import external_url
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.programme.models import ProgrammeLevel, ProgrammeVersion, RequirementPurpose
from airm_training.progression.models import Certificate, CertificateStatus
from airm_training.verifiable import did, proofs, status_list
from airm_training.verifiable.credential import CredentialFacts, build_credential
from airm_training.verifiable.keys import KeySet, KeyStore, NoSigningKeys
from airm_training.verifiable.models import IssuedPdf, PdfKind, SignedCredential


def key_store() -> KeyStore:
    return KeyStore(current_app.config["KEYS_DIR"])


def signing_keys() -> KeySet:
    """The current key set; created on first use where configuration allows it."""
    store = key_store()
    try:
        return store.current()
    except NoSigningKeys:
        if not current_app.config["KEYS_AUTO_GENERATE"]:
            raise
        return store.generate(current_app.config["ORGANISATION_NAME"])


def public_base() -> str:
    """The application's public base URL, without a trailing slash."""
    return external_url("verifiable.did_json").removesuffix("/.well-known/did.json")


def jwt_kid(key_set: KeySet) -> str:
    """The VC-JWT header's ``kid``: the JWKS URL with the key's id as fragment."""
    return f"{external_url('verifiable.jwks')}#{key_set.kid}"


def status_list_url(list_no: int) -> str:
    return external_url("verifiable.status_list", list_no=list_no)


def _requirements(certificate: Certificate) -> tuple[str, ProgrammeVersion, tuple[str, ...]]:
    version = db.session.get(ProgrammeVersion, certificate.award.programme_version_id)
    rules = db.session.scalar(
        sa.select(ProgrammeLevel).where(
            ProgrammeLevel.programme_version_id == version.id,
            ProgrammeLevel.level_id == certificate.award.level_id,
        )
    )
    labels = tuple(
        r.label
        for r in (rules.requirements if rules else [])
        if r.purpose == RequirementPurpose.ATTAIN
    )
    return certificate.award.level.description, version, labels


def sign_certificate(certificate: Certificate) -> SignedCredential:
    """Build and sign the certificate's Open Badges credential in both forms; once."""
    key_set = signing_keys()
    base = public_base()
    description, version, requirements = _requirements(certificate)
    holder = db.session.get(Person, certificate.holder_id)
    facts = CredentialFacts(
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        subject_id=f"urn:uuid:{uuid.uuid4()}",
        issuer_did=did.issuer_did(base, key_set),
        organisation=certificate.organisation,
        organisation_url=base + "/",
        holder_name=certificate.holder_name,
        holder_email=holder.email,
        salt=secrets.token_hex(16),
        programme_title=version.title,
        programme_version=version.version,
        level_code=certificate.level_code,
        level_name=certificate.level_name,
        level_description=description,
        requirements=requirements,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        status_entry=status_list.status_entry(
            status_list_url(status_list.list_number(certificate.id)), certificate.id
        ),
        serial=certificate.serial or "",
    )
    credential = build_credential(facts)
    signed = SignedCredential(
        certificate_id=certificate.id,
        credential_uri=facts.credential_id,
        status_index=certificate.id,
        kid=key_set.kid,
        jwt=proofs.sign_jwt(credential, key_set, jwt_kid(key_set)),
        document=proofs.add_data_integrity_proof(
            credential,
            key_set.ed25519_private,
            did.verification_method(base, key_set),
            datetime.now(UTC),
        ),
    )
    db.session.add(signed)
    db.session.flush()
    return signed


def signed_credential_of(certificate: Certificate) -> SignedCredential | None:
    return db.session.scalar(
        sa.select(SignedCredential).where(SignedCredential.certificate_id == certificate.id)
    )


def _revoked_indexes(list_no: int) -> set[int]:
    low, high = list_no * status_list.LIST_BITS, (list_no + 1) * status_list.LIST_BITS
    return set(
        db.session.scalars(
            sa.select(SignedCredential.status_index)
            .join(Certificate, Certificate.id == SignedCredential.certificate_id)
            .where(
                Certificate.status == CertificateStatus.REVOKED,
                SignedCredential.status_index >= low,
                SignedCredential.status_index < high,
            )
        )
    )


def status_list_credential(list_no: int) -> dict:
    """The revocation list as a credential (unsigned), as of now."""
    key_set = signing_keys()
    url = status_list_url(list_no)
    encoded = status_list.encode(_revoked_indexes(list_no), list_no)
    now = datetime.now(UTC).replace(microsecond=0)
    return status_list.status_list_credential(
        url, did.issuer_did(public_base(), key_set), encoded, now.strftime("%Y-%m-%dT%H:%M:%SZ")
    )


def signed_status_list(list_no: int) -> dict:
    """The status list with its Data Integrity proof (what DCC's verifier reads)."""
    key_set = signing_keys()
    return proofs.add_data_integrity_proof(
        status_list_credential(list_no),
        key_set.ed25519_private,
        did.verification_method(public_base(), key_set),
        datetime.now(UTC),
    )


def status_list_jwt(list_no: int) -> str:
    """The status list as a VC-JWT (for verifiers that check JOSE signatures only)."""
    key_set = signing_keys()
    credential = status_list_credential(list_no)
    payload = {
        **credential,
        "iss": credential["issuer"],
        "jti": credential["id"],
        "iat": int(datetime.now(UTC).timestamp()),
    }
    return jwt.encode(
        payload, key_set.rsa_private, algorithm="RS256", headers={"kid": jwt_kid(key_set)}
    )


def record_pdf(pdf: bytes, kind: PdfKind, person_id: int, certificate_id: int | None) -> None:
    """Remember the SHA-256 of a PDF handed out (once per distinct file)."""
    digest = hashlib.sha256(pdf).hexdigest()
    if db.session.scalar(sa.select(IssuedPdf.id).where(IssuedPdf.sha256 == digest)):
        return
    try:
        with db.session.begin_nested():  # the same file recorded at the same moment
            db.session.add(
                IssuedPdf(
                    sha256=digest,
                    kind=kind.value,
                    person_id=person_id,
                    certificate_id=certificate_id,
                )
            )
    except IntegrityError:
        pass  # already recorded by a concurrent request: nothing to add


def issue_signed_pdf(
    pdf: bytes, kind: PdfKind, *, person_id: int, certificate_id: int | None, reason: str
) -> bytes:
    """Sign a finished PDF (PAdES) and remember its fingerprint; the caller commits."""
    from airm_training.verifiable.pdf_signing import sign_pdf

    signed = sign_pdf(pdf, signing_keys(), reason)
    record_pdf(signed, kind, person_id, certificate_id)
    return signed


def linkedin_url(certificate: Certificate) -> str:
    """LinkedIn's "add a certification" link, filled in (no call to LinkedIn is made)."""
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": f"{certificate.level_name} ({certificate.level_code})",
        "organizationName": certificate.organisation,
        "issueYear": certificate.issued_on.year,
        "issueMonth": certificate.issued_on.month,
        "certUrl": external_url("verify.show", code=certificate.verification_code),
        "certId": certificate.serial or "",
    }
    if certificate.expires_on:
        params["expirationYear"] = certificate.expires_on.year
        params["expirationMonth"] = certificate.expires_on.month
    return "https://www.linkedin.com/profile/add?" + urlencode(params)
