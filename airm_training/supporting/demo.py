"""Demo documents: a licence copy waiting for review (Priya, not yet enrolled), approved
licence copies and insurance, and one not approved with its reason; uploaded and reviewed
through the real services. The files are small specimens drawn here."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from airm_training.core.clock import today
from airm_training.people.models import Person
from airm_training.supporting.services import (
    DocumentInput,
    approve_document,
    reject_document,
    upload_document,
)

# person key -> [(kind, title, days until expiry or None, review: approve/reject/None)]
DEMO_DOCUMENTS: dict[str, list[tuple[str, str, int | None, str | None]]] = {
    "priya.raman": [("licence-copy", "LCSW licence (Oregon)", 540, None)],
    "aubrey.holden": [
        ("licence-copy", "LMHC licence (Washington)", 540, "approve"),
        ("liability-insurance", "Professional liability insurance", 60, "approve"),
    ],
    "sofia.alvarez": [
        ("liability-insurance", "Professional liability insurance", 300, "approve"),
        ("training-certificate", "EMDR basic training certificate", None, None),
    ],
    "marcus.bell": [("liability-insurance", "Liability insurance (photo)", 200, "reject")],
}
REJECTION = "The policy number and the expiry date are not legible; upload a sharper copy."


def specimen_pdf(title: str) -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(72, 760, title)
    page.setFont("Helvetica", 11)
    page.drawString(
        72, 736, "Specimen document for the demonstration of AIRM Training & Credentials."
    )
    page.showPage()
    page.save()
    return out.getvalue()


def specimen_png(title: str) -> bytes:
    image = Image.new("RGB", (480, 240), "white")
    ImageDraw.Draw(image).text((20, 20), title, fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed_documents(new_keys: set[str], people: dict[str, Person], director: Person) -> None:
    """The demo documents of the people just created (``new_keys``)."""
    for key, documents in DEMO_DOCUMENTS.items():
        if key not in new_keys:
            continue
        person = people[key]
        for kind, title, expires_in, review in documents:
            photo = "photo" in title
            document = upload_document(
                person,
                DocumentInput(
                    kind=kind,
                    title=title,
                    issued_on=today() - timedelta(days=180),
                    expires_on=today() + timedelta(days=expires_in) if expires_in else None,
                    data=specimen_png(title) if photo else specimen_pdf(title),
                    filename=f"{kind}.{'png' if photo else 'pdf'}",
                    licence_id=person.licences[0].id if kind == "licence-copy" else None,
                ),
            )
            if review == "approve":
                approve_document(director, document)
            elif review == "reject":
                reject_document(director, document, REJECTION)
