"""``/healthz`` says the process answers; ``/readyz`` says it can serve pages: database
reachable, schema at the newest migration, templates and programme loaded."""

from __future__ import annotations

import flask_migrate
from alembic.script import ScriptDirectory

from airm_training import create_app
from airm_training.extensions import db
from airm_training.resources import resource_dir
from tests.conftest import another_database

READY = {"database": "ok", "schema": "ok", "templates": "ok", "programme": "ok"}


def _readyz(app) -> tuple[int, dict]:
    response = app.test_client().get("/readyz")
    return response.status_code, response.get_json()


def test_the_migrated_and_loaded_suite_database_is_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": READY}


def test_an_unreachable_database_is_not_ready_but_the_process_is_healthy(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/no/such/dir.db")
    status, body = _readyz(app)
    assert status == 503
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == "unavailable"
    assert app.test_client().get("/healthz").status_code == 200


def test_an_empty_database_is_not_migrated(database_url, tmp_path):
    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=another_database(database_url, "empty", tmp_path)
    )
    status, body = _readyz(app)
    assert status == 503
    assert body["checks"]["schema"] == "not migrated"


def test_a_schema_behind_the_newest_migration_is_not_ready(database_url, tmp_path):
    url = another_database(database_url, "behind", tmp_path)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    script = ScriptDirectory(str(resource_dir("migrations")))
    (head,) = script.get_heads()
    previous = script.get_revision(head).down_revision
    with app.app_context():
        flask_migrate.upgrade(revision=previous)
        db.engine.dispose()
    status, body = _readyz(app)
    assert status == 503
    assert body["checks"]["schema"] == "behind"
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    assert _readyz(app)[1]["checks"]["schema"] == "ok"


def test_a_migrated_database_without_the_programme_is_not_ready(database_url, tmp_path):
    url = another_database(database_url, "noprogramme", tmp_path)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    status, body = _readyz(app)
    assert status == 503
    assert body["checks"] == {**READY, "programme": "not loaded"}


def test_missing_templates_are_not_ready(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/no/such/dir.db")
    app.template_folder = str(tmp_path)  # as when a wheel is built without its templates
    status, body = _readyz(app)
    assert status == 503
    assert body["checks"]["templates"] == "missing"
