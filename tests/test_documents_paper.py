"""The PDF documents parsed back: the paper they are printed on (Letter in US time zones,
A4 elsewhere or when configured), the transcript's page numbers, reference and
verification codes on every page, and no section heading stranded at a page's foot (of the
transcript and of the verification of supervised hours)."""

from __future__ import annotations

import io
from datetime import date

import pypdf
import pytest
from reportlab.lib.pagesizes import A4, LETTER

from airm_training.documents.certificate import CertificateData, CertificatePdf
from airm_training.documents.hours_verification import (
    HoursVerificationData,
    HoursVerificationPdf,
    SupervisorRecord,
)
from airm_training.documents.paper import page_size, paper_name
from airm_training.documents.transcript import TranscriptData, TranscriptPdf

SECTION_TITLES = (
    "Credentials",
    "Certificates and their verification codes",
    "Modules completed",
    "Quizzes",
    "Case presentations",
    "Competency evaluations",
    "Signed-off hours by category and supervisor",
)


def pages_of(pdf: bytes) -> list[pypdf.PageObject]:
    return pypdf.PdfReader(io.BytesIO(pdf)).pages


def size_of(page) -> tuple[int, int]:
    return round(float(page.mediabox.width)), round(float(page.mediabox.height))


@pytest.mark.parametrize(
    ("configured", "zone", "expected"),
    [
        ("", "America/Los_Angeles", "letter"),
        ("", "America/New_York", "letter"),
        ("", "America/Toronto", "letter"),
        ("", "Pacific/Honolulu", "letter"),
        ("", "Europe/London", "a4"),
        ("", "Australia/Sydney", "a4"),
        ("", "UTC", "a4"),
        ("A4", "America/Los_Angeles", "a4"),
        (" letter ", "Europe/Paris", "letter"),
    ],
)
def test_the_paper_follows_the_configuration_then_the_time_zone(configured, zone, expected):
    assert paper_name(configured, zone) == expected


def test_an_unknown_paper_size_is_refused():
    with pytest.raises(ValueError, match="letter or a4"):
        page_size("legal", "America/Los_Angeles")


def certificate(paper) -> bytes:
    data = CertificateData(
        "Bellevue Trauma Recovery Center", "Ada Example", "AIRT-S", "AIRM-Trained Supervisor",
        "BTRC-2026-0001", date(2026, 12, 1), date(2028, 11, 30), "Dr. Issuer",
        ("Board One", "Board Two"), "https://airm.example/verify/ABCD-EFGH",
    )  # fmt: skip
    return CertificatePdf(data, paper).get_pdf()


def test_the_certificate_is_landscape_letter_or_a4():
    assert [size_of(p) for p in pages_of(certificate(LETTER))] == [(792, 612)]
    assert [size_of(p) for p in pages_of(certificate(A4))] == [(842, 595)]


def test_the_certificate_prints_the_signatories_names():
    text = pages_of(certificate(LETTER))[0].extract_text()
    assert text.count("Board One") == 2  # on the signature line and under it
    assert "Dr. Issuer" in text and "Co-creators' board" in text


def transcript(modules: int, paper=LETTER) -> TranscriptData:
    return TranscriptData(
        organisation="Bellevue Trauma Recovery Center",
        holder_name="Ada Example",
        email="ada@example.org",
        generated_on=date(2026, 12, 1),
        credentials=(("AIRM-Trained Candidate (AIRT-C)", "2025-01-01", "—", "current"),),
        modules=tuple((f"M-{n:03d}", f"Module {n}", "2025-02-01") for n in range(modules)),
        quizzes=(("Foundations quiz", "90 %", "2025-03-01"),),
        cases=(("A case", "Passed", "2025-04-01"),),
        evaluations=(("2025-05-01", "Dr. Evaluator", "3"),),
        hours=(("Direct clinical", "Dr. Supervisor", "14 h 15", 9, "2025-01-02", "2025-06-01"),),
        certificates=(("BTRC-2026-0001", "AIRT-C", "valid", "ABCD-EFGH-JKLM"),),
        verify_address="https://airm.example/verify/",
    )


def test_every_transcript_page_has_its_number_the_reference_and_the_paper():
    data = transcript(modules=90)
    pages = pages_of(TranscriptPdf(data, LETTER).get_pdf())
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"Page {number} of {len(pages)}" in text
        assert f"reference {data.reference}" in text
        assert size_of(page) == (612, 792)
    first = pages[0].extract_text()
    assert "ABCD-EFGH-JKLM" in " ".join(p.extract_text() for p in pages)
    assert "AIRM" in first and "Training & Credentials" in first  # the wordmark


def test_the_reference_changes_with_what_the_transcript_says():
    assert transcript(3).reference == transcript(3).reference
    assert transcript(3).reference != transcript(4).reference


PAGE_FURNITURE = ("AIRM", "Training & Credentials")  # the wordmark drawn on every page


def body_lines(page) -> list[str]:
    """The page's text without the wordmark and the footer."""
    lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
    return [
        line
        for line in lines
        if line not in PAGE_FURNITURE and "Page " not in line and "AIRM transcript" not in line
    ]


@pytest.mark.parametrize("modules", range(20, 75, 3))
def test_no_section_heading_is_left_at_the_foot_of_a_page(modules):
    pages = pages_of(TranscriptPdf(transcript(modules), A4).get_pdf())
    for page in pages[:-1]:
        assert body_lines(page)[-1] not in SECTION_TITLES, body_lines(page)[-3:]


VERIFICATION_HEADINGS = (
    "Totals by category",
    "Totals by supervisor",
    "Supervisors",
    "Signed sessions",
)


def verification(categories: int) -> HoursVerificationData:
    supervisor = SupervisorRecord(
        name="Dr. Connie Zollner",
        licences=("LMHC MH-60211, Washington, expires 2028-05-01 (verified)",),
        airt_s=("2026-02-01 to 2028-01-31",),
        sign_offs=12,
        hours="12",
        first_signed_at="2026-01-05 10:00 UTC-08:00",
        last_signed_at="2026-11-05 10:00 UTC-08:00",
        attestations=("I attest that these hours were logged with me.",),
        entry_ids="#1 to #12",
    )
    return HoursVerificationData(
        organisation="Bellevue Trauma Recovery Center",
        holder_name="Aubrey Holden, MA, LMHC",
        holder_licences=("LMHC MH-71450, Washington",),
        starts_on="2025-12-01",
        ends_on="2026-11-30",
        issued_at="2026-12-01 10:00 PST",
        version=1,
        code="ABCDEFGHJKLMNPQRSTUV",
        verification_url="https://training.example.org/verify/hours/ABCDEFGHJKLMNPQRSTUV",
        total_hours="12",
        session_count=12,
        by_category=tuple((f"Category {n}", "1", 1) for n in range(categories)),
        by_supervisor=(("Dr. Connie Zollner", "12", 12),),
        sessions=tuple(
            ("2026-01-05", "Direct clinical", 60, "Dr. Connie Zollner", "2026-01-06 10:00")
            for _ in range(12)
        ),
        supervisors=(supervisor,),
    )


@pytest.mark.parametrize("categories", range(1, 40))
@pytest.mark.parametrize("paper", [A4, LETTER])
def test_no_verification_heading_is_left_at_the_foot_of_a_page(categories, paper):
    pages = pages_of(HoursVerificationPdf(verification(categories), paper).get_pdf())
    for page in pages[:-1]:
        lines = [line for line in body_lines(page) if "verification code" not in line]
        assert lines, "a page with nothing on it"
        assert lines[-1] not in VERIFICATION_HEADINGS, lines[-3:]
