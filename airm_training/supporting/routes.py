"""Pages of supporting documents: one's own, uploading, a document with its review, the
file's download, and the directors' review list."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from airm_training.access.needs import DIRECTOR
from airm_training.core.forms import ActionForm
from airm_training.core.input import id_value
from airm_training.core.pagination import paginate
from airm_training.core.permissions import requires
from airm_training.core.work import unit_of_work
from airm_training.extensions import db
from airm_training.notifications.links import register_target
from airm_training.people.models import Person
from airm_training.privacy.services import confirm_form
from airm_training.supporting.forms import NO_LICENCE, RejectForm, UploadForm
from airm_training.supporting.kinds import document_kinds, kind_names
from airm_training.supporting.models import DocumentStatus, SupportingDocument
from airm_training.supporting.queries import documents_of, review_list
from airm_training.supporting.services import approve_document, reject_document, upload_document
from airm_training.supporting.workflow import can_approve, can_reject, can_view

bp = Blueprint("supporting", __name__, url_prefix="/documents")
register_target("supporting_document", "supporting.show", "document_id")
PAGE_SIZE = 25
STATUS_FILTERS = {"pending", "approved", "rejected", "all"}


@bp.route("/")
def mine():
    page = paginate(documents_of(current_user.id), per_page=PAGE_SIZE)
    return render_template("supporting/mine.html", page=page, kinds=kind_names())


def _upload_form() -> UploadForm:
    form = UploadForm()
    form.kind.choices = [SelectChoice(kind.code, kind.name) for kind in document_kinds()]
    form.licence.choices = [SelectChoice(NO_LICENCE, "None (not a licence copy)")] + [
        SelectChoice(licence.id, f"{licence.licence_type} {licence.number}, {licence.jurisdiction}")
        for licence in current_user.licences
    ]
    return form


@bp.route("/new", methods=["GET", "POST"])
def upload():
    form = _upload_form()
    if request.method == "GET" and request.args.get("kind"):
        form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        data = form.to_input()
        with unit_of_work(form) as work:
            document = upload_document(current_user, data)
            confirm_form(form, "supporting_document", document.id, actor_id=current_user.id)
        if work.ok:
            flash("Document uploaded: a director will review it.", "success")
            if data.removed:
                removed = ", ".join(data.removed)
                flash(f"Your file was cleaned before it was stored: removed {removed}.", "info")
            return redirect(url_for("supporting.show", document_id=document.id))
    return render_template(
        "supporting/upload.html",
        form=form,
        kinds=document_kinds(),
        limit_mb=_limit_mb(),
    )


def _limit_mb() -> str:
    return f"{current_app.config['DOCUMENT_MAX_BYTES'] / (1024 * 1024):g}"


def _document_or_403(document_id: int) -> SupportingDocument:
    document = db.get_or_404(SupportingDocument, document_id)
    if not can_view(current_user, document):
        abort(403)
    return document


@bp.route("/<int:document_id>")
def show(document_id: int):
    return _show_page(_document_or_403(document_id), RejectForm())


def _show_page(document: SupportingDocument, reject_form: RejectForm, status: int = 200):
    return (
        render_template(
            "supporting/show.html",
            document=document,
            kind_name=kind_names().get(document.kind, document.kind),
            reject_form=reject_form,
            action_form=ActionForm(),
            may_approve=can_approve(current_user, document),
            may_reject=can_reject(current_user, document),
        ),
        status,
    )


@bp.route("/<int:document_id>/file")
def download(document_id: int):
    document = _document_or_403(document_id)
    return Response(
        document.content,
        mimetype=document.content_type,
        headers={
            "Content-Disposition": (
                f'attachment; filename="document-{document.id}.{document.extension}"'
            ),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/<int:document_id>/approve", methods=["POST"])
@requires(DIRECTOR)
def approve(document_id: int):
    document = _document_or_403(document_id)
    if ActionForm().validate_on_submit():
        with unit_of_work() as work:
            approve_document(current_user, document)
        if work.ok:
            flash("Document approved.", "success")
    else:
        flash("The form expired; nothing was changed. Try again.", "danger")
    return redirect(url_for("supporting.show", document_id=document.id))


@bp.route("/<int:document_id>/reject", methods=["POST"])
@requires(DIRECTOR)
def reject(document_id: int):
    document = _document_or_403(document_id)
    form = RejectForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            reject_document(current_user, document, form.reason.data or "")
            confirm_form(form, "supporting_document", document.id, actor_id=current_user.id)
        if work.ok:
            flash("Document not approved; the person has been told.", "success")
            return redirect(url_for("supporting.show", document_id=document.id))
    return _show_page(document, form, 400)


@bp.route("/review")
@requires(DIRECTOR)
def review():
    status = request.args.get("status", DocumentStatus.PENDING.value)
    if status not in STATUS_FILTERS:
        status = DocumentStatus.PENDING.value
    person_id = request.args.get("person", type=id_value)
    person = db.session.get(Person, person_id) if person_id else None
    page = paginate(
        review_list(None if status == "all" else status, person.id if person else None),
        per_page=PAGE_SIZE,
    )
    return render_template(
        "supporting/review.html",
        page=page,
        status=status,
        person=person,
        kinds=kind_names(),
        statuses=[(s.value, s.label) for s in DocumentStatus] + [("all", "All")],
    )
