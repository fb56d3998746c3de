"""Notification pages: the list, opening and marking as read, and the preference."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from airm_training.core.forms import ActionForm
from airm_training.core.pagination import paginate
from airm_training.core.permissions import SIGNED_IN, requires
from airm_training.core.work import unit_of_work
from airm_training.extensions import db
from airm_training.notifications.forms import PreferenceForm
from airm_training.notifications.models import Notification
from airm_training.notifications.services import (
    channel_of,
    link_of,
    mark_all_read,
    mark_read,
    notifications_of,
    set_channel,
)

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PAGE_SIZE = 25


def _own_or_404(notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.person_id != current_user.id:
        abort(404)
    return notification


def _check_action_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _back_to_list():
    page = request.form.get("page", "")
    page = int(page) if page.isascii() and page.isdigit() and len(page) <= 7 else 1
    return redirect(url_for("notifications.index", page=page if page > 1 else None))


@bp.route("/")
@requires(SIGNED_IN)
def index():
    page = paginate(notifications_of(current_user.id), per_page=PAGE_SIZE)
    return render_template("notifications/index.html", page=page, link_of=link_of)


@bp.route("/<int:notification_id>/open", methods=["POST"])
@requires(SIGNED_IN)
def open_(notification_id: int):
    """Mark the notification read and go to what it is about."""
    notification = _own_or_404(notification_id)
    _check_action_form()
    with unit_of_work():
        mark_read(notification, current_user)
    return redirect(link_of(notification))


@bp.route("/<int:notification_id>/read", methods=["POST"])
@requires(SIGNED_IN)
def read(notification_id: int):
    notification = _own_or_404(notification_id)
    _check_action_form()
    with unit_of_work() as work:
        mark_read(notification, current_user)
    if work.ok:
        flash("Marked as read.", "success")
    return _back_to_list()


@bp.route("/read-all", methods=["POST"])
@requires(SIGNED_IN)
def read_all():
    _check_action_form()
    with unit_of_work() as work:
        count = mark_all_read(current_user)
    if not work.ok:
        return _back_to_list()
    if count:
        noun = "notification" if count == 1 else "notifications"
        flash(f"Marked {count} {noun} as read.", "success")
    else:
        flash("Nothing was unread.", "info")
    return _back_to_list()


@bp.route("/preferences", methods=["GET", "POST"])
@requires(SIGNED_IN)
def preferences():
    form = PreferenceForm()
    if request.method == "GET":
        form.channel.data = channel_of(current_user.id).value
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            set_channel(current_user, form.channel.data)
        if work.ok:
            flash("Your notification preference is saved.", "success")
            return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form)
