"""Signature images: uploading (cleaned, limited, only by directors and board members),
replacing and removing them (audited, with a confirmation page), the preview, and the
certificate PDF read back: the images of the issuing director and the approving board
members drawn when they uploaded one, the names printed in every case."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image, ImageDraw
from pypdf import PdfReader

from airm_training.audit.models import AuditEvent
from airm_training.core.errors import DomainError
from airm_training.documents.certificate import CertificatePdf
from airm_training.extensions import db
from airm_training.people.models import Role
from airm_training.progression.documents import certificate_data
from airm_training.progression.renewal import renew, request_renewal
from airm_training.progression.services import issue
from airm_training.signatures.models import CertificateSignature, SignatureImage
from airm_training.signatures.services import (
    MAX_BYTES,
    MAX_WIDTH,
    attach_signatures,
    current_signature,
    remove_signature,
    upload_signature,
)
from tests.ce_helpers import verified_ce
from tests.documents_helpers import jpeg_with_gps, png_with_text
from tests.factories import login, make_candidate, make_director, make_person
from tests.pdfs import pdf_bytes
from tests.test_engine import long_standing_supervisor, qualified_candidate
from tests.test_progression_workflow import applied, approved
from tests.test_renewal import holder_expiring_in, signed_hours


def signature_png(width: int = 300, height: int = 80) -> bytes:
    """A pen stroke on a transparent background."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [(10, height - 15), (width // 3, 15), (width // 2, height - 20), (width - 10, 20)],
        fill=(20, 20, 80, 255),
        width=5,
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def stored_images(person) -> list[SignatureImage]:
    return list(
        db.session.scalars(sa.select(SignatureImage).where(SignatureImage.person_id == person.id))
    )


def signed_in(app, person):
    client = app.test_client()
    login(client, person)
    return client


def post_signature(client, data: bytes, filename: str = "signature.png", *, csrf: bool = True):
    form = {"file": (io.BytesIO(data), filename)}
    if csrf:
        form["csrf_token"] = client.form_token("/signature/")
    return client.post("/signature/", data=form, content_type="multipart/form-data")


def pdf_images_and_text(pdf: bytes) -> tuple[int, str]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return len(page.images), page.extract_text()


@pytest.fixture
def director():
    return make_director(full_name="Dana Issuer")


@pytest.fixture
def issued_with(app, director):
    """Issue an AIRT-S certificate through the whole workflow, after ``prepare(board)``
    (for uploads); returns (certificate, board)."""

    def issue_after(prepare=lambda board: None):
        supervisor = long_standing_supervisor(director)
        holder, _hours = qualified_candidate(supervisor=supervisor, director=director)
        board = [
            make_person(Role.CO_CREATOR, full_name=name)
            for name in ("Ava Approver", "Ben Approver")
        ]
        prepare(board)
        db.session.commit()
        certificate = issue(director, approved(applied(holder, supervisor), board))
        db.session.commit()
        return certificate, board

    return issue_after


# --- the service ---------------------------------------------------------------------------
def test_an_upload_is_stored_without_its_metadata_and_audited(director):
    image, removed = upload_signature(director, png_with_text())
    db.session.commit()
    assert "comments" in removed
    assert current_signature(director.id).id == image.id
    assert b"Somebody" not in image.content and b"scanned at the office" not in image.content
    assert image.content_type == "image/png" and (image.width, image.height) == (32, 32)
    (event,) = events("signature.uploaded")
    assert (event.object_type, event.object_id, event.actor_id) == (
        "person",
        str(director.id),
        director.id,
    )
    assert event.after["sha256"] == image.sha256 and event.before is None


def test_a_jpeg_loses_its_gps_position(director):
    image, removed = upload_signature(director, jpeg_with_gps())
    assert "a GPS position" in removed
    with Image.open(io.BytesIO(image.content)) as stored:
        assert len(stored.getexif()) == 0


