"""docs/verify/verify_jwt.py, the verifier outside the application (PyJWT, the JWKS URL, the
status list URL, the schema file), accepts an issued VC-JWT and says REVOKED after
revocation. The JWKS and the status list are the application's own responses, served over
http on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from airm_training.extensions import db
from airm_training.progression.services import revoke
from airm_training.verifiable.services import sign_certificate
from tests.test_certificates import REVOCATION_REASON, issued  # noqa: F401 - the fixture
from tests.test_dcc_verifier import _free_port, _StatusServer
from tests.verifiable_helpers import SCHEMA_FILE, signed_of

SCRIPT = Path(__file__).resolve().parent.parent / "docs" / "verify" / "verify_jwt.py"


def _run(token_file: Path, jwks_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            str(token_file),
            "--jwks",
            jwks_url,
            "--schema",
            str(SCHEMA_FILE),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_outside_verifier_accepts_then_sees_revocation(app, client, tmp_path, issued):  # noqa: F811
    director, _holder, certificate, _board = issued
    port = _free_port()
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    try:
        db.session.delete(signed_of(certificate))
        db.session.flush()
        token = sign_certificate(certificate).jwt
        db.session.commit()
        token_file = tmp_path / "credential.jwt"
        token_file.write_text(token)
        jwks_url = f"http://127.0.0.1:{port}/.well-known/jwks.json"
        as_jwt = {"Accept": "application/vc+jwt"}
        with _StatusServer(port) as server:
            server.documents["/.well-known/jwks.json"] = client.get("/.well-known/jwks.json").data
            server.documents["/credentials/status/0"] = client.get(
                "/credentials/status/0", headers=as_jwt
            ).data
            accepted = _run(token_file, jwks_url)
            revoke(director, certificate, REVOCATION_REASON)
            db.session.commit()
            server.documents["/credentials/status/0"] = client.get(
                "/credentials/status/0", headers=as_jwt
            ).data
            rejected = _run(token_file, jwks_url)
            tampered_file = tmp_path / "tampered.jwt"
            head, body, signature = token.split(".")
            tampered_file.write_text(f"{head}.{body[:-4]}AAAA.{signature}")
            tampered = _run(tampered_file, jwks_url)
    finally:
        app.config["PUBLIC_BASE_URL"] = ""
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert accepted.stdout.startswith("VALID")
    assert rejected.returncode == 1 and rejected.stdout.strip() == "REVOKED", rejected.stdout
    assert tampered.returncode != 0
