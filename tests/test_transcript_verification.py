"""A transcript's verification code: printed on the first page and in every page's
footer, kept with what the transcript printed, and confirmed on the public verification
page (holder, date, reference; nothing private). The PDFs are parsed back."""

from __future__ import annotations

import io
import re
import subprocess  # nosec B404 - the test runs poppler and zbar on a file it wrote
from pathlib import Path

import pypdf
import pytest
import sqlalchemy as sa

from airm_training.core.clock import today
from airm_training.extensions import db
from airm_training.progression.models import IssuedTranscript
from tests.factories import login, make_candidate, make_director
from tests.pdfs import needs_qr_reading

FOOTER = re.compile(
    r"AIRM transcript · reference (?P<reference>[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4})"
    r" · code (?P<code>[A-Za-z0-9_-]{16})"
)
LETTER = (612, 792)  # the test configuration's time zone is in the US


def pages_of(pdf: bytes) -> list[pypdf.PageObject]:
    return pypdf.PdfReader(io.BytesIO(pdf)).pages


def printed(pdf: bytes) -> tuple[str, str]:
    """(reference, code) as every page's footer prints them; they must agree."""
    pages = pages_of(pdf)
    found = set()
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"Page {number} of {len(pages)}" in text
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == LETTER
        match = FOOTER.search(text)
        assert match, f"page {number} has no reference and code: {text[-300:]}"
        found.add((match["reference"], match["code"]))
    assert len(found) == 1
    return found.pop()


def test_each_transcript_gets_a_code_the_public_page_confirms(app, client):
    candidate = make_candidate(director=make_director())
    login(client, candidate)
    pdf = client.get("/progression/transcript.pdf").data
    reference, code = printed(pdf)
    first = pages_of(pdf)[0].extract_text()
    assert f"Verification code {code}" in " ".join(first.split())
    record = db.session.scalar(
        sa.select(IssuedTranscript).where(IssuedTranscript.verification_code == code)
    )
    assert (record.person_id, record.reference, record.generated_on) == (
        candidate.id,
        reference,
        today(),
    )

    public = app.test_client()
    page = public.get(f"/verify/{code}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert candidate.full_name in text
    assert reference in text
    assert today().isoformat() in text
    assert candidate.email not in text
    assert public.get(f"/verify/{code}.json").get_json() == {
        "status": "issued",
        "document": "transcript",
        "holder": candidate.full_name,
        "issuer": app.config["ORGANISATION_NAME"],
        "generated_on": today().isoformat(),
        "reference": reference,
    }
    assert public.get(f"/verify/?code={code}").headers["Location"].endswith(f"/verify/{code}")


def test_every_download_has_its_own_code_and_the_same_reference(client):
    director = make_director()
    candidate = make_candidate(director=director)
    login(client, candidate)
    one = printed(client.get("/progression/transcript.pdf").data)
    two = printed(client.get("/progression/transcript.pdf").data)
    assert one[0] == two[0]  # the same record, the same day: the same reference
    assert one[1] != two[1]
    count = sa.select(sa.func.count()).where(IssuedTranscript.person_id == candidate.id)
    assert db.session.scalar(count) == 2


def test_a_directors_download_is_recorded_for_the_holder(app):
    director, candidate = make_director(), make_candidate()
    client = app.test_client()
    login(client, director)
    _reference, code = printed(
        client.get(f"/progression/people/{candidate.id}/transcript.pdf").data
    )
    record = db.session.scalar(
        sa.select(IssuedTranscript).where(IssuedTranscript.verification_code == code)
    )
    assert record.person_id == candidate.id
    assert candidate.full_name in app.test_client().get(f"/verify/{code}").get_data(as_text=True)


@pytest.mark.parametrize("code", ["AAAAAAAAAAAAAAAA", "short", "not a code at all!"])
def test_an_unknown_code_is_not_found(client, code):
    make_candidate()
    response = client.get(f"/verify/{code}")
    assert response.status_code == 404
    assert "No certificate or transcript has this verification code" in response.get_data(
        as_text=True
    )
    assert client.get(f"/verify/{code}.json").get_json() == {"status": "not-found"}


def test_the_first_page_carries_the_verification_address_as_a_qr_code(client, tmp_path: Path):
    needs_qr_reading()
    candidate = make_candidate()
    login(client, candidate)
    pdf = tmp_path / "transcript.pdf"
    pdf.write_bytes(client.get("/progression/transcript.pdf").data)
    _reference, code = printed(pdf.read_bytes())
    subprocess.run(  # nosec B603 B607
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    (image,) = tmp_path.glob("p*.png")
    decoded = subprocess.run(  # nosec B603 B607
        ["zbarimg", "--nodbus", "--raw", "-q", str(image)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert decoded.endswith(f"/verify/{code}")
