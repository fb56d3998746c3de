"""The Security page of one's own account: password, two-factor sign-in, recovery codes."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from airm_training.auth.forms import (
    ChangePasswordForm,
    ConfirmEnrolmentForm,
    DisableTwoFactorForm,
    RegenerateCodesForm,
)
from airm_training.auth.routes import bp, login_limit
from airm_training.auth.services import change_password as change_password_service
from airm_training.auth.sessions import restart_session
from airm_training.auth.two_factor import (
    RECOVERY_CODE_COUNT,
    begin_enrolment,
    confirm_enrolment,
    disable_two_factor,
    is_enrolled,
    is_required_for,
    provisioning_uri,
    qr_code_svg,
    regenerate_recovery_codes,
    remaining_recovery_codes,
)
from airm_training.core.db import writes
from airm_training.core.work import unit_of_work
from airm_training.extensions import limiter


def _me():
    return current_user._get_current_object()


@bp.route("/security")
def security():
    person = _me()
    enrolled = is_enrolled(person)
    return render_template(
        "auth/security.html",
        enrolled=enrolled,
        required=is_required_for(person),
        remaining=remaining_recovery_codes(person) if enrolled else 0,
    )


@bp.route("/security/password", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])  # guesses of the password or a code
def change_password():
    person = _me()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            change_password_service(
                person, current_password=form.current_password.data, new_password=form.password.data
            )
        if work.ok:
            restart_session(person)
            flash("Your password is changed. Every other device was signed out.", "success")
            return redirect(url_for("auth.security"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/security/two-factor/setup", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])  # guesses of the password or a code
@writes  # the secret is stored on the first visit
def two_factor_setup():
    """Show the secret (QR code and text); a first code from the app turns it on."""
    person = _me()
    if is_enrolled(person):
        flash("Two-factor sign-in is already on.", "info")
        return redirect(url_for("auth.security"))
    with unit_of_work() as work:  # the same secret on every visit until it is confirmed
        credential = begin_enrolment(person)
    if not work.ok:
        return redirect(url_for("auth.security"))
    form = ConfirmEnrolmentForm()
    if form.validate_on_submit():
        with unit_of_work(
            form, keep_refused=True
        ) as work:  # keep the audit record of the wrong code
            codes = confirm_enrolment(person, form.code.data)
        if work.ok:
            restart_session(person)
            flash("Two-factor sign-in is on. Every other device was signed out.", "success")
            return render_template("auth/recovery_codes.html", codes=codes)
    uri = provisioning_uri(person, credential)
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        qr_svg=qr_code_svg(uri),
        secret=credential.secret,
        required=is_required_for(person),
        code_count=RECOVERY_CODE_COUNT,
    )


@bp.route("/security/two-factor/disable", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])  # guesses of the password or a code
def two_factor_disable():
    person = _me()
    if not is_enrolled(person):
        return redirect(url_for("auth.security"))
    form = DisableTwoFactorForm()
    if form.validate_on_submit():
        with unit_of_work(
            form, keep_refused=True
        ) as work:  # keep the audit record of a wrong code (nothing else changed)
            disable_two_factor(person, password=form.password.data, code=form.code.data)
        if work.ok:
            restart_session(person)
            flash("Two-factor sign-in is off. Every other device was signed out.", "success")
            return redirect(url_for("auth.security"))
    return render_template(
        "auth/two_factor_disable.html", form=form, required=is_required_for(person)
    )


@bp.route("/security/recovery-codes", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])  # guesses of the password or a code
def recovery_codes():
    person = _me()
    if not is_enrolled(person):
        return redirect(url_for("auth.security"))
    form = RegenerateCodesForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            codes = regenerate_recovery_codes(person, password=form.password.data)
        if work.ok:
            flash("New recovery codes replace the old ones.", "success")
            return render_template("auth/recovery_codes.html", codes=codes)
    return render_template(
        "auth/regenerate_codes.html", form=form, remaining=remaining_recovery_codes(person)
    )
