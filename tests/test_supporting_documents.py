"""Supporting documents: kinds from the programme file, cleaning of uploads, the review
by a director (and who may not review), licence copies verifying a licence, downloads
only for the owner and directors, and the audit of every step."""

from __future__ import annotations

import io
from datetime import timedelta

import pikepdf
import pytest
import sqlalchemy as sa
from PIL import Image

from airm_training.audit.models import AuditEvent
from airm_training.core.clock import today
from airm_training.core.errors import DomainError
from airm_training.credentials.services import enrol
from airm_training.extensions import db
from airm_training.notifications.models import Notification
from airm_training.people.models import Role
from airm_training.people.services import add_licence
from airm_training.privacy.sweep import sweep
from airm_training.programme.loader import DEFAULT_PROGRAMME_FILE
from airm_training.supporting.files import RefusedFile, clean_upload
from airm_training.supporting.kinds import document_kinds, kind_named
from airm_training.supporting.models import DocumentStatus, SupportingDocument
from airm_training.supporting.services import (
    approve_document,
    reject_document,
    upload_document,
)
from tests.documents_helpers import (
    GPS_IFD,
    insurance_input,
    jpeg_with_gps,
    png_with_text,
    uploaded,
)
from tests.factories import make_candidate, make_director, make_person
from tests.pdfs import hostile_pdf, pdf_bytes

LIMIT = 4 * 1024 * 1024


@pytest.fixture
def director():
    return make_director()


@pytest.fixture
def candidate(director):
    return make_candidate(director=director)


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


# --- kinds ---------------------------------------------------------------------------------
def test_the_kinds_come_from_the_programme_file():
    import tomllib

    shipped = tomllib.loads(DEFAULT_PROGRAMME_FILE.read_text())["document_kinds"]
    assert [k.code for k in document_kinds()] == [k["code"] for k in shipped]
    assert kind_named("licence-copy").licence and kind_named("licence-copy").expires
    assert kind_named("liability-insurance").expires
    assert not kind_named("training-certificate").expires
    assert kind_named("no-such-kind") is None


def test_an_unknown_kind_is_refused(candidate):
    with pytest.raises(DomainError) as refused:
        upload_document(candidate, insurance_input(kind="passport"))
    assert refused.value.problems == [("kind", "Choose the kind of document.")]


# --- dates ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {"expires_on": None},
            ("expires_on", "A professional liability insurance has an expiry date: enter it."),
        ),
        (
            {"expires_on": -1},
            ("expires_on", "This document has already expired."),
        ),
        (
            {"issued_on": 1},
            ("issued_on", "The issue date cannot be in the future."),
        ),
        (
            {"issued_on": 0, "expires_on": 0},
            ("expires_on", "The expiry date must come after the issue date."),
        ),
    ],
)
def test_dates_are_checked(candidate, changes, problem):
    """``changes``: days from today (read when the test runs, in the centre's time zone)."""
    dates = {k: None if v is None else today() + timedelta(days=v) for k, v in changes.items()}
    with pytest.raises(DomainError) as refused:
        upload_document(candidate, insurance_input(**dates))
    assert problem in refused.value.problems
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupportingDocument)) == 0


def test_a_kind_without_expiry_needs_no_expiry_date(candidate):
    document = upload_document(
        candidate, insurance_input(kind="training-certificate", expires_on=None)
    )
    assert document.expires_on is None and document.state is DocumentStatus.PENDING


# --- files ---------------------------------------------------------------------------------
def test_a_pdf_is_stored_cleaned_with_its_hash_and_audited(candidate, director):
    document = uploaded(candidate, data=hostile_pdf("open-action-javascript"))
    stored = pikepdf.open(io.BytesIO(document.content))
    assert "/OpenAction" not in stored.Root
    assert document.content_type == "application/pdf"
    (event,) = _events("document.uploaded")
    assert event.object_id == str(document.id)
    assert event.actor_id == candidate.id
    assert event.after["sha256"] == document.sha256
    assert "an action run on opening" in event.after["removed"]
    notified = db.session.scalars(
        sa.select(Notification.person_id).where(Notification.kind == "document_uploaded")
    ).all()
    assert director.id in notified and candidate.id not in notified


def test_gps_and_other_metadata_are_stripped_from_a_jpeg():
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(GPS_IFD)  # the test file really carries a position
    cleaned = clean_upload(original, limit=LIMIT)
    assert cleaned.content_type == "image/jpeg"
    assert {"EXIF data", "a GPS position", "comments"} <= set(cleaned.removed)
    with Image.open(io.BytesIO(cleaned.data)) as after:
        assert len(after.getexif()) == 0
        assert "comment" not in after.info and "exif" not in after.info
        assert after.size == (64, 48)
    assert b"Phone camera" not in cleaned.data and b"taken at home" not in cleaned.data


