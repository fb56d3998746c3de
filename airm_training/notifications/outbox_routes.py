"""The directors' page of e-mail delivery: what waits in the outbox and what failed. It
needs a director, so it sits above the notifications floor (it imports ``access``)."""

from __future__ import annotations

from flask import render_template

from airm_training.access.needs import DIRECTOR
from airm_training.core.permissions import requires
from airm_training.notifications.mailer import failed_messages, outbox_counts
from airm_training.notifications.routes import bp


@bp.route("/outbox")
@requires(DIRECTOR)
def outbox():
    """What the mail worker has yet to deliver and what it could not deliver."""
    return render_template(
        "notifications/outbox.html", counts=outbox_counts(), failed=failed_messages()
    )
