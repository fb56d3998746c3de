"""A director's bulk invitations: upload, the per-row report, the list and resend."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from airm_training.access.needs import DIRECTOR
from airm_training.core.csv_upload import ImportRejected
from airm_training.core.forms import ActionForm
from airm_training.core.pagination import paginate
from airm_training.core.permissions import requires
from airm_training.core.work import unit_of_work
from airm_training.extensions import db, limiter
from airm_training.invitations.forms import BulkInviteForm
from airm_training.invitations.models import Invitation
from airm_training.invitations.services import (
    COLUMNS,
    can_resend,
    invitations_query,
    invite_from_csv,
    resend,
    state_of,
    template_csv,
)

bp = Blueprint("invitations", __name__, url_prefix="/people/invitations")
RESEND_LIMIT = "20 per hour"


@bp.route("/", methods=["GET", "POST"])
@requires(DIRECTOR)
def index():
    form = BulkInviteForm()
    problems = []
    if form.validate_on_submit():
        with unit_of_work(
            conflict="Someone with one of these e-mail addresses was just invited.",
            refusals=(ImportRejected,),
        ) as work:
            invited = invite_from_csv(current_user, form.file.data.read())
        if isinstance(work.error, ImportRejected):
            problems = work.error.problems
        elif work.ok:
            flash(f"Invited {len(invited)} people; the e-mails are on their way.", "success")
            return redirect(url_for("invitations.index"))
    page = paginate(invitations_query(), per_page=50)
    return render_template(
        "invitations/index.html",
        form=form,
        problems=problems,
        page=page,
        columns=COLUMNS,
        state_of=state_of,
        can_resend=can_resend,
        action=ActionForm(),
    )


@bp.route("/template.csv")
@requires(DIRECTOR)
def csv_template():
    return Response(
        template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="airm-invitations-template.csv"'},
    )


@bp.route("/<int:invitation_id>/resend", methods=["POST"])
@requires(DIRECTOR)
@limiter.limit(RESEND_LIMIT)
def resend_invitation(invitation_id: int):
    invitation = db.get_or_404(Invitation, invitation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work() as work:
        resend(current_user, invitation)
    if work.ok:
        flash(f"Invitation sent again to {invitation.person.email}.", "success")
    return redirect(url_for("invitations.index"))
