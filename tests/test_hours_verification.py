"""The board-ready verification of supervised hours: the range rules, the PDF and CSV parsed
back against the database, the public page and its versions, and who may open what."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pypdf
import pytest
import sqlalchemy as sa

from airm_training.core.clock import today
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import log_entry, sign_entries
from airm_training.people.models import Role
from airm_training.records.models import HoursVerification
from airm_training.records.verification import build_snapshot, default_range, range_problems
from airm_training.verifiable.models import IssuedPdf
from tests.factories import (
    login,
    make_candidate,
    make_director,
    make_licensed,
    make_person,
    make_supervisor,
)
from tests.query_count import count_statements
from tests.verifiable_helpers import check, validate_signature, verdict_of

PAGE = re.compile(r"Page (\d+) of (\d+)")


def pdf_pages(data: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def _log(candidate, supervisor, days_ago: int, minutes: int, category="individual-consultation"):
    return log_entry(
        candidate,
        EntryInput(
            session_date=today() - timedelta(days=days_ago),
            minutes=minutes,
            category_code=category,
            supervisor_id=supervisor.id,
            group_size=4 if category == "group-consultation" else None,
        ),
        submit=True,
        duplicate_confirmed=True,
    )


def _signed(candidate, supervisor, days_ago: int, minutes: int, category="individual-consultation"):
    entry = _log(candidate, supervisor, days_ago, minutes, category)
    sign_entries(supervisor, [entry.id], attested=True)
    db.session.commit()
    return entry


@pytest.fixture
def record():
    """A candidate with sessions signed by two licensed supervisors inside the last 30 days,
    one signed session before them, and one waiting for a signature."""
    director = make_director()
    candidate = make_candidate(director=director, enrolled_on=today() - timedelta(days=90))
    since = today() - timedelta(days=365)
    first = make_supervisor(director=director, awarded_on=since)
    second = make_supervisor(director=director, awarded_on=since)
    make_licensed(first, verifier=director)
    make_licensed(second, verifier=director)
    _signed(candidate, first, 3, 90)
    _signed(candidate, first, 10, 45, "group-consultation")
    _signed(candidate, second, 20, 60)
    _signed(candidate, second, 40, 120)  # before the period
    _log(candidate, first, 2, 30)  # submitted, not signed
    db.session.commit()
    return {"director": director, "candidate": candidate, "supervisors": (first, second)}


def _period() -> dict:
    return {
        "starts_on": (today() - timedelta(days=30)).isoformat(),
        "ends_on": today().isoformat(),
    }


def _issue(client, data=None):
    return client.submit("/records/hours-verification", data or _period())


def _database_minutes(candidate, starts_on: date, ends_on: date) -> int:
    return db.session.scalar(
        sa.select(sa.func.sum(HoursEntry.minutes)).where(
            HoursEntry.person_id == candidate.id,
            HoursEntry.status == HoursStatus.SIGNED.value,
            HoursEntry.session_date.between(starts_on, ends_on),
        )
    )


# --- rules ---------------------------------------------------------------------------------
def test_the_default_range_is_the_last_twelve_months():
    assert default_range(date(2026, 12, 1)) == (date(2025, 12, 2), date(2026, 12, 1))


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "field"),
    [
        (None, date(2026, 1, 1), "starts_on"),
        (date(2026, 1, 1), None, "ends_on"),
        (date(2026, 1, 1), date(2026, 12, 2), "ends_on"),  # the future
        (date(2026, 2, 1), date(2026, 1, 1), "starts_on"),  # reversed
        (date(2016, 1, 1), date(2026, 1, 1), "starts_on"),  # more than ten years
    ],
)
def test_a_bad_range_is_refused_with_the_field(starts_on, ends_on, field):
    problems = range_problems(starts_on, ends_on, date(2026, 12, 1))
    assert [f for f, _reason in problems] == [field]


def test_a_good_range_has_no_problems():
    assert range_problems(date(2026, 1, 1), date(2026, 12, 1), date(2026, 12, 1)) == []
    assert range_problems(date(2026, 12, 1), date(2026, 12, 1), date(2026, 12, 1)) == []


# --- the documents -------------------------------------------------------------------------
def test_the_pdf_parsed_back_has_the_database_totals_pages_and_signature_pages(client, record):
    candidate, (first, second) = record["candidate"], record["supervisors"]
    login(client, candidate)
    response = _issue(client)
    assert response.status_code == 302
    verification = db.session.scalar(sa.select(HoursVerification))
    pdf = client.get(f"/records/hours-verification/{verification.id}.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    pages = pdf_pages(pdf.data)
    text = " ".join(pages)

    expected = _database_minutes(candidate, today() - timedelta(days=30), today())
    assert expected == 195
    assert "Total: 3.25 hours in 3 signed sessions" in text
    assert verification.total_minutes == expected
    # every page carries its number of the total, and the code
    numbers = [PAGE.search(page).groups() for page in pages]
    assert numbers == [(str(i), str(len(pages))) for i in range(1, len(pages) + 1)]
    assert all(verification.code in page for page in pages)
    # one signature page per supervisor, each with the printed name and the sign-off record
    signature_pages = [p for p in pages if "Supervisor's signature" in p]
    assert len(signature_pages) == 2
    for supervisor, page in zip(
        sorted((first, second), key=lambda p: p.full_name), signature_pages, strict=True
    ):
        assert f"Printed name: {supervisor.full_name}" in page
        assert "Electronic signature record" in page
        assert "I attest that these hours were logged with me" in page
    # each supervisor's licence and AIRT-S dates
    for supervisor in (first, second):
        licence = supervisor.licences[0]
        assert f"{licence.licence_type} {licence.number}, {licence.jurisdiction}" in text
    assert f"AIRT-S held: {(today() - timedelta(days=365)).isoformat()} to" in text
    # totals by category; the session before the period and the unsigned one are absent
    assert "Individual consultation 2.5 2" in text
    assert "Group consultation 0.75 1" in text
    assert (today() - timedelta(days=40)).isoformat() not in text
    assert (today() - timedelta(days=2)).isoformat() not in text.split("Signed sessions")[1]


def test_the_pdf_is_signed_fingerprinted_on_the_configured_paper_and_checks_valid(
    app, client, record
):
    app.config["PAPER_SIZE"] = "letter"
    login(client, record["candidate"])
    _issue(client)
    verification = db.session.scalar(sa.select(HoursVerification))
    pdf = client.get(f"/records/hours-verification/{verification.id}.pdf").data
    status = validate_signature(pdf)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    issued = db.session.scalar(sa.select(IssuedPdf).order_by(IssuedPdf.id.desc()))
    assert (issued.kind, issued.person_id) == ("hours-verification", record["candidate"].id)
    box = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(box.width), round(box.height)) == (612, 792)  # Letter
    public = app.test_client()
    _status, page = check(public, pdf=pdf)
    assert verdict_of(page) == "valid"
    assert "verification of supervised hours" in page
    _status, page = check(public, pdf=pdf + b"\n% appended\n")
    assert verdict_of(page) == "altered"


def test_the_csv_holds_the_same_data(client, record):
    candidate = record["candidate"]
    login(client, candidate)
    _issue(client)
    verification = db.session.scalar(sa.select(HoursVerification))
    response = client.get(f"/records/hours-verification/{verification.id}.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    sessions = [r for r in rows if r["record"] == "session"]
    (total,) = [r for r in rows if r["record"] == "total"]
    expected = _database_minutes(candidate, today() - timedelta(days=30), today())
    assert sum(int(r["minutes"]) for r in sessions) == expected == int(total["minutes"])
    assert len(sessions) == 3 == int(total["sessions"])
    assert {r["verification_code"] for r in rows} == {verification.code}
    by_supervisor = [r for r in rows if r["record"] == "supervisor_total"]
    assert sum(int(r["minutes"]) for r in by_supervisor) == expected
    assert all(r["attestation"] for r in sessions)
    assert all(r["signed_at"] for r in sessions)


def test_the_code_verifies_publicly_and_shows_nothing_private(app, client, record):
    candidate, (first, _second) = record["candidate"], record["supervisors"]
    login(client, candidate)
    _issue(client)
    verification = db.session.scalar(sa.select(HoursVerification))
    anonymous = app.test_client()
    page = anonymous.get(f"/verify/hours/{verification.code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "up to date" in html
    assert candidate.full_name in html
    assert "3 h 15" in html
    assert "Bellevue Trauma Recovery Center" in html
    for private in (candidate.email, first.email, first.licences[0].number):
        assert private not in html
    data = anonymous.get(f"/verify/hours/{verification.code}.json").get_json()
    assert set(data) == {
        "status", "holder", "issuer", "issued_on", "starts_on", "ends_on", "version",
        "newer_version", "newer_issued_on", "total_minutes", "sessions", "by_category",
        "by_supervisor",
    }  # fmt: skip
    assert data["status"] == "current"
    assert data["total_minutes"] == 195
    assert anonymous.get("/verify/hours/no-such-code-0000000").status_code == 404
    assert anonymous.get("/verify/hours/x").status_code == 404


def test_edits_after_issue_are_reported_and_a_newer_version_is_issued(app, client, record):
    candidate, (first, _second) = record["candidate"], record["supervisors"]
    login(client, candidate)
    _issue(client)
    _issue(client)  # nothing changed: the same document
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursVerification)) == 1
    old = db.session.scalar(sa.select(HoursVerification))

    waiting = db.session.scalar(
        sa.select(HoursEntry).where(HoursEntry.status == HoursStatus.SUBMITTED.value)
    )
    sign_entries(first, [waiting.id], attested=True)
    db.session.commit()
    anonymous = app.test_client()
    data = anonymous.get(f"/verify/hours/{old.code}.json").get_json()
    assert data["status"] == "changed"
    assert data["newer_version"] is None
    assert "signed or amended after this document was issued" in anonymous.get(
        f"/verify/hours/{old.code}"
    ).get_data(as_text=True)

    _issue(client)
    newer = db.session.scalar(sa.select(HoursVerification).where(HoursVerification.version == 2))
    assert newer.total_minutes == 225 and newer.code != old.code
    data = anonymous.get(f"/verify/hours/{old.code}.json").get_json()
    assert (data["status"], data["newer_version"]) == ("changed", 2)
    assert data["total_minutes"] == 195  # the old document's own totals, as issued
    assert anonymous.get(f"/verify/hours/{newer.code}.json").get_json()["status"] == "current"
    pages = pdf_pages(client.get(f"/records/hours-verification/{newer.id}.pdf").data)
    assert "version 2" in pages[0]


def test_issuing_is_audited(client, record):
    from airm_training.audit.models import AuditEvent

    login(client, record["candidate"])
    _issue(client)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "hours_verification.issued")
    )
    assert event is not None
    assert event.after["total_minutes"] == 195
    assert event.actor_id == record["candidate"].id


def test_a_bad_range_changes_nothing_and_says_why(client, record):
    login(client, record["candidate"])
    future = (today() + timedelta(days=1)).isoformat()
    response = _issue(client, {"starts_on": today().isoformat(), "ends_on": future})
    assert response.status_code == 200
    assert "cannot be in the future" in response.get_data(as_text=True)
    response = _issue(client, {"starts_on": "yesterday", "ends_on": today().isoformat()})
    assert "Not a valid date value" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursVerification)) == 0


def test_bad_csrf_is_refused(client, record):
    login(client, record["candidate"])
    response = client.post("/records/hours-verification", data=_period())
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursVerification)) == 0


def test_only_the_holder_and_directors_open_a_verification(app, client, record):
    login(client, record["candidate"])
    _issue(client)
    verification = db.session.scalar(sa.select(HoursVerification))
    urls = [f"/records/hours-verification/{verification.id}{ext}" for ext in ("", ".pdf", ".csv")]
    for url in urls:
        assert client.get(url).status_code == 200
    other = app.test_client()
    login(other, make_candidate())
    supervisor = app.test_client()
    login(supervisor, record["supervisors"][0])
    director = app.test_client()
    login(director, record["director"])
    for url in urls:
        assert other.get(url).status_code == 403
        assert supervisor.get(url).status_code == 403
        assert director.get(url).status_code == 200
        assert app.test_client().get(url).status_code == 302
    assert director.get("/records/hours-verification/999999").status_code == 404


def test_people_who_log_no_hours_cannot_issue(client):
    login(client, make_person(Role.CO_CREATOR))
    assert client.get("/records/hours-verification").status_code == 403


def test_the_page_lists_only_ones_own_verifications(app, client, record):
    login(client, record["candidate"])
    _issue(client)
    other = app.test_client()
    login(other, make_candidate())
    html = other.get("/records/hours-verification").get_data(as_text=True)
    assert "None issued yet" in html


def test_the_snapshot_takes_as_many_queries_for_many_supervisors_as_for_one(record):
    director, candidate = record["director"], record["candidate"]
    starts, ends = today() - timedelta(days=60), today()
    few = count_statements(lambda: build_snapshot(candidate, starts, ends))
    for days_ago in (4, 5, 6):
        supervisor = make_supervisor(director=director)
        make_licensed(supervisor, verifier=director)
        _signed(candidate, supervisor, days_ago, 30)
    db.session.expire_all()
    many = count_statements(lambda: build_snapshot(candidate, starts, ends))
    assert many == few


def test_codes_are_letters_and_digits_of_full_length():
    from airm_training.records.verification import CODE_LENGTH, new_code

    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == CODE_LENGTH and c.isalnum() and c.isascii() for c in codes)
