"""Configuration read from environment variables: development, testing and production."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105  # nosec B105  # refused in production


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _default_sqlite_url() -> str:
    return f"sqlite:///{BASE_DIR / 'instance' / 'airm.sqlite3'}"


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", _default_sqlite_url())
    ORGANISATION_NAME = os.environ.get("AIRM_ORGANISATION_NAME", "Bellevue Trauma Recovery Center")
    ORGANISATION_SHORT_NAME = os.environ.get("AIRM_ORGANISATION_SHORT_NAME", "BTRC")
    # Public base URL used in e-mails and on certificates (QR codes); empty = request host.
    PUBLIC_BASE_URL = os.environ.get("AIRM_PUBLIC_BASE_URL", "")

    # Signing keys (credentials, status list, PDFs) live outside the repository;
    # `flask airm keys generate` creates or rotates them. Development creates them on
    # first use; production refuses to issue until they exist.
    KEYS_DIR = os.environ.get("AIRM_KEYS_DIR", str(Path.home() / ".local/share/airm-training/keys"))
    KEYS_AUTO_GENERATE = _env_flag("AIRM_KEYS_AUTO_GENERATE", True)
    # PAdES: an operator's CA-issued certificate and its key (PEM) instead of the key set's
    # self-signed certificate; an optional PEM chain of intermediates and a key passphrase.
    PDF_SIGNING_CERT = os.environ.get("AIRM_PDF_SIGNING_CERT", "")
    PDF_SIGNING_KEY = os.environ.get("AIRM_PDF_SIGNING_KEY", "")
    PDF_SIGNING_CHAIN = os.environ.get("AIRM_PDF_SIGNING_CHAIN", "")
    PDF_SIGNING_PASSPHRASE = os.environ.get("AIRM_PDF_SIGNING_PASSPHRASE", "")

    # A session ends AIRM_SESSION_MINUTES after sign-in (absolute) or after AIRM_IDLE_MINUTES
    # without a request (idle), whichever comes first; both are checked on the server.
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=_env_int("AIRM_SESSION_MINUTES", 8 * 60))
    SESSION_IDLE_TIMEOUT = timedelta(minutes=_env_int("AIRM_IDLE_MINUTES", 30))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Directors, administrators and co-creators must sign in with a second factor.
    TWO_FACTOR_REQUIRED = _env_flag("AIRM_REQUIRE_TWO_FACTOR", False)
    # Fernet keys encrypting two-factor secrets at rest, comma-separated, newest first (the
    # first encrypts, all decrypt); empty: one derived from SECRET_KEY. New key: python -c
    # "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
    TOTP_KEYS = [k.strip() for k in os.environ.get("AIRM_TOTP_KEYS", "").split(",") if k.strip()]
    INVITE_TOKEN_MAX_AGE = _env_int("AIRM_INVITE_HOURS", 72) * 3600
    RESET_TOKEN_MAX_AGE = _env_int("AIRM_RESET_MINUTES", 60) * 60

    # Passwords: werkzeug's scrypt unless a test config asks for something cheaper.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105  # nosec B105  # an algorithm name

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in {"1", "true", "yes"}
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "airm-training@localhost")
    # The outbox worker (`airm send-mail`): seconds before a silent mail server counts as a
    # failure, attempts before a message is marked failed, and the backoff between them.
    MAIL_TIMEOUT = _env_int("AIRM_MAIL_TIMEOUT_SECONDS", 10)
    MAIL_MAX_ATTEMPTS = _env_int("AIRM_MAIL_MAX_ATTEMPTS", 6)
    MAIL_RETRY_BASE_SECONDS = _env_int("AIRM_MAIL_RETRY_BASE_SECONDS", 60)
    MAIL_RETRY_MAX_SECONDS = _env_int("AIRM_MAIL_RETRY_MAX_SECONDS", 6 * 3600)
    MAIL_BATCH_SIZE = _env_int("AIRM_MAIL_BATCH_SIZE", 50)
    MAIL_POLL_SECONDS = _env_int("AIRM_MAIL_POLL_SECONDS", 5)

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("AIRM_LOGIN_RATE_LIMIT", "10 per minute;30 per hour")
    VERIFY_RATE_LIMIT = os.environ.get("AIRM_VERIFY_RATE_LIMIT", "60 per minute")

    # The centre's time zone decides what "today" is (no hours in the future).
    TIMEZONE = os.environ.get("AIRM_TIMEZONE", "America/Los_Angeles")
    # Entries submitted more than this many days after the session are flagged as late.
    LATE_ENTRY_DAYS = _env_int("AIRM_LATE_ENTRY_DAYS", 30)
    MAX_CONTENT_LENGTH = _env_int("AIRM_MAX_UPLOAD_MB", 5) * 1024 * 1024
    HOURS_CSV_MAX_ROWS = _env_int("AIRM_HOURS_CSV_MAX_ROWS", 10_000)
    CASE_PDF_MAX_BYTES = _env_int("AIRM_CASE_PDF_MAX_MB", 4) * 1024 * 1024

    BOOTSTRAP_SERVE_LOCAL = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    @classmethod
    def engine_options(cls, url: str) -> dict:
        """SQLite: a busy timeout for concurrent writers; PostgreSQL: pre-ping pooled links."""
        if url.startswith("sqlite"):
            return {"connect_args": {"timeout": 15}}
        return {"pool_pre_ping": True}


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    TWO_FACTOR_REQUIRED = False  # the tests of two-factor sign-in switch it on themselves
    SECRET_KEY = "testing-secret-key"  # noqa: S105  # nosec B105  # the test configuration only
    SQLALCHEMY_DATABASE_URI = os.environ.get("AIRM_TEST_DATABASE_URL", "sqlite://")
    MAIL_BACKEND = "locmem"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105  # nosec B105  # cheap hashing for tests
    RATELIMIT_STORAGE_URI = "memory://"
    SERVER_NAME = "localhost"
    KEYS_DIR = os.environ.get("AIRM_TEST_KEYS_DIR", str(BASE_DIR / "instance" / "test-keys"))


class ProductionConfig(Config):
    ENV_NAME = "production"
    TWO_FACTOR_REQUIRED = _env_flag("AIRM_REQUIRE_TWO_FACTOR", True)
    KEYS_AUTO_GENERATE = _env_flag("AIRM_KEYS_AUTO_GENERATE", False)
    # "__Host-" cookies are only accepted over HTTPS, for path "/" and without a domain,
    # so no other site or subdomain can set or overwrite them.
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    REMEMBER_COOKIE_NAME = "__Host-remember_token"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_PATH = "/"
    REMEMBER_COOKIE_DOMAIN = None
    PREFERRED_URL_SCHEME = "https"


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    """The config class named by ``name`` or by ``AIRM_ENV`` (default: development)."""
    name = name or os.environ.get("AIRM_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"Unknown AIRM_ENV {name!r}: use one of {', '.join(sorted(CONFIGS))}."
        ) from None
