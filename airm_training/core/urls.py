"""Absolute URLs for e-mails and printed documents."""

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for


def site_base_url() -> str:
    """``PUBLIC_BASE_URL``, else the request's own root URL (for building links later)."""
    return current_app.config.get("PUBLIC_BASE_URL") or (
        request.url_root if has_request_context() else ""
    )


def external_url(endpoint: str, *, _base: str | None = None, **values) -> str:
    """An absolute URL on ``_base`` or ``PUBLIC_BASE_URL`` when configured (behind a
    proxy), else on the request's host. Outside a request (commands, cron) without either,
    or a ``SERVER_NAME``, it falls back to ``http://localhost``."""
    base = _base or current_app.config.get("PUBLIC_BASE_URL")
    if not base and (has_request_context() or current_app.config.get("SERVER_NAME")):
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base or "http://localhost")
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
