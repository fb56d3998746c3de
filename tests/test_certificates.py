"""Certificates: the PDF read back (text, landscape page, a QR code that decodes to the
verification URL), the public verification page and its JSON (each status, nothing
private, not-found, rate-limited) and revocation through the page."""

from __future__ import annotations

import io
import json
import subprocess
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import url_for
from pypdf import PdfReader

from airm_training.audit.models import AuditEvent
from airm_training.core.clock import local_date, today
from airm_training.extensions import db
from airm_training.notifications.models import Notification, NotificationKind
from airm_training.people.models import Licence, Person, Role
from airm_training.progression.models import Certificate
from airm_training.progression.services import issue, revoke
from tests.factories import login, make_candidate, make_director, make_person
from tests.pdfs import needs_qr_reading
from tests.test_engine import long_standing_supervisor, qualified_candidate
from tests.test_progression_workflow import applied, approved

PUBLIC_KEYS = {
    "status",
    "serial",
    "holder",
    "credential",
    "issued_on",
    "expires_on",
    "issuer",
    "issued_by",
    "revoked_on",
}
UNKNOWN_CODE = "Zz9_unknown-code-0000"
REVOCATION_REASON = "Disciplinary finding 2026/17 by the licensing board"


# --- helpers ------------------------------------------------------------------------------
def reload(certificate: Certificate) -> Certificate:
    db.session.expire_all()
    return db.session.get(Certificate, certificate.id)


def licence_number(person: Person) -> str:
    return db.session.scalar(sa.select(Licence.number).where(Licence.person_id == person.id))


@pytest.fixture
def issued(app):
    """An AIRT-S certificate issued through the whole workflow: (director, holder,
    certificate, approving board members)."""
    director = make_director(full_name="Dana Issuer")
    supervisor = long_standing_supervisor(director)
    holder, _hours = qualified_candidate(supervisor=supervisor, director=director)
    board = [
        make_person(Role.CO_CREATOR, full_name=name) for name in ("Ava Approver", "Ben Approver")
    ]
    certificate = issue(director, approved(applied(holder, supervisor), board))
    db.session.commit()
    return director, holder, certificate, board


def verify_path(certificate: Certificate) -> str:
    return f"/verify/{certificate.verification_code}"


def page_of(client, path: str) -> tuple[int, str]:
    response = client.get(path)
    return response.status_code, response.get_data(as_text=True)


def pdf_of(app, holder: Person, certificate: Certificate) -> bytes:
    client = app.test_client()
    login(client, holder)
    response = client.get(f"/progression/certificates/{certificate.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f'filename="{certificate.serial}.pdf"' in response.headers["Content-Disposition"]
    return response.data


# --- the PDF ------------------------------------------------------------------------------
def test_the_pdf_prints_what_the_certificate_says(app, issued):
    director, holder, certificate, board = issued
    reader = PdfReader(io.BytesIO(pdf_of(app, holder, certificate)))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert holder.full_name in text
    assert certificate.serial in text
    assert "AIRM-Trained Supervisor (AIRT-S)" in text
    assert f"Issued {certificate.issued_on:%d %B %Y}" in text
    assert f"valid through {certificate.expires_on:%d %B %Y}" in text
    assert app.config["ORGANISATION_NAME"] in text
    assert director.full_name in text
    for member in board:
        assert member.full_name in text


def test_the_pdf_page_is_landscape(app, issued):
    _director, holder, certificate, _board = issued
    page = PdfReader(io.BytesIO(pdf_of(app, holder, certificate))).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)


