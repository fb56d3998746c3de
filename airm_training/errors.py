"""Friendly error pages; JSON for API clients."""

from __future__ import annotations

from flask import Flask, g, render_template, request
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import SecurityError

from airm_training.core.logs import log_rate_limited
from airm_training.extensions import db


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.path.endswith(".json")


def register_errorhandlers(app: Flask) -> None:
    """403, 404, 429 and 500 pages; a 500 never shows a traceback."""

    def render(status: int, **context):
        if _wants_json():
            body = {"error": context.get("title", "Error")}
            if context.get("reference"):
                body["reference"] = context["reference"]
            return body, status
        if isinstance(request.routing_exception, SecurityError):  # a host not in TRUSTED_HOSTS
            return context.get("title", "Error"), status, {"Content-Type": "text/plain"}
        return render_template("errors/error.html", status=status, **context), status

    @app.errorhandler(400)
    def bad_request(_error):
        return render(
            400,
            title="That request could not be understood",
            message="Something in the request was missing or malformed. "
            "Go back, reload the page and try again.",
        )

    @app.errorhandler(403)
    def forbidden(_error):
        need = g.get("missing_need")
        message = (
            f"This page is for {need.description}."
            if need
            else g.get("refusal") or "You may not open this record: it belongs to someone else."
        )
        return render(403, title="You don't have access to this page", message=message)

    @app.errorhandler(404)
    def not_found(_error):
        return render(
            404,
            title="Page not found",
            message="There is nothing at this address. It may have moved or never existed.",
        )

    @app.errorhandler(413)
    def too_large(_error):
        limit = app.config.get("MAX_CONTENT_LENGTH") or 0
        return render(
            413,
            title="That upload is too large",
            message=f"Uploads may be at most {limit // (1024 * 1024)} MB. "
            "Nothing was saved: choose a smaller file and try again.",
        )

    @app.errorhandler(RateLimitExceeded)
    def too_many(error):
        log_rate_limited(str(error.limit.limit) if error.limit else None)
        return render(
            429,
            title="Too many attempts",
            message="Too many attempts in a short time. Wait a minute, then try again.",
            limit=str(error.limit.limit) if error.limit else None,
        )

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return render(
            500,
            title="Something went wrong on our side",
            message="The error has been logged. Nothing you did was saved "
            "halfway: try again in a moment.",
            reference=g.get("request_id"),
        )
