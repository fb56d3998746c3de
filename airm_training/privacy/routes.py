"""The privacy sweep for directors, and each person's own flagged texts with redaction."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from airm_training.access.needs import DIRECTOR
from airm_training.core.forms import ActionForm
from airm_training.core.input import id_value
from airm_training.core.permissions import SIGNED_IN, requires
from airm_training.core.work import unit_of_work
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.privacy.redaction import NotOwner, redact
from airm_training.privacy.sweep import SOURCE_BY_KEY, SOURCES, sweep

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


@bp.route("/sweep")
@requires(DIRECTOR)
def sweep_page():
    rows = list(sweep())
    owner_ids = {row.owner_id for row in rows if row.owner_id}
    owners = {
        person.id: person
        for person in db.session.scalars(sa.select(Person).where(Person.id.in_(owner_ids)))
    }
    return render_template("privacy/sweep.html", rows=rows, owners=owners, sources=SOURCES)


@bp.route("/mine")
@requires(SIGNED_IN)
def mine():
    rows = list(sweep(owner_id=current_user.id))
    return render_template("privacy/mine.html", rows=rows, action_form=ActionForm())


@bp.route("/redact", methods=["POST"])
@requires(SIGNED_IN)
def redact_text():
    if not ActionForm().validate_on_submit():
        abort(400)
    key = request.form.get("source", "")
    object_id = request.form.get("object_id", type=id_value)
    if key not in SOURCE_BY_KEY or object_id is None:
        abort(400)
    with unit_of_work(refusals=(NotOwner,)) as work:
        amendment = redact(current_user, key, object_id, request.form.get("part", "")[:40])
    if isinstance(work.error, NotOwner):
        abort(403)
    if work.ok:
        flash(
            "An amendment without the flagged text was sent to your supervisor for signature."
            if amendment
            else "The flagged text was removed.",
            "success",
        )
    return redirect(url_for("privacy.mine"))
