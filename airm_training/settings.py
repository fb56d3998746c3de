"""Configuration: environment variables read, typed and validated once at start.

Each variable is one field of ``Settings``: the field's name is the Flask config key, its
``alias`` the environment variable. To add a variable, add a field (with a type that
rejects bad values) and, when the app needs it in another shape, a line in
``_derived``. A bad value stops the app with one line per variable naming it, the value
and what is accepted (``ConfigError``)."""

from __future__ import annotations

import importlib.util
import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import parse_many
from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from airm_training.resources import PROJECT_ROOT, running_from_checkout

DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105  # nosec B105  # refused in production
ENVIRONMENTS = ("development", "testing", "production")
RATE_LIMIT_SCHEMES = {"memory", "redis", "rediss", "redis+unix", "redis+sentinel"}


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message is one line per problem."""


def _comma_list(value: Any) -> Any:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("an IANA time zone name such as Europe/Berlin is accepted") from None
    return value


def _base_url(value: str) -> str:
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise ValueError("an http:// or https:// address such as https://training.example.org")
    return value.rstrip("/")


def _rate_limit(value: str) -> str:
    try:
        parse_many(value)
    except ValueError:
        raise ValueError('limits such as "10 per minute;30 per hour" are accepted') from None
    return value


def _storage_uri(value: str) -> str:
    scheme = urlsplit(value).scheme
    if scheme not in RATE_LIMIT_SCHEMES:
        raise ValueError(f"a URI with one of the schemes {', '.join(sorted(RATE_LIMIT_SCHEMES))}")
    if scheme.startswith("redis") and importlib.util.find_spec("redis") is None:
        raise ValueError("Redis storage needs the redis client: pip install 'airm-training[redis]'")
    return value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


TimeZoneName = Annotated[str, AfterValidator(_time_zone)]
BaseUrl = Annotated[str, AfterValidator(_base_url)]
RateLimit = Annotated[str, AfterValidator(_rate_limit)]
CommaList = Annotated[list[str], NoDecode, BeforeValidator(_comma_list)]
PositiveInt = Annotated[int, Field(gt=0)]


class Settings(BaseSettings):
    """Every environment variable the app reads."""

    model_config = SettingsConfigDict(
        case_sensitive=True, extra="ignore", populate_by_name=True, env_ignore_empty=True
    )

    ENV_NAME: Literal["development", "testing", "production"] = Field(
        "development", alias="AIRM_ENV"
    )
    SECRET_KEY: str = Field(DEFAULT_SECRET_KEY, alias="SECRET_KEY")
    # Older keys still accepted for signed cookies and links while rotating SECRET_KEY.
    SECRET_KEY_FALLBACKS: CommaList = Field(default_factory=list, alias="SECRET_KEY_FALLBACKS")
    DATABASE_URL: str | None = Field(None, alias="DATABASE_URL")
    INSTANCE_PATH: Path | None = Field(None, alias="AIRM_INSTANCE_PATH")
    DB_POOL_SIZE: PositiveInt = Field(5, alias="AIRM_DB_POOL_SIZE")
    DB_MAX_OVERFLOW: Annotated[int, Field(ge=0)] = Field(10, alias="AIRM_DB_MAX_OVERFLOW")

    ORGANISATION_NAME: str = Field(
        "Bellevue Trauma Recovery Center", alias="AIRM_ORGANISATION_NAME"
    )
    ORGANISATION_SHORT_NAME: str = Field("BTRC", alias="AIRM_ORGANISATION_SHORT_NAME")
    # Every link in every e-mail and on certificates starts with it; required in production.
    PUBLIC_BASE_URL: BaseUrl = Field("", alias="AIRM_PUBLIC_BASE_URL")
    # Signing keys (credentials, status list, PDFs) live outside the repository;
    # `airm keys generate` creates or rotates them. Development creates them on first use
    # (AIRM_KEYS_AUTO_GENERATE, default off in production); production refuses to issue
    # until they exist.
    KEYS_DIR: str = Field(
        default_factory=lambda: str(Path.home() / ".local/share/airm-training/keys"),
        alias="AIRM_KEYS_DIR",
    )
    KEYS_AUTO_GENERATE: bool | None = Field(None, alias="AIRM_KEYS_AUTO_GENERATE")
    # PAdES: an operator's CA-issued certificate and its key (PEM) instead of the key set's
    # self-signed certificate; an optional PEM chain of intermediates and a key passphrase.
    PDF_SIGNING_CERT: str = Field("", alias="AIRM_PDF_SIGNING_CERT")
    PDF_SIGNING_KEY: str = Field("", alias="AIRM_PDF_SIGNING_KEY")
    PDF_SIGNING_CHAIN: str = Field("", alias="AIRM_PDF_SIGNING_CHAIN")
    PDF_SIGNING_PASSPHRASE: str = Field("", alias="AIRM_PDF_SIGNING_PASSPHRASE")
    # Proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed (nginx: 1).
    PROXY_COUNT: Annotated[int, Field(ge=0, le=5)] = Field(0, alias="AIRM_TRUSTED_PROXIES")
    # Host names the app answers to (Flask refuses others); empty: any.
    TRUSTED_HOSTS: CommaList = Field(default_factory=list, alias="TRUSTED_HOSTS")

    SESSION_MINUTES: PositiveInt = Field(8 * 60, alias="AIRM_SESSION_MINUTES")
    IDLE_MINUTES: PositiveInt = Field(30, alias="AIRM_IDLE_MINUTES")
    # Directors, administrators and co-creators must sign in with a second factor
    # (default: yes in production, no elsewhere).
    TWO_FACTOR_REQUIRED: bool | None = Field(None, alias="AIRM_REQUIRE_TWO_FACTOR")
    # Fernet keys encrypting two-factor secrets at rest, newest first (the first encrypts,
    # all decrypt); empty: one derived from SECRET_KEY. New key: python -c "from
    # cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
    TOTP_KEYS: CommaList = Field(default_factory=list, alias="AIRM_TOTP_KEYS")
    INVITE_HOURS: PositiveInt = Field(72, alias="AIRM_INVITE_HOURS")
    RESET_MINUTES: PositiveInt = Field(60, alias="AIRM_RESET_MINUTES")

    MAIL_BACKEND: Literal["smtp", "console", "file", "locmem", "dummy"] | None = Field(
        None, alias="MAIL_BACKEND"
    )
    MAIL_SERVER: str = Field("localhost", alias="MAIL_SERVER")
    MAIL_PORT: Annotated[int, Field(gt=0, lt=65536)] = Field(25, alias="MAIL_PORT")
    MAIL_USERNAME: str | None = Field(None, alias="MAIL_USERNAME")
    MAIL_PASSWORD: str | None = Field(None, alias="MAIL_PASSWORD")
    MAIL_USE_TLS: bool = Field(False, alias="MAIL_USE_TLS")
    MAIL_USE_SSL: bool = Field(False, alias="MAIL_USE_SSL")
    # The outbox worker (`airm send-mail`): seconds before a silent mail server counts as a
    # failure, attempts before a message is marked failed, and the backoff between them.
    MAIL_TIMEOUT: PositiveInt = Field(10, alias="MAIL_TIMEOUT")
    MAIL_MAX_ATTEMPTS: PositiveInt = Field(6, alias="AIRM_MAIL_MAX_ATTEMPTS")
    MAIL_RETRY_BASE_SECONDS: PositiveInt = Field(60, alias="AIRM_MAIL_RETRY_BASE_SECONDS")
    MAIL_RETRY_MAX_SECONDS: PositiveInt = Field(6 * 3600, alias="AIRM_MAIL_RETRY_MAX_SECONDS")
    MAIL_BATCH_SIZE: PositiveInt = Field(50, alias="AIRM_MAIL_BATCH_SIZE")
    MAIL_POLL_SECONDS: PositiveInt = Field(5, alias="AIRM_MAIL_POLL_SECONDS")
    MAIL_DEFAULT_SENDER: str = Field("airm-training@localhost", alias="MAIL_DEFAULT_SENDER")
    MAIL_FILE_PATH: Path | None = Field(None, alias="MAIL_FILE_PATH")

    # Personal archives (`airm build-archives`): days a built zip stays downloadable,
    # requests per person per 24 hours, the estimated size up to which the request builds it
    # at once (0: always the worker), build attempts before giving up, jobs per round and
    # the pause between rounds of `build-archives --loop`.
    ARCHIVE_DAYS: PositiveInt = Field(7, alias="AIRM_ARCHIVE_DAYS")
    ARCHIVE_REQUESTS_PER_DAY: PositiveInt = Field(3, alias="AIRM_ARCHIVE_REQUESTS_PER_DAY")
    ARCHIVE_INLINE_MAX_MB: Annotated[float, Field(ge=0)] = Field(
        2, alias="AIRM_ARCHIVE_INLINE_MAX_MB"
    )
    ARCHIVE_MAX_ATTEMPTS: PositiveInt = Field(5, alias="AIRM_ARCHIVE_MAX_ATTEMPTS")
    ARCHIVE_BATCH_SIZE: PositiveInt = Field(5, alias="AIRM_ARCHIVE_BATCH_SIZE")
    ARCHIVE_POLL_SECONDS: PositiveInt = Field(10, alias="AIRM_ARCHIVE_POLL_SECONDS")

    RATELIMIT_STORAGE_URI: Annotated[str, AfterValidator(_storage_uri)] = Field(
        "memory://", alias="RATELIMIT_STORAGE_URI"
    )
    LOGIN_RATE_LIMIT: RateLimit = Field("10 per minute;30 per hour", alias="AIRM_LOGIN_RATE_LIMIT")
    VERIFY_RATE_LIMIT: RateLimit = Field("60 per minute", alias="AIRM_VERIFY_RATE_LIMIT")

    LOG_LEVEL: Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], BeforeValidator(_upper)] = (
        Field("INFO", alias="AIRM_LOG_LEVEL")
    )
    # JSON lines (default in production) or plain text (default elsewhere).
    LOG_FORMAT: Annotated[Literal["json", "text"] | None, BeforeValidator(_lower)] = Field(
        None, alias="AIRM_LOG_FORMAT"
    )

    # The centre's time zone decides what "today" is (no hours in the future).
    TIMEZONE: TimeZoneName = Field("America/Los_Angeles", alias="AIRM_TIMEZONE")
    # Paper of the PDF documents; empty: the time zone's usual size (Letter in the United
    # States and Canada, A4 in most other places).
    PAPER_SIZE: Annotated[Literal["", "letter", "a4"], BeforeValidator(_lower)] = Field(
        "", alias="AIRM_PAPER_SIZE"
    )
    # Entries submitted more than this many days after the session are flagged as late.
    LATE_ENTRY_DAYS: PositiveInt = Field(30, alias="AIRM_LATE_ENTRY_DAYS")
    MAX_UPLOAD_MB: PositiveInt = Field(5, alias="AIRM_MAX_UPLOAD_MB")
    HOURS_CSV_MAX_ROWS: PositiveInt = Field(10_000, alias="AIRM_HOURS_CSV_MAX_ROWS")
    CASE_PDF_MAX_MB: PositiveInt = Field(4, alias="AIRM_CASE_PDF_MAX_MB")
    # Supporting documents (PDF, PNG, JPEG), stored cleaned in the database.
    DOCUMENT_MAX_MB: PositiveInt = Field(4, alias="AIRM_DOCUMENT_MAX_MB")

    @model_validator(mode="after")
    def _one_mail_encryption(self) -> Settings:
        if self.MAIL_USE_TLS and self.MAIL_USE_SSL:
            raise ValueError("MAIL_USE_TLS and MAIL_USE_SSL: set at most one of them to true")
        return self


def _default_instance_path() -> Path | None:
    """The checkout's ``instance/`` when run from the source tree; else Flask's default
    (``<prefix>/var/airm_training-instance``)."""
    return PROJECT_ROOT / "instance" if running_from_checkout() else None


def _derived(settings: Settings) -> dict[str, Any]:
    """Flask keys computed from the variables, with the defaults of each environment."""
    env = settings.ENV_NAME
    instance = settings.INSTANCE_PATH or _default_instance_path()
    sqlite_dir = instance or Path.cwd() / "instance"
    two_factor = settings.TWO_FACTOR_REQUIRED
    return {
        "INSTANCE_PATH": str(instance) if instance else None,
        "SQLALCHEMY_DATABASE_URI": settings.DATABASE_URL
        or f"sqlite:///{sqlite_dir / 'airm.sqlite3'}",
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=settings.SESSION_MINUTES),
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=settings.IDLE_MINUTES),
        "TWO_FACTOR_REQUIRED": (env == "production") if two_factor is None else two_factor,
        "KEYS_AUTO_GENERATE": (env != "production")
        if settings.KEYS_AUTO_GENERATE is None
        else settings.KEYS_AUTO_GENERATE,
        "INVITE_TOKEN_MAX_AGE": settings.INVITE_HOURS * 3600,
        "RESET_TOKEN_MAX_AGE": settings.RESET_MINUTES * 60,
        "MAIL_BACKEND": settings.MAIL_BACKEND or ("console" if env == "development" else "smtp"),
        "MAIL_FILE_PATH": str(settings.MAIL_FILE_PATH) if settings.MAIL_FILE_PATH else None,
        "LOG_FORMAT": settings.LOG_FORMAT or ("json" if env == "production" else "text"),
        "MAX_CONTENT_LENGTH": settings.MAX_UPLOAD_MB * 1024 * 1024,
        "CASE_PDF_MAX_BYTES": settings.CASE_PDF_MAX_MB * 1024 * 1024,
        "DOCUMENT_MAX_BYTES": settings.DOCUMENT_MAX_MB * 1024 * 1024,
        "ARCHIVE_INLINE_MAX_BYTES": int(settings.ARCHIVE_INLINE_MAX_MB * 1024 * 1024),
        "TRUSTED_HOSTS": settings.TRUSTED_HOSTS or None,
    }


# Fixed settings of each environment (not read from the environment).
COMMON = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # Passwords: werkzeug's scrypt unless a test config asks for something cheaper.
    "PASSWORD_HASH_METHOD": "scrypt",  # nosec B105  # an algorithm name
    "RATELIMIT_HEADERS_ENABLED": True,
    "BOOTSTRAP_SERVE_LOCAL": True,
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
}
PROFILES: dict[str, dict[str, Any]] = {
    "development": {},
    "testing": {
        "TESTING": True,
        "TWO_FACTOR_REQUIRED": False,  # the tests of two-factor sign-in switch it on themselves
        "SECRET_KEY": "testing-secret-key",  # nosec B105  # the test configuration only
        "SECRET_KEY_FALLBACKS": [],
        "MAIL_BACKEND": "locmem",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # nosec B105  # cheap hashing for tests
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": "localhost",
        "PUBLIC_BASE_URL": "",
        "PROXY_COUNT": 0,
        "TRUSTED_HOSTS": None,
    },
    "production": {
        # "__Host-" cookies are only accepted over HTTPS, for path "/" and without a
        # domain, so no other site or subdomain can set or overwrite them.
        "SESSION_COOKIE_NAME": "__Host-session",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_PATH": "/",
        "SESSION_COOKIE_DOMAIN": None,
        "REMEMBER_COOKIE_NAME": "__Host-remember_token",
        "REMEMBER_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_PATH": "/",
        "REMEMBER_COOKIE_DOMAIN": None,
        "PREFERRED_URL_SCHEME": "https",
    },
}


# What is accepted, for pydantic's errors whose message does not say it.
ACCEPTED = {
    "bool_parsing": "accepted: true, false, 1, 0, yes, no, on, off",
    "int_parsing": "accepted: a whole number",
    "int_from_float": "accepted: a whole number",
}


def _describe(error: dict) -> str:
    variable = error["loc"][0] if error["loc"] else "configuration"
    reason = ACCEPTED.get(error["type"]) or error["msg"].removeprefix("Value error, ")
    if not error["loc"]:
        return f"Invalid configuration: {reason}"
    value = os.environ.get(variable, error["input"])  # as typed, before any normalising
    return f"Invalid configuration: {variable}={value!r} is not accepted: {reason}"


def read_settings(env_name: str | None = None) -> Settings:
    """The environment's variables, validated; ``ConfigError`` names every bad one."""
    try:
        settings = Settings()
    except ValidationError as error:
        raise ConfigError(
            "\n".join(_describe(item) for item in error.errors(include_url=False))
        ) from None
    if env_name is not None:
        if env_name not in ENVIRONMENTS:
            raise ConfigError(
                f"Invalid configuration: AIRM_ENV={env_name!r} is not accepted: "
                f"use one of {', '.join(ENVIRONMENTS)}"
            )
        settings = settings.model_copy(update={"ENV_NAME": env_name})
    return settings


