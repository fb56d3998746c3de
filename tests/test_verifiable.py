"""Open Badges 3.0 credentials: schema, VC-JWT against the published JWKS, the Data
Integrity proof, the status list, key rotation and the public check of a pasted credential."""

from __future__ import annotations

import base64
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from airm_training.core.clock import today
from airm_training.extensions import db
from airm_training.progression.services import revoke
from airm_training.verifiable import did, proofs, status_list
from airm_training.verifiable.credential import identity_hash
from airm_training.verifiable.keys import KeyStore
from airm_training.verifiable.services import sign_certificate
from tests.test_certificates import REVOCATION_REASON, issued  # noqa: F401 - the fixture
from tests.verifiable_helpers import check, schema_errors, signed_of, verdict_of

PRIVATE_JWK_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def _jwks(client) -> dict:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    return response.get_json()


def _verify_with_jwks(token: str, jwks: dict) -> dict:
    """What an outside verifier does: the key named by ``kid`` from the JWKS, RS256 only."""
    kid = jwt.get_unverified_header(token)["kid"].rsplit("#", 1)[-1]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    return jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["RS256"])


def _tamper_jwt(token: str, change) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(claims)
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{header}.{body}.{signature}"


# --- the credential ------------------------------------------------------------------------
def test_every_issued_credential_validates_against_the_open_badges_schema(issued):  # noqa: F811
    _director, _holder, certificate, _board = issued
    signed = signed_of(certificate)
    assert schema_errors(signed.document) == []
    payload = jwt.decode(signed.jwt, options={"verify_signature": False})
    credential = {k: v for k, v in payload.items() if k not in {"iss", "jti", "nbf", "sub", "exp"}}
    assert schema_errors(credential) == []
    assert isinstance(signed.document["proof"], list)


def test_the_credential_states_the_achievement_issuer_and_a_hashed_holder(issued):  # noqa: F811
    _director, holder, certificate, _board = issued
    document = signed_of(certificate).document
    subject = document["credentialSubject"]
    assert "OpenBadgeCredential" in document["type"]
    assert subject["achievement"]["humanCode"] == "AIRT-S"
    assert "Awarded under" in subject["achievement"]["criteria"]["narrative"]
    assert "- " in subject["achievement"]["criteria"]["narrative"]  # the requirements, listed
    assert document["issuer"]["id"].startswith("did:key:z6Mk")  # the test base URL is http
    assert document["issuer"]["name"] == certificate.organisation
    identity = subject["identifier"][0]
    assert identity["identityHash"] == identity_hash(holder.email, identity["salt"])
    assert holder.email not in json.dumps(document)
    assert document["validFrom"] == f"{certificate.issued_on}T00:00:00Z"
    assert document["validUntil"] == f"{certificate.expires_on}T23:59:59Z"
    assert document["credentialStatus"]["statusListIndex"] == str(certificate.id)


def test_the_jwt_verifies_with_only_the_published_jwks_and_its_claims_match(
    app,
    client,
    issued,  # noqa: F811
):
    _director, _holder, certificate, _board = issued
    signed = signed_of(certificate)
    claims = _verify_with_jwks(signed.jwt, _jwks(client))
    assert jwt.get_unverified_header(signed.jwt)["alg"] == "RS256"
    assert jwt.get_unverified_header(signed.jwt)["kid"].startswith(
        "http://localhost/.well-known/jwks.json#"
    )
    assert claims["iss"] == claims["issuer"]["id"] == signed.document["issuer"]["id"]
    assert claims["jti"] == claims["id"] == signed.credential_uri
    assert claims["sub"] == claims["credentialSubject"]["id"]
    assert claims["nbf"] == int(datetime.fromisoformat(claims["validFrom"]).timestamp())
    assert claims["exp"] == int(datetime.fromisoformat(claims["validUntil"]).timestamp())


def test_the_jwks_holds_no_private_key_material(client, issued):  # noqa: F811
    keys = _jwks(client)["keys"]
    assert keys
    for key in keys:
        assert PRIVATE_JWK_MEMBERS.isdisjoint(key), key.keys()
        assert key["kty"] == "RSA" and key["alg"] == "RS256"


def test_the_data_integrity_proof_verifies_and_a_change_breaks_it(issued):  # noqa: F811
    _director, _holder, certificate, _board = issued
    document = signed_of(certificate).document
    method = document["proof"][0]["verificationMethod"]
    public = did.ed25519_from_multibase(method.rsplit("#", 1)[-1])
    proof = proofs.verify_data_integrity(document, lambda m: public if m == method else None)
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    changed = json.loads(json.dumps(document))
    changed["credentialSubject"]["achievement"]["name"] = "Master Supervisor"
    with pytest.raises(proofs.ProofError):
        proofs.verify_data_integrity(changed, lambda m: public if m == method else None)


