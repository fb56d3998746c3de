"""Upload limits hold before the body is read: a request announcing more than
MAX_CONTENT_LENGTH is refused with 413 without reading a byte of it, a chunked body is cut
off at the limit, and a case PDF over its own limit is refused with nothing stored."""

from __future__ import annotations

import io

import sqlalchemy as sa

from airm_training.assessments.models import CasePresentation
from airm_training.extensions import db
from tests.factories import login, make_candidate, make_supervisor
from tests.hostile import changed_tables, table_checksums

BOUNDARY = "limit-test-boundary"


class CountingStream(io.RawIOBase):
    """An endless body that counts how much of it the server reads."""

    def __init__(self) -> None:
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:  # the test client measures the body this way; its length is
        return 0  # then announced by the CONTENT_LENGTH of each test

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def readinto(self, buffer) -> int:
        buffer[:] = b"x" * len(buffer)
        self.bytes_read += len(buffer)
        return len(buffer)


def _post_stream(client, path: str, stream, **environ):
    return client.post(
        path,
        input_stream=stream,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        environ_overrides=environ,
    )


def test_a_huge_content_length_is_refused_without_reading_the_body(app, client):
    login(client, make_candidate())
    stream = CountingStream()
    huge = app.config["MAX_CONTENT_LENGTH"] * 100
    before = table_checksums()
    response = _post_stream(client, "/hours/import", stream, CONTENT_LENGTH=str(huge))
    assert response.status_code == 413
    assert "That upload is too large" in response.get_data(as_text=True)
    assert stream.bytes_read == 0
    assert changed_tables(before, table_checksums()) == set()


def test_the_limit_applies_before_sign_in_too(app, client):
    stream = CountingStream()
    huge = app.config["MAX_CONTENT_LENGTH"] + 1
    response = _post_stream(client, "/auth/login", stream, CONTENT_LENGTH=str(huge))
    assert response.status_code == 413
    assert stream.bytes_read == 0


def test_a_chunked_body_without_length_is_cut_off_at_the_limit(app, client):
    login(client, make_candidate())
    stream = CountingStream()
    response = _post_stream(
        client,
        "/hours/import",
        stream,
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert 0 < stream.bytes_read <= limit + 64 * 1024  # never (much) past the limit


def test_a_case_pdf_over_its_own_limit_is_refused_and_nothing_is_stored(app, client):
    """CASE_PDF_MAX_BYTES is below MAX_CONTENT_LENGTH: the request arrives, the PDF is
    refused next to its field, and no case presentation is created."""
    supervisor = make_supervisor()
    candidate = make_candidate()
    login(client, candidate)
    limit = app.config["CASE_PDF_MAX_BYTES"]
    assert limit < app.config["MAX_CONTENT_LENGTH"]
    pdf = b"%PDF-1.4\n" + b"0" * limit + b"\n%%EOF\n"
    before = table_checksums()
    response = client.submit(
        "/assessments/cases/new",
        {
            "title": "Romantic bond, stage 2 pacing",
            "supervisor": str(supervisor.id),
            "bond_type": "Romantic",
            "stages": ["attachment-awareness"],
            "text": "A de-identified write-up of the work on pacing. " * 6,
            "deidentified": "y",
            "pdf": (io.BytesIO(pdf), "case.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert f"The PDF is larger than {limit // (1024 * 1024)} MB." in response.get_data(as_text=True)
    assert changed_tables(before, table_checksums()) == set()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CasePresentation)) == 0
