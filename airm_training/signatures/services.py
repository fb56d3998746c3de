"""Uploading, replacing and removing one's signature image, and which images a
certificate is issued with.

Who signs a certificate: the issuing director (line 0) and the board members who voted
to approve the application it comes from (lines 1, 2, ..., as ``approver_names``). A
renewal has no board vote: it repeats the approvers of the certificate it renews, with
the images that certificate was issued with. Each line takes the signatory's image in
force when the certificate is issued; a line without one prints the name."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence

import sqlalchemy as sa
from PIL import Image

from airm_training.audit.services import record_event
from airm_training.core.clock import utcnow
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.people.models import Person, Role
from airm_training.signatures.models import CertificateSignature, SignatureImage
from airm_training.supporting.files import PDF_MAGIC, RefusedFile, clean_upload

MAX_BYTES = 1024 * 1024  # an upload larger than 1 MB is refused
MAX_WIDTH = 1200  # wider images are scaled down (a line is about 8 cm wide)
MIN_SIDE = 20  # px; smaller images are refused
SIGNATORY_ROLES = (Role.DIRECTOR, Role.ADMIN, Role.CO_CREATOR)


def can_sign_certificates(person: Person) -> bool:
    """Directors (who issue) and board members (who approve) sign certificates."""
    return person.has_role(*SIGNATORY_ROLES)


def current_signature(person_id: int) -> SignatureImage | None:
    return db.session.scalar(
        sa.select(SignatureImage).where(
            SignatureImage.person_id == person_id, SignatureImage.retired_at.is_(None)
        )
    )


def upload_signature(person: Person, data: bytes) -> tuple[SignatureImage, list[str]]:
    """Store ``data`` (a PNG or JPEG, cleaned) as ``person``'s signature, replacing the
    current one; returns it and what the cleaning removed."""
    if not can_sign_certificates(person):
        raise DomainError.on(None, "Only directors and board members sign certificates.")
    if data.startswith(PDF_MAGIC):
        raise DomainError.on("file", "Upload a PNG or JPEG image.")
    try:
        cleaned = clean_upload(data, limit=MAX_BYTES)
        content, width, height = _fitted(cleaned.data, cleaned.content_type)
    except RefusedFile as refusal:
        raise DomainError.on("file", str(refusal).replace("PDF, PNG", "PNG")) from None
    previous = current_signature(person.id)
    if previous is not None:
        _retire(previous)
    image = SignatureImage(
        person_id=person.id,
        content_type=cleaned.content_type,
        width=width,
        height=height,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
    db.session.add(image)
    db.session.flush()
    record_event(
        "signature.replaced" if previous else "signature.uploaded",
        "person",
        person.id,
        actor_id=person.id,
        before=_described(previous),
        after=_described(image),
    )
    return image, cleaned.removed


def remove_signature(person: Person) -> None:
    """Certificates issued from now on print ``person``'s name without an image."""
    image = current_signature(person.id)
    if image is None:
        raise DomainError.on(None, "You have no signature image to remove.")
    before = _described(image)
    _retire(image)
    record_event("signature.removed", "person", person.id, actor_id=person.id, before=before)


def _retire(image: SignatureImage) -> None:
    """No longer ``image``'s person's current one; deleted unless a certificate prints it."""
    image.retired_at = utcnow()
    printed = db.session.scalar(
        sa.select(sa.exists().where(CertificateSignature.signature_id == image.id))
    )
    if not printed:
        db.session.delete(image)
    db.session.flush()


def _described(image: SignatureImage | None) -> dict | None:
    if image is None:
        return None
    return {
        "content_type": image.content_type,
        "width": image.width,
        "height": image.height,
        "size": image.size,
        "sha256": image.sha256,
    }


def _fitted(data: bytes, content_type: str) -> tuple[bytes, int, int]:
    """The cleaned image, scaled down to MAX_WIDTH if wider, with its size in pixels."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        if min(image.size) < MIN_SIDE:
            raise RefusedFile(f"The image is too small: at least {MIN_SIDE} pixels each way.")
        if image.width <= MAX_WIDTH:
            return data, image.width, image.height
        image.thumbnail((MAX_WIDTH, MAX_WIDTH * 10))
        out = io.BytesIO()
        image.save(out, "JPEG" if content_type == "image/jpeg" else "PNG")
        return out.getvalue(), image.width, image.height


# --- certificates -------------------------------------------------------------------
def current_signature_ids(person_ids: Sequence[int]) -> list[int | None]:
    """Each person's current signature image id (None without one), in order."""
    rows = dict(
        db.session.execute(
            sa.select(SignatureImage.person_id, SignatureImage.id).where(
                SignatureImage.person_id.in_(set(person_ids)), SignatureImage.retired_at.is_(None)
            )
        ).all()
    )
    return [rows.get(person_id) for person_id in person_ids]


def certificate_signature_ids(certificate_id: int) -> dict[int, int]:
    """A certificate's lines that print an image: position → signature image id."""
    return dict(
        db.session.execute(
            sa.select(CertificateSignature.position, CertificateSignature.signature_id).where(
                CertificateSignature.certificate_id == certificate_id
            )
        ).all()
    )


def attach_signatures(certificate_id: int, signature_ids: Sequence[int | None]) -> None:
    """Record the image each line of a new certificate prints (line 0: the director)."""
    for position, signature_id in enumerate(signature_ids):
        if signature_id is not None:
            db.session.add(
                CertificateSignature(
                    certificate_id=certificate_id, position=position, signature_id=signature_id
                )
            )
    db.session.flush()


def certificate_images(certificate_id: int, lines: int) -> tuple[bytes | None, ...]:
    """The image bytes for each of a certificate's ``lines`` (None: print the name)."""
    rows = dict(
        db.session.execute(
            sa.select(CertificateSignature.position, SignatureImage.content)
            .join(SignatureImage, SignatureImage.id == CertificateSignature.signature_id)
            .where(CertificateSignature.certificate_id == certificate_id)
        ).all()
    )
    return tuple(rows.get(position) for position in range(lines))
