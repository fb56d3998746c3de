"""Absolute URLs for e-mails and printed documents."""

from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    """An absolute URL, on ``PUBLIC_BASE_URL`` when configured (behind a proxy)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
