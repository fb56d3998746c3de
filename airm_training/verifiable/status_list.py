"""W3C Bitstring Status List: one revocation bit per credential, published as a signed
credential at a stable URL."""

from __future__ import annotations

import base64
import gzip

from airm_training.verifiable.proofs import VC_CONTEXT

LIST_BITS = 131_072  # 16 KiB, the specification's minimum, so the list hides its size
PURPOSE = "revocation"


def list_number(index: int) -> int:
    return index // LIST_BITS


def encode(revoked: set[int], list_no: int) -> str:
    """The multibase (base64url, ``u``) of the gzipped bitstring; bit 0 is the first
    byte's most significant bit."""
    bits = bytearray(LIST_BITS // 8)
    for index in revoked:
        if list_number(index) == list_no:
            position = index % LIST_BITS
            bits[position // 8] |= 0x80 >> (position % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def is_set(encoded: str, index: int) -> bool:
    """Whether bit ``index`` (within its list) is set in an encoded list."""
    if not encoded.startswith("u"):
        raise ValueError("The encoded list is not base64url multibase.")
    payload = encoded[1:] + "=" * (-len(encoded[1:]) % 4)
    bits = gzip.decompress(base64.urlsafe_b64decode(payload))
    position = index % LIST_BITS
    if position // 8 >= len(bits):
        raise ValueError("The index lies beyond the list.")
    return bool(bits[position // 8] & (0x80 >> (position % 8)))


def status_entry(list_url: str, index: int) -> dict:
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(list_url: str, issuer: str, encoded: str, valid_from: str) -> dict:
    """The unsigned status list credential."""
    return {
        "@context": [VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encoded,
        },
    }
