"""PAdES signatures on finished PDFs (pyHanko): applied to the bytes a document class
produced, checked on the bytes someone hands back."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO

from flask import current_app
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from airm_training.verifiable.keys import KeySet

FIELD_NAME = "AIRMSignature"


def _signer(key_set: KeySet) -> signers.SimpleSigner:
    config = current_app.config
    if config.get("PDF_SIGNING_CERT") and config.get("PDF_SIGNING_KEY"):
        passphrase = config.get("PDF_SIGNING_PASSPHRASE") or None
        return signers.SimpleSigner.load(
            config["PDF_SIGNING_KEY"],
            config["PDF_SIGNING_CERT"],
            ca_chain_files=(config["PDF_SIGNING_CHAIN"],)
            if config.get("PDF_SIGNING_CHAIN")
            else (),
            key_passphrase=passphrase.encode() if passphrase else None,
        )
    return signers.SimpleSigner.load(str(key_set.rsa_key_path), str(key_set.certificate_path))


def sign_pdf(pdf: bytes, key_set: KeySet, reason: str) -> bytes:
    """The same PDF with a PAdES baseline signature covering the whole file."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason,
        name=current_app.config["ORGANISATION_NAME"],
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    output = run_outside_event_loop(signers.sign_pdf, writer, metadata, signer=_signer(key_set))
    return output.getvalue()


def run_outside_event_loop(function, *args, **kwargs):
    """Call one of pyHanko's synchronous functions, which start an asyncio loop of their
    own: in a worker thread when this thread already runs a loop (an async server or
    client in the same process), directly otherwise."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


@dataclass(frozen=True)
class PdfSignatureState:
    signed: bool  # the file carries at least one signature
    intact: bool  # the signed bytes are unchanged and the signature matches them
    covers_whole_file: bool  # nothing was appended after signing
    signer: str | None


def check_pdf_signature(pdf: bytes, trust_roots: list[str]) -> PdfSignatureState:
    """What the file's signature says about it; ``trust_roots`` are PEM certificate files."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # any file from anyone: a parser failure means "not intact"
        return PdfSignatureState(b"/ByteRange" in pdf, False, False, None)
    if not signatures:
        return PdfSignatureState(b"/ByteRange" in pdf, False, False, None)
    signature = signatures[-1]
    try:
        context = ValidationContext(
            trust_roots=[load_cert_from_pemder(path) for path in trust_roots],
            allow_fetching=False,
        )
        status = run_outside_event_loop(validate_pdf_signature, signature, context)
    except Exception:  # a damaged signature structure is a broken signature
        return PdfSignatureState(True, False, False, None)
    covers = signature.signed_data is not None and _covers_whole(signature, len(pdf))
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else None
    return PdfSignatureState(True, bool(status.intact and status.valid), covers, signer)


def _covers_whole(signature, length: int) -> bool:
    byte_range = signature.sig_object["/ByteRange"]
    return int(byte_range[2]) + int(byte_range[3]) == length
