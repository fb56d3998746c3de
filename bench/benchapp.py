"""The application as the benchmark runs it, with a floor route: one primary-key lookup
and a one-line template, the least any page of the same app costs. Every page's time is
a ratio to the floor's, measured in the same run.

For gunicorn: ``AIRM_BENCH_DATABASE_URL=... gunicorn bench.benchapp:app``."""

from __future__ import annotations

import os

from flask import Blueprint, render_template_string

from airm_training import create_app
from airm_training.core.permissions import public
from airm_training.extensions import db
from airm_training.people.models import Person

floor = Blueprint("bench_floor", __name__)
FLOOR_PATH = "/bench/floor"


@floor.route(FLOOR_PATH)
@public
def floor_page():
    person = db.session.get(Person, 1)
    return render_template_string("<p>{{ name }}</p>", name=person.full_name)


def make_app(url: str):
    app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=url,
        WTF_CSRF_ENABLED=False,
        MAIL_BACKEND="locmem",
        RATELIMIT_ENABLED=False,
        SECRET_KEY="bench-secret-key",  # noqa: S106 - a local benchmark
        PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",  # noqa: S106 - cheap hashing for a bench
    )
    app.register_blueprint(floor)
    return app


def _gunicorn_app():
    url = os.environ.get("AIRM_BENCH_DATABASE_URL")
    return make_app(url) if url else None


app = _gunicorn_app()
