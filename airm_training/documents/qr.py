"""The QR code of a verification page, drawn with reportlab's own widget."""

from __future__ import annotations

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.pdfgen.canvas import Canvas


def draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    """A ``size``-wide square QR code of ``url`` with its lower-left corner at (x, y)."""
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)
