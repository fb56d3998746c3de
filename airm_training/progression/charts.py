"""Signed-off hours per month by category, drawn as a small stacked-bar SVG on the server
(no script needed; a table with the same figures accompanies it for screen readers)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from markupsafe import Markup, escape

from airm_training.core.clock import add_months, today
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.programme.models import HoursCategory

PALETTE = ("#2f5d62", "#5e8b7e", "#a7c4bc", "#d4a373", "#9c6644", "#6d597a")


@dataclass(frozen=True)
class MonthlyHours:
    months: list[date]  # first day of each month, oldest first
    categories: list[tuple[str, str]]  # (code, name)
    minutes: dict[tuple[date, str], int]  # (month, code) → minutes

    def total(self, month: date) -> int:
        return sum(self.minutes.get((month, code), 0) for code, _ in self.categories)


def monthly_signed_hours(person_id: int, months: int = 12) -> MonthlyHours:
    start = add_months(today().replace(day=1), -(months - 1))
    rows = db.session.execute(
        sa.select(HoursEntry.session_date, HoursCategory.code, sa.func.sum(HoursEntry.minutes))
        .join(HoursCategory, HoursCategory.id == HoursEntry.category_id)
        .where(
            HoursEntry.person_id == person_id,
            HoursEntry.status == HoursStatus.SIGNED.value,
            HoursEntry.session_date >= start,
        )
        .group_by(HoursEntry.session_date, HoursCategory.code)
    ).all()
    minutes: dict[tuple[date, str], int] = defaultdict(int)
    for day, code, total in rows:
        minutes[(day.replace(day=1), code)] += int(total)
    categories = list(
        db.session.execute(
            sa.select(HoursCategory.code, HoursCategory.name).order_by(HoursCategory.position)
        ).all()
    )
    return MonthlyHours(
        months=[add_months(start, n) for n in range(months)],
        categories=[tuple(c) for c in categories],
        minutes=dict(minutes),
    )


def chart_legend(data: MonthlyHours) -> list[tuple[str, str]]:
    """(colour, category name) in the order the bars stack."""
    return [
        (colour, name) for colour, (_code, name) in zip(PALETTE * 2, data.categories, strict=False)
    ]


def hours_chart_svg(data: MonthlyHours, *, width: int = 640, height: int = 220) -> Markup:
    """A stacked bar per month; colours come with a legend and the figures in a table."""
    left, bottom, top = 36, 28, 10
    plot_h = height - bottom - top
    peak = max((data.total(m) for m in data.months), default=0) or 60
    scale = plot_h / peak
    slot = (width - left) / len(data.months)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="hours-chart" role="img" aria-labelledby="hours-chart-title">',
        '<title id="hours-chart-title">Signed-off hours per month by category</title>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" font-size="10">'
        f"{peak / 60:.0f} h</text>",
    ]
    for index, month in enumerate(data.months):
        x = left + index * slot + slot * 0.15
        y = top + plot_h
        for colour, (code, name) in zip(PALETTE * 2, data.categories, strict=False):
            value = data.minutes.get((month, code), 0)
            if not value:
                continue
            bar = value * scale
            y -= bar
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" '
                f'fill="{colour}"><title>{escape(name)}: {value / 60:.1f} h in '
                f"{month:%B %Y}</title></rect>"
            )
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{height - 10}" text-anchor="middle" '
            f'font-size="10">{month:%b}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704  # numbers and escaped names
