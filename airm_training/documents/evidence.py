"""The evidence packet the board reads: the application's frozen snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from airm_training.documents.base import PdfDocument
from airm_training.documents.transcript import styled_table


@dataclass(frozen=True)
class EvidenceData:
    organisation: str
    applicant: str
    level: str
    submitted_on: str
    as_of: str
    endorser: str
    statement: str
    requirements: tuple[tuple[str, str, str, str], ...]  # label, met, progress, records counted
    decisions: tuple[tuple[str, str, str], ...]  # who, decision, comment


class EvidencePdf(PdfDocument):
    pagesize = A4

    def __init__(self, data: EvidenceData) -> None:
        self.data = data
        self.title = f"Evidence packet — {data.applicant} — {data.level}"

    def get_pdf(self) -> bytes:
        buffer = BytesIO()
        SimpleDocTemplate(
            buffer,
            pagesize=self.pagesize,
            title=self.title,
            invariant=True,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
        ).build(self._story())
        return buffer.getvalue()

    def _story(self) -> list:
        d = self.data
        styles = getSampleStyleSheet()
        story = [
            Paragraph(f"{escape(d.organisation)} — evidence packet", styles["Title"]),
            Paragraph(
                f"{escape(d.applicant)} · application for {escape(d.level)}", styles["Heading2"]
            ),
            Paragraph(
                f"Submitted {d.submitted_on}; evidence frozen as of {d.as_of}; "
                f"endorser {escape(d.endorser)}.",
                styles["Normal"],
            ),
            Spacer(1, 4 * mm),
            Paragraph("Requirements", styles["Heading2"]),
            styled_table(("Requirement", "Met", "Progress", "Records counted"), d.requirements),
        ]
        if d.statement:
            story += [
                Paragraph("Personal statement", styles["Heading2"]),
                Paragraph(escape(d.statement).replace("\n", "<br/>"), styles["Normal"]),
            ]
        story += [Paragraph("Endorsement and votes", styles["Heading2"])]
        story.append(
            styled_table(("Who", "Decision", "Comment"), d.decisions)
            if d.decisions
            else Paragraph("None yet.", styles["Normal"])
        )
        return story
