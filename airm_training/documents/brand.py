"""The brand's marks drawn with reportlab: the emblem, the wordmark and the seal, the
same shapes as the SVGs in ``static/brand/``, in the palette of ``core/brand.py``."""

from __future__ import annotations

import math

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from airm_training.core import brand

BRAND = colors.HexColor(brand.BRAND)
ACCENT = colors.HexColor(brand.ACCENT)
MUTED = colors.HexColor(brand.MUTED)
SEAL_TEXT = "ARTIFICIAL INTIMACY RECOVERY MODEL · CREDENTIAL · "


def draw_emblem(canvas: Canvas, x: float, y: float, size: float) -> None:
    """The emblem (a ringed "A") with its lower-left corner at (x, y)."""
    r = size / 2
    cx, cy = x + r, y + r
    canvas.saveState()
    canvas.setFillColor(BRAND)
    canvas.circle(cx, cy, r, stroke=0, fill=1)
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(size * 3 / 64)
    canvas.circle(cx, cy, r * 25 / 31, stroke=1, fill=0)
    _draw_a(canvas, cx, cy, size, colors.white)
    canvas.restoreState()


def _draw_a(canvas: Canvas, cx: float, cy: float, size: float, colour) -> None:
    unit = size / 64
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(5 * unit)
    canvas.setLineCap(1)
    canvas.setLineJoin(1)
    path = canvas.beginPath()
    path.moveTo(cx - 11 * unit, cy - 13 * unit)
    path.lineTo(cx, cy + 15 * unit)
    path.lineTo(cx + 11 * unit, cy - 13 * unit)
    path.moveTo(cx - 6.5 * unit, cy - 3 * unit)
    path.lineTo(cx + 6.5 * unit, cy - 3 * unit)
    canvas.drawPath(path, stroke=1, fill=0)


def draw_wordmark(canvas: Canvas, x: float, y: float, height: float) -> None:
    """The emblem and "AIRM Training & Credentials", lower-left corner at (x, y)."""
    draw_emblem(canvas, x, y, height)
    canvas.saveState()
    canvas.setFillColor(BRAND)
    canvas.setFont("Helvetica-Bold", height * 0.46)
    canvas.drawString(x + height * 1.18, y + height * 0.42, "AIRM")
    canvas.setFillColor(MUTED)
    canvas.setFont("Helvetica", height * 0.22)
    canvas.drawString(x + height * 1.2, y + height * 0.12, "Training & Credentials")
    canvas.restoreState()


def draw_seal(canvas: Canvas, cx: float, cy: float, radius: float) -> None:
    """The seal centred on (cx, cy): a gold rim, the model's name around the edge and
    the emblem in the middle."""
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(radius * 0.05)
    canvas.circle(cx, cy, radius, stroke=1, fill=1)
    canvas.setStrokeColor(BRAND)
    canvas.setLineWidth(radius * 0.025)
    canvas.circle(cx, cy, radius * 0.9, stroke=1, fill=0)
    canvas.setFillColor(BRAND)
    canvas.circle(cx, cy, radius * 0.59, stroke=0, fill=1)
    canvas.setStrokeColor(ACCENT)
    canvas.circle(cx, cy, radius * 0.5, stroke=1, fill=0)
    _draw_a(canvas, cx, cy, radius * 1.1, colors.white)
    font_size = radius * 0.155
    canvas.setFont("Helvetica-Bold", font_size)
    canvas.setFillColor(BRAND)
    text_radius = radius * 0.7
    step = 2 * math.pi / len(SEAL_TEXT)
    for index, letter in enumerate(SEAL_TEXT):
        angle = math.pi / 2 - index * step  # clockwise from the top
        canvas.saveState()
        canvas.translate(cx + text_radius * math.cos(angle), cy + text_radius * math.sin(angle))
        canvas.rotate(math.degrees(angle) - 90)
        canvas.drawCentredString(0, 0, letter)
        canvas.restoreState()
    canvas.restoreState()
