"""``/healthz``: the process answers. ``/readyz``: it can serve pages: the database is
reachable, its schema is at the newest migration, the templates and the programme are
loaded. A load balancer or monitor sends traffic only while ``/readyz`` says ready."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app, jsonify
from jinja2 import TemplateNotFound

from airm_training.core.permissions import public
from airm_training.core.work import database_answers
from airm_training.extensions import db
from airm_training.main.routes import bp
from airm_training.programme.services import current_version


@cache
def _head_revisions(migrations_dir: str) -> frozenset[str]:
    return frozenset(ScriptDirectory(migrations_dir).get_heads())


def _database_check() -> dict[str, str]:
    """Reachable, and at the head revision of the shipped migrations."""
    if not database_answers():
        return {"database": "unavailable", "schema": "unknown"}
    if not sa.inspect(db.engine).has_table("alembic_version"):
        return {"database": "ok", "schema": "not migrated"}
    heads = _head_revisions(current_app.extensions["migrate"].directory)
    applied = set(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")))
    return {"database": "ok", "schema": "ok" if applied == heads else "behind"}


def _templates_check() -> str:
    try:
        current_app.jinja_env.get_template("base.html")
    except TemplateNotFound:
        return "missing"
    return "ok"


def _programme_check() -> str:
    version = current_version()
    return "ok" if version is not None and version.levels else "not loaded"


def readiness() -> dict[str, str]:
    """Each check's result; all ``ok`` means ready."""
    checks = _database_check()
    checks["templates"] = _templates_check()
    if checks["schema"] == "ok":
        checks["programme"] = _programme_check()
    else:
        checks["programme"] = "unknown"
    return checks


@bp.route("/healthz")
@public
def healthz():
    """The process is alive (no database call: a restart would not help it)."""
    return jsonify(status="ok")


@bp.route("/readyz")
@public
def readyz():
    checks = readiness()
    ready = all(value == "ok" for value in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), (200 if ready else 503)