def test_the_qr_code_decodes_to_the_verification_url(app, client, issued, tmp_path):
    needs_qr_reading()
    _director, holder, certificate, _board = issued
    (tmp_path / "cert.pdf").write_bytes(pdf_of(app, holder, certificate))
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "cert.pdf", "page"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    decoded = subprocess.run(
        ["zbarimg", "--nodbus", "--raw", "-q", "page-1.png"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    expected = url_for("verify.show", code=certificate.verification_code, _external=True)
    assert decoded == expected
    # ... and a phone that opens it sees the certificate as valid.
    status, page = page_of(client, urlsplit(decoded).path)
    assert status == 200
    assert "✓ Valid" in page
    assert certificate.serial in page


# --- public verification ------------------------------------------------------------------
def test_verification_needs_no_login_and_says_valid(client, issued):
    director, holder, certificate, _board = issued
    status, page = page_of(client, verify_path(certificate))
    assert status == 200
    assert "✓ Valid" in page
    assert "is in force" in page
    assert holder.full_name in page
    assert certificate.serial in page
    assert "AIRM-Trained Supervisor (AIRT-S)" in page
    assert director.full_name in page
    assert certificate.expires_on.isoformat() in page


def test_an_expired_certificate_says_expired(client, issued):
    _director, _holder, certificate, _board = issued
    certificate.expires_on = today() - timedelta(days=1)
    db.session.commit()
    status, page = page_of(client, verify_path(certificate))
    assert status == 200
    assert "Expired" in page
    assert f"expired on {certificate.expires_on.isoformat()}" in page
    assert "✓ Valid" not in page
    assert client.get(verify_path(certificate) + ".json").json["status"] == "expired"


def test_a_certificate_expiring_today_is_still_valid(client, issued):
    _director, _holder, certificate, _board = issued
    certificate.expires_on = today()
    db.session.commit()
    assert client.get(verify_path(certificate) + ".json").json["status"] == "valid"


def test_a_revoked_certificate_says_revoked_with_the_date(client, issued):
    director, _holder, certificate, _board = issued
    revoke(director, certificate, REVOCATION_REASON)
    # Midday in the centre's time zone, so the UTC and the local date agree.
    certificate.revoked_at = datetime(2026, 3, 10, 20, 0)
    db.session.commit()
    status, page = page_of(client, verify_path(certificate))
    assert status == 200
    assert "✗ Revoked" in page
    assert "revoked on 2026-03-10" in page
    assert "✓ Valid" not in page
    data = client.get(verify_path(certificate) + ".json").json
    assert data["status"] == "revoked"
    assert data["revoked_on"] == "2026-03-10"


def test_the_revocation_date_is_the_centres_calendar_date(app, client, issued):
    """Revoked at 03:00 UTC, which is the previous evening in the centre's time zone:
    the public page should give the date the centre revoked it on, as every other date
    in the application (``today()``, ``local_date``) is the centre's."""
    director, _holder, certificate, _board = issued
    revoke(director, certificate, REVOCATION_REASON)
    certificate.revoked_at = datetime(2026, 3, 10, 3, 0)  # stored naive UTC
    db.session.commit()
    centre_date = local_date(certificate.revoked_at)
    assert centre_date.isoformat() == "2026-03-09"  # America/Los_Angeles in the tests
    data = client.get(verify_path(certificate) + ".json").json
    assert data["revoked_on"] == "2026-03-09"
    _status, page = page_of(client, verify_path(certificate))
    assert "revoked on 2026-03-09" in page


def test_a_superseded_certificate_says_superseded(client, issued):
    _director, _holder, certificate, _board = issued
    certificate.status = "superseded"
    db.session.commit()
    status, page = page_of(client, verify_path(certificate))
    assert status == 200
    assert "Superseded by a newer certificate" in page
    assert "✓ Valid" not in page
    assert client.get(verify_path(certificate) + ".json").json["status"] == "superseded"


def test_an_unknown_code_is_not_found_and_shows_nothing_else(client, issued):
    _director, holder, certificate, _board = issued
    status, page = page_of(client, f"/verify/{UNKNOWN_CODE}")
    assert status == 404
    assert "No certificate or transcript has this verification code" in page
    for private in (holder.full_name, certificate.serial, "AIRT-S", "AIRM-Trained Supervisor"):
        assert private not in page
    response = client.get(f"/verify/{UNKNOWN_CODE}.json")
    assert response.status_code == 404
    assert response.json == {"status": "not-found"}


@pytest.mark.parametrize(
    "code",
    ["abc$def!ghi", "short", "x" * 41, "abcdefgh%27%20OR%201=1--", "abcdefgh.ijk"],
)
def test_a_code_with_bad_characters_or_length_is_not_found(client, issued, code):
    status, page = page_of(client, f"/verify/{code}")
    assert status == 404
    assert "No certificate or transcript has this verification code" in page


def test_only_the_exact_code_finds_the_certificate(client, issued):
    """Near misses of a real code find nothing: another case, a character short, a
    character added, or SQL wildcards standing in for the rest."""
    _director, holder, certificate, _board = issued
    code = certificate.verification_code
    last = max(i for i, char in enumerate(code) if char != "_")
    near_misses = [
        code.swapcase(),
        code[:-1],
        code + "$",
        code + "a",
        code[:last] + "_" + code[last + 1 :],  # "_" matches any one character in LIKE
        code[:10] + "%25",  # "%" in the URL
    ]
    assert code.swapcase() != code
    for near in near_misses:
        for path in (f"/verify/{near}", f"/verify/{near}.json"):
            status, page = page_of(client, path)
            assert status == 404, path
            assert holder.full_name not in page, path
            assert certificate.serial not in page, path
    assert page_of(client, f"/verify/{code}")[0] == 200


def test_the_json_holds_exactly_the_public_keys(client, issued):
    director, holder, certificate, _board = issued
    response = client.get(verify_path(certificate) + ".json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.json
    assert set(data) == PUBLIC_KEYS
    assert data == {
        "status": "valid",
        "serial": certificate.serial,
        "holder": holder.display_name,
        "credential": "AIRM-Trained Supervisor (AIRT-S)",
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat(),
        "issuer": "Bellevue Trauma Recovery Center",
        "issued_by": director.display_name,
        "revoked_on": None,
    }


def test_verification_never_shows_private_data(client, issued):
    director, holder, certificate, _board = issued
    private = [holder.email, licence_number(holder), REVOCATION_REASON]
    for stage in ("valid", "revoked"):
        if stage == "revoked":
            revoke(director, certificate, REVOCATION_REASON)
            db.session.commit()
        _status, page = page_of(client, verify_path(certificate))
        raw_json = client.get(verify_path(certificate) + ".json").get_data(as_text=True)
        assert holder.full_name in page  # the page does show the certificate
        for value in private:
            assert value not in page, (stage, value)
            assert value not in raw_json, (stage, value)
            assert value not in json.dumps(json.loads(raw_json), ensure_ascii=False)
    assert reload(certificate).revoked_reason == REVOCATION_REASON  # it is recorded


def test_the_code_form_redirects_to_the_code_page(client, issued):
    _director, _holder, certificate, _board = issued
    response = client.get(f"/verify/?code={certificate.verification_code}")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == verify_path(certificate)
    response = client.get(f"/verify/?code=  {certificate.verification_code} ")
    assert urlsplit(response.headers["Location"]).path == verify_path(certificate)
    status, page = page_of(client, "/verify/")
    assert status == 200
    assert 'name="code"' in page


def test_verification_is_rate_limited(app, client, issued, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "3 per minute")
    _director, _holder, certificate, _board = issued
    statuses = [client.get(verify_path(certificate)).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert client.get(verify_path(certificate)).status_code == 429


def test_guessing_codes_is_rate_limited_too(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "3 per minute")
    statuses = [client.get(f"/verify/{UNKNOWN_CODE}{n}").status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]
    json_statuses = [client.get(f"/verify/{UNKNOWN_CODE}{n}.json").status_code for n in range(4)]
    assert json_statuses == [404, 404, 404, 429]


# --- revocation through the page ----------------------------------------------------------
def revocations(certificate: Certificate) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == "certificate.revoked",
                AuditEvent.object_id == str(certificate.id),
            )
        )
    )


def test_revoking_through_the_page_needs_a_reason(app, issued):
    director, _holder, certificate, _board = issued
    client = app.test_client()
    login(client, director)
    page = f"/progression/certificates/{certificate.id}"
    assert "Revoke the certificate" in client.get(page).get_data(as_text=True)

    response = client.submit(f"{page}/revoke", {"reason": "  "}, form_path=page)
    assert response.status_code == 302
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Give the reason for the revocation" in followed
    assert reload(certificate).status == "valid"
    assert reload(certificate).revoked_at is None
    assert revocations(certificate) == []

    response = client.submit(f"{page}/revoke", {"reason": REVOCATION_REASON}, form_path=page)
    assert response.status_code == 302
    certificate = reload(certificate)
    assert certificate.status == "revoked"
    assert certificate.revoked_reason == REVOCATION_REASON
    assert certificate.award.status == "revoked"
    assert len(revocations(certificate)) == 1
    _status, public = page_of(app.test_client(), verify_path(certificate))
    assert "✗ Revoked" in public


def test_revoking_through_the_page_needs_the_csrf_token(app, issued):
    director, _holder, certificate, _board = issued
    client = app.test_client()
    login(client, director)
    response = client.post(
        f"/progression/certificates/{certificate.id}/revoke", data={"reason": "No token"}
    )
    assert response.status_code == 400
    assert reload(certificate).status == "valid"
    assert revocations(certificate) == []


def test_only_a_director_revokes_through_the_page(app, issued):
    director, holder, certificate, board = issued
    for person in (holder, board[0], make_candidate(director=director)):
        client = app.test_client()
        login(client, person)
        page = f"/progression/certificates/{certificate.id}"
        response = client.submit(
            f"{page}/revoke", {"reason": "Mine to revoke?"}, form_path="/curriculum/"
        )
        assert response.status_code == 403, person
    assert reload(certificate).status == "valid"
    assert revocations(certificate) == []


def test_a_revocation_is_told_to_the_holder_and_shown_on_their_pages(client, issued):
    director, holder, certificate, _board = issued
    revoke(director, certificate, REVOCATION_REASON)
    db.session.commit()
    certificate = reload(certificate)
    assert certificate.revoked_by_id == director.id
    (notice,) = db.session.scalars(
        sa.select(Notification).where(
            Notification.person_id == holder.id,
            Notification.kind == NotificationKind.CERTIFICATE_REVOKED.value,
        )
    ).all()
    assert REVOCATION_REASON in notice.message
    assert certificate.application.status_label == "Issued, then revoked"
    login(client, holder)
    application = client.get(f"/progression/applications/{certificate.application_id}")
    page = application.get_data(as_text=True)
    assert "Issued, then revoked" in page
    assert f"by {director.display_name}: {REVOCATION_REASON}" in page
    shown = client.get(f"/progression/certificates/{certificate.id}").get_data(as_text=True)
    assert f"by {director.display_name}: {REVOCATION_REASON}" in shown
