"""Bar charts drawn as SVG on the server, the way the hours chart is: no script, a title
for screen readers, each bar's value written above it, and the same figures in a table
beside the chart."""

from __future__ import annotations

from markupsafe import Markup, escape

from airm_training.core import brand

BAR_COLOUR = brand.BRAND


def bar_chart_svg(
    chart_id: str,
    title: str,
    bars: list[tuple[str, int]],
    *,
    width: int = 640,
    height: int = 220,
) -> Markup:
    """One bar per (label, value), in order, scaled to the largest value."""
    left, bottom, top = 8, 34, 18
    plot_h = height - bottom - top
    peak = max((value for _label, value in bars), default=0) or 1
    slot = (width - left) / max(len(bars), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="report-chart" role="img" aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width}" y2="{top + plot_h}" '
        f'stroke="{brand.CHART_AXIS}"/>',
    ]
    for index, (label, value) in enumerate(bars):
        x = left + index * slot + slot * 0.15
        bar = plot_h * value / peak
        y = top + plot_h - bar
        centre = x + slot * 0.35
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" '
            f'fill="{BAR_COLOUR}"><title>{escape(label)}: {value}</title></rect>'
        )
        parts.append(
            f'<text x="{centre:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11">'
            f"{value}</text>"
        )
        parts.append(
            f'<text x="{centre:.1f}" y="{height - 14}" text-anchor="middle" font-size="10">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704  # numbers and escaped labels
