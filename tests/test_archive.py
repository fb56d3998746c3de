"""The personal archive: its JSON validated against the schema and compared with the
database for a person with every kind of record, the zip's files, the request and
download pages (owner, director on behalf, forbidden, expired, CSRF, rate limit), the
worker, and a fault during a build that leaves the job to retry and nothing offered."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import timedelta

import jsonschema
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from airm_training.archive import building
from airm_training.archive.building import build_zip
from airm_training.archive.contents import CHILDREN, SECTIONS, schema
from airm_training.archive.models import ArchiveStatus, PersonalArchive
from airm_training.assessments.cases import CaseInput, submit_case
from airm_training.assessments.models import CaseVersion
from airm_training.audit.models import AuditEvent
from airm_training.core.clock import utcnow
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.notifications.models import OutboxMessage
from airm_training.people.models import Person, Role
from airm_training.people.services import deactivate_person
from airm_training.progression.models import IssuedTranscript
from airm_training.progression.services import issue
from airm_training.supporting.models import SupportingDocument
from airm_training.verifiable.models import SignedCredential
from tests.documents_helpers import uploaded
from tests.factories import login, make_candidate, make_director, make_person, make_supervisor
from tests.pdfs import pdf_bytes
from tests.test_engine import BOND_TYPES, CASE_TEXT, long_standing_supervisor, qualified_candidate
from tests.test_progression_workflow import applied, approved


@pytest.fixture
def holder(app):
    """A credentialed person with every kind of record: modules, quizzes, graded cases,
    an evaluation, signed hours, an application with endorsement and votes, a certificate
    with its signed credential, a supporting document, a case presentation with a PDF."""
    director = make_director()
    supervisor = long_standing_supervisor(director)
    person, _hours = qualified_candidate(supervisor=supervisor, director=director)
    board = [make_person(Role.CO_CREATOR) for _ in range(2)]
    issue(director, approved(applied(person, supervisor), board))
    uploaded(person)
    submit_case(
        person,
        CaseInput(
            title="A case with its PDF",
            stages=["attachment-awareness"],
            bond_type="Romantic",
            modalities=["CBT"],
            text=CASE_TEXT,
            deidentified_confirmed=True,
            supervisor_id=supervisor.id,
            pdf=pdf_bytes(),
            pdf_filename="my case/notes.pdf",
        ),
        bond_types=BOND_TYPES,
    )
    db.session.commit()
    return person


def unzip(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


def archive_json(content: bytes) -> dict:
    return json.loads(unzip(content).read("archive.json"))


def ids(model, column: str, value: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(model.id).where(getattr(model, column) == value).order_by(model.id)
        )
    )


# --- the JSON and the zip -------------------------------------------------------------------
def test_the_json_follows_its_schema_and_holds_every_row_of_the_person(holder):
    content = build_zip(holder)
    db.session.commit()
    data = archive_json(content)
    jsonschema.Draft202012Validator(schema()).validate(data)
    assert data["version"] == "1.0"
    assert data["person"]["email"] == holder.email
    assert "password_hash" not in data["person"]
    for section, (model, column) in SECTIONS.items():
        assert [row["id"] for row in data[section]] == ids(model, column, holder.id), section
        for key, child, parent in CHILDREN.get(section, ()):
            for row in data[section]:
                assert [c["id"] for c in row[key]] == ids(child, parent, row["id"]), key
    # every kind of record is there (the fixture gave each one at least a row)
    for section in (
        "licences", "enrolments", "module_completions", "hours_entries", "quiz_attempts",
        "case_presentations", "evaluations", "applications", "credential_awards",
        "certificates", "transcripts", "supporting_documents",
    ):  # fmt: skip
        assert data[section], f"{section} is empty"


def test_the_json_carries_feedback_scores_and_names(holder):
    data = archive_json(build_zip(holder))
    versions = [v for case in data["case_presentations"] for v in case["versions"]]
    stored = db.session.scalars(
        sa.select(CaseVersion).where(CaseVersion.id.in_([v["id"] for v in versions]))
    ).all()
    assert {(v["id"], v["feedback"], v["grade"]) for v in versions} == {
        (v.id, v.feedback, v.grade) for v in stored
    }
    assert all(a["score_percent"] is not None and a["items"] for a in data["quiz_attempts"])
    supervisor_id = data["case_presentations"][0]["supervisor_id"]
    names = {p["id"]: p["full_name"] for p in data["references"]["person"]}
    assert names[supervisor_id] == db.session.get(Person, supervisor_id).full_name
    assert data["evaluations"][0]["ratings"]


def test_the_zip_holds_exactly_the_listed_files_and_they_match_the_database(holder):
    archive = unzip(build_zip(holder))
    db.session.commit()
    data = json.loads(archive.read("archive.json"))
    listed = {f["path"]: f for f in data["files"]}
    assert set(archive.namelist()) == {"archive.json", "archive.schema.json", "README.txt"} | set(
        listed
    )
    for path, entry in listed.items():
        assert archive.getinfo(path).file_size == entry["size"]
    kinds = sorted({f["kind"] for f in data["files"]})
    assert kinds == [
        "case_pdf", "certificate_pdf", "hours_csv", "open_badges_json", "open_badges_jwt",
        "supporting_document", "transcript_pdf",
    ]  # fmt: skip
    # the case's PDF, as stored, named by its version
    (with_pdf,) = [v for case in data["case_presentations"] for v in case["versions"] if v["file"]]
    assert with_pdf["file"] == f"cases/{with_pdf['presentation_id']}-v1-notes.pdf"
    stored_pdf = db.session.get(CaseVersion, with_pdf["id"]).pdf
    assert archive.read(with_pdf["file"]) == stored_pdf
    # hours: one CSV line per entry, the same ids
    rows = list(csv.DictReader(io.StringIO(archive.read("hours.csv").decode())))
    assert sorted(int(r["entry_id"]) for r in rows) == ids(HoursEntry, "person_id", holder.id)
    # the transcript: a PDF naming the holder, whose code is the one recorded
    transcript = PdfReader(io.BytesIO(archive.read("transcript.pdf")))
    text = " ".join(p.extract_text() for p in transcript.pages)
    assert holder.full_name in " ".join(text.split())
    assert data["transcripts"][-1]["verification_code"] == db.session.scalar(
        sa.select(IssuedTranscript.verification_code)
        .where(IssuedTranscript.person_id == holder.id)
        .order_by(IssuedTranscript.id.desc())
        .limit(1)
    )
    # the certificate and its Open Badges credential, as signed
    (certificate,) = data["certificates"]
    signed = db.session.scalar(
        sa.select(SignedCredential).where(SignedCredential.certificate_id == certificate["id"])
    )
    assert json.loads(archive.read(certificate["files"]["open_badges_json"])) == signed.document
    assert archive.read(certificate["files"]["open_badges_jwt"]).decode() == signed.jwt
    assert archive.read(certificate["files"]["certificate_pdf"]).startswith(b"%PDF")
    # the uploaded document, byte for byte
    (document,) = data["supporting_documents"]
    stored = db.session.get(SupportingDocument, document["id"])
    assert hashlib.sha256(archive.read(document["file"])).hexdigest() == stored.sha256


def test_the_schema_refuses_an_archive_missing_a_section_or_of_another_version(holder):
    data = archive_json(build_zip(holder))
    validator = jsonschema.Draft202012Validator(schema())
    assert validator.is_valid(data)
    assert not validator.is_valid({**data, "version": "2.0"})
    assert not validator.is_valid({k: v for k, v in data.items() if k != "evaluations"})
    assert not validator.is_valid({**data, "person": {**data["person"], "password_hash": "x"}})


# --- requesting and downloading -----------------------------------------------------------
def _latest(person_id: int) -> PersonalArchive:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(PersonalArchive)
        .where(PersonalArchive.person_id == person_id)
        .order_by(PersonalArchive.id.desc())
        .limit(1)
    )


def _actions(archive: PersonalArchive) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(
                AuditEvent.object_type == "personal_archive",
                AuditEvent.object_id == str(archive.id),
            )
            .order_by(AuditEvent.id)
        )
    )


def test_a_small_record_is_ready_at_once_and_its_download_is_audited(client):
    candidate = make_candidate()
    login(client, candidate)
    response = client.submit("/archive/")
    assert response.status_code == 302
    archive = _latest(candidate.id)
    assert archive.status == ArchiveStatus.READY
    assert archive.expires_at - archive.built_at == timedelta(days=7)
    page = client.get("/archive/").get_data(as_text=True)
    assert f"/archive/{archive.code}.zip" in page
    download = client.get(f"/archive/{archive.code}.zip")
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    assert archive_json(download.data)["person"]["id"] == candidate.id
    assert _actions(archive) == ["archive.requested", "archive.built", "archive.downloaded"]
    assert _latest(candidate.id).download_count == 1


def test_a_large_record_waits_for_the_worker_which_builds_it_and_mails_the_link(app, client):
    candidate = make_candidate()
    candidate_id, email = candidate.id, candidate.email
    login(client, candidate)
    app.config["ARCHIVE_INLINE_MAX_BYTES"] = 0
    try:
        client.submit("/archive/")
    finally:
        app.config["ARCHIVE_INLINE_MAX_BYTES"] = 2 * 1024 * 1024
    archive = _latest(candidate_id)
    assert archive.status == ArchiveStatus.PENDING and archive.content is None
    assert client.get(f"/archive/{archive.code}.zip").status_code == 404
    assert "Being prepared" in client.get("/archive/").get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["airm", "build-archives"])
    assert result.exit_code == 0, result.output
    assert "Built 1, to retry 0, failed 0" in result.output
    archive = _latest(candidate_id)
    assert archive.status == ArchiveStatus.READY
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == email))
    assert f"/archive/{archive.code}.zip" in mail.body
    assert client.get(f"/archive/{archive.code}.zip").status_code == 200


def test_a_fault_while_building_leaves_the_job_to_retry_and_nothing_offered(app, monkeypatch):
    candidate = make_candidate()
    candidate_id, email = candidate.id, candidate.email
    uploaded(candidate)
    from airm_training.archive.services import request_archive

    archive = request_archive(candidate, candidate)
    db.session.commit()

    def broken(_person):
        raise OSError("disk full")

    monkeypatch.setattr(
        building, "FILE_SOURCES", (*building.FILE_SOURCES[:-1], broken)
    )  # after the transcript was issued
    result = app.test_cli_runner().invoke(args=["airm", "build-archives"])
    assert "Built 0, to retry 1, failed 0" in result.output
    archive = _latest(candidate_id)
    assert archive.status == ArchiveStatus.PENDING
    assert archive.attempts == 1 and "disk full" in archive.last_error
    assert archive.content is None and archive.expires_at is None
    assert ids(IssuedTranscript, "person_id", candidate_id) == []  # the build was rolled back
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient == email)) == 0  # fmt: skip
    assert _actions(archive) == ["archive.requested"]
    # not due yet: the next run leaves it; once due and fixed, it is built
    assert (
        "Built 0, to retry 0"
        in app.test_cli_runner().invoke(args=["airm", "build-archives"]).output
    )
    monkeypatch.undo()
    archive = _latest(candidate_id)
    archive.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "Built 1" in app.test_cli_runner().invoke(args=["airm", "build-archives"]).output
    assert _latest(candidate_id).status == ArchiveStatus.READY


def test_after_the_last_attempt_the_job_is_failed(app, monkeypatch):
    candidate = make_candidate()
    from airm_training.archive.services import request_archive
    from airm_training.archive.worker import build_one

    archive = request_archive(candidate, candidate)
    db.session.commit()
    monkeypatch.setattr(building, "FILE_SOURCES", (lambda _p: 1 / 0,))
    for _ in range(app.config["ARCHIVE_MAX_ATTEMPTS"]):
        outcome = build_one(archive.id)
    assert outcome is ArchiveStatus.FAILED
    assert _actions(_latest(candidate.id))[-1] == "archive.failed"


def test_someone_elses_archive_is_forbidden(app, client):
    owner, other = make_candidate(), make_candidate()
    login(client, owner)
    client.submit("/archive/")
    archive = _latest(owner.id)
    stranger = app.test_client()
    login(stranger, other)
    assert stranger.get(f"/archive/{archive.code}.zip").status_code == 403
    director = app.test_client()
    login(director, make_director())
    # asked for by the person: theirs alone, not the director's
    assert director.get(f"/archive/{archive.code}.zip").status_code == 403
    assert stranger.get("/archive/" + "x" * 43 + ".zip").status_code == 404
    assert _actions(archive) == ["archive.requested", "archive.built"]


def test_only_directors_open_and_ask_on_a_persons_behalf(app, client):
    person = make_candidate()
    login(client, make_supervisor())
    assert client.get(f"/archive/people/{person.id}").status_code == 403
    assert client.submit(f"/archive/people/{person.id}", form_path="/archive/").status_code == 403
    assert _latest(person.id) is None


def test_a_deactivated_persons_archive_goes_to_the_director_who_asked(app, client):
    director = make_director()
    person = make_candidate()
    deactivate_person(director, person, "Left the programme")
    db.session.commit()
    login(client, director)
    path = f"/archive/people/{person.id}"
    assert client.submit(path).status_code == 302
    archive = _latest(person.id)
    assert archive.requested_by_id == director.id and archive.status == ArchiveStatus.READY
    download = client.get(f"/archive/{archive.code}.zip")
    assert download.status_code == 200
    assert archive_json(download.data)["person"]["active"] is False
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_id == str(archive.id),
                                    AuditEvent.object_type == "personal_archive")
    ).all()  # fmt: skip
    assert [(e.action, e.actor_id) for e in events] == [
        ("archive.requested", director.id),
        ("archive.built", None),
        ("archive.downloaded", director.id),
    ]


def test_an_expired_link_is_gone_and_the_worker_deletes_the_zip(app, client):
    candidate = make_candidate()
    candidate_id = candidate.id
    login(client, candidate)
    client.submit("/archive/")
    archive = _latest(candidate_id)
    archive.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/archive/{archive.code}.zip")
    assert response.status_code == 410
    assert "has expired" in response.get_data(as_text=True)
    assert "expired 1" in app.test_cli_runner().invoke(args=["airm", "build-archives"]).output
    archive = _latest(candidate_id)
    assert archive.status == ArchiveStatus.EXPIRED and archive.content is None
    assert client.get(f"/archive/{archive.code}.zip").status_code == 410


def test_a_request_without_the_csrf_token_is_refused(client):
    candidate = make_candidate()
    login(client, candidate)
    assert client.post("/archive/", data={"csrf_token": "wrong"}).status_code == 400
    assert client.post("/archive/").status_code == 400
    assert _latest(candidate.id) is None


def test_requests_are_limited_per_day_and_one_at_a_time(app, client):
    candidate = make_candidate()
    login(client, candidate)
    for _ in range(3):
        client.submit("/archive/")
    response = client.submit("/archive/", follow_redirects=True)
    assert "At most 3 archives a day" in response.get_data(as_text=True)
    assert len(ids(PersonalArchive, "person_id", candidate.id)) == 3
    other = make_candidate()
    app.config["ARCHIVE_INLINE_MAX_BYTES"] = 0
    try:
        second = app.test_client()
        login(second, other)
        second.submit("/archive/")
        response = second.submit("/archive/", follow_redirects=True)
    finally:
        app.config["ARCHIVE_INLINE_MAX_BYTES"] = 2 * 1024 * 1024
    assert "being prepared already" in response.get_data(as_text=True)
    assert len(ids(PersonalArchive, "person_id", other.id)) == 1
