"""The owner's redaction of a stored text the sweep flagged: each finding replaced by a
marker, in place for what is not signed, through an amendment for a signed hours entry."""

from __future__ import annotations

from airm_training.assessments.models import CasePresentation, CaseVersion, CompetencyEvaluation
from airm_training.audit.services import record_event
from airm_training.continuing.models import CeAuditItem, CeRecord
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import request_amendment
from airm_training.people.models import Person
from airm_training.privacy.findings import Finding
from airm_training.privacy.sweep import SOURCE_BY_KEY, SweepRow, sweep
from airm_training.progression.models import Application, Endorsement, Vote

REMOVED = "[removed]"


class NotOwner(Exception):
    """Only the person who wrote a text redacts it."""


def redact_text(text: str, findings: list[Finding] | tuple[Finding, ...]) -> str:
    """``text`` with every finding's span replaced by ``REMOVED``."""
    pieces, position = [], 0
    for finding in sorted(findings):
        pieces += [text[position : finding.start], REMOVED]
        position = finding.end
    return "".join([*pieces, text[position:]])


def flagged(key: str, object_id: int, part: str = "") -> SweepRow | None:
    """The sweep's row of one stored text, or None when it has no findings."""
    if key not in SOURCE_BY_KEY:
        return None
    return next((row for row in sweep(only=(key, object_id)) if row.part == part), None)


def redact(person: Person, key: str, object_id: int, part: str = "") -> HoursEntry | None:
    """Remove the findings of a text ``person`` wrote; returns the amendment when a signed
    hours entry is corrected through one (its supervisor signs it)."""
    row = flagged(key, object_id, part)
    if row is None:
        raise DomainError.on(None, "This text has nothing left to redact.")
    if row.owner_id != person.id:
        raise NotOwner("Only the person who wrote this text can redact it.")
    amendment = _WRITERS.get(key, _write_column)(row, person)
    record_event(
        "privacy.redacted",
        row.source.object_type,
        object_id,
        actor_id=person.id,
        before={"field": key, "part": part, "findings": [f.to_json() for f in row.findings]},
        after={"via": "amendment" if amendment else "in place"}
        | ({"amendment_id": amendment.id} if amendment else {}),
    )
    return amendment


def _write_column(row: SweepRow, _person: Person) -> None:
    model = _MODELS[row.source.object_type]
    record = db.session.get(model, row.object_id)
    column = row.source.key.split(".", 1)[1]
    setattr(record, column, redact_text(getattr(record, column), row.findings))
    db.session.flush()


def _write_hours_note(row: SweepRow, person: Person) -> HoursEntry | None:
    entry = db.session.get(HoursEntry, row.object_id)
    if entry.state is HoursStatus.SUPERSEDED:
        raise DomainError.on(None, "This entry was replaced by its amendment: redact that one.")
    note = redact_text(entry.note, row.findings)
    if entry.state is not HoursStatus.SIGNED:
        entry.note = note
        db.session.flush()
        return None
    data = EntryInput(
        session_date=entry.session_date,
        minutes=entry.minutes,
        category_code=entry.category.code,
        supervisor_id=entry.signed_by_id,
        stages=list(entry.stages or []),
        modalities=list(entry.modalities or []),
        group_size=entry.group_size,
        note=note,
    )
    return request_amendment(entry, person, data)


def _write_pdf(row: SweepRow, _person: Person) -> None:
    """A PDF cannot be edited here: it is removed (the typed text stays)."""
    version = db.session.get(CaseVersion, row.object_id)
    version.pdf, version.pdf_filename, version.pdf_size = None, None, None
    db.session.flush()


def _write_rating_comment(row: SweepRow, _person: Person) -> None:
    evaluation = db.session.get(CompetencyEvaluation, row.object_id)
    ratings = {code: dict(item) for code, item in evaluation.ratings.items()}
    ratings[row.part]["comment"] = redact_text(ratings[row.part]["comment"], row.findings)
    evaluation.ratings = ratings
    db.session.flush()


_WRITERS = {
    "hours_entry.note": _write_hours_note,
    "case_version.pdf": _write_pdf,
    "competency_evaluation.ratings": _write_rating_comment,
}
_MODELS = {
    "hours_entry": HoursEntry,
    "case_presentation": CasePresentation,
    "case_version": CaseVersion,
    "competency_evaluation": CompetencyEvaluation,
    "application": Application,
    "endorsement": Endorsement,
    "vote": Vote,
    "ce_record": CeRecord,
    "ce_audit_item": CeAuditItem,
}
