"""The archive's JSON: every row the system holds about one person, section by section,
with the names of the people, modules, quizzes, levels and categories the rows refer to.

Rows are written column by column (so a new column reaches the archive without a change
here), minus file contents (they are files in the zip, named by ``file``) and secrets
(password hash, two-factor secrets, signing material). Times are UTC, ISO 8601 with "Z".
The format is documented in docs/archive.md and checked by ``archive.schema.json``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any

import sqlalchemy as sa

from airm_training.assessments.models import (
    AttemptItem,
    CasePresentation,
    CaseVersion,
    CompetencyEvaluation,
    Quiz,
    QuizAttempt,
    QuizExtraAttempt,
)
from airm_training.auth.models import TotpCredential
from airm_training.core.clock import utcnow
from airm_training.credentials.models import CredentialAward, Enrolment
from airm_training.curriculum.models import ModuleCompletion
from airm_training.directory.models import DirectoryProfile
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursImport
from airm_training.invitations.models import Invitation
from airm_training.notifications.models import Notification
from airm_training.people.models import Licence, Person, RoleAssignment
from airm_training.programme.models import CredentialLevel, HoursCategory, Module, ProgrammeVersion
from airm_training.progression.models import (
    Application,
    Certificate,
    Endorsement,
    IssuedTranscript,
    Vote,
)
from airm_training.records.models import HoursVerification
from airm_training.supporting.models import SupportingDocument
from airm_training.verifiable.models import IssuedPdf, SignedCredential

VERSION = "1.0"
SCHEMA_FILE = "archive.schema.json"

# section -> (model, the column naming the person); in the order of the JSON.
SECTIONS: dict[str, tuple[type, str]] = {
    "roles": (RoleAssignment, "person_id"),
    "licences": (Licence, "person_id"),
    "enrolments": (Enrolment, "person_id"),
    "module_completions": (ModuleCompletion, "person_id"),
    "hours_entries": (HoursEntry, "person_id"),
    "hours_imports": (HoursImport, "person_id"),
    "hours_verifications": (HoursVerification, "person_id"),
    "quiz_attempts": (QuizAttempt, "person_id"),
    "quiz_extra_attempts": (QuizExtraAttempt, "person_id"),
    "case_presentations": (CasePresentation, "person_id"),
    "evaluations": (CompetencyEvaluation, "person_id"),
    "applications": (Application, "person_id"),
    "credential_awards": (CredentialAward, "person_id"),
    "certificates": (Certificate, "holder_id"),
    "transcripts": (IssuedTranscript, "person_id"),
    "issued_pdfs": (IssuedPdf, "person_id"),
    "supporting_documents": (SupportingDocument, "person_id"),
    "notifications": (Notification, "person_id"),
    "directory_profile": (DirectoryProfile, "person_id"),
    "invitations": (Invitation, "person_id"),
}
# section -> (nested key, child model, the child's column naming its parent row)
CHILDREN: dict[str, tuple[tuple[str, type, str], ...]] = {
    "quiz_attempts": (("items", AttemptItem, "attempt_id"),),
    "case_presentations": (("versions", CaseVersion, "presentation_id"),),
    "applications": (
        ("endorsements", Endorsement, "application_id"),
        ("votes", Vote, "application_id"),
    ),
    "certificates": (("signed_credentials", SignedCredential, "certificate_id"),),
}
# Columns never written: secrets, and what the zip holds as files.
OMITTED = {
    "person": {"password_hash", "session_version"},
    "signed_credential": {"jwt", "document"},
}
# Referred-to tables -> the columns that name a row.
REFERENCES: dict[str, tuple[type, tuple[str, ...]]] = {
    "person": (Person, ("id", "full_name", "post_nominals")),
    "module": (Module, ("id", "code", "title")),
    "quiz": (Quiz, ("id", "code", "title")),
    "credential_level": (CredentialLevel, ("id", "code", "name")),
    "hours_category": (HoursCategory, ("id", "code", "name")),
    "programme_version": (ProgrammeVersion, ("id", "code", "title")),
}


@dataclass(frozen=True)
class ArchiveFile:
    """A file of the zip besides the JSON: its path, what it is, the row it belongs to
    (``key``: a document's id, "case id.version number", a certificate's id) and its bytes."""

    path: str
    kind: str
    key: str
    content: bytes


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) the archive's JSON follows."""
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def json_value(value: Any) -> Any:
    """A column's value as JSON: stored (naive UTC) times with "Z", dates as ISO 8601."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _columns(model: type) -> list[sa.Column]:
    table = model.__table__
    return [
        column
        for column in table.columns
        if not isinstance(column.type, sa.LargeBinary)
        and column.name not in OMITTED.get(table.name, set())
    ]


def _rows(model: type, column: str, values: Iterable[int]) -> list[dict[str, Any]]:
    """The rows of ``model`` whose ``column`` is one of ``values``, oldest first."""
    values = list(values)
    if not values:
        return []
    columns = _columns(model)
    statement = (
        sa.select(*columns).where(getattr(model, column).in_(values)).order_by(model.__table__.c.id)
    )
    return [
        {c.name: json_value(v) for c, v in zip(columns, row, strict=True)}
        for row in db.session.execute(statement)
    ]


def _references(sections: dict[str, list[dict]]) -> dict[str, list[dict[str, Any]]]:
    """The people, modules, quizzes, ... named by id in the rows (their names only)."""
    wanted: dict[str, set[int]] = {table: set() for table in REFERENCES}
    models = {section: model for section, (model, _column) in SECTIONS.items()}

    def scan(model: type, rows: list[dict]) -> None:
        for column in model.__table__.columns:
            for key in column.foreign_keys:
                table = key.column.table.name
                if table in wanted:
                    wanted[table] |= {r[column.name] for r in rows if r.get(column.name)}

    for section, rows in sections.items():
        scan(models[section], rows)
        for key, child, _parent in CHILDREN.get(section, ()):
            scan(child, [c for r in rows for c in r.get(key, [])])
    found = {}
    for table, ids in wanted.items():
        model, names = REFERENCES[table]
        columns = [getattr(model, n) for n in names]
        statement = sa.select(*columns).where(model.id.in_(ids)).order_by(model.id)
        found[table] = [dict(zip(names, row, strict=True)) for row in db.session.execute(statement)]
    return found


def _person(person: Person) -> dict[str, Any]:
    (row,) = _rows(Person, "id", [person.id])
    two_factor = db.session.scalar(
        sa.select(sa.func.count()).where(TotpCredential.person_id == person.id)
    )
    return {**row, "two_factor_enabled": bool(two_factor)}


def archive_data(
    person: Person, files: Sequence[ArchiveFile], *, organisation: str
) -> dict[str, Any]:
    """The archive's JSON document for ``person``; ``files`` are the zip's other files."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for section, (model, column) in SECTIONS.items():
        rows = _rows(model, column, [person.id])
        for key, child, parent in CHILDREN.get(section, ()):
            children = _rows(child, parent, [r["id"] for r in rows])
            for row in rows:
                row[key] = [c for c in children if c[parent] == row["id"]]
        sections[section] = rows
    _name_files(sections, files)
    return {
        "version": VERSION,
        "generated_at": json_value(utcnow()),
        "organisation": organisation,
        "person": _person(person),
        **sections,
        "references": _references(sections),
        "files": [{"path": f.path, "kind": f.kind, "size": len(f.content)} for f in files],
    }


def _name_files(sections: dict[str, list[dict]], files: Sequence[ArchiveFile]) -> None:
    """Put on each row the paths of its files in the zip (``file`` / ``files``)."""
    by_kind: dict[str, dict[str, str]] = {}
    for f in files:
        by_kind.setdefault(f.kind, {})[f.key] = f.path
    for document in sections["supporting_documents"]:
        document["file"] = by_kind.get("supporting_document", {}).get(str(document["id"]))
    for case in sections["case_presentations"]:
        for version in case["versions"]:
            key = f"{case['id']}.{version['number']}"
            version["file"] = by_kind.get("case_pdf", {}).get(key)
    for certificate in sections["certificates"]:
        key = str(certificate["id"])
        certificate["files"] = {
            kind: path
            for kind in ("certificate_pdf", "open_badges_json", "open_badges_jwt")
            if (path := by_kind.get(kind, {}).get(key))
        }
