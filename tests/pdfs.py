"""Real PDFs for upload tests (built with pikepdf): a plain one of a given size, and ones
carrying each kind of active content the upload must strip."""

from __future__ import annotations

import io
import shutil

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String


def _saved(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def pdf_bytes(size: int = 4096) -> bytes:
    """A valid one-page PDF of exactly ``size`` bytes (padded with a content stream of
    spaces) — at least a few hundred bytes."""
    padding = max(size - 600, 0)
    for _ in range(4):
        pdf = pikepdf.new()
        pdf.add_blank_page()
        pdf.pages[0].obj.Contents = pdf.make_stream(b" " * padding)
        data = _saved(pdf)
        if len(data) == size or (padding == 0 and len(data) > size):
            return data
        padding += size - len(data)
    raise AssertionError(f"could not build a PDF of {size} bytes")


def hostile_pdf(kind: str) -> bytes:
    """A one-page PDF with one kind of active content (see HOSTILE_KINDS)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0].obj
    script = Dictionary(S=Name.JavaScript, JS=String("app.alert('opened');"))
    if kind == "open-action-javascript":
        pdf.Root.OpenAction = pdf.make_indirect(script)
    elif kind == "document-javascript":
        pdf.Root.Names = Dictionary(
            JavaScript=Dictionary(Names=Array([String("run"), pdf.make_indirect(script)]))
        )
    elif kind == "launch-link":
        launch = Dictionary(S=Name.Launch, F=String("cmd.exe"))
        page.Annots = Array(
            [
                pdf.make_indirect(
                    Dictionary(
                        Type=Name.Annot, Subtype=Name.Link, Rect=Array([0, 0, 100, 100]), A=launch
                    )
                )
            ]
        )
    elif kind == "page-open-action":
        page.AA = Dictionary(O=pdf.make_indirect(script))
    elif kind == "embedded-file":
        attachment = pikepdf.AttachedFileSpec(pdf, b"MZ not a program", filename="tool.exe")
        pdf.attachments["tool.exe"] = attachment
    elif kind == "form":
        field = pdf.make_indirect(
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.Widget,
                FT=Name.Tx,
                T=String("client_name"),
                Rect=Array([0, 0, 100, 20]),
                AA=Dictionary(K=script),
            )
        )
        page.Annots = Array([field])
        pdf.Root.AcroForm = Dictionary(Fields=Array([field]))
    else:
        raise ValueError(kind)
    return _saved(pdf)


HOSTILE_KINDS = (
    "open-action-javascript",
    "document-javascript",
    "launch-link",
    "page-open-action",
    "embedded-file",
    "form",
)


def needs_qr_reading() -> None:
    """Skip the test when poppler and zbar (which render a PDF page and read its QR code
    as a phone would) are not installed; ``.ci/run`` installs them."""
    missing = [tool for tool in ("pdftoppm", "zbarimg") if shutil.which(tool) is None]
    if missing:
        pytest.skip(
            f"{' and '.join(missing)} not installed (poppler-utils, zbar-tools; .ci/run "
            "installs them): cannot render the PDF and read its QR code"
        )
