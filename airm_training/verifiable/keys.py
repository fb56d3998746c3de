"""The organisation's signing keys, kept on disk outside the repository.

Each key set has an id (``kid``) and a folder ``<KEYS_DIR>/<kid>/`` with an RSA key (VC-JWT,
RS256; the PAdES signature of PDFs), an Ed25519 key (the Data Integrity proof) and a
self-signed X.509 certificate for the RSA key. ``keys.json`` lists the sets in order of
creation; the last one signs, the earlier ones are retired but stay published so that what
they signed still verifies. Private keys never leave this folder.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.x509.oid import NameOID

from airm_training.core.errors import DomainError

MANIFEST = "keys.json"
CERTIFICATE_YEARS = 10


class NoSigningKeys(DomainError):
    """Raised when something must be signed and no key set exists."""

    def __init__(self, folder: Path) -> None:
        super().__init__(
            (None, f"No signing keys in {folder}: run `flask airm keys generate` first.")
        )


@dataclass(frozen=True)
class KeySet:
    kid: str
    created: str
    retired: str | None
    folder: Path

    def _private(self, name: str):
        return serialization.load_pem_private_key((self.folder / name).read_bytes(), None)

    @cached_property
    def rsa_private(self) -> rsa.RSAPrivateKey:
        return self._private("rsa.pem")

    @cached_property
    def ed25519_private(self) -> ed25519.Ed25519PrivateKey:
        return self._private("ed25519.pem")

    @property
    def rsa_public(self) -> rsa.RSAPublicKey:
        return self.rsa_private.public_key()

    @property
    def ed25519_public(self) -> ed25519.Ed25519PublicKey:
        return self.ed25519_private.public_key()

    @property
    def certificate_path(self) -> Path:
        return self.folder / "cert.pem"

    @property
    def rsa_key_path(self) -> Path:
        return self.folder / "rsa.pem"


class KeyStore:
    """The key sets in one folder."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder).expanduser()

    def _manifest(self) -> list[dict]:
        path = self.folder / MANIFEST
        if not path.exists():
            return []
        return json.loads(path.read_text(encoding="utf-8"))["keys"]

    def key_sets(self) -> list[KeySet]:
        """Every key set, oldest first."""
        return [
            KeySet(entry["kid"], entry["created"], entry.get("retired"), self.folder / entry["kid"])
            for entry in self._manifest()
        ]

    def current(self) -> KeySet:
        """The key set that signs today."""
        sets = self.key_sets()
        if not sets:
            raise NoSigningKeys(self.folder)
        return sets[-1]

    def find(self, kid: str) -> KeySet | None:
        return next((k for k in self.key_sets() if k.kid == kid), None)

    def generate(self, organisation: str) -> KeySet:
        """Create a new key set; the one signing so far is marked retired."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        now = datetime.now(UTC).replace(microsecond=0)
        kid = f"{now:%Y%m%d}-{secrets.token_hex(4)}"
        staging = Path(tempfile.mkdtemp(prefix=".new-", dir=self.folder))
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ed_key = ed25519.Ed25519PrivateKey.generate()
        _write_private(staging / "rsa.pem", rsa_key)
        _write_private(staging / "ed25519.pem", ed_key)
        (staging / "cert.pem").write_bytes(
            _self_signed(rsa_key, organisation, now).public_bytes(serialization.Encoding.PEM)
        )
        staging.rename(self.folder / kid)
        entries = self._manifest()
        for entry in entries:
            entry["retired"] = entry.get("retired") or now.isoformat()
        entries.append({"kid": kid, "created": now.isoformat(), "retired": None})
        _write_atomically(self.folder / MANIFEST, json.dumps({"keys": entries}, indent=2))
        return self.current()


def _write_private(path: Path, key) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)


def _write_atomically(path: Path, text: str) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".manifest-")
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, path)


def _self_signed(key: rsa.RSAPrivateKey, organisation: str, now: datetime) -> x509.Certificate:
    """A self-signed certificate for the organisation's document-signing key."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} document signing"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * CERTIFICATE_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
