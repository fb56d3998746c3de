"""The base of every PDF, fed a plain dataclass (never a database object) and returning
the PDF's bytes from an in-memory buffer."""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas


class PdfDocument:
    """Subclasses set ``pagesize`` (from the paper they are given) and ``title``. A drawn
    page (the certificate) implements ``_build_pdf(canvas)`` and keeps this ``get_pdf``; a
    flowing document (the transcript, the evidence packet) overrides ``get_pdf`` to lay out
    reportlab flowables instead."""

    pagesize: tuple[float, float] = A4
    title: str = "Document"

    def get_pdf(self) -> bytes:
        buffer = BytesIO()
        canvas = Canvas(buffer, pagesize=self.pagesize, invariant=True)
        canvas.setTitle(self.title)
        canvas.setAuthor("AIRM Training & Credentials")
        self._build_pdf(canvas)
        canvas.save()
        return buffer.getvalue()

    def _build_pdf(self, canvas: Canvas) -> None:
        raise NotImplementedError
