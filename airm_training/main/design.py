"""Sample figures for the design-system page: a chart drawn by the real chart code."""

from __future__ import annotations

from airm_training.core.clock import add_months, today
from airm_training.progression.charts import MonthlyHours, chart_legend, hours_chart_svg

SAMPLE_CATEGORIES = [("direct", "Direct clinical"), ("didactic", "Didactic training")]


def sample_chart() -> dict:
    """A year of made-up monthly hours, and an empty year, drawn as on the progress page."""
    start = add_months(today().replace(day=1), -11)
    months = [add_months(start, n) for n in range(12)]
    minutes = {(m, "direct"): 60 * (n % 4 + 1) for n, m in enumerate(months) if n % 3}
    minutes |= {(m, "didactic"): 90 for n, m in enumerate(months) if n % 2}
    sample = MonthlyHours(months, SAMPLE_CATEGORIES, minutes)
    empty = MonthlyHours(months, SAMPLE_CATEGORIES, {})
    return {
        "chart": hours_chart_svg(sample, chart_id="sample-chart"),
        "legend": chart_legend(sample),
        "empty_chart": hours_chart_svg(empty, chart_id="empty-chart"),
    }
