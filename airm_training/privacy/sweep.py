"""The privacy sweep: every stored free-text field read through the detector, so directors
can review existing records. What it lists says who, where and what kind, never the text."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from airm_training.assessments.models import CasePresentation, CaseVersion, CompetencyEvaluation
from airm_training.continuing.models import CeAuditItem, CeRecord
from airm_training.directory.models import DirectoryProfile
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.privacy.detector import detect
from airm_training.privacy.findings import Finding, labels_of
from airm_training.privacy.pdf_text import pdf_text
from airm_training.privacy.registry import registered_people
from airm_training.progression.models import Application, Endorsement, Vote
from airm_training.supporting.models import SupportingDocument


@dataclass(frozen=True)
class Source:
    """One stored free-text field. ``query`` selects (object id, owner id, value, page id);
    ``texts`` turns a value into named texts (a PDF's text, each comment of a rating)."""

    key: str
    label: str
    object_type: str
    query: Callable[[], sa.Select]  # its first column is the object's id
    endpoint: str
    page_arg: str
    texts: Callable[[Any], dict[str, str]] = lambda value: {"": value or ""}


def _ratings_comments(ratings: dict | None) -> dict[str, str]:
    return {code: (item or {}).get("comment") or "" for code, item in (ratings or {}).items()}


SOURCES: tuple[Source, ...] = (
    Source(
        "hours_entry.note",
        "Hours note",
        "hours_entry",
        lambda: sa.select(HoursEntry.id, HoursEntry.person_id, HoursEntry.note, HoursEntry.id),
        "hours.show",
        "entry_id",
    ),
    Source(
        "hours_entry.return_reason",
        "Reason an entry was returned",
        "hours_entry",
        lambda: sa.select(
            HoursEntry.id, HoursEntry.supervisor_id, HoursEntry.return_reason, HoursEntry.id
        ).where(HoursEntry.return_reason.is_not(None)),
        "hours.show",
        "entry_id",
    ),
    Source(
        "case_presentation.title",
        "Case presentation title",
        "case_presentation",
        lambda: sa.select(
            CasePresentation.id,
            CasePresentation.person_id,
            CasePresentation.title,
            CasePresentation.id,
        ),
        "assessments.case",
        "case_id",
    ),
    Source(
        "case_version.text",
        "Case presentation text",
        "case_version",
        lambda: sa.select(
            CaseVersion.id, CasePresentation.person_id, CaseVersion.text, CasePresentation.id
        ).join(CasePresentation, CaseVersion.presentation_id == CasePresentation.id),
        "assessments.case",
        "case_id",
    ),
    Source(
        "case_version.pdf",
        "Case presentation PDF",
        "case_version",
        lambda: (
            sa.select(
                CaseVersion.id, CasePresentation.person_id, CaseVersion.pdf, CasePresentation.id
            )
            .join(CasePresentation, CaseVersion.presentation_id == CasePresentation.id)
            .where(CaseVersion.pdf.is_not(None))
        ),
        "assessments.case",
        "case_id",
        lambda value: {"": pdf_text(value)},
    ),
    Source(
        "case_version.feedback",
        "Feedback on a case presentation",
        "case_version",
        lambda: sa.select(
            CaseVersion.id,
            CaseVersion.graded_by_id,
            CaseVersion.feedback,
            CaseVersion.presentation_id,
        ).where(CaseVersion.feedback.is_not(None)),
        "assessments.case",
        "case_id",
    ),
    Source(
        "competency_evaluation.overall_comment",
        "Evaluation comment",
        "competency_evaluation",
        lambda: sa.select(
            CompetencyEvaluation.id,
            CompetencyEvaluation.evaluator_id,
            CompetencyEvaluation.overall_comment,
            CompetencyEvaluation.id,
        ),
        "assessments.evaluation",
        "evaluation_id",
    ),
    Source(
        "competency_evaluation.ratings",
        "Evaluation item comments",
        "competency_evaluation",
        lambda: sa.select(
            CompetencyEvaluation.id,
            CompetencyEvaluation.evaluator_id,
            CompetencyEvaluation.ratings,
            CompetencyEvaluation.id,
        ),
        "assessments.evaluation",
        "evaluation_id",
        _ratings_comments,
    ),
    Source(
        "application.statement",
        "Application statement",
        "application",
        lambda: sa.select(
            Application.id, Application.person_id, Application.statement, Application.id
        ),
        "progression.application",
        "application_id",
    ),
    Source(
        "endorsement.reason",
        "Endorsement comment",
        "endorsement",
        lambda: sa.select(
            Endorsement.id,
            Endorsement.supervisor_id,
            Endorsement.reason,
            Endorsement.application_id,
        ),
        "progression.application",
        "application_id",
    ),
    Source(
        "vote.comment",
        "Vote comment",
        "vote",
        lambda: sa.select(Vote.id, Vote.member_id, Vote.comment, Vote.application_id),
        "progression.application",
        "application_id",
    ),
    Source(
        "supporting_document.title",
        "Supporting document title",
        "supporting_document",
        lambda: sa.select(
            SupportingDocument.id,
            SupportingDocument.person_id,
            SupportingDocument.title,
            SupportingDocument.id,
        ),
        "supporting.show",
        "document_id",
    ),
    Source(
        "supporting_document.rejection_reason",
        "Reason a supporting document was not approved",
        "supporting_document",
        lambda: sa.select(
            SupportingDocument.id,
            SupportingDocument.reviewed_by_id,
            SupportingDocument.rejection_reason,
            SupportingDocument.id,
        ).where(SupportingDocument.rejection_reason.is_not(None)),
        "supporting.show",
        "document_id",
    ),
    Source(
        "ce_record.provider",
        "Continuing-education provider",
        "ce_record",
        lambda: sa.select(CeRecord.id, CeRecord.person_id, CeRecord.provider, CeRecord.id),
        "continuing.show",
        "record_id",
    ),
    Source(
        "ce_record.course_title",
        "Continuing-education course title",
        "ce_record",
        lambda: sa.select(CeRecord.id, CeRecord.person_id, CeRecord.course_title, CeRecord.id),
        "continuing.show",
        "record_id",
    ),
    Source(
        "ce_record.rejection_reason",
        "Reason continuing education was not verified",
        "ce_record",
        lambda: sa.select(
            CeRecord.id, CeRecord.reviewed_by_id, CeRecord.rejection_reason, CeRecord.id
        ).where(CeRecord.rejection_reason.is_not(None)),
        "continuing.show",
        "record_id",
    ),
    Source(
        "ce_audit_item.note",
        "Continuing-education audit note",
        "ce_audit_item",
        lambda: sa.select(
            CeAuditItem.id, CeAuditItem.marked_by_id, CeAuditItem.note, CeAuditItem.audit_id
        ).where(CeAuditItem.note.is_not(None)),
        "continuing.audit",
        "audit_id",
    ),
    Source(
        "directory_profile.bio",
        "Public directory bio",
        "directory_profile",
        lambda: sa.select(
            DirectoryProfile.id,
            DirectoryProfile.person_id,
            DirectoryProfile.bio,
            DirectoryProfile.person_id,
        ).where(DirectoryProfile.bio != ""),
        "people.show",
        "person_id",
    ),
)
SOURCE_BY_KEY = {source.key: source for source in SOURCES}


@dataclass(frozen=True)
class SweepRow:
    """A stored text with findings: where it is, whose it is, what kinds (no text)."""

    source: Source
    object_id: int
    part: str  # "" for the whole field, or the rating item's code
    owner_id: int | None
    page_id: int
    findings: tuple[Finding, ...]

    @property
    def labels(self) -> list[str]:
        return labels_of(list(self.findings))

    @property
    def kinds(self) -> list[str]:
        return sorted({finding.kind for finding in self.findings})

    def to_json(self) -> dict:
        return {
            "source": self.source.key,
            "object_type": self.source.object_type,
            "object_id": self.object_id,
            "part": self.part,
            "owner_id": self.owner_id,
            "kinds": self.kinds,
        }


def sweep(
    owner_id: int | None = None, *, only: tuple[str, int] | None = None
) -> Iterator[SweepRow]:
    """Every stored text with findings, source by source (``owner_id``: only theirs;
    ``only``: the one record ``(source key, object id)``)."""
    registry = registered_people()
    for source in SOURCES:
        if only is not None and only[0] != source.key:
            continue
        statement = source.query()
        if owner_id is not None:
            statement = statement.where(statement.selected_columns[1] == owner_id)
        if only is not None:
            statement = statement.where(statement.selected_columns[0] == only[1])
        for object_id, owner, value, page_id in db.session.execute(statement):
            for part, text in source.texts(value).items():
                findings = detect(text, registry)
                if findings:
                    yield SweepRow(source, object_id, part, owner, page_id, tuple(findings))