# --- the public check of a pasted credential ----------------------------------------------
def test_pasted_jwt_and_json_read_valid(client, issued):  # noqa: F811
    _director, _holder, certificate, _board = issued
    signed = signed_of(certificate)
    for text in (signed.jwt, json.dumps(signed.document)):
        status, page = check(client, text=text)
        assert status == 200
        assert verdict_of(page) == "valid"
        assert certificate.serial in page


def test_a_tampered_payload_reads_altered_and_names_what_changed(client, issued):  # noqa: F811
    _director, _holder, certificate, _board = issued
    signed = signed_of(certificate)
    token = _tamper_jwt(signed.jwt, lambda c: c.update(exp=c["exp"] + 10 * 365 * 86400))
    _status, page = check(client, text=token)
    assert verdict_of(page) == "altered"
    assert "exp" in page
    document = json.loads(json.dumps(signed.document))
    document["validUntil"] = "2099-12-31T23:59:59Z"
    _status, page = check(client, text=json.dumps(document))
    assert verdict_of(page) == "altered"
    assert "validUntil" in page


def test_a_jwt_signed_with_another_key_reads_bad_signature(client, issued):  # noqa: F811
    _director, _holder, certificate, _board = issued
    signed = signed_of(certificate)
    claims = jwt.decode(signed.jwt, options={"verify_signature": False})
    header = jwt.get_unverified_header(signed.jwt)
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, forger, algorithm="RS256", headers={"kid": header["kid"]})
    _status, page = check(client, text=forged)
    assert verdict_of(page) == "bad signature"


def test_a_revoked_credential_reads_revoked(client, issued):  # noqa: F811
    director, _holder, certificate, _board = issued
    revoke(director, certificate, REVOCATION_REASON)
    db.session.commit()
    signed = signed_of(certificate)
    for text in (signed.jwt, json.dumps(signed.document)):
        _status, page = check(client, text=text)
        assert verdict_of(page) == "revoked"


def test_an_expired_credential_reads_expired(client, issued):  # noqa: F811
    _director, _holder, certificate, _board = issued
    db.session.delete(signed_of(certificate))
    certificate.issued_on = today() - timedelta(days=800)
    certificate.expires_on = today() - timedelta(days=70)
    db.session.flush()
    signed = sign_certificate(certificate)
    db.session.commit()
    for text in (signed.jwt, json.dumps(signed.document)):
        _status, page = check(client, text=text)
        assert verdict_of(page) == "expired"


def test_garbage_and_an_empty_form_are_refused_with_a_reason(client):
    _status, page = check(client, text="not a credential at all")
    assert verdict_of(page) == "unknown"
    status, page = check(client, text="")
    assert status == 400
    assert "Paste a credential or choose a PDF." in page
    status, page = check(client, pdf=b"GIF89a not a pdf")
    assert status == 400
    assert "This file is not a PDF." in page


def test_the_check_form_needs_its_csrf_token(client):
    response = client.post("/verify/check", data={"credential": "x"})
    assert response.status_code == 400


# --- the status list -----------------------------------------------------------------------
def _status_bit(client, certificate) -> bool:
    response = client.get("/credentials/status/0")
    assert response.status_code == 200
    listed = response.get_json()
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    method = listed["proof"][0]["verificationMethod"]
    public = did.ed25519_from_multibase(method.rsplit("#", 1)[-1])
    proofs.verify_data_integrity(listed, lambda m: public if m == method else None)
    return status_list.is_set(listed["credentialSubject"]["encodedList"], certificate.id)


def test_the_status_bit_flips_on_revocation_and_the_list_verifies(client, issued):  # noqa: F811
    director, _holder, certificate, _board = issued
    assert _status_bit(client, certificate) is False
    revoke(director, certificate, REVOCATION_REASON)
    db.session.commit()
    assert _status_bit(client, certificate) is True


def test_the_status_list_is_also_a_jwt_verifiable_with_the_jwks(client, issued):  # noqa: F811
    director, _holder, certificate, _board = issued
    revoke(director, certificate, REVOCATION_REASON)
    db.session.commit()
    response = client.get("/credentials/status/0", headers={"Accept": "application/vc+jwt"})
    assert response.mimetype == "application/vc+jwt"
    claims = _verify_with_jwks(response.get_data(as_text=True), _jwks(client))
    assert status_list.is_set(claims["credentialSubject"]["encodedList"], certificate.id)


def test_encoded_lists_round_trip():
    encoded = status_list.encode({0, 7, 8, 131_071, 131_072 + 3}, 0)
    assert [status_list.is_set(encoded, i) for i in (0, 1, 7, 8, 9, 131_071)] == [
        True,
        False,
        True,
        True,
        False,
        True,
    ]
    assert not status_list.is_set(encoded, 3)  # 131_075 belongs to list 1


