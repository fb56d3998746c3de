"""Uploaded case PDFs are cleaned with pikepdf before they are stored: JavaScript,
actions on opening, launch actions, embedded files and forms are gone from what the
supervisor downloads, and the candidate is told what was removed; what pikepdf cannot
read, or what needs a password, is refused with a message and nothing is stored."""

from __future__ import annotations

import io
import time

import pikepdf
import pytest

from airm_training.assessments.models import CasePresentation
from airm_training.assessments.pdf_safety import UnsafePdf, sanitise_pdf
from airm_training.extensions import db
from tests.factories import login
from tests.pdfs import HOSTILE_KINDS, hostile_pdf, pdf_bytes
from tests.test_cases_and_evaluations import case_id_from, cases_of, post_case, versions
from tests.test_cases_and_evaluations import people as people  # a fixture

ACTIVE_KEYS = {"/JS", "/OpenAction", "/AA", "/AcroForm", "/EmbeddedFiles", "/EF", "/AF"}
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData"}


def _walk(obj, found: set[str]) -> None:
    if isinstance(obj, pikepdf.Stream):
        obj = obj.stream_dict
    if isinstance(obj, pikepdf.Array):
        for item in obj:
            if not getattr(item, "is_indirect", True):
                _walk(item, found)
    if not isinstance(obj, pikepdf.Dictionary):
        return
    found |= ACTIVE_KEYS & set(obj.keys())
    if str(obj.get("/S", "")) in ACTIVE_ACTIONS:
        found.add(str(obj.get("/S")))
    if str(obj.get("/Subtype", "")) in ("/Widget", "/FileAttachment"):
        found.add(str(obj.get("/Subtype")))
    for _key, value in obj.items():
        if not getattr(value, "is_indirect", True):
            _walk(value, found)


def active_content(data: bytes) -> set[str]:
    """Every key or action type of active content left anywhere in the PDF (each indirect
    object, and the direct ones nested in it)."""
    found: set[str] = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            _walk(obj, found)
    return found


@pytest.mark.parametrize("kind", HOSTILE_KINDS)
def test_the_sanitiser_removes_each_kind_of_active_content(kind):
    original = hostile_pdf(kind)
    assert active_content(original), "the sample carries active content"
    cleaned = sanitise_pdf(original)
    assert active_content(cleaned.data) == set()
    assert cleaned.removed
    with pikepdf.open(io.BytesIO(cleaned.data)) as pdf:
        assert len(pdf.pages) == 1


def test_a_plain_pdf_passes_with_nothing_removed():
    assert sanitise_pdf(pdf_bytes(20_000)).removed == []


def test_the_same_upload_is_cleaned_to_the_same_bytes_a_second_later():
    """The rewritten file's /ID comes from its content, not the clock: an upload checked
    again later (or stored twice) gives identical bytes."""
    original = pdf_bytes(3000)
    first = sanitise_pdf(original).data
    time.sleep(1.05)  # qpdf's own /ID would take the next second into account
    assert sanitise_pdf(original).data == first


@pytest.mark.parametrize(
    "content", [b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n", b"%PDF-1.7\n%%EOF"]
)
def test_what_pikepdf_cannot_read_is_refused(content):
    with pytest.raises(UnsafePdf, match="not a PDF"):
        sanitise_pdf(content)


def test_a_pdf_with_a_password_is_refused():
    out = io.BytesIO()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    with pytest.raises(UnsafePdf, match="password"):
        sanitise_pdf(out.getvalue())


def test_an_uploaded_pdf_with_javascript_is_stored_clean_and_the_candidate_told(
    app, client, people
):
    supervisor, candidate, _other = people
    login(client, candidate)
    response = post_case(client, supervisor, pdf=hostile_pdf("open-action-javascript"))
    case_id = case_id_from(response)
    page = client.get(f"/assessments/cases/{case_id}").get_data(as_text=True)
    assert "Your PDF was cleaned before it was stored" in page
    assert "JavaScript" in page
    (version,) = versions(db.session.get(CasePresentation, case_id))
    assert active_content(version.pdf) == set()

    supervisor_client = app.test_client()
    login(supervisor_client, supervisor)
    download = supervisor_client.get(f"/assessments/cases/{case_id}/versions/1.pdf")
    assert download.status_code == 200
    assert download.data == version.pdf


def test_an_uploaded_pdf_with_a_password_is_refused_and_nothing_stored(client, people):
    supervisor, candidate, _other = people
    login(client, candidate)
    out = io.BytesIO()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    response = post_case(client, supervisor, pdf=out.getvalue())
    assert response.status_code == 200
    assert "protected by a password" in response.get_data(as_text=True)
    assert cases_of(candidate) == []
