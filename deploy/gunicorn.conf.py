"""Gunicorn settings for AIRM Training: ``gunicorn -c /etc/airm/gunicorn.conf.py``.

The environment (``/etc/airm/airm.env`` under systemd) configures the app; this file reads
``AIRM_BIND`` (default 127.0.0.1:8000, where nginx forwards) and ``WEB_CONCURRENCY`` (the
number of workers, default 4). At start the configuration is checked (a bad value stops
gunicorn with one line) and several workers on in-memory rate limits are warned about."""

import logging
import os
import sys

from airm_training.serving import shared_limits_warning
from airm_training.settings import ConfigError, flask_config

wsgi_app = "airm_training:create_app()"
bind = os.environ.get("AIRM_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
timeout = 60
graceful_timeout = 30
# The app writes one JSON access line per request, with its request id.
accesslog = None
errorlog = "-"
# Gunicorn's own lines (start, workers booting or dying) as JSON lines too; the app's
# handler is installed on the root logger by each worker. Python warnings (a library's
# deprecation notice while the app is imported, before the app's handler exists) go
# through the log as JSON lines rather than as raw text on standard error.
logging.captureWarnings(True)
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "airm_training.core.logs.json_formatter"}},
    "filters": {"request_id": {"()": "airm_training.core.logs.RequestIdFilter"}},
    "handlers": {
        "json": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "WARNING", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        "py.warnings": {"level": "WARNING", "handlers": ["json"], "propagate": False},
    },
}


def on_starting(server):
    """Refuse to start on a bad configuration; shout about unshared rate limits."""
    try:
        config = flask_config()
    except ConfigError as error:
        print(error, file=sys.stderr)
        sys.exit(2)
    warning = shared_limits_warning(server.cfg.workers, config["RATELIMIT_STORAGE_URI"])
    if warning:
        server.log.warning(warning)
        print(warning, file=sys.stderr)
