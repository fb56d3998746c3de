"""The zip itself: the person's files (hours CSV, transcript, certificates and their Open
Badges credentials, case presentation PDFs, supporting documents), then the JSON that lists
them, its schema and a short README. Everything issued here (the transcript's code, the
signed PDFs' fingerprints) is flushed in the caller's transaction: a failed build leaves
none of it."""

from __future__ import annotations

import io
import json
import re
import zipfile

import sqlalchemy as sa
from flask import current_app

from airm_training.archive.contents import SCHEMA_FILE, ArchiveFile, archive_data, schema
from airm_training.assessments.models import CasePresentation, CaseVersion
from airm_training.documents.certificate import CertificatePdf
from airm_training.documents.paper import configured_paper
from airm_training.documents.transcript import TranscriptPdf
from airm_training.extensions import db
from airm_training.hours.csv_io import export_csv, export_query
from airm_training.hours.queries import HoursFilter
from airm_training.people.models import Person
from airm_training.progression.documents import certificate_data
from airm_training.progression.models import Certificate
from airm_training.progression.transcripts import issue_transcript
from airm_training.supporting.models import SupportingDocument
from airm_training.verifiable.models import PdfKind
from airm_training.verifiable.services import issue_signed_pdf, signed_credential_of

JSON_FILE = "archive.json"
README = """\
Your training record at {organisation}, as held on {generated_at} (UTC).

archive.json         everything, machine-readable (format: archive.schema.json, version {version})
hours.csv            every hours entry, as the hours page exports it
transcript.pdf       your transcript, signed, with a verification code
certificates/        each certificate (PDF) and, when signed, its Open Badges 3.0
                     credential (.json, Data Integrity proof; .jwt, the same as VC-JWT)
cases/               the PDFs you attached to case presentations (feedback: archive.json)
documents/           the supporting documents you uploaded
"""


def _safe_name(name: str) -> str:
    """A file name safe in any zip tool: no folders, only plain characters."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name.rsplit("/", 1)[-1]).strip("._")
    return cleaned[:80] or "file"


def _hours(person: Person) -> list[ArchiveFile]:
    text = "".join(export_csv(export_query(person.id, HoursFilter())))
    return [ArchiveFile("hours.csv", "hours_csv", "", text.encode("utf-8"))]


def _transcript(person: Person) -> list[ArchiveFile]:
    pdf = issue_signed_pdf(
        TranscriptPdf(issue_transcript(person), configured_paper()).get_pdf(),
        PdfKind.TRANSCRIPT,
        person_id=person.id,
        certificate_id=None,
        reason=f"Transcript of {person.display_name}",
    )
    return [ArchiveFile("transcript.pdf", "transcript_pdf", "", pdf)]


def _certificates(person: Person) -> list[ArchiveFile]:
    files = []
    certificates = db.session.scalars(
        sa.select(Certificate).where(Certificate.holder_id == person.id).order_by(Certificate.id)
    )
    for certificate in certificates:
        key = str(certificate.id)
        stem = f"certificates/{certificate.id}-{_safe_name(certificate.serial or 'certificate')}"
        pdf = issue_signed_pdf(
            CertificatePdf(certificate_data(certificate), configured_paper()).get_pdf(),
            PdfKind.CERTIFICATE,
            person_id=person.id,
            certificate_id=certificate.id,
            reason=f"Certificate {certificate.serial}",
        )
        files.append(ArchiveFile(f"{stem}.pdf", "certificate_pdf", key, pdf))
        signed = signed_credential_of(certificate)
        if signed is not None:
            document = json.dumps(signed.document, indent=2).encode("utf-8")
            files.append(ArchiveFile(f"{stem}.json", "open_badges_json", key, document))
            files.append(ArchiveFile(f"{stem}.jwt", "open_badges_jwt", key, signed.jwt.encode()))
    return files


def _case_pdfs(person: Person) -> list[ArchiveFile]:
    rows = db.session.execute(
        sa.select(CaseVersion.presentation_id, CaseVersion.number, CaseVersion.pdf_filename)
        .join(CasePresentation, CasePresentation.id == CaseVersion.presentation_id)
        .where(CasePresentation.person_id == person.id, CaseVersion.pdf_filename.is_not(None))
        .order_by(CaseVersion.presentation_id, CaseVersion.number)
    ).all()
    files = []
    for presentation_id, number, filename in rows:
        pdf = db.session.scalar(
            sa.select(CaseVersion.pdf).where(
                CaseVersion.presentation_id == presentation_id, CaseVersion.number == number
            )
        )
        if pdf:
            path = f"cases/{presentation_id}-v{number}-{_safe_name(filename)}"
            files.append(ArchiveFile(path, "case_pdf", f"{presentation_id}.{number}", pdf))
    return files


def _documents(person: Person) -> list[ArchiveFile]:
    rows = db.session.execute(
        sa.select(SupportingDocument.id, SupportingDocument.filename)
        .where(SupportingDocument.person_id == person.id)
        .order_by(SupportingDocument.id)
    ).all()
    files = []
    for document_id, filename in rows:  # one at a time: only one file's bytes in memory
        content = db.session.scalar(
            sa.select(SupportingDocument.content).where(SupportingDocument.id == document_id)
        )
        path = f"documents/{document_id}-{_safe_name(filename)}"
        files.append(ArchiveFile(path, "supporting_document", str(document_id), content))
    return files


FILE_SOURCES = (_hours, _transcript, _certificates, _case_pdfs, _documents)


def build_zip(person: Person) -> bytes:
    """The person's whole archive as zip bytes (the caller commits what was issued)."""
    files = [f for source in FILE_SOURCES for f in source(person)]
    data = archive_data(person, files, organisation=current_app.config["ORGANISATION_NAME"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_FILE, json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr(SCHEMA_FILE, json.dumps(schema(), indent=2))
        archive.writestr(
            "README.txt",
            README.format(
                organisation=data["organisation"],
                generated_at=data["generated_at"],
                version=data["version"],
            ),
        )
        for f in files:
            archive.writestr(f.path, f.content)
    return buffer.getvalue()
