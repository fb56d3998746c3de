"""The text of an uploaded PDF, extracted with pypdf, so it is checked like typed text."""

from __future__ import annotations

import io
import logging

from pypdf import PdfReader

MAX_PAGES = 60
log = logging.getLogger(__name__)


def pdf_text(content: bytes | None) -> str:
    """The text of the first pages; empty when the file has none or cannot be read."""
    if not content:
        return ""
    try:
        reader = PdfReader(io.BytesIO(content))
        return "\n".join((page.extract_text() or "") for page in reader.pages[:MAX_PAGES])
    except Exception:  # pypdf raises many kinds of error on a malformed file
        log.info("The text of an uploaded PDF could not be read for the privacy check.")
        return ""


def upload_text(upload) -> str:
    """The text of an uploaded PDF (a werkzeug ``FileStorage``), leaving it readable again."""
    if not upload or not getattr(upload, "stream", None):
        return ""
    content = upload.read()
    upload.seek(0)
    return pdf_text(content)