# --- keys ----------------------------------------------------------------------------------
@pytest.fixture
def fresh_keys(app, tmp_path):
    """A key folder of the test's own, with one key set."""
    previous = app.config["KEYS_DIR"]
    app.config["KEYS_DIR"] = str(tmp_path / "keys")
    KeyStore(tmp_path / "keys").generate("Test Centre")
    yield KeyStore(tmp_path / "keys")
    app.config["KEYS_DIR"] = previous


def test_rotation_keeps_earlier_credentials_verifiable(app, client, fresh_keys, issued):  # noqa: F811
    _director, _holder, certificate, _board = issued
    db.session.delete(signed_of(certificate))
    db.session.flush()
    old = sign_certificate(certificate)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["airm", "keys", "generate"])
    assert result.exit_code == 0, result.output
    assert "1 earlier key set(s) retired" in result.output
    old_set, new_set = fresh_keys.key_sets()
    assert old_set.retired and not new_set.retired
    jwks = _jwks(client)
    assert [k["kid"] for k in jwks["keys"]] == [new_set.kid, old_set.kid]
    assert jwks["keys"][1]["retired"] == old_set.retired
    assert _verify_with_jwks(old.jwt, jwks)["jti"] == old.credential_uri
    _status, page = check(client, text=json.dumps(old.document))
    assert verdict_of(page) == "valid"
    _status, page = check(client, text=old.jwt)
    assert verdict_of(page) == "valid"


def test_keys_generate_writes_private_keys_readable_by_the_owner_only(app, tmp_path):
    app.config["KEYS_DIR"], previous = str(tmp_path / "k"), app.config["KEYS_DIR"]
    try:
        runner = app.test_cli_runner()
        assert runner.invoke(args=["airm", "keys", "generate", "--if-missing"]).exit_code == 0
        again = runner.invoke(args=["airm", "keys", "generate", "--if-missing"])
        assert "exist" in again.output
        (key_set,) = KeyStore(tmp_path / "k").key_sets()
        for name in ("rsa.pem", "ed25519.pem"):
            assert (key_set.folder / name).stat().st_mode & 0o077 == 0
    finally:
        app.config["KEYS_DIR"] = previous


def test_production_refuses_to_issue_without_keys(app, tmp_path, issued):  # noqa: F811
    from airm_training.verifiable.keys import NoSigningKeys

    _director, _holder, certificate, _board = issued
    saved = app.config["KEYS_DIR"], app.config["KEYS_AUTO_GENERATE"]
    app.config.update(KEYS_DIR=str(tmp_path / "none"), KEYS_AUTO_GENERATE=False)
    try:
        db.session.delete(signed_of(certificate))
        db.session.flush()
        with pytest.raises(NoSigningKeys, match="airm keys generate"):
            sign_certificate(certificate)
    finally:
        app.config["KEYS_DIR"], app.config["KEYS_AUTO_GENERATE"] = saved


# --- the issuer's DID ----------------------------------------------------------------------
def test_did_web_on_an_https_base_url_with_its_document(app, client, issued):  # noqa: F811
    assert client.get("/.well-known/did.json").status_code == 404  # http: did:key instead
    assert did.did_web("https://airm.example.org") == "did:web:airm.example.org"
    assert did.did_web("https://airm.example.org:8443/c") == "did:web:airm.example.org%3A8443:c"
    app.config["PUBLIC_BASE_URL"] = "https://airm.example.org"
    try:
        document = client.get("/.well-known/did.json").get_json()
    finally:
        app.config["PUBLIC_BASE_URL"] = ""
    assert document["id"] == "did:web:airm.example.org"
    kinds = {m["type"] for m in document["verificationMethod"]}
    assert kinds == {"Multikey", "JsonWebKey"}
    assert all("d" not in m.get("publicKeyJwk", {}) for m in document["verificationMethod"])


# --- the pages -----------------------------------------------------------------------------
def test_the_holder_downloads_both_forms_and_may_add_it_to_linkedin(app, issued):  # noqa: F811
    from tests.factories import login

    _director, holder, certificate, _board = issued
    client = app.test_client()
    login(client, holder)
    page = client.get(f"/progression/certificates/{certificate.id}").get_data(as_text=True)
    code = certificate.verification_code
    assert f"/credentials/{code}.jwt" in page and f"/credentials/{code}.json" in page
    assert "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME" in page
    assert f"certId={certificate.serial}" in page
    jwt_response = client.get(f"/credentials/{code}.jwt")
    assert jwt_response.mimetype == "application/vc+jwt"
    assert jwt_response.get_data(as_text=True) == signed_of(certificate).jwt
    assert client.get(f"/credentials/{code}.json").get_json() == signed_of(certificate).document


