"""Uploaded PDFs cleaned with pikepdf (qpdf) before they are stored and handed to a
supervisor: JavaScript, actions run on opening or on any event, launch and other actions
beyond "go to a page" and "open a web link", embedded files and forms are removed, and
the file is written anew (dropping whatever is not reachable from its catalogue), with an
/ID taken from its content so the same upload always gives the same bytes. A file
qpdf cannot read, or one that needs a password, is refused."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name

SAFE_ACTIONS = {"/GoTo", "/URI"}  # anything else (JavaScript, Launch, SubmitForm...) goes
ACTIVE_ANNOTATIONS = {"/Widget", "/FileAttachment", "/Screen", "/Movie", "/Sound", "/RichMedia"}
READ_ERRORS = (pikepdf.PdfError, ValueError, RuntimeError, OSError, RecursionError)


class UnsafePdf(Exception):
    """The file cannot be read as a PDF (or only with a password); the message says so."""


@dataclass
class CleanedPdf:
    data: bytes
    removed: list[str] = field(default_factory=list)  # what was taken out, for the person


def sanitise_pdf(data: bytes) -> CleanedPdf:
    """``data`` without active content, re-written; UnsafePdf when it cannot be read."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise UnsafePdf("The PDF is protected by a password: upload it without one.") from None
    except READ_ERRORS:
        raise UnsafePdf("That file is not a PDF.") from None
    with pdf:
        try:
            removed = _clean(pdf)
            out = io.BytesIO()
            pdf.save(out, preserve_pdfa=False, fix_metadata_version=False, deterministic_id=True)
        except READ_ERRORS:
            raise UnsafePdf("That file is not a PDF.") from None
    return CleanedPdf(out.getvalue(), sorted(removed))


def _clean(pdf: pikepdf.Pdf) -> set[str]:
    removed: set[str] = set()
    root = pdf.Root
    for key, what in (
        ("/OpenAction", "an action run on opening"),
        ("/AA", "automatic actions"),
        ("/AF", "embedded files"),
    ):
        if key in root:
            del root[key]
            removed.add(what)
    if "/AcroForm" in root:
        del root["/AcroForm"]
        removed.add("a form")
    names = root.get("/Names")
    if isinstance(names, Dictionary):
        for key, what in (("/JavaScript", "JavaScript"), ("/EmbeddedFiles", "embedded files")):
            if key in names:
                del names[key]
                removed.add(what)
    for page in pdf.pages:
        removed |= _clean_page(page.obj)
    for obj in pdf.objects:  # actions reachable some other way (outlines, chains)
        if isinstance(obj, Dictionary):
            removed |= _clean_dictionary(obj)
    return removed


def _clean_page(page: Dictionary) -> set[str]:
    removed: set[str] = set()
    if "/AA" in page:
        del page["/AA"]
        removed.add("automatic actions")
    annotations = page.get("/Annots")
    if isinstance(annotations, Array):
        kept = Array()
        for annotation in annotations:
            if isinstance(annotation, Dictionary) and annotation.get("/Subtype") in {
                Name(s) for s in ACTIVE_ANNOTATIONS
            }:
                removed.add("a form" if annotation.get("/Subtype") == "/Widget" else "attachments")
                continue
            if isinstance(annotation, Dictionary):
                removed |= _clean_dictionary(annotation)
            kept.append(annotation)
        page["/Annots"] = kept
    return removed


def _is_safe(action: Dictionary) -> bool:
    return str(action.get("/S", "")) in SAFE_ACTIONS


def _describe(action: Dictionary) -> str:
    kind = str(action.get("/S", "")).lstrip("/") or "unnamed"
    return "JavaScript" if kind == "JavaScript" else f"a {kind} action"


def _clean_dictionary(obj: Dictionary) -> set[str]:
    """Drop event actions, and any action (or its chain) that is not a safe one."""
    removed: set[str] = set()
    for key in ("/AA", "/OpenAction"):
        if key in obj:
            del obj[key]
            removed.add("automatic actions")
    for key in ("/A", "/Next"):
        actions = obj.get(key)
        chain = list(actions) if isinstance(actions, Array) else [actions]
        unsafe = [a for a in chain if isinstance(a, Dictionary) and not _is_safe(a)]
        if unsafe:
            del obj[key]
            removed |= {_describe(action) for action in unsafe}
    if "/JS" in obj:
        del obj["/JS"]
        removed.add("JavaScript")
    if "/AF" in obj:  # associated files (PDF 2.0)
        del obj["/AF"]
        removed.add("embedded files")
    if str(obj.get("/Type", "")) in ("/EmbeddedFile", "/Filespec") and "/EF" in obj:
        del obj["/EF"]
        removed.add("embedded files")
    return removed
