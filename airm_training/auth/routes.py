"""Sign in, sign out, accept an invitation, reset a password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from airm_training.audit.services import record_event
from airm_training.auth.forms import LoginForm, RequestResetForm, SetPasswordForm
from airm_training.auth.services import SignInRefused, authenticate, send_link
from airm_training.auth.tokens import TokenError, TokenPurpose, person_for_token
from airm_training.core.errors import DomainError
from airm_training.core.forms import show_problems
from airm_training.core.permissions import public
from airm_training.extensions import db, limiter
from airm_training.people.services import end_sessions, find_by_email, set_password

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (no scheme, no host, no ``//``) may be a redirect target."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            person = authenticate(form.email.data, form.password.data)
        except SignInRefused as refusal:
            db.session.commit()  # keep the audit record of the failed attempt
            form.password.errors.append(str(refusal))
        else:
            db.session.commit()
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
            login_user(person, remember=False)
            flash(f"Welcome, {person.full_name}.", "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out and end every session of this person (all devices)."""
    person = current_user._get_current_object()
    end_sessions(person)
    record_event("auth.logout", "person", person.id, actor_id=person.id)
    db.session.commit()
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
def accept_invite(token: str):
    return _set_password_from_link(token, TokenPurpose.INVITE)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    return _set_password_from_link(token, TokenPurpose.RESET)


def _set_password_from_link(token: str, purpose: TokenPurpose):
    try:
        person = person_for_token(token, purpose)
    except TokenError as error:
        return render_template("auth/link_invalid.html", reason=error.reason), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            set_password(person, form.password.data, actor_id=person.id)
        except DomainError as error:
            db.session.rollback()
            show_problems(form, error)
        else:
            db.session.commit()
            logout_user()
            flash("Your password is set. Sign in with it now.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, person=person, purpose=purpose)


@bp.route("/reset", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def request_reset():
    form = RequestResetForm()
    if form.validate_on_submit():
        person = find_by_email(form.email.data)
        if person is not None and person.active:
            send_link(person, TokenPurpose.RESET)
            record_event("auth.reset_requested", "person", person.id, actor_id=None)
            db.session.commit()
        # The same answer whether or not the address has an account.
        flash("If that address has an account, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/request_reset.html", form=form)
