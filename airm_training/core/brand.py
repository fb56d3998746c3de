"""The one brand palette: the colours of the pages (as CSS custom properties in
``static/app.css``), of the charts drawn on the server and of the PDF documents.

A test checks that ``app.css`` declares every token below with the same value, so a
colour is changed here and in the style sheet together, never in one place alone."""

from __future__ import annotations

BRAND = "#2f5d62"  # deep teal: navigation, primary buttons, headings on documents
BRAND_DARK = "#1f4246"  # hover and pressed states
BRAND_LIGHT = "#e8f0ef"  # tinted backgrounds: queue tiles, table headers on phones
ACCENT = "#b8862f"  # gold: the seal and the wordmark's ring (decoration, never text)
INK = "#1d2a2c"  # body text
MUTED = "#5b6b6d"  # secondary text (4.5:1 on white)
SUCCESS = "#2e6b45"
WARNING = "#8a5a00"  # text-safe amber
DANGER = "#a4262c"
INFO = "#2f5a7a"

# Stacked chart series, in order: the brand first, then calm neighbours of it.
CHART_SERIES = ("#2f5d62", "#6b9a8c", "#b8862f", "#9c6644", "#6d597a", "#a7c4bc")
CHART_AXIS = "#7a8a8c"
CHART_GRID = "#dfe6e6"

# CSS custom property → value; static/app.css declares each under :root.
TOKENS: dict[str, str] = {
    "--airm-brand": BRAND,
    "--airm-brand-dark": BRAND_DARK,
    "--airm-brand-light": BRAND_LIGHT,
    "--airm-accent": ACCENT,
    "--airm-ink": INK,
    "--airm-muted": MUTED,
    "--airm-success": SUCCESS,
    "--airm-warning": WARNING,
    "--airm-danger": DANGER,
    "--airm-info": INFO,
}


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """``"#2f5d62"`` → ``(47, 93, 98)``."""
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
