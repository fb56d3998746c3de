"""The home page of each role (``/healthz`` and ``/readyz`` are in ``health.py``)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from airm_training.access.needs import CANDIDATE, CO_CREATOR, DIRECTOR, SUPERVISOR
from airm_training.access.signed_in import person_is_supervisor
from airm_training.core import brand
from airm_training.core.clock import today
from airm_training.core.forms import ActionForm
from airm_training.core.pagination import paginate
from airm_training.core.permissions import public, requires
from airm_training.credentials.services import enrolment_of
from airm_training.main.overview import director_home_reads, director_overview
from airm_training.notifications.links import register_target
from airm_training.people.models import Role
from airm_training.people.queries import primary_supervisor_of
from airm_training.progression.charts import chart_legend, hours_chart_svg, monthly_signed_hours
from airm_training.progression.engine import evaluate, next_level
from airm_training.progression.holdings import Holdings, holdings_of
from airm_training.progression.models import OPEN_STATUSES, Application
from airm_training.progression.queries import applications_of, certificates_of
from airm_training.progression.reinstatement import reinstatement_standing
from airm_training.progression.renewal import renewal_standing
from airm_training.progression.services import open_application
from airm_training.reports import work

bp = Blueprint("main", __name__)
# Renewal is offered on one's own home page (its renewal panel), so the link has no id.
register_target("renewal", "main.home", "person_id")
BOARD_PAGE_SIZE = 25


@bp.route("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return redirect(url_for("auth.login"))


@bp.route("/home")
def home():
    """Send each person to the home page of their principal role."""
    person = current_user
    if person.has_role(Role.DIRECTOR, Role.ADMIN):
        return redirect(url_for("main.director_home"))
    if person.has_role(Role.CO_CREATOR):
        return redirect(url_for("main.board_home"))
    if person_is_supervisor(person):
        return redirect(url_for("main.supervisor_home"))
    if person.has_role(Role.CANDIDATE):
        return redirect(url_for("main.candidate_home"))
    return render_template("main/no_role.html")


@bp.route("/candidate")
@requires(CANDIDATE)
def candidate_home():
    rules = next_level(current_user)
    standing = evaluate(current_user, rules) if rules else None
    monthly = monthly_signed_hours(current_user.id)
    past = applications_of(current_user.id)
    application = next((a for a in past if a.state in OPEN_STATUSES), None)
    unmet = sum(not r.met for r in standing.evidence_results) if standing else None
    holdings = holdings_of(current_user.id)
    return render_template(
        "main/candidate_home.html",
        queue=work.candidate_queue(current_user.id, unmet, today()),
        enrolment=enrolment_of(current_user),
        supervisor=primary_supervisor_of(current_user),
        awards=holdings.awards,
        standing=standing,
        application=application,
        **_renewal_context(application, holdings),
        past_applications=past,
        certificates=certificates_of(current_user.id),
        monthly=monthly,
        chart=hours_chart_svg(monthly),
        legend=chart_legend(monthly),
        # What each unmet requirement's link says and where it leads.
        links={
            "module": (url_for("curriculum.index"), "open the curriculum"),
            "assessment": (url_for("assessments.mine"), "quizzes and case presentations"),
            "evaluation": (url_for("assessments.mine"), "your evaluations"),
            "hours": (url_for("hours.new"), "log hours"),
        },
    )


@bp.route("/supervision")
@requires(SUPERVISOR)
def supervisor_home():
    holdings = holdings_of(current_user.id)
    return render_template(
        "main/supervisor_home.html",
        awards=holdings.awards,
        queue=work.supervisor_queue(current_user.id, today()),
        **_renewal_context(open_application(current_user.id), holdings),
    )


def _renewal_context(
    application: Application | None,
    holdings: Holdings | None = None,
    *,
    only_when_due: bool = False,
) -> dict:
    """The renewal panel's values; ``application`` is the person's open one (or None),
    ``holdings`` their awards when the page has read them (else read here, once).
    ``only_when_due``: for pages about other work (the director's, the board's), the
    panel appears once the renewal window has opened (in grace too) or the credential
    has lapsed, not months before."""
    holdings = holdings if holdings is not None else holdings_of(current_user.id)
    renewal = renewal_standing(current_user, holdings, only_when_due=only_when_due)
    return {
        "renewal": renewal,
        "reinstatement": reinstatement_standing(current_user, holdings=holdings),
        "open_application": application,
        "renewal_form": ActionForm(),
    }


@bp.route("/board")
@requires(CO_CREATOR)
def board_home():
    mine = request.args.get("waiting") == "you"
    queue = work.board_queue(current_user.id, today())
    page = paginate(
        work.board_query(waiting_for=current_user.id if mine else None),
        per_page=BOARD_PAGE_SIZE,
        total=work.board_list_total(queue, waiting_for_you=mine),
    )
    rows = work.board_rows(page.items, current_user.id, today())
    return render_template(
        "main/board_home.html",
        page=page,
        rows=rows,
        queue=queue,
        waiting_for_you=mine,
        **_renewal_context(open_application(current_user.id), only_when_due=True),
    )


@bp.route("/director")
@requires(DIRECTOR)
def director_home():
    day = today()
    read = director_home_reads(day)
    return render_template(
        "main/director_home.html",
        queue=work.director_queue(day, read),
        overview=director_overview(read),
        **_renewal_context(open_application(current_user.id), only_when_due=True),
    )


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico whatever the page says; answer with the SVG."""
    return redirect(url_for("static", filename="brand/favicon.svg"), code=301)


@bp.route("/design")
def design():
    """Every component of the design system, as the pages use it (docs/design.md)."""
    from airm_training.main.design import sample_chart

    return render_template("main/design.html", tokens=brand.TOKENS, **sample_chart())
