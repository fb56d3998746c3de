"""Logs: JSON lines with the request id on every line of a request and in the response
header, one access line per request, sign-in refusals and rate-limit refusals; routes,
never the paths that carry tokens, and never what was typed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from airm_training import create_app
from airm_training.extensions import db
from tests.conftest import another_database, csrf_token_in, migrated_app
from tests.factories import make_director

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def logs_database(database_url, tmp_path_factory) -> str:
    url = another_database(database_url, "logs", tmp_path_factory.mktemp("logs"))
    migrated = migrated_app(url)
    with migrated.app_context():
        db.engine.dispose()
    return url


@pytest.fixture
def json_app(logs_database):
    """A committing app on a database of its own, logged as in production (JSON lines on
    standard error, created here so that they go to this test's captured stream)."""
    logged = create_app("testing", SQLALCHEMY_DATABASE_URI=logs_database, LOG_FORMAT="json")
    yield logged
    with logged.app_context():
        db.engine.dispose()


def _lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]


def test_every_request_has_an_id_in_its_header_and_an_access_line(json_app, capsys):
    response = json_app.test_client().get("/auth/login")
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32
    (line,) = [entry for entry in _lines(capsys) if entry["logger"] == "airm_training.access"]
    assert line["request_id"] == request_id
    assert line["message"] == "request"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/auth/login", 200)
    assert line["client"] == "127.0.0.1"
    assert {"time", "level", "pid", "duration_ms"} <= set(line)


def test_the_proxys_request_id_is_kept_and_a_malformed_one_replaced(json_app, capsys):
    client = json_app.test_client()
    kept = client.get("/healthz", headers={"X-Request-ID": "0123456789abcdef0123456789abcdef"})
    assert kept.headers["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id; Injected: <script>"})
    assert replaced.headers["X-Request-ID"] != "bad id; Injected: <script>"
    assert [line["request_id"] for line in _lines(capsys)] == [
        "0123456789abcdef0123456789abcdef",
        replaced.headers["X-Request-ID"],
    ]


def test_a_refused_sign_in_and_the_rate_limit_are_logged_without_what_was_typed(json_app, capsys):
    with json_app.app_context():
        email = make_director().email
        db.session.commit()
    client = json_app.test_client()
    token = csrf_token_in(client.get("/auth/login").get_data(as_text=True))
    statuses = [
        client.post(
            "/auth/login",
            data={"email": email, "password": f"typed-guess-{n}", "csrf_token": token},
        ).status_code
        for n in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    output = capsys.readouterr().err
    lines = [json.loads(line) for line in output.splitlines() if line]
    refused = [line for line in lines if line.get("event") == "sign_in_refused"]
    limited = [line for line in lines if line.get("event") == "rate_limited"]
    assert len(refused) == 10 and {line["step"] for line in refused} == {"password"}
    assert len(limited) == 1
    assert limited[0]["route"] == "/auth/login" and limited[0]["level"] == "WARNING"
    assert all(line["request_id"] for line in refused + limited)
    assert "typed-guess" not in output
    assert email not in output


def test_a_path_with_a_token_is_logged_as_its_route(json_app, capsys):
    json_app.test_client().get("/auth/reset/secret-looking-token-value")
    output = capsys.readouterr().err
    assert "secret-looking-token-value" not in output
    access = [json.loads(line) for line in output.splitlines() if "airm_training.access" in line]
    assert access[-1]["route"] == "/auth/reset/<token>"


_WARN_AFTER = """
import warnings
warnings.warn("a library's deprecation notice", UserWarning)
"""


def _stderr_lines_of(program: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "default"},
    )
    assert done.returncode == 0, done.stderr
    return [line for line in done.stderr.splitlines() if line.strip()]


def test_a_warning_under_gunicorns_log_settings_is_a_json_line():
    """Gunicorn applies ``logconfig_dict`` in the master before the workers import the
    app; a library warning raised while importing must come out as JSON too."""
    lines = _stderr_lines_of(
        "import logging.config, runpy\n"
        "settings = runpy.run_path('deploy/gunicorn.conf.py')\n"
        "logging.config.dictConfig(settings['logconfig_dict'])\n" + _WARN_AFTER
    )
    assert len(lines) == 1, lines
    line = json.loads(lines[0])
    assert line["logger"] == "py.warnings" and line["level"] == "WARNING"
    assert "a library's deprecation notice" in line["message"]


def test_a_warning_in_the_running_app_is_a_json_line(logs_database):
    lines = _stderr_lines_of(
        "from airm_training import create_app\n"
        f"create_app('testing', SQLALCHEMY_DATABASE_URI={logs_database!r}, LOG_FORMAT='json')\n"
        + _WARN_AFTER
    )
    warned = [json.loads(line) for line in lines]  # every line is JSON
    assert {line["logger"] for line in warned} == {"py.warnings"}, lines
    assert any("a library's deprecation notice" in line["message"] for line in warned)
