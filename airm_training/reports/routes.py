"""The director's reports page and one CSV download per report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, Response, abort, flash, render_template, request

from airm_training.access.needs import DIRECTOR
from airm_training.core.clock import today
from airm_training.core.pagination import page_number
from airm_training.core.permissions import requires
from airm_training.reports import queues
from airm_training.reports.charts import bar_chart_svg
from airm_training.reports.forms import ReportSettingsForm
from airm_training.reports.people import PeopleReports
from airm_training.reports.tables import Report

bp = Blueprint("reports", __name__, url_prefix="/reports")

# key → how to build the whole report (lists unabridged) for the CSV download.
EXPORTS: dict[str, Callable[[PeopleReports, date], Report]] = {
    "levels": lambda people, _day: people.levels(),
    "progress": lambda people, _day: people.progress(),
    "near-completion": lambda people, _day: people.near_completion(page=None),
    "stalled": lambda people, _day: people.stalled(page=None),
    "sign-offs": lambda _people, day: queues.pending_signoffs(day),
    "applications": lambda _people, day: queues.waiting_applications(day),
    "expiring": lambda _people, day: queues.expiring(day),
    "certificates": lambda _people, day: queues.certificates_per_month(day),
}


def _settings() -> ReportSettingsForm:
    form = ReportSettingsForm(request.args)
    if request.args and not form.validate():
        flash("The number of days was not understood; showing the default.", "warning")
    return form


@bp.route("/")
@requires(DIRECTOR)
def index():
    form = _settings()
    day = today()
    people = PeopleReports(day, form.stalled_days)
    levels, progress = people.levels(), people.progress()
    certificates = queues.certificates_per_month(day)
    charts = {
        "levels": bar_chart_svg(
            "levels-chart", levels.title, [(row[0], row[2]) for row in levels.rows]
        ),
        "progress": bar_chart_svg(
            "progress-chart",
            progress.title,
            [(_progress_label(row, progress), row[2]) for row in progress.rows],
        ),
        "certificates": bar_chart_svg(
            "certificates-chart",
            certificates.title,
            [
                (date.fromisoformat(f"{row[0]}-01").strftime("%b"), row[1])
                for row in certificates.rows
            ],
        ),
    }
    return render_template(
        "reports/index.html",
        form=form,
        day=day,
        stalled_days=form.stalled_days,
        levels=levels,
        progress=progress,
        near=people.near_completion(page=page_number("near_page")),
        stalled=people.stalled(page=page_number("stalled_page")),
        signoffs=queues.pending_signoffs(day, page_number("signoffs_page")),
        applications=queues.waiting_applications(day, page_number("applications_page")),
        steps=queues.applications_by_step(),
        expiring=queues.expiring(day, page=page_number("expiring_page")),
        certificates=certificates,
        charts=charts,
    )


def _progress_label(row: tuple, report: Report) -> str:
    """The bucket alone when every candidate aims at the same level."""
    if len({r[0] for r in report.rows}) > 1:
        return f"{row[0]} {row[1]}"
    return row[1].split(" (")[0]


@bp.route("/<key>.csv")
@requires(DIRECTOR)
def export(key: str):
    build = EXPORTS.get(key)
    if build is None:
        abort(404)
    form = _settings()
    day = today()
    report = build(PeopleReports(day, form.stalled_days), day)
    return Response(
        report.to_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="airm-{key}-{day}.csv"'},
    )
