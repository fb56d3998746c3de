"""PAdES-signed certificate and transcript PDFs: pyHanko's validator accepts them, their
fingerprints are kept, and the public check reads an issued copy as valid and an edited
one as altered."""

from __future__ import annotations

import sqlalchemy as sa

from airm_training.extensions import db
from airm_training.progression.services import revoke
from airm_training.verifiable.models import IssuedPdf
from tests.factories import login
from tests.test_certificates import REVOCATION_REASON, issued, pdf_of  # noqa: F401
from tests.verifiable_helpers import check, validate_signature, verdict_of


def _flip_one_byte(pdf: bytes, marker: bytes) -> bytes:
    """The PDF with one byte of its signed content changed."""
    at = pdf.index(marker) + 1
    return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]


def test_the_certificate_pdf_carries_a_valid_pades_signature(app, issued):  # noqa: F811
    _director, holder, certificate, _board = issued
    status = validate_signature(pdf_of(app, holder, certificate))
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert "document signing" in status.signing_cert.subject.human_friendly


def test_one_changed_byte_breaks_the_signature(app, issued):  # noqa: F811
    _director, holder, certificate, _board = issued
    edited = _flip_one_byte(pdf_of(app, holder, certificate), b"/Title")
    assert not validate_signature(edited).intact


def test_the_issued_pdf_reads_valid_and_an_edited_copy_altered(app, client, issued):  # noqa: F811
    director, holder, certificate, _board = issued
    pdf = pdf_of(app, holder, certificate)
    _status, page = check(client, pdf=pdf)
    assert verdict_of(page) == "valid"
    assert certificate.serial in page
    _status, page = check(client, pdf=_flip_one_byte(pdf, b"/Title"))
    assert verdict_of(page) == "altered"
    assert "no longer matches" in page
    _status, page = check(client, pdf=pdf + b"\n% appended\n")
    assert verdict_of(page) == "altered"
    revoke(director, certificate, REVOCATION_REASON)
    db.session.commit()
    _status, page = check(client, pdf=pdf)
    assert verdict_of(page) == "revoked"


def test_an_unsigned_pdf_reads_unknown(client):
    from datetime import date

    from airm_training.documents.certificate import CertificateData, CertificatePdf

    data = CertificateData(
        organisation="Elsewhere",
        holder_name="A. Person",
        level_code="AIRT-S",
        level_name="Supervisor",
        serial="AIRM-2026-99999",
        issued_on=date(2026, 1, 1),
        expires_on=None,
        issuer_name="Someone",
        approver_names=(),
        verification_url="http://localhost/verify/x",
    )
    _status, page = check(client, pdf=CertificatePdf(data).get_pdf())
    assert verdict_of(page) == "unknown"


def test_each_pdf_handed_out_is_fingerprinted(app, issued):  # noqa: F811
    _director, holder, certificate, _board = issued
    before = db.session.scalar(sa.select(sa.func.count()).select_from(IssuedPdf))
    pdf_of(app, holder, certificate)
    client = app.test_client()
    login(client, holder)
    transcript = client.get("/progression/transcript.pdf")
    assert transcript.status_code == 200
    assert validate_signature(transcript.data).intact
    kinds = db.session.scalars(sa.select(IssuedPdf.kind).order_by(IssuedPdf.id)).all()
    assert len(kinds) == before + 2
    assert kinds[-2:] == ["certificate", "transcript"]