def test_the_public_page_links_to_both_and_unknown_codes_are_not_found(client, issued):  # noqa: F811
    _director, _holder, certificate, _board = issued
    code = certificate.verification_code
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert f"/credentials/{code}.json" in page and f"/credentials/{code}.jwt" in page
    assert client.get("/credentials/Zz9_unknown-code-0000.json").status_code == 404
    assert client.get("/credentials/Zz9_unknown-code-0000.jwt").status_code == 404
    assert client.get("/credentials/bad!code.json").status_code == 404


def test_a_superseded_certificate_reads_superseded(client, issued):  # noqa: F811
    from airm_training.progression.models import CertificateStatus

    _director, _holder, certificate, _board = issued
    certificate.status = CertificateStatus.SUPERSEDED.value
    db.session.commit()
    _status, page = check(client, text=signed_of(certificate).jwt)
    assert verdict_of(page) == "superseded"


def test_sign_credentials_signs_certificates_issued_before_and_only_those(app, issued):  # noqa: F811
    _director, _holder, certificate, _board = issued
    db.session.delete(signed_of(certificate))
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["airm", "sign-credentials"])
    assert first.exit_code == 0, first.output
    assert "Signed the credentials of 1 certificate(s)." in first.output
    assert schema_errors(signed_of(certificate).document) == []
    again = runner.invoke(args=["airm", "sign-credentials"])
    assert "of 0 certificate(s)" in again.output


def test_issuing_without_keys_in_production_is_refused_and_nothing_changes(app, tmp_path):
    from airm_training.people.models import Role
    from airm_training.progression.models import Application, Certificate
    from tests.factories import login, make_director, make_person
    from tests.test_engine import long_standing_supervisor, qualified_candidate
    from tests.test_progression_workflow import applied, approved

    director = make_director(full_name="Dana Issuer")
    supervisor = long_standing_supervisor(director)
    holder, _hours = qualified_candidate(supervisor=supervisor, director=director)
    board = [make_person(Role.CO_CREATOR, full_name=n) for n in ("Ava Approver", "Ben Approver")]
    application = approved(applied(holder, supervisor), board)
    db.session.commit()
    saved = app.config["KEYS_DIR"], app.config["KEYS_AUTO_GENERATE"]
    app.config.update(KEYS_DIR=str(tmp_path / "none"), KEYS_AUTO_GENERATE=False)
    try:
        client = app.test_client()
        login(client, director)
        response = client.submit(
            f"/progression/applications/{application.id}/issue",
            form_path=f"/progression/applications/{application.id}",
            follow_redirects=True,
        )
    finally:
        app.config["KEYS_DIR"], app.config["KEYS_AUTO_GENERATE"] = saved
    assert "No signing keys in" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == "approved"
    assert db.session.query(Certificate).filter_by(holder_id=holder.id).count() == 0


def test_the_airm_command_runs_the_key_commands(tmp_path):
    import os
    import shutil
    import subprocess

    command = shutil.which("airm") or str(Path(sys.executable).parent / "airm")
    env = {**os.environ, "AIRM_KEYS_DIR": str(tmp_path / "keys"), "AIRM_ENV": "development"}
    run = subprocess.run(
        [command, "keys", "generate"], capture_output=True, text=True, env=env, check=False
    )
    assert run.returncode == 0, run.stderr
    assert "Created key set" in run.stdout
    listed = subprocess.run(
        [command, "keys", "list"], capture_output=True, text=True, env=env, check=False
    )
    assert "current" in listed.stdout


HOSTILE_TEXTS = [
    "{",
    "{}",
    "[]",
    '"just a string"',
    '{"proof": 1}',
    '{"id": 5, "proof": [1, "x", {"cryptosuite": "eddsa-rdfc-2022"}]}',
    "a.b.c",
    "eyJhbGciOiJub25lIn0.eyJqdGkiOiJ4In0.",
    "x" * 5000,
    "{" * 3000,
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_pasted_text_reads_unknown_never_an_error(client, text):
    status, page = check(client, text=text)
    assert status == 200
    assert verdict_of(page) == "unknown"


def test_a_remote_context_is_never_fetched(client, issued):  # noqa: F811
    _director, _holder, certificate, _board = issued
    document = json.loads(json.dumps(signed_of(certificate).document))
    document["@context"].append("http://127.0.0.1:9/evil-context.json")
    _status, page = check(client, text=json.dumps(document))
    assert verdict_of(page) == "altered"


@pytest.mark.parametrize(
    "pdf",
    [b"%PDF-1.7\n", b"%PDF-1.7\n/ByteRange [0 1 2 3]\n%%EOF", b"%PDF-" + bytes(range(256)) * 40],
)
def test_hostile_pdfs_read_unknown_or_altered_never_an_error(client, pdf):
    status, page = check(client, pdf=pdf)
    assert status == 200
    assert verdict_of(page) in {"unknown", "altered"}
