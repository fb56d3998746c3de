"""Cleaning an uploaded file before it is stored: a PDF goes through pikepdf (as a case
presentation's does, ``assessments.pdf_safety``); a PNG or JPEG is decoded by Pillow and
written anew from its pixels alone, so no metadata survives (EXIF with GPS positions,
XMP, ICC profiles, comments, text chunks). Anything else is refused."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field

from PIL import Image, ImageOps, UnidentifiedImageError

from airm_training.assessments.pdf_safety import UnsafePdf, sanitise_pdf

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
MAX_PIXELS = 40_000_000  # larger images are refused (a decompression bomb otherwise)
IMAGE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    ValueError,
    SyntaxError,
    Image.DecompressionBombError,
)


class RefusedFile(Exception):
    """The upload cannot be stored; the message says why."""


@dataclass
class CleanFile:
    data: bytes
    content_type: str
    removed: list[str] = field(default_factory=list)  # what was taken out, for the person


def clean_upload(data: bytes, *, limit: int) -> CleanFile:
    """``data`` cleaned, or RefusedFile (empty, too large, not a PDF/PNG/JPEG, unreadable)."""
    if not data:
        raise RefusedFile("Choose a file to upload.")
    if len(data) > limit:
        raise RefusedFile(f"The file is larger than {limit / (1024 * 1024):g} MB.")
    if data.startswith(PDF_MAGIC):
        try:
            cleaned = sanitise_pdf(data)
        except UnsafePdf as refusal:
            raise RefusedFile(str(refusal)) from None
        return CleanFile(cleaned.data, "application/pdf", cleaned.removed)
    if data.startswith(PNG_MAGIC):
        return _reencode(data, "PNG")
    if data.startswith(JPEG_MAGIC):
        return _reencode(data, "JPEG")
    raise RefusedFile("Upload a PDF, PNG or JPEG file.")


def _reencode(data: bytes, expected: str) -> CleanFile:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected:
                    raise RefusedFile("Upload a PDF, PNG or JPEG file.")
                if image.width * image.height > MAX_PIXELS:
                    raise RefusedFile("The image is too large; scan it at a lower resolution.")
                removed = _metadata_in(image)
                upright = ImageOps.exif_transpose(image)  # keep how it looked, drop the tag
                pixels = _plain(upright, expected)
    except (Image.DecompressionBombWarning, *IMAGE_ERRORS):
        raise RefusedFile(f"That file is not a readable {expected} image.") from None
    out = io.BytesIO()
    if expected == "JPEG":
        pixels.save(out, "JPEG", quality=90)
    else:
        pixels.save(out, "PNG", optimize=True)
    content_type = "image/jpeg" if expected == "JPEG" else "image/png"
    return CleanFile(out.getvalue(), content_type, removed)


def _metadata_in(image: Image.Image) -> list[str]:
    found = []
    exif = image.getexif()
    if exif:
        found.append("EXIF data")
        if exif.get_ifd(0x8825):  # the GPS IFD
            found.append("a GPS position")
    if any(key in image.info for key in ("xmp", "XML:com.adobe.xmp")):
        found.append("XMP data")
    if "icc_profile" in image.info:
        found.append("a colour profile")
    if any(key in image.info for key in ("comment", "Comment", "Description", "Author")):
        found.append("comments")
    return found


def _plain(image: Image.Image, kind: str) -> Image.Image:
    """A new image holding only the pixels (and palette-free), no ``info`` carried over."""
    modes = ("RGB", "L") if kind == "JPEG" else ("RGB", "RGBA", "L", "LA")
    if image.mode not in modes:
        keep_alpha = kind == "PNG" and (image.mode == "P" or "A" in image.getbands())
        image = image.convert("RGBA" if keep_alpha else "RGB")
    return Image.frombytes(image.mode, image.size, image.tobytes())
