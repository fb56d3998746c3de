"""The board-ready verification of supervised hours: a summary with the verification code
and its QR, totals by category and supervisor, each supervisor's credentials, every signed
session, then one signature page per supervisor. Every page carries the code and
"Page N of M"."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from io import BytesIO

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)

from airm_training.documents.base import PdfDocument
from airm_training.documents.transcript import numbered_canvas, styled_table

MARGIN = 18 * mm
HEADING_ROOM = 35 * mm  # a heading and its table's first rows


@dataclass(frozen=True)
class SupervisorRecord:
    name: str
    licences: tuple[str, ...]  # "LMHC MH-60211, Washington, expires 2028-05-01 (verified)"
    airt_s: tuple[str, ...]  # "2026-02-01 to 2028-01-31"
    sign_offs: int
    hours: str
    first_signed_at: str
    last_signed_at: str
    attestations: tuple[str, ...]
    entry_ids: str


@dataclass(frozen=True)
class HoursVerificationData:
    organisation: str
    holder_name: str
    holder_licences: tuple[str, ...]
    starts_on: str
    ends_on: str
    issued_at: str
    version: int
    code: str
    verification_url: str
    total_hours: str
    session_count: int
    by_category: tuple[tuple[str, str, int], ...]  # category, hours, sessions
    by_supervisor: tuple[tuple[str, str, int], ...]  # supervisor, hours, sessions
    sessions: tuple[tuple[str, str, int, str, str], ...]  # date, category, minutes, by, signed
    supervisors: tuple[SupervisorRecord, ...]


class HoursVerificationPdf(PdfDocument):
    def __init__(self, data: HoursVerificationData, paper: tuple[float, float] = A4) -> None:
        self.data = data
        self.pagesize = paper
        self.title = f"Verification of supervised hours — {data.holder_name}"

    def get_pdf(self) -> bytes:
        buffer = BytesIO()
        SimpleDocTemplate(
            buffer,
            pagesize=self.pagesize,
            title=self.title,
            author="AIRM Training & Credentials",
            invariant=True,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=30 * mm,
            bottomMargin=20 * mm,
        ).build(
            self._story(),
            canvasmaker=numbered_canvas(
                f"{self.data.organisation} · verification code {self.data.code} · "
                f"version {self.data.version}",
                self.pagesize,
            ),
        )
        return buffer.getvalue()

    def _story(self) -> list:
        d = self.data
        styles = getSampleStyleSheet()
        normal = styles["Normal"]
        story = [
            Paragraph(
                f"{escape(d.organisation)} — verification of supervised hours", styles["Title"]
            ),
            Paragraph(f"<b>{escape(d.holder_name)}</b>", normal),
            *[Paragraph(f"Licence: {escape(line)}", normal) for line in d.holder_licences],
            Paragraph(
                f"Period: {d.starts_on} to {d.ends_on} (session dates, inclusive). "
                f"Issued {escape(d.issued_at)} · version {d.version}.",
                normal,
            ),
            Spacer(1, 3 * mm),
            _qr(d.verification_url),
            Paragraph(
                f"Verification code <b>{escape(d.code)}</b>. Anyone can confirm this "
                f"document's totals and that {escape(d.organisation)} issued it at "
                f"{escape(d.verification_url)}",
                normal,
            ),
            Paragraph(
                "Only sessions signed off by a supervisor are listed. A training record: it "
                "contains no client-identifying information.",
                styles["Italic"],
            ),
            Spacer(1, 4 * mm),
            Paragraph(
                f"Total: {d.total_hours} hours in {d.session_count} signed sessions",
                styles["Heading2"],
            ),
        ]
        story += [
            *self._table("Totals by category", ("Category", "Hours", "Sessions"), d.by_category),
            Spacer(1, 4 * mm),
            *self._table(
                "Totals by supervisor", ("Supervisor", "Hours", "Sessions"), d.by_supervisor
            ),
            Spacer(1, 4 * mm),
        ]
        supervisors = Paragraph("Supervisors", styles["Heading2"])
        blocks = [_supervisor_block(record, styles) for record in d.supervisors]
        if blocks:
            # The heading travels with the first supervisor's block.
            story += [KeepTogether([supervisors, *blocks[0]])]
            story += [KeepTogether(block) for block in blocks[1:]]
        else:
            story += [supervisors, Paragraph("No signed sessions in this period.", normal)]
        story += self._table(
            "Signed sessions",
            ("Session date", "Category", "Minutes", "Supervisor", "Signed off"),
            d.sessions,
        )
        for record in d.supervisors:
            story += [PageBreak(), *_signature_page(record, d, styles)]
        return story

    @staticmethod
    def _table(heading: str, header: tuple[str, ...], rows) -> list:
        styles = getSampleStyleSheet()
        # A heading starts only where its table's first rows fit below it.
        block = [CondPageBreak(HEADING_ROOM), Paragraph(heading, styles["Heading2"])]
        block.append(
            styled_table(header, rows)
            if rows
            else Paragraph("None in this period.", styles["Normal"])
        )
        return block


def _supervisor_block(record: SupervisorRecord, styles) -> list:
    normal = styles["Normal"]
    lines = [Paragraph(f"<b>{escape(record.name)}</b>", normal)]
    lines += [
        Paragraph(f"Licence: {escape(line)}", normal)
        for line in record.licences or ("none on file",)
    ]
    lines += [
        Paragraph(f"AIRT-S held: {escape(period)}", normal)
        for period in record.airt_s or ("no current AIRT-S on file",)
    ]
    lines.append(
        Paragraph(
            f"Signed off {record.sign_offs} sessions ({record.hours} hours) between "
            f"{escape(record.first_signed_at)} and {escape(record.last_signed_at)}.",
            normal,
        )
    )
    lines += [
        Paragraph(f"Attestation agreed to: “{escape(text)}”", normal)
        for text in record.attestations
    ]
    return [*lines, Spacer(1, 3 * mm)]


def _signature_page(record: SupervisorRecord, d: HoursVerificationData, styles) -> list:
    normal = styles["Normal"]
    return [
        Paragraph(f"Supervisor's signature — {escape(record.name)}", styles["Heading1"]),
        Paragraph(f"Printed name: <b>{escape(record.name)}</b>", normal),
        *[Paragraph(f"Licence: {escape(line)}", normal) for line in record.licences],
        Spacer(1, 4 * mm),
        Paragraph("Electronic signature record", styles["Heading2"]),
        Paragraph(
            f"{escape(record.name)} signed off, in {escape(d.organisation)}'s AIRM Training & "
            f"Credentials system while signed in to their own account, {record.sign_offs} "
            f"sessions of {escape(d.holder_name)} totalling {record.hours} hours "
            f"(entries {escape(record.entry_ids)}), each with its time and the attestation "
            "below, recorded in the centre's hash-chained audit trail.",
            normal,
        ),
        *[Paragraph(f"Attestation: “{escape(text)}”", normal) for text in record.attestations],
        Spacer(1, 4 * mm),
        Paragraph(f"First sign-off: {escape(record.first_signed_at)}", normal),
        Paragraph(f"Date (last sign-off): {escape(record.last_signed_at)}", normal),
    ]


def _qr(url: str) -> Drawing:
    size = 30 * mm
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    return drawing
