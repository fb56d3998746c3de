#!/usr/bin/env python3
"""Verify an AIRM Open Badges 3.0 VC-JWT independently of the application.

Uses only a public JOSE library (PyJWT), the issuer's JWKS URL, the credential's status list
URL and the 1EdTech schema file:

    python docs/verify/verify_jwt.py CREDENTIAL.jwt --jwks https://HOST/.well-known/jwks.json \\
        --schema achievementcredential.schema.json

It checks the RS256 signature with the key the header's ``kid`` names in the JWKS, the
registered claims against the credential, the validity window, the schema, and the
revocation bit in the status list (fetched as a VC-JWT and verified with the same JWKS).
Prints VALID, or the reason it is not, and exits 0 only when valid.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import sys
import time
import urllib.request
from pathlib import Path

import jsonschema
import jwt

REGISTERED = ("iss", "jti", "nbf", "sub", "exp", "iat")


def fetch(url: str, accept: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept})  # noqa: S310
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310  # nosec B310
        return response.read()


def verify_with_jwks(token: str, jwks: dict) -> dict:
    kid = jwt.get_unverified_header(token)["kid"].rsplit("#", 1)[-1]
    matches = [k for k in jwks["keys"] if k.get("kid") == kid]
    if not matches:
        raise SystemExit(f"BAD SIGNATURE: key {kid} is not in the JWKS")
    return jwt.decode(
        token, jwt.PyJWK(matches[0]).key, algorithms=["RS256"], options={"verify_exp": False}
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("credential", help="file holding the compact JWT")
    parser.add_argument("--jwks", required=True, help="the issuer's JWKS URL")
    parser.add_argument("--schema", required=True, help="achievementcredential.schema.json")
    args = parser.parse_args()

    token = Path(args.credential).read_text(encoding="utf-8").strip()
    jwks = json.loads(fetch(args.jwks, "application/json"))
    try:
        claims = verify_with_jwks(token, jwks)
    except jwt.InvalidSignatureError:
        print("BAD SIGNATURE: the signature does not match the published key")
        return 1
    credential = {k: v for k, v in claims.items() if k not in REGISTERED}
    expected = {
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "sub": credential["credentialSubject"].get("id"),
    }
    wrong = [name for name, value in expected.items() if claims.get(name) != value]
    if wrong:
        print(f"INVALID: the claims {wrong} do not match the credential")
        return 1
    now = time.time()
    if claims.get("nbf", 0) > now:
        print("NOT YET VALID")
        return 1
    if claims.get("exp") and claims["exp"] < now:
        print("EXPIRED")
        return 1
    schema = json.loads(Path(args.schema).read_text(encoding="utf-8"))
    errors = [e.message for e in jsonschema.Draft201909Validator(schema).iter_errors(credential)]
    if errors:
        print("SCHEMA INVALID: " + "; ".join(errors[:5]))
        return 1
    status = credential.get("credentialStatus")
    if status:
        listed = verify_with_jwks(
            fetch(status["statusListCredential"], "application/vc+jwt").decode(), jwks
        )
        if listed["issuer"] != credential["issuer"]["id"]:
            print("INVALID: the status list is not the issuer's")
            return 1
        encoded = listed["credentialSubject"]["encodedList"][1:]
        bits = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        index = int(status["statusListIndex"])
        if bits[index // 8] & (0x80 >> (index % 8)):
            print("REVOKED")
            return 1
    print(f"VALID: {credential['name']} issued by {credential['issuer']['name']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
