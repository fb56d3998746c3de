"""Configuration: every variable typed and checked at start; a bad value stops the app with
one line naming the variable, the value and what is accepted."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from itsdangerous import URLSafeTimedSerializer

from airm_training import create_app
from airm_training.serving import shared_limits_warning
from airm_training.settings import ConfigError, flask_config

PRODUCTION_KEY = "q" * 48


@pytest.mark.parametrize(
    ("variable", "value", "accepted"),
    [
        ("AIRM_REQUIRE_TWO_FACTOR", "enabled", "true, false, 1, 0, yes, no, on, off"),
        ("MAIL_USE_TLS", "maybe", "true, false, 1, 0, yes, no, on, off"),
        ("MAIL_USE_SSL", "sometimes", "true, false"),
        ("AIRM_IDLE_MINUTES", "30m", "a whole number"),
        ("AIRM_SESSION_MINUTES", "0", "greater than 0"),
        ("MAIL_TIMEOUT", "ten", "a whole number"),
        ("MAIL_PORT", "70000", "less than 65536"),
        ("AIRM_TIMEZONE", "Mars/Olympus", "IANA time zone"),
        ("AIRM_PUBLIC_BASE_URL", "training.example.org", "https://"),
        ("AIRM_TRUSTED_PROXIES", "-1", "greater than or equal to 0"),
        ("AIRM_DB_POOL_SIZE", "big", "a whole number"),
        ("AIRM_LOG_LEVEL", "loud", "'DEBUG'"),
        ("AIRM_LOG_FORMAT", "xml", "'json' or 'text'"),
        ("AIRM_LOGIN_RATE_LIMIT", "lots", "10 per minute"),
        ("RATELIMIT_STORAGE_URI", "mongodb://db", "memory, redis"),
        ("MAIL_BACKEND", "pigeon", "'smtp'"),
        ("AIRM_ENV", "staging", "'production'"),
        ("AIRM_PAPER_SIZE", "legal", "'letter' or 'a4'"),
        ("AIRM_MAIL_MAX_ATTEMPTS", "0", "greater than 0"),
    ],
)
def test_a_bad_value_is_one_line_naming_variable_value_and_what_is_accepted(
    monkeypatch, variable, value, accepted
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as raised:
        create_app("development")
    message = str(raised.value)
    assert "\n" not in message
    assert f"{variable}={value!r}" in message
    assert accepted in message


def test_every_bad_variable_is_named_at_once(monkeypatch):
    monkeypatch.setenv("AIRM_IDLE_MINUTES", "30m")
    monkeypatch.setenv("AIRM_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError) as raised:
        flask_config("development")
    lines = str(raised.value).splitlines()
    assert [line.split("=")[0] for line in lines] == [
        "Invalid configuration: AIRM_IDLE_MINUTES",
        "Invalid configuration: AIRM_TIMEZONE",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("on", True), ("yes", True), ("1", True), ("TRUE", True), ("off", False), ("0", False)],
)
def test_flags_accept_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("MAIL_USE_TLS", value)
    assert flask_config("development")["MAIL_USE_TLS"] is expected


def test_mail_settings_reach_the_mail_extension(monkeypatch):
    monkeypatch.setenv("MAIL_USE_SSL", "true")
    monkeypatch.setenv("MAIL_TIMEOUT", "12")
    monkeypatch.setenv("MAIL_PORT", "465")
    app = create_app("development")
    mail = app.extensions["mailman"]
    assert (mail.use_ssl, mail.timeout, mail.port) == (True, 12, 465)


def test_tls_and_ssl_together_are_refused(monkeypatch):
    monkeypatch.setenv("MAIL_USE_TLS", "1")
    monkeypatch.setenv("MAIL_USE_SSL", "1")
    with pytest.raises(ConfigError, match="set at most one of them"):
        flask_config("development")


def test_log_level_format_pool_and_proxies_are_read(monkeypatch):
    monkeypatch.setenv("AIRM_LOG_LEVEL", "warning")
    monkeypatch.setenv("AIRM_LOG_FORMAT", "JSON")
    monkeypatch.setenv("AIRM_DB_POOL_SIZE", "12")
    monkeypatch.setenv("AIRM_TRUSTED_PROXIES", "1")
    monkeypatch.setenv("TRUSTED_HOSTS", "training.example.org, localhost")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@127.0.0.1/airm")
    app = create_app("development")
    assert app.config["LOG_LEVEL"] == "WARNING"
    assert app.config["LOG_FORMAT"] == "json"
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 12
    assert app.config["PROXY_COUNT"] == 1
    assert app.config["TRUSTED_HOSTS"] == ["training.example.org", "localhost"]


def test_production_logs_json_and_hides_statement_parameters():
    config = flask_config("production", SECRET_KEY=PRODUCTION_KEY)
    assert config["LOG_FORMAT"] == "json"
    assert create_app("production", SECRET_KEY=PRODUCTION_KEY).config["SQLALCHEMY_ENGINE_OPTIONS"][
        "hide_parameters"
    ]


def test_production_requires_the_public_address(monkeypatch):
    monkeypatch.delenv("AIRM_PUBLIC_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="AIRM_PUBLIC_BASE_URL is required in production"):
        create_app("production", SECRET_KEY=PRODUCTION_KEY)
    # Development and tests use the request's host instead.
    assert create_app("development").config["PUBLIC_BASE_URL"] == ""


def test_the_instance_folder_comes_from_configuration(monkeypatch, tmp_path):
    monkeypatch.setenv("AIRM_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app("development")
    assert app.instance_path == str(tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'airm.sqlite3'}"


def test_redis_storage_without_the_client_names_the_extra(monkeypatch):
    real_find_spec = __import__("importlib.util").util.find_spec
    monkeypatch.setattr(
        "airm_training.settings.importlib.util.find_spec",
        lambda name: None if name == "redis" else real_find_spec(name),
    )
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    with pytest.raises(ConfigError, match=r"airm-training\[redis\]"):
        flask_config("development")


def test_an_old_key_in_the_fallbacks_keeps_links_and_sessions_valid(monkeypatch):
    old_key, new_key = "o" * 40, "n" * 40
    old = create_app("production", SECRET_KEY=old_key)
    link_token = URLSafeTimedSerializer(old_key, salt="airm-reset").dumps({"p": 1})
    with old.test_request_context():
        cookie = old.session_interface.get_signing_serializer(old).dumps({"k": "v"})

    monkeypatch.setenv("SECRET_KEY_FALLBACKS", old_key)
    rotated = create_app("production", SECRET_KEY=new_key)
    with rotated.test_request_context():
        from airm_training.auth.tokens import TokenPurpose, _serializer

        assert _serializer(TokenPurpose.RESET).loads(link_token) == {"p": 1}
        signer = rotated.session_interface.get_signing_serializer(rotated)
        assert signer.loads(cookie) == {"k": "v"}

    monkeypatch.delenv("SECRET_KEY_FALLBACKS")
    without = create_app("production", SECRET_KEY=new_key)
    with without.test_request_context():
        from airm_training.auth.tokens import _serializer

        with pytest.raises(Exception, match="Signature"):
            _serializer(TokenPurpose.RESET).loads(link_token)


@pytest.mark.parametrize(
    ("workers", "storage", "warns"),
    [
        (4, "memory://", True),
        (2, "memory://", True),
        (1, "memory://", False),
        (4, "redis://127.0.0.1:6379/0", False),
    ],
)
def test_several_workers_on_memory_storage_are_warned_about(workers, storage, warns):
    warning = shared_limits_warning(workers, storage)
    assert (warning is not None) is warns
    if warns:
        assert f"{workers} workers" in warning and "airm-training[redis]" in warning


def _airm(*args: str, **env: str) -> subprocess.CompletedProcess:
    """The ``airm`` console command, as installed (its entry point), in a fresh process."""
    return subprocess.run(
        [sys.executable, "-c", "from airm_training.console import main; main()", *args],
        env={**os.environ, "AIRM_ENV": "development", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_airm_command_has_the_flask_and_the_app_commands():
    result = _airm("--help")
    assert result.returncode == 0, result.stderr
    for command in ("db", "run", "load-programme", "seed-demo", "create-user", "send-reminders"):
        assert f"  {command}" in result.stdout


def test_the_airm_command_stops_on_a_bad_value_with_one_line():
    result = _airm("routes", AIRM_IDLE_MINUTES="30m")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Invalid configuration: AIRM_IDLE_MINUTES='30m' is not accepted: accepted: a whole number"
    ]


def test_signing_keys_generate_themselves_except_in_production(monkeypatch, tmp_path):
    monkeypatch.delenv("AIRM_KEYS_AUTO_GENERATE", raising=False)
    monkeypatch.setenv("AIRM_KEYS_DIR", str(tmp_path))
    assert flask_config("production", SECRET_KEY=PRODUCTION_KEY)["KEYS_AUTO_GENERATE"] is False
    development = flask_config("development")
    assert (development["KEYS_AUTO_GENERATE"], development["KEYS_DIR"]) == (True, str(tmp_path))
    monkeypatch.setenv("AIRM_KEYS_AUTO_GENERATE", "sometimes")
    with pytest.raises(ConfigError, match="AIRM_KEYS_AUTO_GENERATE='sometimes'"):
        flask_config("development")
