"""The pages of supporting documents: uploading through the form, the file served only to
its owner and directors as an attachment, the director's review (CSRF, privacy check,
forbidden for others), the review list's query count, and the demo's licence-copy path
from upload to enrolment."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.core.clock import today
from airm_training.credentials.services import enrolment_of
from airm_training.demo import seed_demo
from airm_training.extensions import db
from airm_training.people.services import find_by_email
from airm_training.supporting.models import DocumentStatus, SupportingDocument
from tests.documents_helpers import jpeg_with_gps, uploaded
from tests.factories import login, make_candidate, make_director
from tests.pdfs import pdf_bytes
from tests.query_count import count_queries


@pytest.fixture
def director():
    return make_director()


@pytest.fixture
def candidate(director):
    return make_candidate(director=director)


def _signed_in(app, person):
    client = app.test_client()
    login(client, person)
    return client


def post_upload(client, *, data: bytes, filename: str, **fields):
    token = client.form_token("/documents/new")
    form = {
        "kind": "liability-insurance",
        "title": "Liability insurance",
        "issued_on": (today() - timedelta(days=10)).isoformat(),
        "expires_on": (today() + timedelta(days=200)).isoformat(),
        "licence": "0",
        "csrf_token": token,
        "file": (io.BytesIO(data), filename),
        **fields,
    }
    return client.post("/documents/new", data=form, content_type="multipart/form-data")


def documents_of(person) -> list[SupportingDocument]:
    return list(
        db.session.scalars(
            sa.select(SupportingDocument).where(SupportingDocument.person_id == person.id)
        )
    )


def document_id_from(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    return int(re.search(r"/documents/(\d+)$", response.headers["Location"]).group(1))


# --- upload --------------------------------------------------------------------------------
def test_uploading_a_photo_through_the_form_strips_its_gps(app, candidate):
    client = _signed_in(app, candidate)
    response = post_upload(client, data=jpeg_with_gps(), filename="insurance.jpg")
    document_id = document_id_from(response)
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "Your file was cleaned before it was stored" in page and "a GPS position" in page
    assert "Waiting for review" in page
    (document,) = documents_of(candidate)
    assert document.content_type == "image/jpeg" and b"Exif" not in document.content


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"just text", "notes.txt", "Upload a PDF, PNG or JPEG file."),
        (b"just text", "insurance.pdf", "Upload a PDF, PNG or JPEG file."),
        (b"%PDF-1.4 broken", "insurance.pdf", "That file is not a PDF."),
    ],
)
def test_a_wrong_file_is_refused_and_nothing_stored(app, candidate, data, filename, message):
    client = _signed_in(app, candidate)
    response = post_upload(client, data=data, filename=filename)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert documents_of(candidate) == []


def test_an_oversized_upload_is_refused(app, candidate, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 8_000)
    client = _signed_in(app, candidate)
    response = post_upload(client, data=pdf_bytes(9_000), filename="big.pdf")
    assert "The file is larger than" in response.get_data(as_text=True)
    assert documents_of(candidate) == []


def test_an_identifying_title_is_held_until_confirmed(app, candidate):
    client = _signed_in(app, candidate)
    title = "Insurance, call me on 206-555-0143"
    response = post_upload(client, data=pdf_bytes(), filename="a.pdf", title=title)
    assert response.status_code == 200
    assert "This may identify a client" in response.get_data(as_text=True)
    assert documents_of(candidate) == []
    confirmed = post_upload(
        client, data=pdf_bytes(), filename="a.pdf", title=title, confirm_no_identifiers="y"
    )
    document_id = document_id_from(confirmed)
    assert db.session.scalar(
        sa.select(AuditEvent.id).where(
            AuditEvent.action == "privacy.confirmed", AuditEvent.object_id == str(document_id)
        )
    )


def test_an_upload_needs_csrf(app, candidate):
    client = _signed_in(app, candidate)
    response = client.post(
        "/documents/new",
        data={"kind": "other", "file": (io.BytesIO(pdf_bytes()), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert documents_of(candidate) == []


# --- download ------------------------------------------------------------------------------
def test_the_file_goes_to_its_owner_and_directors_only_as_an_attachment(app, candidate, director):
    document = uploaded(candidate)
    for person in (candidate, director):
        response = _signed_in(app, person).get(f"/documents/{document.id}/file")
        assert response.status_code == 200
        assert response.data == document.content
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="document-{document.id}.pdf"'
        )
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    other = _signed_in(app, make_candidate(director=director))
    assert other.get(f"/documents/{document.id}/file").status_code == 403
    assert other.get(f"/documents/{document.id}").status_code == 403
    anonymous = app.test_client().get(f"/documents/{document.id}/file")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


# --- review --------------------------------------------------------------------------------
def test_a_director_approves_from_the_page(app, candidate, director):
    document = uploaded(candidate)
    client = _signed_in(app, director)
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "Approve" in page
    response = client.submit(
        f"/documents/{document.id}/approve", form_path=f"/documents/{document.id}"
    )
    assert response.status_code == 302
    db.session.refresh(document)
    assert document.state is DocumentStatus.APPROVED
    own = _signed_in(app, candidate).get(f"/documents/{document.id}").get_data(as_text=True)
    assert "Approved" in own and "Approve</button>" not in own


def test_approval_needs_csrf(app, candidate, director):
    document = uploaded(candidate)
    client = _signed_in(app, director)
    client.post(f"/documents/{document.id}/approve", data={})
    db.session.refresh(document)
    assert document.state is DocumentStatus.PENDING


def test_a_candidate_cannot_approve_or_reject(app, candidate, director):
    document = uploaded(candidate)
    client = _signed_in(app, candidate)
    token = client.form_token(f"/documents/{document.id}")
    assert (
        client.post(f"/documents/{document.id}/approve", data={"csrf_token": token}).status_code
        == 403
    )
    rejected = client.post(
        f"/documents/{document.id}/reject", data={"csrf_token": token, "reason": "x"}
    )
    assert rejected.status_code == 403
    db.session.refresh(document)
    assert document.state is DocumentStatus.PENDING


def test_a_rejection_reason_is_privacy_checked_then_shown_to_the_owner(app, candidate, director):
    document = uploaded(candidate)
    client = _signed_in(app, director)
    path = f"/documents/{document.id}"
    reason = "Blurred; the client Jane Whitfield appears on page 2."
    response = client.submit(f"{path}/reject", {"reason": reason}, form_path=path)
    assert response.status_code == 400
    assert "This may identify a client" in response.get_data(as_text=True)
    db.session.refresh(document)
    assert document.state is DocumentStatus.PENDING
    response = client.submit(
        f"{path}/reject", {"reason": "The expiry date is cut off."}, form_path=path
    )
    assert response.status_code == 302
    own = _signed_in(app, candidate).get(path).get_data(as_text=True)
    assert "The expiry date is cut off." in own and "Upload a better copy" in own


def test_an_empty_reason_is_refused(app, candidate, director):
    document = uploaded(candidate)
    client = _signed_in(app, director)
    path = f"/documents/{document.id}"
    response = client.submit(f"{path}/reject", {"reason": ""}, form_path=path)
    assert response.status_code == 400
    db.session.refresh(document)
    assert document.state is DocumentStatus.PENDING


# --- the review list -----------------------------------------------------------------------
def test_the_review_list_shows_waiting_documents_in_flat_queries(app, director):
    client = _signed_in(app, director)
    first = make_candidate(director=director)
    uploaded(first)
    few = count_queries(lambda: client.get("/documents/review"))
    for _ in range(12):
        uploaded(make_candidate(director=director))
    many = count_queries(lambda: client.get("/documents/review"))
    assert many == few
    page = client.get("/documents/review").get_data(as_text=True)
    assert page.count('text-bg-warning">Waiting for review') == 13
    mine = _signed_in(app, first)
    for _ in range(15):
        uploaded(first)
    assert count_queries(lambda: mine.get("/documents/")) == count_queries(
        lambda: mine.get("/documents/?page=2")
    )


def test_the_review_list_filters_by_status_and_person(app, director):
    client = _signed_in(app, director)
    waiting, done = make_candidate(director=director), make_candidate(director=director)
    uploaded(waiting, title="Waiting insurance")
    from airm_training.supporting.services import approve_document

    approve_document(director, uploaded(done, title="Done insurance"))
    db.session.commit()
    pending = client.get("/documents/review").get_data(as_text=True)
    assert "Waiting insurance" in pending and "Done insurance" not in pending
    approved = client.get("/documents/review?status=approved").get_data(as_text=True)
    assert "Done insurance" in approved and "Waiting insurance" not in approved
    by_person = client.get(f"/documents/review?status=all&person={waiting.id}").get_data(
        as_text=True
    )
    assert "Waiting insurance" in by_person and "Done insurance" not in by_person


# --- the demo ------------------------------------------------------------------------------
def test_in_the_demo_a_director_approves_priyas_licence_copy_and_enrols_her(app):
    seed_demo()
    db.session.commit()
    priya = find_by_email("priya.raman@btrc.example")
    connie = find_by_email("connie.zollner@btrc.example")
    (document,) = documents_of(priya)
    assert document.kind == "licence-copy" and document.state is DocumentStatus.PENDING
    director = app.test_client()
    response = director.submit(
        "/auth/login",
        {"email": connie.email, "password": "airm-demo-password"},
        form_path="/auth/login",
    )
    assert response.status_code == 302
    assert "Priya Raman" in director.get("/documents/review").get_data(as_text=True)
    path = f"/documents/{document.id}"
    assert director.submit(f"{path}/approve", form_path=path).status_code == 302
    response = director.submit(f"/people/{priya.id}/enrol", form_path=f"/people/{priya.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert enrolment_of(priya) is not None
    assert priya.licences[0].is_verified
