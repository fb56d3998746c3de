"""The pages of continuing education: recording a course through the form (bad input,
CSRF, privacy check), a record seen only by its owner and directors, a director's
verification and rejection, the review list oldest first in flat queries, the audits, and
the tile on the director's home."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.continuing.models import CeAudit, CeAuditItem, CeRecord, CeStatus
from airm_training.core.clock import today
from airm_training.credentials.models import CredentialAward
from airm_training.credentials.services import award_credential
from airm_training.extensions import db
from airm_training.notifications.models import Notification
from airm_training.programme.services import current_version
from airm_training.supporting.models import SupportingDocument
from tests.ce_helpers import recorded_ce, verified_ce
from tests.factories import login, make_candidate, make_director
from tests.pdfs import pdf_bytes
from tests.query_count import count_queries


@pytest.fixture
def director():
    return make_director()


@pytest.fixture
def candidate(director):
    return make_candidate(director=director)


@pytest.fixture
def holder(director):
    person = make_candidate(director=director)
    award_credential(
        person,
        "AIRT-S",
        actor_id=director.id,
        version=current_version(),
        awarded_on=today() - timedelta(days=100),
    )
    db.session.commit()
    return person


def _signed_in(app, person):
    client = app.test_client()
    login(client, person)
    return client


def post_record(client, *, token: str | None = None, data: bytes | None = None, **fields):
    token = client.form_token("/ce/new") if token is None else token
    form = {
        "provider": "Northwest Trauma Institute",
        "course_title": "Attachment and AI companions",
        "approval_number": "NBCC-7731",
        "completed_on": (today() - timedelta(days=12)).isoformat(),
        "credit_hours": "3",
        "credit_minutes": "30",
        "subject_area": "airm",
        "certificate": (io.BytesIO(pdf_bytes() if data is None else data), "certificate.pdf"),
        "csrf_token": token,
        **fields,
    }
    return client.post("/ce/new", data=form, content_type="multipart/form-data")


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def _award(person) -> CredentialAward:
    return db.session.scalar(
        sa.select(CredentialAward).where(
            CredentialAward.person_id == person.id, CredentialAward.expires_on.is_not(None)
        )
    )


# --- recording -----------------------------------------------------------------------------
def test_a_person_records_a_course_through_the_form(app, candidate):
    client = _signed_in(app, candidate)
    page = client.get("/ce/new").get_data(as_text=True)
    assert "write nothing that could identify a client" in page
    assert "AIRM and artificial intimacy" in page  # the subject areas of the programme file
    response = post_record(client)
    assert response.status_code == 302
    record_id = int(re.search(r"/ce/(\d+)$", response.headers["Location"]).group(1))
    record = db.session.get(CeRecord, record_id)
    assert (record.person_id, record.minutes, record.subject_area) == (candidate.id, 210, "airm")
    assert record.document.kind == "ce-certificate"
    shown = client.get(f"/ce/{record_id}").get_data(as_text=True)
    assert "Waiting for verification" in shown and "3 h 30" in shown
    assert "Verify</button>" not in shown
    mine = client.get("/ce/").get_data(as_text=True)
    assert "Attachment and AI companions" in mine


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"provider": ""}, "Enter the provider."),
        ({"approval_number": ""}, "Enter the course or approval number"),
        ({"completed_on": (today() + timedelta(days=3)).isoformat()}, "cannot be in the future"),
        ({"completed_on": "not a date"}, "Enter the date."),
        ({"credit_hours": "0", "credit_minutes": "0"}, "Credits are from 1 minute"),
        ({"credit_minutes": "75"}, "Number must be between 0 and 59."),
        ({"subject_area": "astrology"}, "Not a valid choice."),
    ],
)
def test_bad_input_shows_a_clear_message_and_saves_nothing(app, candidate, fields, message):
    client = _signed_in(app, candidate)
    response = post_record(client, **fields)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(CeRecord) == 0 and _count(SupportingDocument) == 0


def test_a_certificate_that_is_not_a_pdf_or_image_is_refused(app, candidate):
    client = _signed_in(app, candidate)
    response = post_record(client, data=b"just some text")
    assert "Upload a PDF, PNG or JPEG file." in response.get_data(as_text=True)
    assert _count(CeRecord) == 0 and _count(SupportingDocument) == 0


def test_recording_needs_csrf(app, candidate):
    client = _signed_in(app, candidate)
    response = post_record(client, token="")
    assert response.status_code in (200, 400)
    assert _count(CeRecord) == 0


def test_an_identifying_course_title_is_held_until_confirmed(app, candidate):
    client = _signed_in(app, candidate)
    title = "Case review, call me on 206-555-0143"
    response = post_record(client, course_title=title)
    assert "This may identify a client" in response.get_data(as_text=True)
    assert _count(CeRecord) == 0
    response = post_record(client, course_title=title, confirm_no_identifiers="y")
    assert response.status_code == 302
    record = db.session.scalar(sa.select(CeRecord))
    assert db.session.scalar(
        sa.select(AuditEvent.id).where(
            AuditEvent.object_type == "ce_record",
            AuditEvent.object_id == str(record.id),
            AuditEvent.action.like("privacy.%"),
        )
    )


# --- viewing -------------------------------------------------------------------------------
def test_a_record_is_seen_by_its_owner_and_directors_only(app, candidate, director):
    record = recorded_ce(candidate)
    assert _signed_in(app, candidate).get(f"/ce/{record.id}").status_code == 200
    assert _signed_in(app, director).get(f"/ce/{record.id}").status_code == 200
    other = _signed_in(app, make_candidate(director=director))
    assert other.get(f"/ce/{record.id}").status_code == 403
    assert other.get(f"/documents/{record.document_id}/file").status_code == 403
    assert "Attachment and AI companions" not in other.get("/ce/").get_data(as_text=True)
    anonymous = app.test_client().get(f"/ce/{record.id}")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


# --- verification --------------------------------------------------------------------------
def test_a_director_verifies_from_the_page(app, candidate, director):
    record = recorded_ce(candidate)
    client = _signed_in(app, director)
    path = f"/ce/{record.id}"
    assert "Verify</button>" in client.get(path).get_data(as_text=True)
    assert client.submit(f"{path}/verify", form_path=path).status_code == 302
    db.session.refresh(record)
    assert record.state is CeStatus.VERIFIED
    assert "Its credits count" in _signed_in(app, candidate).get(path).get_data(as_text=True)


def test_verification_needs_csrf(app, candidate, director):
    record = recorded_ce(candidate)
    client = _signed_in(app, director)
    client.post(f"/ce/{record.id}/verify", data={})
    client.post(f"/ce/{record.id}/reject", data={"reason": "No."})
    db.session.refresh(record)
    assert record.state is CeStatus.PENDING


def test_a_candidate_cannot_verify_or_reject_even_their_own(app, candidate, director):
    record = recorded_ce(candidate)
    client = _signed_in(app, candidate)
    token = client.form_token(f"/ce/{record.id}")
    assert client.post(f"/ce/{record.id}/verify", data={"csrf_token": token}).status_code == 403
    response = client.post(f"/ce/{record.id}/reject", data={"csrf_token": token, "reason": "x"})
    assert response.status_code == 403
    db.session.refresh(record)
    assert record.state is CeStatus.PENDING


def test_a_director_cannot_verify_their_own(app, director):
    record = recorded_ce(director)
    client = _signed_in(app, director)
    path = f"/ce/{record.id}"
    response = client.submit(f"{path}/verify", form_path=path, follow_redirects=True)
    assert "another director will" in response.get_data(as_text=True)
    db.session.refresh(record)
    assert record.state is CeStatus.PENDING


def test_a_rejection_needs_a_reason_is_privacy_checked_and_reaches_the_owner(
    app, candidate, director
):
    record = recorded_ce(candidate)
    client = _signed_in(app, director)
    path = f"/ce/{record.id}"
    assert client.submit(f"{path}/reject", {"reason": ""}, form_path=path).status_code == 400
    response = client.submit(
        f"{path}/reject", {"reason": "The client Jane Whitfield is named on it."}, form_path=path
    )
    assert response.status_code == 400
    assert "This may identify a client" in response.get_data(as_text=True)
    db.session.refresh(record)
    assert record.state is CeStatus.PENDING
    response = client.submit(f"{path}/reject", {"reason": "No approval number."}, form_path=path)
    assert response.status_code == 302
    own = _signed_in(app, candidate).get(path).get_data(as_text=True)
    assert "No approval number." in own and "Not verified" in own


def test_the_review_list_is_oldest_first_and_flat_in_queries(app, director):
    client = _signed_in(app, director)
    first = make_candidate(director=director)
    oldest = recorded_ce(first, course_title="The oldest course")
    few = count_queries(lambda: client.get("/ce/review"))
    for _ in range(12):
        recorded_ce(make_candidate(director=director))
    many = count_queries(lambda: client.get("/ce/review"))
    assert many == few
    page = client.get("/ce/review").get_data(as_text=True)
    assert page.count("data-queue-item") == 13
    assert page.index("The oldest course") < page.index("Attachment and AI companions")
    verify = make_candidate(director=director)
    done = verified_ce(verify, director, course_title="A verified course")
    assert "A verified course" not in client.get("/ce/review").get_data(as_text=True)
    assert "A verified course" in client.get("/ce/review?status=verified").get_data(as_text=True)
    assert done.id and oldest.id
    mine = _signed_in(app, first)
    for _ in range(30):
        recorded_ce(first)
    assert count_queries(lambda: mine.get("/ce/")) == count_queries(lambda: mine.get("/ce/?page=2"))


def test_the_review_list_paginates(app, director):
    person = make_candidate(director=director)
    for _ in range(27):
        recorded_ce(person)
    client = _signed_in(app, director)
    assert client.get("/ce/review").get_data(as_text=True).count("data-queue-item") == 25
    assert client.get("/ce/review?page=2").get_data(as_text=True).count("data-queue-item") == 2


def test_only_directors_open_the_review_list_and_audits(app, candidate):
    client = _signed_in(app, candidate)
    assert client.get("/ce/review").status_code == 403
    assert client.get("/ce/audits").status_code == 403


def test_the_director_home_counts_ce_waiting(app, candidate, director):
    recorded_ce(candidate)
    recorded_ce(candidate)
    page = _signed_in(app, director).get("/director").get_data(as_text=True)
    assert "continuing-education records to verify" in page
    assert "/ce/review?status=pending" in page


# --- audits --------------------------------------------------------------------------------
def test_a_director_draws_an_audit_and_records_findings(app, holder, director):
    records = [verified_ce(holder, director, hours=1, days_ago=10 + n) for n in range(5)]
    client = _signed_in(app, director)
    award = _award(holder)
    page = client.get("/ce/audits").get_data(as_text=True)
    assert holder.full_name in page
    response = client.submit("/ce/audits", {"award": str(award.id)})
    assert response.status_code == 302
    audit = db.session.scalar(sa.select(CeAudit))
    assert len(audit.items) == 2 and audit.population == 5
    path = f"/ce/audits/{audit.id}"
    shown = client.get(path).get_data(as_text=True)
    assert audit.seed in shown and "2 of 5 verified records sampled" in shown
    first, second = audit.items
    prefix = f"item{first.id}-"
    url = f"{path}/items/{first.id}"
    missing = client.submit(url, {f"{prefix}finding": "not-verified"}, form_path=path)
    assert missing.status_code == 400 and "Say why" in missing.get_data(as_text=True)
    response = client.submit(
        url,
        {f"{prefix}finding": "not-verified", f"{prefix}note": "Unknown to the provider."},
        form_path=path,
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(CeAuditItem, first.id).verified is False
    assert db.session.get(CeRecord, first.ce_record_id).state is CeStatus.REJECTED
    again = client.submit(
        url, {f"{prefix}finding": "verified"}, form_path=path, follow_redirects=True
    )
    assert "already recorded" in again.get_data(as_text=True)
    assert db.session.get(CeAuditItem, first.id).verified is False
    listing = client.get("/ce/audits").get_data(as_text=True)
    assert "1 of 2 recorded" in listing and "1 not verified" in listing
    assert len(records) == 5 and second.verified is None


def test_audit_forms_need_csrf_and_a_cycle_with_records(app, holder, director):
    client = _signed_in(app, director)
    award = _award(holder)
    client.post("/ce/audits", data={"award": str(award.id)})
    assert _count(CeAudit) == 0
    response = client.submit("/ce/audits", {"award": str(award.id)})
    assert response.status_code == 400
    assert "no verified continuing education" in response.get_data(as_text=True)
    assert _count(CeAudit) == 0
    assert client.submit("/ce/audits", {"award": "999999"}).status_code == 400  # not a choice
    verified_ce(holder, director, hours=1, days_ago=10)
    client.submit("/ce/audits", {"award": str(award.id)})
    item = db.session.scalar(sa.select(CeAuditItem))
    path = f"/ce/audits/{item.audit_id}"
    client.post(f"{path}/items/{item.id}", data={f"item{item.id}-finding": "verified"})
    db.session.refresh(item)
    assert item.verified is None


def test_a_candidate_cannot_draw_or_mark(app, holder, director):
    verified_ce(holder, director, hours=1, days_ago=10)
    staff = _signed_in(app, director)
    staff.submit("/ce/audits", {"award": str(_award(holder).id)})
    item = db.session.scalar(sa.select(CeAuditItem))
    client = _signed_in(app, holder)
    token = client.form_token("/ce/")
    path = f"/ce/audits/{item.audit_id}"
    assert client.get(path).status_code == 403
    response = client.post(
        f"{path}/items/{item.id}",
        data={"csrf_token": token, f"item{item.id}-finding": "verified"},
    )
    assert response.status_code == 403
    response = client.post("/ce/audits", data={"csrf_token": token, "award": "1"})
    assert response.status_code == 403
    db.session.refresh(item)
    assert item.verified is None


def test_an_item_of_another_audit_is_not_found(app, holder, director):
    verified_ce(holder, director, hours=1, days_ago=10)
    client = _signed_in(app, director)
    for _ in range(2):
        client.submit("/ce/audits", {"award": str(_award(holder).id)})
    first, second = db.session.scalars(sa.select(CeAuditItem).order_by(CeAuditItem.id)).all()
    response = client.submit(
        f"/ce/audits/{first.audit_id}/items/{second.id}",
        {f"item{second.id}-finding": "verified"},
        form_path=f"/ce/audits/{first.audit_id}",
    )
    assert response.status_code == 404


def test_the_audit_list_is_flat_in_queries(app, holder, director):
    verified_ce(holder, director, hours=1, days_ago=10)
    client = _signed_in(app, director)
    client.submit("/ce/audits", {"award": str(_award(holder).id)})
    few = count_queries(lambda: client.get("/ce/audits"))
    for _ in range(6):
        other = make_candidate(director=director)
        award_credential(
            other,
            "AIRT-S",
            actor_id=director.id,
            version=current_version(),
            awarded_on=today() - timedelta(days=50),
        )
        verified_ce(other, director, hours=1, days_ago=10)
        client.submit("/ce/audits", {"award": str(_award(other).id)})
    assert _count(CeAudit) == 7
    assert count_queries(lambda: client.get("/ce/audits")) == few


# --- the holder is told of the review -------------------------------------------------------
def _notices_of(person) -> list[Notification]:
    return list(
        db.session.scalars(sa.select(Notification).where(Notification.person_id == person.id))
    )


def test_verifying_tells_the_holder_in_the_app_and_by_email(app, candidate, director, outbox):
    record = recorded_ce(candidate)
    client = _signed_in(app, director)
    path = f"/ce/{record.id}"
    assert client.submit(f"{path}/verify", form_path=path).status_code == 302
    (notice,) = _notices_of(candidate)  # one notice for the record and its certificate
    assert notice.kind == "ce_reviewed" and notice.object_id == record.id
    assert "was verified; its credits count" in notice.message
    assert "Attachment and AI companions" not in notice.message
    (mail,) = [m for m in outbox if candidate.email in m.to]
    assert "Continuing education reviewed" in mail.subject
    assert f"/ce/{record.id}" in mail.body
    page = _signed_in(app, candidate).get("/notifications/").get_data(as_text=True)
    assert "was verified; its credits count" in page


def test_rejecting_tells_the_holder_without_the_reason(app, candidate, director, outbox):
    record = recorded_ce(candidate)
    client = _signed_in(app, director)
    path = f"/ce/{record.id}"
    response = client.submit(f"{path}/reject", {"reason": "No approval number."}, form_path=path)
    assert response.status_code == 302
    (notice,) = _notices_of(candidate)
    assert notice.kind == "ce_reviewed"
    assert "was not verified; open it to see why" in notice.message
    assert "No approval number." not in notice.message
    assert [m for m in outbox if candidate.email in m.to]


def test_a_refused_or_forged_review_tells_nobody(app, candidate, director, outbox):
    record = recorded_ce(candidate)
    own = _signed_in(app, candidate)
    token = own.form_token(f"/ce/{record.id}")
    assert own.post(f"/ce/{record.id}/verify", data={"csrf_token": token}).status_code == 403
    _signed_in(app, director).post(f"/ce/{record.id}/verify", data={})  # no CSRF token
    assert _notices_of(candidate) == []
    assert not [m for m in outbox if candidate.email in m.to]
