"""The transcript PDF, parsed back: modules, assessments and hours by supervisor."""

import io
from datetime import timedelta

import pypdf

from airm_training.core.clock import today
from airm_training.curriculum.services import record_attendance
from airm_training.extensions import db
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import log_entry, sign_entries
from airm_training.programme.models import Module
from tests.factories import login, make_candidate, make_director, make_supervisor


def pdf_text(data: bytes) -> str:
    """The PDF's text with line breaks folded (table cells wrap words)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_transcript_lists_modules_and_signed_hours_by_supervisor(client):
    director = make_director()
    candidate = make_candidate(director=director, enrolled_on=today() - timedelta(days=30))
    supervisor = make_supervisor(director=director)
    module = db.session.query(Module).filter_by(code="AIRM-101").one()
    record_attendance(module, [candidate], today() - timedelta(days=10), director=director)
    entry = log_entry(
        candidate,
        EntryInput(
            session_date=today() - timedelta(days=3),
            minutes=90,
            category_code="individual-consultation",
            supervisor_id=supervisor.id,
        ),
        submit=True,
    )
    sign_entries(supervisor, [entry.id], attested=True)
    db.session.commit()
    login(client, candidate)
    response = client.get("/progression/transcript.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    text = pdf_text(response.data)
    assert candidate.full_name in text
    assert "AIRM-101" in text
    assert (today() - timedelta(days=10)).isoformat() in text
    assert "Individual consultation" in text
    assert supervisor.full_name in text
    assert "1 h 30" in text
    assert "AIRM-Trained Candidate" in text


def test_directors_read_anyones_transcript_candidates_only_their_own(app):
    candidate, other = make_candidate(), make_candidate()
    own = app.test_client()
    login(own, candidate)
    assert own.get(f"/progression/people/{other.id}/transcript.pdf").status_code == 403
    director = app.test_client()
    login(director, make_director())
    response = director.get(f"/progression/people/{other.id}/transcript.pdf")
    assert response.status_code == 200
    assert other.full_name in pdf_text(response.data)
