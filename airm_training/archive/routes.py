"""The personal archive's pages: one's own (ask, see, download), a director's page for a
person (ask on their behalf, also for a deactivated person), and the download link."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user

from airm_training.access.needs import DIRECTOR, SIGNED_IN
from airm_training.archive.models import ArchiveStatus, PersonalArchive
from airm_training.archive.services import (
    archives_of,
    builds_at_once,
    can_download,
    record_download,
    request_archive,
)
from airm_training.archive.worker import build_one
from airm_training.core.clock import utcnow
from airm_training.core.db import writes
from airm_training.core.forms import ActionForm
from airm_training.core.permissions import requires
from airm_training.core.work import unit_of_work
from airm_training.extensions import db, limiter
from airm_training.people.models import Person

bp = Blueprint("archive", __name__, url_prefix="/archive")
REQUEST_LIMIT = "10 per hour"
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _ask(person: Person) -> bool:
    """Request the archive (one unit of work); build a small one at once (the worker's
    own step, which commits its outcome). True when asked."""
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work() as work:
        archive = request_archive(current_user, person)
    if not work.ok:
        return False
    if builds_at_once(person) and build_one(archive.id) is ArchiveStatus.READY:
        flash("The archive is ready to download.", "success")
    else:
        flash("The archive is being prepared; it appears here when ready.", "success")
    return True


@bp.route("/", methods=["GET", "POST"])
@requires(SIGNED_IN)
@limiter.limit(REQUEST_LIMIT, methods=["POST"])
def mine():
    person = db.session.get(Person, current_user.id)
    if ActionForm().is_submitted():
        _ask(person)
        return redirect(url_for("archive.mine"))
    return render_template(
        "archive/mine.html",
        archives=archives_of(person.id, requested_by_staff=False),
        now=utcnow(),
        action=ActionForm(),
    )


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
@requires(DIRECTOR)
@limiter.limit(REQUEST_LIMIT, methods=["POST"])
def for_person(person_id: int):
    person = db.get_or_404(Person, person_id)
    if ActionForm().is_submitted():
        _ask(person)
        return redirect(url_for("archive.for_person", person_id=person.id))
    return render_template(
        "archive/person.html",
        person=person,
        archives=archives_of(person.id, requested_by_staff=True),
        now=utcnow(),
        action=ActionForm(),
    )


@bp.route("/<code>.zip")
@writes  # each download is counted and audited
@requires(SIGNED_IN)
def download(code: str):
    if not CODE_PATTERN.match(code):
        abort(404)
    archive = db.session.query(PersonalArchive).filter_by(code=code).one_or_none()
    if archive is None:
        abort(404)
    if not can_download(current_user, archive):
        g.refusal = "This archive is not yours to download."
        abort(403)
    state = archive.state(utcnow())
    if state is ArchiveStatus.EXPIRED:
        return _expired(archive)
    if state is not ArchiveStatus.READY:
        abort(404)
    with unit_of_work() as work:
        record_download(current_user, archive)
        content = archive.content
    if not work.ok:
        abort(404)
    filename = f"airm-archive-{archive.person_id}-{archive.built_at:%Y%m%d}.zip"
    return Response(
        content,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _expired(archive: PersonalArchive) -> tuple[str, int]:
    return render_template("archive/expired.html", archive=archive), 410
