"""What a signed-in session holds besides the person: when it began and when it was last
used, checked on the server on every request (absolute and idle timeouts); and the
half-finished sign-in of a person who still has to enter their second factor."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from airm_training.core import clock
from airm_training.core.permissions import PUBLIC, declared_need
from airm_training.extensions import db
from airm_training.people.models import Person

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
PENDING = "pending_sign_in"
PENDING_SECONDS = 5 * 60  # time allowed between the password and the code
UNCHECKED_ENDPOINTS = {None, "static", "bootstrap.static"}


def _now() -> int:
    """Seconds since the epoch, from the one clock every rule uses."""
    return int(clock.utcnow().replace(tzinfo=UTC).timestamp())


def start_session(person: Person, *, signed_in_at: int | None = None) -> None:
    """Sign ``person`` in on a fresh session: whatever the session held before (including a
    value planted by someone else) is dropped, so its cookie and CSRF token change."""
    _clear_session()
    session.permanent = True  # the cookie expires after PERMANENT_SESSION_LIFETIME
    login_user(person, remember=False)
    now = _now()
    session[SIGNED_IN_AT] = signed_in_at if signed_in_at is not None else now
    session[SEEN_AT] = now


def restart_session(person: Person) -> None:
    """After the person's own change that ended all their sessions (a new password, two-factor
    turned on or off): keep this device signed in, with its original sign-in time."""
    signed_in_at = session.get(SIGNED_IN_AT)
    start_session(person, signed_in_at=signed_in_at if isinstance(signed_in_at, int) else None)


def end_session() -> None:
    logout_user()
    _clear_session()


def _clear_session() -> None:
    """Empty the session, and forget the CSRF token cached for this request: a page
    rendered after this (the recovery codes) must carry a token of the new session, or
    its forms, signing out included, would be refused."""
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def expiry_reason(now: int) -> str | None:
    """Why the current session is over, or None while it is still good."""
    config = current_app.config
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    lifetime = int(config["PERMANENT_SESSION_LIFETIME"].total_seconds())
    idle = int(config["SESSION_IDLE_TIMEOUT"].total_seconds())
    if not isinstance(signed_in_at, int) or now - signed_in_at >= lifetime:
        return "Your session has ended. Please sign in again."
    if not isinstance(seen_at, int) or now - seen_at >= idle:
        return f"You were signed out after {idle // 60} minutes without activity."
    return None


def enforce_session_limits():
    """End a session past its absolute or idle limit (before_request); else note the visit."""
    if request.endpoint in UNCHECKED_ENDPOINTS or not current_user.is_authenticated:
        return None
    now = _now()
    reason = expiry_reason(now)
    if reason is None:
        if session.get(SEEN_AT) != now:
            session[SEEN_AT] = now
        return None
    end_session()
    flash(reason, "info")
    view = current_app.view_functions.get(request.endpoint)
    if view is not None and declared_need(view) is PUBLIC:
        return None
    return redirect(url_for("auth.login", next=_page_to_return_to()))


def _page_to_return_to() -> str | None:
    """The page asked for; for a form sent after the session ended, the page it was sent
    from (the browser keeps what was typed and puts it back there after sign-in)."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc and referrer.netloc != request.host:
        return None
    return referrer.path or None


# --- between the password and the second factor ---------------------------------------------
def begin_second_step(person: Person, next_path: str | None) -> None:
    """Remember, on a fresh session, who gave the right password (not yet signed in)."""
    session.clear()
    session[PENDING] = {"p": person.id, "v": person.session_version, "t": _now(), "n": next_path}


def pending_person() -> Person | None:
    """The person half-way through signing in, if their password step is recent."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("p"), int):
        return None
    if _now() - int(pending.get("t", 0)) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    person = db.session.get(Person, pending["p"])
    if person is None or not person.active or person.session_version != pending.get("v"):
        return None
    return person


def pending_next() -> str | None:
    pending = session.get(PENDING)
    return pending.get("n") if isinstance(pending, dict) else None


# --- two-factor sign-in required but not set up -----------------------------------------------
ALLOWED_BEFORE_ENROLMENT = {"auth.two_factor_setup", "auth.logout"}


def enforce_two_factor_enrolment():
    """A person whose role requires two-factor sign-in opens nothing but its set-up page
    until it is done (before_request)."""
    from airm_training.auth.two_factor import must_enrol

    endpoint = request.endpoint
    if endpoint in UNCHECKED_ENDPOINTS or endpoint in ALLOWED_BEFORE_ENROLMENT:
        return None
    if not current_user.is_authenticated or not must_enrol(current_user):
        return None
    return redirect(url_for("auth.two_factor_setup"))  # the page says why
