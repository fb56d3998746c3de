"""The transcript: modules, assessments, and hours by category and by supervisor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from airm_training.documents.base import PdfDocument

BRAND = colors.HexColor("#2f5d62")


@dataclass(frozen=True)
class TranscriptData:
    organisation: str
    holder_name: str
    email: str
    generated_on: date
    credentials: tuple[tuple[str, str, str, str], ...]  # level, awarded, expires, status
    modules: tuple[tuple[str, str, str], ...]  # code, title, completed on
    quizzes: tuple[tuple[str, str, str], ...]  # quiz, best score, passed on
    cases: tuple[tuple[str, str, str], ...]  # title, result, decided on
    evaluations: tuple[tuple[str, str, str], ...]  # session date, evaluator, lowest rating
    hours: tuple[tuple[str, str, str, int, str, str], ...]
    # (category, supervisor, hours, sessions, first sign-off, last sign-off)
    uncounted: tuple[tuple[str, str, str, str], ...] = ()  # date, category, hours, reason


class TranscriptPdf(PdfDocument):
    """Several pages of tables, so it is built with platypus rather than raw drawing."""

    pagesize = A4

    def __init__(self, data: TranscriptData) -> None:
        self.data = data
        self.title = f"AIRM transcript — {data.holder_name}"

    def get_pdf(self) -> bytes:
        buffer = BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=self.pagesize,
            title=self.title,
            author="AIRM Training & Credentials",
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            invariant=True,
        )
        document.build(self._story())
        return buffer.getvalue()

    def _story(self) -> list:
        d = self.data
        styles = getSampleStyleSheet()
        story = [
            Paragraph(f"{escape(d.organisation)} — AIRM training transcript", styles["Title"]),
            Paragraph(f"{escape(d.holder_name)} · {escape(d.email)}", styles["Normal"]),
            Paragraph(
                f"Generated {d.generated_on:%d %B %Y}. A training record: it contains no "
                "client-identifying information.",
                styles["Italic"],
            ),
            Spacer(1, 6 * mm),
        ]
        sections = (
            ("Credentials", ("Credential", "Awarded", "Expires", "Status"), d.credentials),
            ("Modules completed", ("Code", "Module", "Completed"), d.modules),
            ("Quizzes", ("Quiz", "Best score", "Passed on"), d.quizzes),
            ("Case presentations", ("Title", "Result", "Decided"), d.cases),
            ("Competency evaluations", ("Session", "Evaluator", "Lowest rating"), d.evaluations),
            (
                "Signed-off hours by category and supervisor",
                ("Category", "Supervisor", "Hours", "Sessions", "First sign-off", "Last sign-off"),
                d.hours,
            ),
        )
        if d.uncounted:
            sections += (
                (
                    "Signed hours that do not count",
                    ("Session", "Category", "Hours", "Why not"),
                    d.uncounted,
                ),
            )
        for heading, header, rows in sections:
            story.append(Paragraph(heading, styles["Heading2"]))
            if rows:
                story.append(styled_table(header, rows))
            else:
                story.append(Paragraph("None yet.", styles["Normal"]))
            story.append(Spacer(1, 4 * mm))
        return story


def styled_table(header, rows) -> Table:
    """A table with a coloured header row; cells wrap."""
    cell = getSampleStyleSheet()["BodyText"]
    body = [[Paragraph(escape(str(value)), cell) for value in row] for row in rows]
    table = Table([list(header), *body], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), BRAND),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, 0), 9),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
