"""The two proofs of a credential: a VC-JWT (RS256, PyJWT) and an embedded Data Integrity
proof with the ``eddsa-rdfc-2022`` cryptosuite (pyld's RDF canonicalisation, Ed25519 from
``cryptography``, base58btc multibase)."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files

import base58
import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519
from pyld import jsonld

from airm_training.verifiable.keys import KeySet

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
BUNDLED_CONTEXTS = {
    VC_CONTEXT: "credentials-v2.jsonld",
    OB_CONTEXT: "ob-context-3.0.3.json",
}
CRYPTOSUITE = "eddsa-rdfc-2022"


class ProofError(ValueError):
    """A proof that does not verify, with the reason."""


@cache
def _context(url: str) -> dict:
    name = BUNDLED_CONTEXTS[url]
    return json.loads(files("airm_training.verifiable").joinpath(f"contexts/{name}").read_text())


def document_loader(url: str, options: dict | None = None) -> dict:
    """Only the bundled contexts: canonicalisation never reaches the network."""
    if url not in BUNDLED_CONTEXTS:
        raise jsonld.JsonLdError(
            f"Context {url} is not one this application knows.", "jsonld.LoadDocumentError"
        )
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(_context(url))}


def _canonical_hash(document: dict) -> bytes:
    nquads = jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": document_loader,
        },
    )
    return hashlib.sha256(nquads.encode()).digest()


def _hash_data(unsecured: dict, proof_config: dict) -> bytes:
    return _canonical_hash(proof_config) + _canonical_hash(unsecured)


def add_data_integrity_proof(
    credential: dict, key: ed25519.Ed25519PrivateKey, method: str, created: datetime
) -> dict:
    """A copy of ``credential`` with ``proof`` an array of one DataIntegrityProof."""
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    proof_config = {
        "@context": unsecured["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(unsecured, proof_config))
    proof = {k: v for k, v in proof_config.items() if k != "@context"}
    proof["proofValue"] = "z" + base58.b58encode(signature).decode()
    return {**unsecured, "proof": [proof]}


def verify_data_integrity(credential: dict, public_key_for) -> dict:
    """Check the credential's one ``eddsa-rdfc-2022`` proof; ``public_key_for(method)``
    returns the Ed25519 key of a verification method or None. Returns the proof."""
    proofs = credential.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs] if proofs else []
    proof = next(
        (p for p in proofs if isinstance(p, dict) and p.get("cryptosuite") == CRYPTOSUITE), None
    )
    if proof is None:
        raise ProofError("The credential has no eddsa-rdfc-2022 Data Integrity proof.")
    public = public_key_for(str(proof.get("verificationMethod", "")))
    if public is None:
        raise ProofError("The proof's verification method is not a key of this issuer.")
    value = str(proof.get("proofValue", ""))
    try:
        signature = base58.b58decode(value[1:]) if value.startswith("z") else b""
    except ValueError:
        signature = b""
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    proof_config = {k: v for k, v in proof.items() if k != "proofValue"}
    proof_config["@context"] = unsecured.get("@context")
    try:
        public.verify(signature, _hash_data(unsecured, proof_config))
    except (InvalidSignature, jsonld.JsonLdError) as error:
        raise ProofError("The Data Integrity proof's signature does not match.") from error
    return proof


def _timestamp(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def sign_jwt(credential: dict, key_set: KeySet, kid: str) -> str:
    """The credential as a VC-JWT: the credential is the payload, with the registered
    claims the Open Badges specification asks for."""
    payload = {k: v for k, v in credential.items() if k != "proof"}
    payload.update(
        {
            "iss": credential["issuer"]["id"],
            "jti": credential["id"],
            "nbf": _timestamp(credential["validFrom"]),
            "sub": credential["credentialSubject"]["id"],
        }
    )
    if credential.get("validUntil"):
        payload["exp"] = _timestamp(credential["validUntil"])
    return jwt.encode(payload, key_set.rsa_private, algorithm="RS256", headers={"kid": kid})
