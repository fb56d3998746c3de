"""Signed-off hours per month by category, drawn as a small stacked-bar SVG on the server
(no script needed; a table with the same figures accompanies it for screen readers)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from markupsafe import Markup, escape

from airm_training.core import brand
from airm_training.core.clock import add_months, today
from airm_training.core.durations import duration_label
from airm_training.core.reads import built_once
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.programme.models import HoursCategory


@dataclass(frozen=True)
class MonthlyHours:
    months: list[date]  # first day of each month, oldest first
    categories: list[tuple[str, str]]  # (code, name)
    minutes: dict[tuple[date, str], int]  # (month, code) → minutes

    def total(self, month: date) -> int:
        return sum(self.minutes.get((month, code), 0) for code, _ in self.categories)


def monthly_signed_hours(person_id: int, months: int = 12) -> MonthlyHours:
    """The months' signed minutes per category, with every category (in its order), in
    one query: each category's entries are read from the standing index."""
    start = add_months(today().replace(day=1), -(months - 1))
    rows = db.session.execute(
        built_once("monthly_signed_hours", _monthly), {"person": person_id, "start": start}
    ).all()
    categories: dict[str, str] = {}  # code → name, in the categories' order
    minutes: dict[tuple[date, str], int] = defaultdict(int)
    for code, name, day, total in rows:
        categories.setdefault(code, name)
        if day is not None:
            minutes[(day.replace(day=1), code)] += int(total)
    return MonthlyHours(
        months=[add_months(start, n) for n in range(months)],
        categories=list(categories.items()),
        minutes=dict(minutes),
    )


def _monthly() -> sa.Select:
    """(category code, name, session day, signed minutes) of the person ``person`` from
    the day ``start`` (bind parameters), every category at least once."""
    return (
        sa.select(
            HoursCategory.code,
            HoursCategory.name,
            HoursEntry.session_date,
            sa.func.sum(HoursEntry.minutes),
        )
        .outerjoin(
            HoursEntry,
            sa.and_(
                HoursEntry.category_id == HoursCategory.id,
                HoursEntry.person_id == sa.bindparam("person"),
                HoursEntry.status == HoursStatus.SIGNED.value,
                HoursEntry.session_date >= sa.bindparam("start", type_=sa.Date),
            ),
        )
        .group_by(HoursCategory.id, HoursCategory.code, HoursCategory.name, HoursEntry.session_date)
        .order_by(HoursCategory.position, HoursCategory.id)
    )


def chart_legend(data: MonthlyHours) -> list[tuple[str, str]]:
    """(colour, category name) in the order the bars stack."""
    return [
        (colour, name)
        for colour, (_code, name) in zip(brand.CHART_SERIES * 2, data.categories, strict=False)
    ]


def hour_ticks(peak_minutes: int) -> list[int]:
    """Whole-hour gridlines (in minutes) from 0 up to at least the peak: 1, 2, 5 or 10 … h
    apart, four or five of them."""
    peak_hours = max(peak_minutes / 60, 1)
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if peak_hours / s <= 5)
    top = step * math.ceil(peak_hours / step)
    return [hours * 60 for hours in range(0, top + 1, step)]


def hours_chart_svg(
    data: MonthlyHours, *, width: int = 640, height: int = 240, chart_id: str = "hours-chart"
) -> Markup:
    """A stacked bar per month on an hours axis; each January and the first month carry
    the year. Without any hours, a sentence in place of the bars, not an empty axis."""
    left, bottom, top, right = 44, 40, 12, 8
    plot_h = height - bottom - top
    base = top + plot_h
    peak = max((data.total(m) for m in data.months), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="hours-chart" role="img" aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">Signed-off hours per month by category'
        f"{'' if peak else ': none yet'}</title>",
    ]
    if not peak:
        parts += [
            f'<rect x="1" y="1" width="{width - 2}" height="{height - 2}" rx="8" '
            f'fill="{brand.BRAND_LIGHT}" stroke="{brand.CHART_GRID}"/>',
            f'<text x="{width / 2}" y="{height / 2 - 6}" text-anchor="middle" font-size="16" '
            f'fill="{brand.BRAND_DARK}">No signed-off hours yet</text>',
            f'<text x="{width / 2}" y="{height / 2 + 18}" text-anchor="middle" font-size="12" '
            f'fill="{brand.MUTED}">Each month fills in here once a supervisor signs your '
            "hours.</text></svg>",
        ]
        return Markup("".join(parts))  # noqa: S704  # nosec B704  # fixed text
    ticks = hour_ticks(peak)
    scale = plot_h / ticks[-1]
    slot = (width - left - right) / len(data.months)
    for tick in ticks:
        y = base - tick * scale
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{brand.CHART_AXIS if tick == 0 else brand.CHART_GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{brand.MUTED}">{tick // 60} h</text>'
        )
    for index, month in enumerate(data.months):
        x = left + index * slot + slot * 0.15
        y = base
        for colour, (code, name) in zip(brand.CHART_SERIES * 2, data.categories, strict=False):
            value = data.minutes.get((month, code), 0)
            if not value:
                continue
            bar = value * scale
            y -= bar
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" '
                f'fill="{colour}"><title>{escape(name)}: {duration_label(value)} in '
                f"{month:%B %Y}</title></rect>"
            )
        centre = x + slot * 0.35
        parts.append(
            f'<text x="{centre:.1f}" y="{height - 22}" text-anchor="middle" font-size="11" '
            f'fill="{brand.INK}">{month:%b}</text>'
        )
        if index == 0 or month.month == 1:
            parts.append(
                f'<text x="{centre:.1f}" y="{height - 6}" text-anchor="middle" font-size="11" '
                f'font-weight="bold" fill="{brand.MUTED}">{month:%Y}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704  # numbers and escaped names
