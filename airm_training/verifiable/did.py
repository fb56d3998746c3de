"""The issuer's DID: ``did:web`` on an HTTPS public base URL, ``did:key`` otherwise; its
DID document and the JWKS, both holding public keys only."""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from jwt.algorithms import RSAAlgorithm

from airm_training.verifiable.keys import KeySet

ED25519_MULTICODEC = b"\xed\x01"
DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


def multibase_ed25519(public: ed25519.Ed25519PublicKey) -> str:
    """The Multikey form of an Ed25519 public key (``z6Mk...``)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58.b58encode(ED25519_MULTICODEC + raw).decode()


def ed25519_from_multibase(value: str) -> ed25519.Ed25519PublicKey | None:
    if not value.startswith("z"):
        return None
    try:
        decoded = base58.b58decode(value[1:])
    except ValueError:
        return None
    if not decoded.startswith(ED25519_MULTICODEC) or len(decoded) != 34:
        return None
    return ed25519.Ed25519PublicKey.from_public_bytes(decoded[2:])


def did_web(base_url: str) -> str | None:
    """``did:web`` for an HTTPS base URL (host, port encoded, path segments), else None."""
    parts = urlsplit(base_url)
    if parts.scheme != "https" or not parts.hostname:
        return None
    segments = [quote(parts.netloc, safe="")]
    segments += [s for s in parts.path.split("/") if s]
    return "did:web:" + ":".join(segments)


def issuer_did(base_url: str, key_set: KeySet) -> str:
    """The DID that issues with ``key_set``."""
    return did_web(base_url) or "did:key:" + multibase_ed25519(key_set.ed25519_public)


def verification_method(base_url: str, key_set: KeySet) -> str:
    """The id of the Ed25519 key in the issuer's DID document."""
    return f"{issuer_did(base_url, key_set)}#{multibase_ed25519(key_set.ed25519_public)}"


def public_jwk(key_set: KeySet) -> dict:
    """The RSA public key as a JWK (RFC 7517), marked when retired."""
    jwk = json.loads(RSAAlgorithm.to_jwk(key_set.rsa_public))
    jwk.update({"kid": key_set.kid, "use": "sig", "alg": "RS256"})
    if key_set.retired:
        jwk["retired"] = key_set.retired
    return jwk


def jwks(key_sets: list[KeySet]) -> dict:
    """Every public RSA key, newest first."""
    return {"keys": [public_jwk(k) for k in reversed(key_sets)]}


def did_document(did: str, key_sets: list[KeySet]) -> dict:
    """The ``did:web`` document: every Ed25519 key (Multikey) and RSA key (JsonWebKey)."""
    methods = []
    for key_set in reversed(key_sets):
        methods.append(
            {
                "id": f"{did}#{multibase_ed25519(key_set.ed25519_public)}",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multibase_ed25519(key_set.ed25519_public),
            }
        )
        jwk = {k: v for k, v in public_jwk(key_set).items() if k != "retired"}
        methods.append(
            {
                "id": f"{did}#{key_set.kid}",
                "type": "JsonWebKey",
                "controller": did,
                "publicKeyJwk": jwk,
            }
        )
    ids = [m["id"] for m in methods]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }
