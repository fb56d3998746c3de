"""Defence in depth behind the CSRF token: a state-changing request whose ``Origin`` (or,
when a browser sends none, whose ``Referer``) names another site is refused. A request
with neither header (some privacy tools strip both) is left to the CSRF token."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, request

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FOREIGN = "This request came from another site, so it was refused. Use the form on this site."


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origins() -> set[str]:
    """This site's origins: the request's own, and ``PUBLIC_BASE_URL``'s when set."""
    origins = {_origin_of(request.host_url)}
    public = current_app.config.get("PUBLIC_BASE_URL")
    if public:
        origins.add(_origin_of(public))
    return {origin for origin in origins if origin}


def check_origin() -> None:
    """Refuse (403) a state-changing request sent from a page of another origin."""
    if request.method not in STATE_CHANGING:
        return
    origin = request.headers.get("Origin")
    if origin is not None:
        sender = _origin_of(origin) if origin != "null" else None
    else:
        referer = request.headers.get("Referer")
        if referer is None:
            return
        sender = _origin_of(referer)
    if sender not in own_origins():
        g.refusal = FOREIGN
        abort(403)


def register_origin_check(app: Flask) -> None:
    app.before_request(check_origin)