def test_text_chunks_are_stripped_from_a_png():
    cleaned = clean_upload(png_with_text(), limit=LIMIT)
    assert cleaned.content_type == "image/png"
    assert b"Somebody" not in cleaned.data and b"scanned at the office" not in cleaned.data
    with Image.open(io.BytesIO(cleaned.data)) as after:
        assert after.mode == "RGBA" and after.getpixel((0, 0)) == (0, 0, 255, 128)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Choose a file to upload."),
        (b"plain text, not a document", "Upload a PDF, PNG or JPEG file."),
        (b"MZ\x90\x00 a program", "Upload a PDF, PNG or JPEG file."),
        (b"%PDF-1.7 but nothing more", "That file is not a PDF."),
        (b"\x89PNG\r\n\x1a\n broken", "That file is not a readable PNG image."),
        (b"\xff\xd8\xff broken", "That file is not a readable JPEG image."),
    ],
)
def test_files_that_are_not_clean_documents_are_refused(data, message):
    with pytest.raises(RefusedFile, match=message):
        clean_upload(data, limit=LIMIT)


def test_an_oversized_file_is_refused_and_nothing_is_stored(app, candidate, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 10_000)
    with pytest.raises(DomainError) as refused:
        upload_document(candidate, insurance_input(data=pdf_bytes(10_001)))
    assert ("file", "The file is larger than 0.00953674 MB.") in refused.value.problems
    assert upload_document(candidate, insurance_input(data=pdf_bytes(9_000))).size > 0


# --- review --------------------------------------------------------------------------------
def test_a_director_approves_and_the_owner_is_told(candidate, director):
    document = uploaded(candidate)
    approve_document(director, document)
    assert document.state is DocumentStatus.APPROVED
    assert document.reviewed_by_id == director.id and document.reviewed_at is not None
    (event,) = _events("document.approved")
    assert event.before == {"status": "pending"} and event.after["status"] == "approved"
    (notice,) = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "document_reviewed")
    )
    assert notice.person_id == candidate.id
    assert notice.message == "Your professional liability insurance was approved."


def test_a_rejection_needs_a_reason_which_the_notice_does_not_repeat(candidate, director):
    document = uploaded(candidate)
    with pytest.raises(DomainError):
        reject_document(director, document, "   ")
    reject_document(director, document, "The expiry date is cut off.")
    assert document.state is DocumentStatus.REJECTED
    assert document.rejection_reason == "The expiry date is cut off."
    (event,) = _events("document.rejected")
    assert event.after == {"status": "rejected", "reason": "The expiry date is cut off."}
    (notice,) = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "document_reviewed")
    )
    assert "cut off" not in notice.message and "not approved" in notice.message


def test_a_candidate_cannot_review(candidate, director):
    other = make_candidate(director=director)
    document = uploaded(other)
    with pytest.raises(DomainError, match="Only a director"):
        approve_document(candidate, document)
    with pytest.raises(DomainError, match="Only a director"):
        reject_document(candidate, document, "no")
    assert document.state is DocumentStatus.PENDING


def test_nobody_reviews_their_own_document(director):
    document = uploaded(director, kind="training-certificate", expires_on=None)
    with pytest.raises(DomainError, match="their own"):
        approve_document(director, document)


def test_a_reviewed_document_is_not_reviewed_again(candidate, director):
    document = uploaded(candidate)
    approve_document(director, document)
    for action in (
        lambda: approve_document(make_director(), document),
        lambda: reject_document(make_director(), document, "late"),
    ):
        with pytest.raises(DomainError, match="already reviewed"):
            action()
    assert document.state is DocumentStatus.APPROVED


# --- licence copies ------------------------------------------------------------------------
def test_approving_a_licence_copy_verifies_the_licence_and_enrolment_follows(director):
    applicant = make_person(Role.CANDIDATE)
    licence = add_licence(
        applicant,
        licence_type="LCSW",
        number="SW-1",
        jurisdiction="Oregon",
        expires_on=today() + timedelta(days=400),
        actor_id=applicant.id,
    )
    with pytest.raises(DomainError, match="verified, unexpired licence"):
        enrol(applicant, actor_id=director.id)
    document = uploaded(applicant, kind="licence-copy", licence_id=licence.id)
    approve_document(director, document)
    assert licence.is_verified and licence.verified_by_id == director.id
    assert _events("document.approved")[0].after["licence_id"] == licence.id
    assert [e.object_id for e in _events("licence.verified")] == [str(licence.id)]
    enrol(applicant, actor_id=director.id)


def test_a_licence_copy_links_only_to_ones_own_licence(candidate, director):
    other = make_candidate(director=director)
    with pytest.raises(DomainError) as refused:
        upload_document(
            candidate, insurance_input(kind="licence-copy", licence_id=other.licences[0].id)
        )
    assert ("licence", "Choose one of your own licences.") in refused.value.problems
    with pytest.raises(DomainError) as refused:
        upload_document(candidate, insurance_input(licence_id=candidate.licences[0].id))
    assert ("licence", "Only a licence copy is linked to a licence.") in refused.value.problems


def test_the_privacy_sweep_reads_document_titles_and_reasons(candidate, director):
    document = uploaded(candidate, title="Insurance, phone 206-555-0143")
    reject_document(director, document, "Send it to jane.doe@example.com instead.")
    db.session.commit()
    found = {(row.source.key, row.object_id) for row in sweep()}
    assert ("supporting_document.title", document.id) in found
    assert ("supporting_document.rejection_reason", document.id) in found