def test_replacing_retires_the_old_image_which_no_certificate_prints(director):
    first, _ = upload_signature(director, signature_png())
    first_sha = first.sha256
    second, _ = upload_signature(director, signature_png(400, 100))
    db.session.commit()
    assert current_signature(director.id).id == second.id
    # nothing prints the first one: it is gone, bytes and all
    assert [image.sha256 for image in stored_images(director)] == [second.sha256]
    (event,) = events("signature.replaced")
    assert event.before["sha256"] == first_sha and event.after["sha256"] == second.sha256


def test_removing_leaves_no_image_and_is_audited(director):
    upload_signature(director, signature_png())
    remove_signature(director)
    db.session.commit()
    assert current_signature(director.id) is None and stored_images(director) == []
    (event,) = events("signature.removed")
    assert event.before["content_type"] == "image/png"
    with pytest.raises(DomainError, match="no signature image"):
        remove_signature(director)


def test_a_wide_image_is_scaled_down(director):
    image, _ = upload_signature(director, signature_png(3000, 600))
    assert (image.width, image.height) == (MAX_WIDTH, 240)
    with Image.open(io.BytesIO(image.content)) as stored:
        assert stored.size == (MAX_WIDTH, 240)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Choose a file to upload."),
        (pdf_bytes(), "Upload a PNG or JPEG image."),
        (b"GIF89a not accepted", "Upload a PNG or JPEG file."),
        (b"\x89PNG\r\n\x1a\n broken", "That file is not a readable PNG image."),
        (signature_png(10, 10), "The image is too small"),
    ],
)
def test_what_is_not_a_usable_image_is_refused(director, data, message):
    with pytest.raises(DomainError) as refusal:
        upload_signature(director, data)
    assert message in str(refusal.value)
    assert stored_images(director) == [] and events("signature.uploaded") == []


def test_an_oversized_image_is_refused(director):
    padded = signature_png() + b"\0" * MAX_BYTES
    with pytest.raises(DomainError, match="larger than 1 MB"):
        upload_signature(director, padded)


def test_candidates_and_supervisors_do_not_sign_certificates(app):
    director = make_director()
    supervisor = long_standing_supervisor(director)
    for person in (make_candidate(director=director), supervisor):
        with pytest.raises(DomainError, match="Only directors and board members"):
            upload_signature(person, signature_png())
    assert db.session.scalar(sa.select(sa.func.count(SignatureImage.id))) == 0


# --- the certificate -----------------------------------------------------------------------
def test_without_images_the_names_are_printed_on_the_lines(app, issued_with, director):
    certificate, board = issued_with()
    images, text = pdf_images_and_text(CertificatePdf(certificate_data(certificate)).get_pdf())
    assert images == 0
    # Each name twice: in script on the line and printed under it.
    for name in (director.full_name, *(member.full_name for member in board)):
        assert text.count(name) == 2


def test_the_director_and_the_approving_board_members_images_are_drawn(app, issued_with, director):
    upload_signature(director, signature_png())

    def one_member_signs(board):
        upload_signature(board[0], signature_png(500, 120))

    certificate, board = issued_with(one_member_signs)
    lines = db.session.scalars(
        sa.select(CertificateSignature.position).where(
            CertificateSignature.certificate_id == certificate.id
        )
    ).all()
    assert sorted(lines) == [0, 1]  # the director and the first approver; Ben has none
    images, text = pdf_images_and_text(CertificatePdf(certificate_data(certificate)).get_pdf())
    assert images == 2
    assert text.count(director.full_name) == 1  # printed under the image only
    assert text.count(board[0].full_name) == 1
    assert text.count(board[1].full_name) == 2  # no image: on the line too


def test_an_issued_certificate_keeps_its_image_after_removal_a_new_one_does_not(
    app, issued_with, director
):
    upload_signature(director, signature_png())
    certificate, _board = issued_with()
    remove_signature(director)
    db.session.commit()
    assert pdf_images_and_text(CertificatePdf(certificate_data(certificate)).get_pdf())[0] == 1
    kept = stored_images(director)
    assert len(kept) == 1 and kept[0].retired_at is not None  # kept only for that certificate
    later, _ = issued_with()
    assert pdf_images_and_text(CertificatePdf(certificate_data(later)).get_pdf())[0] == 0


