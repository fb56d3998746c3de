"""The directors' page of e-mail delivery: what waits in the outbox and what the mail
worker could not deliver."""

from __future__ import annotations

from flask import render_template

from airm_training.access.needs import DIRECTOR
from airm_training.core.permissions import requires
from airm_training.notifications.mailer import failed_messages, outbox_counts
from airm_training.reports.routes import bp


@bp.route("/mail")
@requires(DIRECTOR)
def mail_delivery():
    return render_template(
        "reports/mail_delivery.html", counts=outbox_counts(), failed=failed_messages()
    )
