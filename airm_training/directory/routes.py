"""The public directory (anyone, rate-limited, cacheable) and a person's own profile with
its preview."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from airm_training.core.permissions import public
from airm_training.core.work import unit_of_work
from airm_training.directory.forms import DirectoryFilterForm, ProfileForm
from airm_training.directory.models import DirectoryProfile
from airm_training.directory.services import (
    Filters,
    directory_page,
    filter_choices,
    preview_entry,
    profile_of,
    standing_of,
    update_profile,
)
from airm_training.extensions import limiter
from airm_training.privacy.services import confirm_form
from airm_training.programme.services import taxonomy

bp = Blueprint("directory", __name__, url_prefix="/directory")
CACHE_SECONDS = 300


def _limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT"]


@bp.route("/")
@public
@limiter.limit(_limit)
def index():
    levels, jurisdictions = filter_choices()
    form = DirectoryFilterForm(request.args)
    form.credential.choices = [("", "Any credential"), *levels]
    form.location.choices = [("", "Anywhere"), *((j, j) for j in jurisdictions)]
    credential = form.credential.data if form.credential.data in dict(levels) else None
    location = form.location.data if form.location.data in jurisdictions else None
    page, entries = directory_page(Filters(credential=credential, location=location))
    response = current_app.make_response(
        render_template(
            "directory/index.html",
            form=form,
            page=page,
            entries=entries,
            filtered=bool(credential or location),
        )
    )
    # Anyone's copy of the page is the same: proxies and browsers may keep it a few
    # minutes and revalidate with the ETag (signed-in pages stay no-store).
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    response.vary.add("Cookie")
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    saved = profile_of(current_user)
    form = ProfileForm(obj=None if request.method == "POST" else saved)
    form.modalities.choices = sorted(taxonomy().modalities)
    shown = saved
    if form.validate_on_submit():
        if form.save.data:
            with unit_of_work(form) as work:
                saved = update_profile(
                    current_user,
                    listed=form.listed.data,
                    bio=form.bio.data or "",
                    modalities=form.modalities.data or [],
                )
                confirm_form(form, "person", current_user.id, actor_id=current_user.id)
            if work.ok:
                flash("Your directory profile is saved.", "success")
                return redirect(url_for("directory.profile"))
        shown = DirectoryProfile(
            person_id=current_user.id,
            listed=form.listed.data,
            bio=(form.bio.data or "").strip(),
            modalities=list(form.modalities.data or []),
        )
    return render_template(
        "directory/profile.html",
        form=form,
        entry=preview_entry(current_user, shown),
        standing=standing_of(current_user, saved),
        previewing=form.preview.data,
    )