def flask_config(env_name: str | None = None, **overrides: Any) -> dict[str, Any]:
    """The Flask config of ``env_name`` (default: ``AIRM_ENV``): variables, the defaults
    of the environment, its fixed settings, then ``overrides``; checked for production."""
    settings = read_settings(env_name)
    config: dict[str, Any] = {**COMMON, **settings.model_dump(exclude={"DATABASE_URL"})}
    config.update(_derived(settings))
    if settings.ENV_NAME == "testing":
        config.update(_testing_from_environment())
    config.update(PROFILES[settings.ENV_NAME])
    config.update(overrides)
    if config["ENV_NAME"] == "production":
        check_production(config)
    return config


def _testing_from_environment() -> dict[str, str]:
    """The test suite's own database and signing keys."""
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get("AIRM_TEST_DATABASE_URL", "sqlite://"),
        "KEYS_DIR": os.environ.get(
            "AIRM_TEST_KEYS_DIR", str(PROJECT_ROOT / "instance" / "test-keys")
        ),
    }


def check_production(config: dict[str, Any]) -> None:
    """What production refuses to start without: a real secret key, the public address."""
    key = config.get("SECRET_KEY") or ""
    if key == DEFAULT_SECRET_KEY or len(key) < 32:
        raise ConfigError(
            "Refusing to start in production without a real SECRET_KEY. Set the SECRET_KEY "
            "environment variable to a random value of at least 32 characters, e.g. the "
            'output of: python -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    if not config.get("PUBLIC_BASE_URL"):
        raise ConfigError(
            "Invalid configuration: AIRM_PUBLIC_BASE_URL is required in production: the "
            "site's public address, e.g. https://training.example.org (every e-mail link "
            "starts with it)"
        )
