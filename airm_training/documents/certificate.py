"""The printable, landscape certificate with a QR code to the public verification page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from airm_training.core import brand
from airm_training.documents.base import PdfDocument
from airm_training.documents.brand import draw_seal, draw_wordmark
from airm_training.documents.qr import draw_qr

BRAND = colors.HexColor(brand.BRAND)


@dataclass(frozen=True)
class CertificateData:
    organisation: str
    holder_name: str
    level_code: str
    level_name: str
    serial: str
    issued_on: date
    expires_on: date | None
    issuer_name: str
    approver_names: tuple[str, ...]
    verification_url: str
    # The image drawn on each signature line (the issuer's, then each approver's), PNG
    # or JPEG bytes; None (or a missing entry) prints the name on the line instead.
    signature_images: tuple[bytes | None, ...] = ()


class CertificatePdf(PdfDocument):
    """Landscape, on the paper it is given (A4 unless told)."""

    def __init__(self, data: CertificateData, paper: tuple[float, float] = A4) -> None:
        self.data = data
        self.pagesize = landscape(paper)
        self.title = f"{data.level_code} certificate {data.serial}"

    def _build_pdf(self, canvas: Canvas) -> None:
        d = self.data
        width, height = self.pagesize
        canvas.setStrokeColor(BRAND)
        canvas.setLineWidth(3)
        canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
        canvas.setLineWidth(0.8)
        canvas.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

        draw_wordmark(canvas, 24 * mm, height - 36 * mm, 12 * mm)
        draw_seal(canvas, width - 42 * mm, height - 42 * mm, 17 * mm)

        centre = width / 2
        canvas.setFillColor(BRAND)
        canvas.setFont("Helvetica-Bold", 16)
        canvas.drawCentredString(centre, height - 40 * mm, d.organisation)
        canvas.setFont("Helvetica", 11)
        canvas.drawCentredString(
            centre, height - 47 * mm, "Artificial Intimacy Recovery Model (AIRM)"
        )
        canvas.setFillColor(colors.black)
        canvas.setFont("Helvetica", 13)
        canvas.drawCentredString(centre, height - 66 * mm, "This certifies that")
        canvas.setFont("Times-Bold", 30)
        canvas.drawCentredString(centre, height - 82 * mm, d.holder_name)
        canvas.setFont("Helvetica", 13)
        canvas.drawCentredString(
            centre, height - 96 * mm, "has met every requirement of and is credentialed as"
        )
        canvas.setFont("Helvetica-Bold", 20)
        canvas.setFillColor(BRAND)
        canvas.drawCentredString(centre, height - 110 * mm, f"{d.level_name} ({d.level_code})")
        canvas.setFillColor(colors.black)
        canvas.setFont("Helvetica", 11)
        validity = f"Issued {d.issued_on:%d %B %Y}"
        if d.expires_on:
            validity += f" · valid through {d.expires_on:%d %B %Y}"
        canvas.drawCentredString(centre, height - 121 * mm, validity)
        canvas.drawCentredString(centre, height - 128 * mm, f"Certificate {d.serial}")

        self._signatures(canvas, width)
        self._qr(canvas, width)

    def _signatures(self, canvas: Canvas, width: float) -> None:
        names = [(self.data.issuer_name, "Issuing director")] + [
            (name, "Co-creators' board") for name in self.data.approver_names
        ]
        images = self.data.signature_images
        slot = (width - 110 * mm) / max(len(names), 1)
        y = 40 * mm
        for index, (name, role) in enumerate(names):
            x = 30 * mm + index * slot
            image = images[index] if index < len(images) else None
            if image:
                self._signature_image(canvas, image, x + 2 * mm, y + 1 * mm, slot - 14 * mm)
            else:
                canvas.setFont("Times-Italic", 14)
                canvas.setFillColor(BRAND)
                canvas.drawString(x + 2 * mm, y + 2.5 * mm, name)
            canvas.setFillColor(colors.black)
            canvas.setLineWidth(0.6)
            canvas.line(x, y, x + slot - 10 * mm, y)
            canvas.setFont("Helvetica", 9)
            canvas.drawString(x, y - 5 * mm, name)
            canvas.setFont("Helvetica-Oblique", 8)
            canvas.drawString(x, y - 9.5 * mm, role)

    @staticmethod
    def _signature_image(canvas: Canvas, data: bytes, x: float, y: float, room: float) -> None:
        """The image standing on the line, at most ``room`` wide and 16 mm high."""
        reader = ImageReader(BytesIO(data))
        pixels_wide, pixels_high = reader.getSize()
        scale = min(room / pixels_wide, 16 * mm / pixels_high)
        canvas.drawImage(reader, x, y, pixels_wide * scale, pixels_high * scale, mask="auto")

    def _qr(self, canvas: Canvas, width: float) -> None:
        size = 34 * mm
        x = width - 30 * mm - size
        draw_qr(canvas, self.data.verification_url, x, 26 * mm, size)
        canvas.setFont("Helvetica", 7)
        canvas.drawCentredString(x + size / 2, 23 * mm, "Verify this certificate:")
        canvas.drawCentredString(x + size / 2, 19.5 * mm, self.data.verification_url[:70])
