"""Sign in, sign out, accept an invitation, reset a password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from airm_training.audit.services import record_event
from airm_training.auth.forms import CodeForm, LoginForm, RequestResetForm, SetPasswordForm
from airm_training.auth.services import (
    SignInRefused,
    authenticate,
    complete_sign_in,
    request_password_reset,
)
from airm_training.auth.sessions import (
    begin_second_step,
    end_session,
    pending_next,
    pending_person,
    start_session,
)
from airm_training.auth.tokens import TokenError, TokenPurpose, person_for_token
from airm_training.auth.two_factor import is_enrolled, must_enrol, verify_second_factor
from airm_training.core.logs import log_sign_in_refused
from airm_training.core.permissions import public
from airm_training.core.work import unit_of_work
from airm_training.extensions import limiter
from airm_training.people.services import end_sessions, set_password

bp = Blueprint("auth", __name__, url_prefix="/auth")


def login_limit() -> str:
    """Attempts allowed per client at anything that checks a password or a code."""
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
@limiter.limit(login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        # keep the audit record of the failed attempt
        with unit_of_work(keep_refused=True, refusals=(SignInRefused,)) as work:
            person = authenticate(form.email.data, form.password.data)
        if isinstance(work.error, SignInRefused):
            log_sign_in_refused("password")
            form.password.errors.append(str(work.error))
        elif work.ok:
            next_path = _safe_next(request.args.get("next"))
            if is_enrolled(person):
                begin_second_step(person, next_path)
                return redirect(url_for("auth.two_factor"))
            return _signed_in(person, next_path)
    return render_template("auth/login.html", form=form)


@bp.route("/two-factor", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def two_factor():
    """The second step of signing in: a code from the app or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    person = pending_person()
    if person is None:
        flash("Sign in with your e-mail and password first.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        with unit_of_work(
            form, keep_refused=True
        ) as work:  # keep the audit record of the wrong code
            method = verify_second_factor(person, form.code.data, purpose="sign-in")
        if work.error is not None:
            log_sign_in_refused("second factor")
        if work.ok:
            return _signed_in(person, pending_next(), second_factor=method)
    return render_template("auth/two_factor.html", form=form)


def _signed_in(person, next_path: str | None, *, second_factor: str | None = None):
    """Every step passed: record it, start a fresh session, go where the person was going."""
    with unit_of_work() as work:
        complete_sign_in(person, second_factor=second_factor)
    if not work.ok:
        return redirect(url_for("auth.login"))
    start_session(person)
    flash(f"Welcome, {person.full_name}.", "success")
    if second_factor == "recovery":
        flash("You used a recovery code; each works only once.", "warning")
    if must_enrol(person):
        return redirect(url_for("auth.two_factor_setup"))
    return redirect(next_path or url_for("main.home"))


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out and end every session of this person (all devices)."""
    person = current_user._get_current_object()
    with unit_of_work():
        end_sessions(person)
        record_event("auth.logout", "person", person.id, actor_id=person.id)
    end_session()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/session/keep", methods=["POST"])
def keep_session():
    """ "Stay signed in": the request itself renews the idle timer (enforce_session_limits)."""
    return "", 204


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
        with unit_of_work(form) as work:
            set_password(person, form.password.data, actor_id=person.id)
        if work.ok:
            end_session()
            flash("Your password is set. Sign in with it now.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, person=person, purpose=purpose)


@bp.route("/reset", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def request_reset():
    form = RequestResetForm()
    if form.validate_on_submit():
        with unit_of_work():
            request_password_reset(form.email.data)
        # The same answer, after the same work, whether or not the address has an account;
        # the e-mail waits in the outbox, so the mail server's state does not show either.
        flash("If that address has an account, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/request_reset.html", form=form)
