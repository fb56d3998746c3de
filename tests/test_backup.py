"""``flask airm backup`` / ``restore``: a full export to a portable file and back yields an
identical database (every table's row count and checksum), across dialects too, and a
damaged file or a non-empty database is refused without keeping anything."""

from __future__ import annotations

import gzip
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask

from airm_training import create_app
from airm_training.audit.services import verify_chain
from airm_training.core.backup import restore_backup, summarise, write_backup
from airm_training.core.errors import DomainError
from airm_training.demo import seed_demo
from airm_training.extensions import db
from airm_training.people.models import Person
from tests.conftest import _reset_database, another_database


@pytest.fixture(scope="module")
def targets(database_url, tmp_path_factory) -> dict[str, str]:
    """Empty databases to restore into: always SQLite, and PostgreSQL when the suite runs
    on it (so a PostgreSQL backup is also restored into SQLite)."""
    directory = tmp_path_factory.mktemp("restore")
    found = {"sqlite": f"sqlite:///{directory / 'airm-restore.sqlite3'}"}
    if database_url.startswith("postgresql"):
        found["postgresql"] = another_database(database_url, "restore", directory)
    return found


def restore_command(target: Flask, path: Path):
    """``flask airm restore PATH`` on the target (the CLI uses the app context it finds)."""
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["airm", "restore", str(path)])
        db.session.remove()
    return result


def fresh_target(url: str) -> Flask:
    """An app on ``url`` emptied and migrated, holding no rows at all."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        _reset_database(url)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        flask_migrate.upgrade()
        db.session.remove()
    return app


@pytest.fixture
def demo_backup(app, tmp_path):
    seed_demo()
    db.session.flush()
    path = tmp_path / "airm.backup.gz"
    result = app.test_cli_runner().invoke(args=["airm", "backup", str(path)])
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output
    return path, summarise()


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_backup_then_restore_gives_an_identical_database(demo_backup, targets, dialect):
    if dialect not in targets:
        pytest.skip("restoring into PostgreSQL is checked when the suite runs on it")
    path, source = demo_backup
    assert source["person"].rows >= 9
    assert source["hours_entry"].rows > 0
    target = fresh_target(targets[dialect])

    result = restore_command(target, path)

    assert result.exit_code == 0, result.output
    assert "every checksum matches" in result.output
    with target.app_context():
        assert summarise() == source
        assert verify_chain().intact
        # New rows get fresh ids after a restore (PostgreSQL sequences moved on).
        people = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
        assert people == source["person"].rows
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_a_database_that_holds_data(demo_backup):
    path, _source = demo_backup
    with pytest.raises(DomainError, match="not empty"):
        restore_backup(path)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda lines: lines[:-1], id="no summary line"),
        pytest.param(lambda lines: lines[:-40] + lines[-1:], id="rows missing"),
        pytest.param(
            lambda lines: [line.replace("Sofia", "Sophia") for line in lines], id="rows altered"
        ),
        pytest.param(lambda lines: ["{not json\n", *lines[1:]], id="not a backup"),
    ],
)
def test_a_damaged_backup_is_refused_and_nothing_is_kept(demo_backup, targets, tmp_path, damage):
    path, _source = demo_backup
    with gzip.open(path, "rt", encoding="utf-8") as source:
        lines = source.readlines()
    damaged = tmp_path / "damaged.backup.gz"
    with gzip.open(damaged, "wt", encoding="utf-8") as out:
        out.writelines(damage(lines))
    target = fresh_target(targets["sqlite"])

    result = restore_command(target, damaged)

    assert result.exit_code == 1
    assert "Error:" in result.output
    with target.app_context():
        assert all(summary.rows == 0 for summary in summarise().values())
        db.session.remove()
        db.engine.dispose()


def test_a_backup_of_another_schema_revision_is_refused(demo_backup, targets, tmp_path):
    path, _source = demo_backup
    with gzip.open(path, "rt", encoding="utf-8") as source:
        lines = source.readlines()
    lines[0] = lines[0].replace('"schema_revision":"', '"schema_revision":"0001_')
    other = tmp_path / "other.backup.gz"
    with gzip.open(other, "wt", encoding="utf-8") as out:
        out.writelines(lines)
    target = fresh_target(targets["sqlite"])
    with target.app_context(), pytest.raises(DomainError, match="schema revision"):
        restore_backup(other)


def test_a_backup_file_is_written_in_primary_key_order_with_its_summary(demo_backup):
    path, source = demo_backup
    with gzip.open(path, "rt", encoding="utf-8") as backup:
        lines = backup.readlines()
    assert '"format":"airm-backup"' in lines[0]
    assert lines[-1].startswith('{"end":')
    assert sum(s.rows for s in source.values()) == len(lines) - 2 - len(source)
    write_backup(path.with_suffix(".again"))
    with gzip.open(path.with_suffix(".again"), "rt", encoding="utf-8") as again:
        assert again.readlines()[1:] == lines[1:]  # only the header's time differs


def test_a_restore_of_amended_entries_keeps_their_links(app, targets, tmp_path):
    """Rows pointing at rows of their own table (an amendment at the entry it amends) are
    linked by an UPDATE per row once the table is in, which keeps their ``updated_at``."""
    from airm_training.hours.models import HoursEntry

    seed_demo()
    original = db.session.scalar(sa.select(HoursEntry).order_by(HoursEntry.id).limit(1))
    amendment = HoursEntry(
        person_id=original.person_id,
        session_date=original.session_date,
        minutes=original.minutes,
        category_id=original.category_id,
        supervisor_id=original.supervisor_id,
        stages=[],
        modalities=[],
        note="",
        status="draft",
        amends_id=original.id,
    )
    db.session.add(amendment)
    db.session.commit()
    amendment_id, original_id = amendment.id, original.id
    path = tmp_path / "amended.backup.gz"
    result = app.test_cli_runner().invoke(args=["airm", "backup", str(path)])
    assert result.exit_code == 0, result.output
    source = summarise()
    target = fresh_target(targets["sqlite"])
    result = restore_command(target, path)
    assert result.exit_code == 0, result.output
    with target.app_context():
        assert summarise() == source
        assert db.session.get(HoursEntry, amendment_id).amends_id == original_id
        db.session.remove()
        db.engine.dispose()
