"""A backup taken while eight writers invite people is one snapshot: it restores (every
role assignment finds its person) and the restored database equals what the backup read;
the writers are not held up meanwhile, and the file is readable by its owner only.

Like the race tests, these commit for real to databases of their own."""

from __future__ import annotations

import stat
import threading
import time

import pytest
import sqlalchemy as sa

from airm_training import create_app
from airm_training.audit.services import verify_chain
from airm_training.auth.services import send_link
from airm_training.auth.tokens import TokenPurpose
from airm_training.core.backup import restore_backup, summarise, write_backup
from airm_training.demo import seed_demo
from airm_training.extensions import db
from airm_training.people.models import Person, Role
from airm_training.people.services import create_person
from tests.committed import _transaction, committed_app  # noqa: F401 - _transaction: these tests commit
from tests.conftest import another_database
from tests.test_backup import fresh_target

WRITERS = 8


@pytest.fixture(scope="module")
def busy_app(database_url, tmp_path_factory):
    directory = tmp_path_factory.mktemp("snapshot")
    app_iter = committed_app(database_url, directory, "snapshot")
    app = next(app_iter)
    with app.app_context():
        seed_demo()
        db.session.commit()
        db.session.remove()
    yield app
    next(app_iter, None)


@pytest.fixture(scope="module")
def target_url(database_url, tmp_path_factory) -> str:
    return another_database(database_url, "snapshot_restore", tmp_path_factory.mktemp("target"))


def invite_forever(app, number: int, stop: threading.Event, commits: list[float]) -> None:
    """Invite one person after another (person, role, audit event, outbox row), committing
    each; the time of every commit goes into ``commits``."""
    with app.app_context():
        n = 0
        while not stop.is_set():
            n += 1
            person = create_person(
                email=f"writer{number}-{n}@example.org",
                full_name=f"Writer {number} {n}",
                roles=(Role.CANDIDATE,),
                actor_id=None,
            )
            send_link(person, TokenPurpose.INVITE)
            db.session.commit()
            commits.append(time.monotonic())
        db.session.remove()


def test_a_backup_during_eight_writers_is_one_snapshot_that_restores(
    busy_app, target_url, tmp_path
):
    stop = threading.Event()
    commits: list[list[float]] = [[] for _ in range(WRITERS)]
    writers = [
        threading.Thread(target=invite_forever, args=(busy_app, n, stop, commits[n]))
        for n in range(WRITERS)
    ]
    for writer in writers:
        writer.start()
    path = tmp_path / "busy.backup.gz"
    try:
        while sum(len(c) for c in commits) < 2 * WRITERS:
            time.sleep(0.05)
        with busy_app.app_context():
            started = time.monotonic()
            written = write_backup(path)
            finished = time.monotonic()
            db.session.remove()
        time.sleep(0.3)
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=60)
    during = sum(started < moment < finished for c in commits for moment in c)
    print(
        f"backup {finished - started:.2f} s, {sum(w.rows for w in written.values())} rows; "
        f"{during} invitations committed during it, {sum(map(len, commits))} in all"
    )
    assert during > 0, "the writers waited for the backup"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    with busy_app.app_context():
        people_now = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
        db.session.remove()
    assert written["person"].rows < people_now  # later invitations are not in it
    assert written["role_assignment"].rows >= written["person"].rows - 20

    target = fresh_target(target_url)
    with target.app_context():
        restored = restore_backup(path)
        db.session.commit()
        assert restored == written
        assert summarise() == written
        assert verify_chain().intact
        db.session.remove()
        db.engine.dispose()


def test_restoring_into_an_unmigrated_database_refuses_in_one_line(busy_app, tmp_path):
    path = tmp_path / "small.backup.gz"
    with busy_app.app_context():
        write_backup(path)
        db.session.remove()
    empty = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}")
    with empty.app_context():
        result = empty.test_cli_runner().invoke(args=["airm", "restore", str(path)])
        db.session.remove()
    assert result.exit_code == 1
    assert result.output == (
        "Error: The database is not migrated: run `flask db upgrade` on it first, then restore.\n"
    )


def test_restoring_into_a_database_with_data_refuses_in_one_line(busy_app, tmp_path):
    path = tmp_path / "again.backup.gz"
    with busy_app.app_context():
        write_backup(path)
        result = busy_app.test_cli_runner().invoke(args=["airm", "restore", str(path)])
        db.session.remove()
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1
    assert result.output.startswith("Error: The database is not empty")


def test_a_backup_file_replaces_an_older_one_and_stays_private(busy_app, tmp_path):
    path = tmp_path / "old.backup.gz"
    path.write_bytes(b"old")
    path.chmod(0o644)
    with busy_app.app_context():
        write_backup(path)
        db.session.remove()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(tmp_path.glob("*.partial"))
    assert path.read_bytes()[:2] == b"\x1f\x8b"  # gzip, the new backup
