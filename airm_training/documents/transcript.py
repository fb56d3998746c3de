"""The transcript: modules, assessments, and hours by category and by supervisor; the
wordmark at the head, and on every page a footer with the document's reference and
"Page N of M"; no section heading left alone at the foot of a page."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from html import escape
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from airm_training.core import brand
from airm_training.documents.base import PdfDocument
from airm_training.documents.brand import draw_wordmark
from airm_training.documents.qr import draw_qr

BRAND = colors.HexColor(brand.BRAND)


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
    certificates: tuple[tuple[str, str, str, str], ...] = ()
    # (serial, credential, status, verification code), each checkable on the public page
    verify_address: str = ""  # where a certificate's verification code is checked
    # This transcript's own code, and the public page that confirms it (none: a draft).
    verification_code: str = ""
    verification_url: str = ""

    @property
    def reference(self) -> str:
        """A short fingerprint of everything the transcript says (not of its own code):
        two printouts with the same reference say the same thing."""
        content = {
            key: value
            for key, value in asdict(self).items()
            if key not in ("verification_code", "verification_url")
        }
        digest = hashlib.sha256(json.dumps(content, default=str).encode()).hexdigest()
        return f"{digest[:4]}-{digest[4:8]}-{digest[8:12]}".upper()


class TranscriptPdf(PdfDocument):
    """Several pages of tables, so it is built with platypus rather than raw drawing."""

    def __init__(self, data: TranscriptData, paper: tuple[float, float] = A4) -> None:
        self.data = data
        self.pagesize = paper
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
            topMargin=30 * mm,
            bottomMargin=20 * mm,
            invariant=True,
        )
        footer = f"{self.data.holder_name} · AIRM transcript · reference {self.data.reference}"
        if self.data.verification_code:
            footer += f" · code {self.data.verification_code}"
        document.build(
            self._story(),
            canvasmaker=numbered_canvas(footer, self.pagesize, self.data.verification_url),
        )
        return buffer.getvalue()

    def _story(self) -> list:
        d = self.data
        styles = getSampleStyleSheet()
        heading = styles["Heading2"]
        heading.textColor = BRAND
        story = [
            Paragraph(f"{escape(d.organisation)} — AIRM training transcript", styles["Title"]),
            Paragraph(f"{escape(d.holder_name)} · {escape(d.email)}", styles["Normal"]),
            Paragraph(
                f"Generated {d.generated_on:%d %B %Y}. A training record: it contains no "
                f"client-identifying information. Reference {d.reference}.",
                styles["Italic"],
            ),
        ]
        if d.verification_code:
            story.append(
                Paragraph(
                    f"Verification code <b>{escape(d.verification_code)}</b>: anyone can "
                    f"confirm this transcript at {escape(d.verification_url)}",
                    styles["Normal"],
                )
            )
        story.append(Spacer(1, 6 * mm))
        sections = (
            ("Credentials", ("Credential", "Awarded", "Expires", "Status"), d.credentials),
            (
                "Certificates and their verification codes",
                ("Certificate", "Credential", "Status", "Verification code"),
                d.certificates,
            ),
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
        for title, header, rows in sections:
            # A heading starts only where its table's first rows fit below it.
            story += [CondPageBreak(35 * mm), Paragraph(title, heading)]
            if rows:
                story.append(styled_table(header, rows))
            else:
                story.append(Paragraph("None yet.", styles["Normal"]))
            if rows and title.startswith("Certificates") and d.verify_address:
                story.append(
                    Paragraph(f"Check a code at {escape(d.verify_address)}.", styles["Italic"])
                )
            story.append(Spacer(1, 4 * mm))
        return story


def numbered_canvas(
    footer: str, pagesize: tuple[float, float], verification_url: str = ""
) -> type[Canvas]:
    """A canvas that holds its pages back until the end, then draws on each the wordmark
    at the head and the footer with "Page N of M" (reportlab's two-pass recipe), and on
    the first page the QR code of the verification page."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            width, height = pagesize
            draw_wordmark(self, 18 * mm, height - 22 * mm, 11 * mm)
            self.setStrokeColor(BRAND)
            self.setLineWidth(0.5)
            self.line(18 * mm, 14 * mm, width - 18 * mm, 14 * mm)
            self.setFont("Helvetica", 8)
            self.setFillColor(colors.black)
            self.drawString(18 * mm, 10 * mm, footer)
            self.drawRightString(width - 18 * mm, 10 * mm, f"Page {number} of {total}")
            if number == 1 and verification_url:
                draw_qr(self, verification_url, width - 36 * mm, height - 26 * mm, 18 * mm)

    return NumberedCanvas


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
