"""The Digital Credentials Consortium's verifier (npm ``@digitalcredentials/verifier-core``,
run offline with node) on the JSON credential with its Data Integrity proof: valid
(signature, status, expiry), a tampered copy invalid, a revoked one revoked. The status list
is served over plain http on 127.0.0.1, as the verifier fetches it.

``.ci/run`` installs the package into ``.cache/dcc``; elsewhere set ``AIRM_DCC_VERIFIER_DIR``.
Without node or the package the test is skipped, saying so."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from airm_training.extensions import db
from airm_training.progression.services import revoke
from airm_training.verifiable.services import sign_certificate
from tests.test_certificates import REVOCATION_REASON, issued  # noqa: F401 - the fixture
from tests.verifiable_helpers import signed_of

ROOT = Path(__file__).resolve().parent.parent
VERIFIER_DIR = Path(os.environ.get("AIRM_DCC_VERIFIER_DIR", ROOT / ".cache" / "dcc"))
PACKAGE = VERIFIER_DIR / "node_modules" / "@digitalcredentials" / "verifier-core"
PORTS = range(8600, 8611)


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.skip("no free port in 8600-8610 for the status list server")


class _StatusServer:
    """Serves the bytes the application published at each path."""

    def __init__(self, port: int) -> None:
        self.documents: dict[str, bytes] = {}
        documents = self.documents

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = documents.get(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body or b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _verify(tmp_path: Path, credentials: list[dict]) -> list[dict]:
    script = VERIFIER_DIR / "airm-verify.mjs"
    shutil.copyfile(ROOT / "tests" / "dcc" / "verify.mjs", script)
    files = []
    for number, credential in enumerate(credentials):
        path = tmp_path / f"credential-{number}.json"
        path.write_text(json.dumps(credential))
        files.append(str(path))
    run = subprocess.run(
        ["node", str(script), *files], capture_output=True, text=True, timeout=120, check=False
    )
    line = next((ln for ln in run.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert line, f"verifier-core printed no result: {run.stdout[-2000:]} {run.stderr[-2000:]}"
    return json.loads(line.removeprefix("RESULT "))


def _checks(result: dict) -> dict[str, bool]:
    return {entry["id"]: entry["valid"] for entry in result["log"] or []}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.skipif(
    not PACKAGE.exists(), reason=f"verifier-core is not installed in {VERIFIER_DIR}"
)
def test_dcc_verifier_core_accepts_rejects_tampering_and_sees_revocation(
    app,
    client,
    tmp_path,
    issued,  # noqa: F811
):
    director, _holder, certificate, _board = issued
    port = _free_port()
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    try:
        db.session.delete(signed_of(certificate))
        db.session.flush()
        document = sign_certificate(certificate).document
        db.session.commit()
        list_path = "/credentials/status/0"
        assert document["credentialStatus"]["statusListCredential"].endswith(list_path)
        tampered = json.loads(json.dumps(document))
        tampered["credentialSubject"]["achievement"]["name"] = "Master Supervisor"
        with _StatusServer(port) as server:
            server.documents[list_path] = client.get(list_path).data
            valid, forged = _verify(tmp_path, [document, tampered])
            revoke(director, certificate, REVOCATION_REASON)
            db.session.commit()
            server.documents[list_path] = client.get(list_path).data
            (revoked,) = _verify(tmp_path, [document])
    finally:
        app.config["PUBLIC_BASE_URL"] = ""
    assert _checks(valid) == {
        "valid_signature": True,
        "revocation_status": True,
        "expiration": True,
        "registered_issuer": False,  # no issuer registry offline
    }, valid
    assert [e["name"] for e in forged["errors"]] == ["invalid_signature"], forged
    assert _checks(revoked)["valid_signature"] is True, revoked
    assert _checks(revoked)["revocation_status"] is False, revoked
