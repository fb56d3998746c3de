"""Two-factor secrets are stored encrypted (MultiFernet, keys from configuration): the
database and its backups hold only ciphertext, a key can be rotated, and the migration
encrypts the secrets stored before it (and its downgrade gives them back)."""

from __future__ import annotations

import gzip

import flask_migrate
import pyotp
import pytest
import sqlalchemy as sa
from cryptography.fernet import InvalidToken

from airm_training import create_app
from airm_training.auth import two_factor
from airm_training.auth.models import TotpCredential
from airm_training.core import encryption
from airm_training.core.backup import write_backup
from airm_training.extensions import db
from tests.factories import make_director


def raw_secret_column(credential_id: int) -> str:
    return db.session.execute(
        sa.text("SELECT encrypted_secret FROM totp_credential WHERE id = :id"),
        {"id": credential_id},
    ).scalar_one()


def test_the_secret_is_stored_encrypted_and_read_back_plain(app):
    person = make_director()
    credential = two_factor.begin_enrolment(person)
    db.session.flush()
    plain = credential.secret
    stored = raw_secret_column(credential.id)
    assert len(plain) == 32 and pyotp.TOTP(plain).now()
    assert plain not in stored
    assert encryption.decrypt(stored) == plain


def test_a_backup_holds_the_secret_encrypted(app, tmp_path):
    credential = two_factor.begin_enrolment(make_director())
    db.session.flush()
    path = tmp_path / "secrets.backup.gz"
    write_backup(path)
    with gzip.open(path, "rt", encoding="utf-8") as backup:
        text = backup.read()
    assert credential.secret not in text
    assert raw_secret_column(credential.id) in text


def test_a_new_key_put_first_still_opens_old_secrets_and_rotation_moves_them(app, monkeypatch):
    old, new = encryption.new_key(), encryption.new_key()
    monkeypatch.setitem(app.config, "TOTP_KEYS", [old])
    credential = two_factor.begin_enrolment(make_director())
    db.session.flush()
    plain = credential.secret

    monkeypatch.setitem(app.config, "TOTP_KEYS", [new, old])
    assert credential.secret == plain
    result = app.test_cli_runner().invoke(args=["airm", "rotate-totp-keys"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted" in result.output

    monkeypatch.setitem(app.config, "TOTP_KEYS", [new])
    db.session.expire_all()
    assert db.session.get(TotpCredential, credential.id).secret == plain
    monkeypatch.setitem(app.config, "TOTP_KEYS", [old])
    with pytest.raises(InvalidToken):
        encryption.decrypt(raw_secret_column(credential.id))


def test_the_migration_encrypts_existing_secrets_and_its_downgrade_decrypts(tmp_path):
    url = f"sqlite:///{tmp_path / 'secrets.sqlite3'}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        flask_migrate.upgrade(revision="0010_notifications")
        db.session.execute(
            sa.text(
                "INSERT INTO person (email, full_name, post_nominals, job_title, active, "
                "session_version, created_at) VALUES ('old@example.org', 'Old', '', '', 1, 1, "
                "'2026-01-01 00:00:00')"
            )
        )
        db.session.execute(
            sa.text(
                "INSERT INTO totp_credential (person_id, secret, created_at) "
                "VALUES (1, 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', '2026-01-01 00:00:00')"
            )
        )
        db.session.commit()

        flask_migrate.upgrade(revision="0011_outbox")
        stored = db.session.execute(sa.text("SELECT encrypted_secret FROM totp_credential"))
        stored = stored.scalar_one()
        assert "JBSWY3DP" not in stored
        assert encryption.decrypt(stored) == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        db.session.commit()

        flask_migrate.downgrade(revision="0010_notifications")
        plain = db.session.execute(sa.text("SELECT secret FROM totp_credential")).scalar_one()
        assert plain == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        db.session.remove()
        db.engine.dispose()