def test_the_downloaded_certificate_shows_the_image(app, issued_with, director):
    upload_signature(director, signature_png())
    certificate, _board = issued_with()
    response = signed_in(app, director).get(f"/progression/certificates/{certificate.id}.pdf")
    assert response.status_code == 200
    assert pdf_images_and_text(response.data)[0] == 1


# --- the pages -----------------------------------------------------------------------------
def test_a_director_uploads_sees_the_preview_and_the_image(app, director):
    client = signed_in(app, director)
    assert "No signature image yet" in client.get("/signature/").get_data(as_text=True)
    response = post_signature(client, signature_png())
    assert response.status_code == 302 and response.headers["Location"] == "/signature/"
    page = client.get("/signature/").get_data(as_text=True)
    assert "Your signature now" in page and "/signature/image?v=" in page
    served = client.get("/signature/image")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.data == current_signature(director.id).content


def test_a_board_member_may_upload(app):
    member = make_person(Role.CO_CREATOR)
    assert post_signature(signed_in(app, member), signature_png()).status_code == 302
    assert current_signature(member.id) is not None


def test_bad_input_is_shown_on_the_form_and_nothing_is_stored(app, director):
    client = signed_in(app, director)
    response = post_signature(client, b"not an image", "signature.png")
    assert response.status_code == 200
    assert "Upload a PNG or JPEG file." in response.get_data(as_text=True)
    response = post_signature(client, signature_png(), "signature.gif")
    assert "Upload a PNG or JPEG image." in response.get_data(as_text=True)
    assert stored_images(director) == []


def test_an_upload_needs_csrf(app, director):
    response = post_signature(signed_in(app, director), signature_png(), csrf=False)
    assert response.status_code == 400
    assert stored_images(director) == []


def test_a_candidate_cannot_upload(app):
    candidate = make_candidate(director=make_director())
    client = signed_in(app, candidate)
    response = client.post(
        "/signature/",
        data={
            "file": (io.BytesIO(signature_png()), "s.png"),
            "csrf_token": client.form_token("/auth/security"),  # a valid token of the session
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert stored_images(candidate) == []


def test_the_image_served_is_always_ones_own(app, director):
    upload_signature(director, signature_png())
    db.session.commit()
    other = make_director()
    assert signed_in(app, other).get("/signature/image").status_code == 404


def test_removal_asks_first_then_removes(app, director):
    upload_signature(director, signature_png())
    db.session.commit()
    client = signed_in(app, director)
    confirm = client.get("/signature/remove")
    assert confirm.status_code == 200
    assert "Remove your signature image?" in confirm.get_data(as_text=True)
    assert current_signature(director.id) is not None  # asking removed nothing
    assert client.post("/signature/remove").status_code == 400  # no CSRF token
    assert current_signature(director.id) is not None
    token = client.form_token("/signature/remove")
    response = client.post("/signature/remove", data={"csrf_token": token})
    assert response.status_code == 302
    assert current_signature(director.id) is None
    assert len(events("signature.removed")) == 1


def test_a_renewal_repeats_the_boards_lines_and_signs_with_the_renewing_directors_image(app):
    person, director, supervisor, original = holder_expiring_in(60)  # approved by "Board Member"
    member = make_person(Role.CO_CREATOR, full_name="Board Member")
    member_image, _ = upload_signature(member, signature_png())
    attach_signatures(original.id, [None, member_image.id])  # as if issued with it
    remove_signature(member)  # the original still prints it; the renewal repeats it
    director_image, _ = upload_signature(director, signature_png(500, 120))
    verified_ce(person, director, 12, days_ago=30)
    signed_hours(person, supervisor, "individual-consultation", 4, days_ago=20)
    renewed = renew(director, request_renewal(person))
    db.session.commit()
    lines = dict(
        db.session.execute(
            sa.select(CertificateSignature.position, CertificateSignature.signature_id).where(
                CertificateSignature.certificate_id == renewed.id
            )
        ).all()
    )
    assert lines == {0: director_image.id, 1: member_image.id}
    images, text = pdf_images_and_text(CertificatePdf(certificate_data(renewed)).get_pdf())
    assert images == 2 and text.count("Board Member") == 1
