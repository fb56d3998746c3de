"""Logs an operator can use: JSON lines (or plain text) with the request id on every line,
one access line per request, and named events (sign-in refused, rate limit, server error).

Lines carry routes (``/auth/reset/<token>``), never the path a token or code was typed
into, and never a form field, so no password, token, note or record text reaches them."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter

LOGGER_NAME = "airm_training"
REQUEST_ID_HEADER = "X-Request-ID"
# An id handed in by the proxy (nginx's $request_id is 32 hex digits) is kept if it looks
# like one; anything else is replaced.
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_HANDLER_NAME = "airm-stream"
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s %(request_id)s"
JSON_RENAMED = {"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"}

access_log = logging.getLogger(f"{LOGGER_NAME}.access")
auth_log = logging.getLogger(f"{LOGGER_NAME}.auth")
limits_log = logging.getLogger(f"{LOGGER_NAME}.limits")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``None`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


def json_formatter() -> logging.Formatter:
    return JsonFormatter(JSON_FIELDS, rename_fields=JSON_RENAMED)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the moment (the journal under systemd)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        """The stream is always the current standard error."""


def make_handler(log_format: str) -> logging.Handler:
    """A handler on standard error in ``log_format``."""
    handler = StderrHandler()
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        json_formatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    return handler


def route_of_request() -> str | None:
    """The matched route pattern, never the raw path (which may hold a token)."""
    rule = request.url_rule
    return rule.rule if rule is not None else None


def register_logging(app: Flask) -> None:
    """One handler on the root logger, in the configured format (so that the libraries'
    log lines and Python warnings are JSON lines too); the app's loggers at the configured
    level. Each request
    gets an id (kept from the proxy's ``X-Request-ID`` if well formed), sent back in that
    header, and one access line."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(make_handler(app.config["LOG_FORMAT"]))
    logging.captureWarnings(True)
    logger = logging.getLogger(LOGGER_NAME)
    logger.removeHandler(default_handler)
    logger.setLevel(app.config["LOG_LEVEL"])

    app.before_request(_start_request)
    app.after_request(_finish_request)


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    access_log.info(
        "request",
        extra={
            "method": request.method,
            "route": route_of_request(),
            "endpoint": request.endpoint,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "client": request.remote_addr,
        },
    )
    return response


def log_sign_in_refused(step: str) -> None:
    """A failed password or second-factor code (which account is in the audit trail)."""
    auth_log.warning(
        "sign-in refused",
        extra={"event": "sign_in_refused", "step": step, "client": request.remote_addr},
    )


def log_rate_limited(limit: str | None) -> None:
    limits_log.warning(
        "rate limit exceeded",
        extra={
            "event": "rate_limited",
            "limit": limit,
            "route": route_of_request(),
            "client": request.remote_addr,
        },
    )


def log_server_error(app: Flask, exc_info) -> None:
    """Replaces Flask's ``Exception on <path>`` line: the route, not the path."""
    app.logger.error(
        "Exception on %s [%s]",
        route_of_request() or "(no route)",
        request.method,
        exc_info=exc_info,
        extra={"event": "server_error", "status": 500},
    )
