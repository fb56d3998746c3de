"""One's own signature image: the page with its preview, uploading (or replacing) it,
the image itself, and removing it after a confirmation."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from airm_training.access.needs import SIGNATORY
from airm_training.core.forms import ActionForm
from airm_training.core.permissions import requires
from airm_training.core.work import unit_of_work
from airm_training.signatures.forms import SignatureForm
from airm_training.signatures.services import (
    MAX_BYTES,
    current_signature,
    remove_signature,
    upload_signature,
)

bp = Blueprint("signatures", __name__, url_prefix="/signature")


@bp.route("/", methods=["GET", "POST"])
@requires(SIGNATORY)
def mine():
    form = SignatureForm()
    if form.validate_on_submit():
        upload = form.file.data
        with unit_of_work(form) as work:
            _image, removed = upload_signature(current_user, upload.read(MAX_BYTES + 1))
        if work.ok:
            flash("Your signature is saved: certificates issued from now on show it.", "success")
            if removed:
                flash(
                    f"Your image was cleaned before it was stored: removed {', '.join(removed)}.",
                    "info",
                )
            return redirect(url_for("signatures.mine"))
    return render_template(
        "signatures/mine.html", form=form, signature=current_signature(current_user.id)
    )


@bp.route("/image")
@requires(SIGNATORY)
def image():
    signature = current_signature(current_user.id)
    if signature is None:
        abort(404)
    return Response(
        signature.content,
        mimetype=signature.content_type,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )


@bp.route("/remove", methods=["GET", "POST"])
@requires(SIGNATORY)
def remove():
    signature = current_signature(current_user.id)
    if signature is None:
        flash("You have no signature image to remove.", "info")
        return redirect(url_for("signatures.mine"))
    form = ActionForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            remove_signature(current_user)
        if work.ok:
            flash(
                "Your signature image is removed: certificates issued from now on print your name.",
                "success",
            )
            return redirect(url_for("signatures.mine"))
    return render_template("signatures/remove.html", form=form, signature=signature)
