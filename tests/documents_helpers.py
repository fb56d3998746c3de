"""Files and documents for the supporting-document tests."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from airm_training.core.clock import today
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.supporting.models import SupportingDocument
from airm_training.supporting.services import DocumentInput, approve_document, upload_document
from tests.pdfs import pdf_bytes

GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF holds a camera model and a GPS position (and a comment)."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "Phone camera"  # Model
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (47.0, 36.0, 22.0), 3: "W", 4: (122.0, 19.0, 55.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Somebody")
    info.add_text("Comment", "scanned at the office")
    out = io.BytesIO()
    Image.new("RGBA", (32, 32), (0, 0, 255, 128)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def insurance_input(**changes) -> DocumentInput:
    values = {
        "kind": "liability-insurance",
        "title": "Liability insurance",
        "issued_on": today() - timedelta(days=30),
        "expires_on": today() + timedelta(days=300),
        "data": pdf_bytes(),
        "filename": "insurance.pdf",
    }
    values.update(changes)
    return DocumentInput(**values)


def uploaded(person: Person, **changes) -> SupportingDocument:
    document = upload_document(person, insurance_input(**changes))
    db.session.commit()
    return document


def approved(person: Person, director: Person, **changes) -> SupportingDocument:
    document = upload_document(person, insurance_input(**changes))
    approve_document(director, document)
    db.session.commit()
    return document
