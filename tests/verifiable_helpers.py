"""Shared pieces of the verifiable-credential tests: the schema, a check through the
public form, and a certificate's signed credential."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from airm_training.progression.models import Certificate
from airm_training.verifiable.models import SignedCredential
from airm_training.verifiable.pdf_signing import run_outside_event_loop
from airm_training.verifiable.services import signed_credential_of, signing_keys

SCHEMA_FILE = (
    Path(__file__).parent / "data" / "openbadges-3.0" / "achievementcredential.schema.json"
)


def schema_errors(credential: dict) -> list[str]:
    validator = jsonschema.Draft201909Validator(json.loads(SCHEMA_FILE.read_text()))
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(credential)]


def signed_of(certificate: Certificate) -> SignedCredential:
    signed = signed_credential_of(certificate)
    assert signed is not None, "the certificate has no signed credential"
    return signed


def check(client, *, text: str | None = None, pdf: bytes | None = None):
    """Post the public check form; returns (status code, page text)."""
    import io

    data: dict = {"credential": text or ""}
    if pdf is not None:
        data["document"] = (io.BytesIO(pdf), "certificate.pdf")
    response = client.submit(
        "/verify/check", data, form_path="/verify/", content_type="multipart/form-data"
    )
    return response.status_code, response.get_data(as_text=True)


def verdict_of(page: str) -> str:
    """The verdict's heading in the result page."""
    import re

    match = re.search(r'role="status">\s*<p class="h4 mb-1">([^<]+)</p>', page)
    assert match, "no verdict on the page"
    return match.group(1).strip().lower()


def validate_signature(pdf: bytes):
    """pyHanko's validation of the PDF's one signature against the signing certificate."""
    import io

    trust = load_cert_from_pemder(str(signing_keys().certificate_path))
    (signature,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    return run_outside_event_loop(
        validate_pdf_signature, signature, ValidationContext(trust_roots=[trust])
    )
