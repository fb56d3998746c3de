"""The design system: one palette shared by the style sheet, the charts and the PDFs; the
favicon; the design-system page; one way of writing durations; charts with axes and an
empty state."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from airm_training.core import brand
from airm_training.core.durations import duration_label
from airm_training.progression.charts import MonthlyHours, hour_ticks, hours_chart_svg
from tests.factories import login, make_candidate, make_director

STATIC = Path(__file__).resolve().parents[1] / "airm_training" / "static"
CSS = (STATIC / "app.css").read_text()


def declared_tokens(css: str) -> dict[str, str]:
    root = css[css.index(":root {") : css.index("}", css.index(":root {"))]
    return dict(re.findall(r"(--airm-[a-z0-9-]+):\s*([^;]+);", root))


def test_the_style_sheet_declares_every_colour_of_the_palette_with_its_value():
    declared = declared_tokens(CSS)
    assert {name: declared.get(name) for name in brand.TOKENS} == brand.TOKENS


def test_bootstraps_primary_colour_is_the_brand():
    assert "--bs-primary: var(--airm-brand);" in CSS
    assert f"--bs-primary-rgb: {', '.join(map(str, brand.rgb(brand.BRAND)))};" in CSS
    button = CSS[CSS.index(".btn-primary {") : CSS.index("}", CSS.index(".btn-primary {"))]
    assert "--bs-btn-bg: var(--airm-brand)" in button


def test_the_brand_marks_use_the_palette():
    for name in ("favicon.svg", "wordmark.svg", "seal.svg"):
        svg = (STATIC / "brand" / name).read_text()
        assert brand.BRAND in svg and brand.ACCENT in svg, name


def test_favicon_ico_leads_to_the_svg_and_every_page_links_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = client.get(response.headers["Location"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/brand/favicon.svg" type="image/svg+xml">' in page


def test_the_design_page_shows_every_colour_and_component(client):
    login(client, make_candidate())
    page = client.get("/design").get_data(as_text=True)
    for name, value in brand.TOKENS.items():
        assert name in page and value in page
    for component in ("queue-tile", "table-stack", "empty-state", "btn-primary", "badge"):
        assert component in page, component
    assert "No signed-off hours yet" in page  # the empty chart


def test_the_design_page_needs_a_signed_in_person(client):
    assert client.get("/design").status_code == 302


def test_the_privacy_notice_is_for_signed_in_staff_not_the_public(client):
    notice = "do not enter client-identifying information"
    assert notice not in client.get("/verify/").get_data(as_text=True)
    login(client, make_director())
    assert notice in client.get("/curriculum/").get_data(as_text=True)


def test_durations_are_written_one_way():
    assert duration_label(855) == "14 h 15"
    assert duration_label(3000) == "50 h"
    assert duration_label(45) == "45 min"
    assert duration_label(65) == "1 h 05"
    assert duration_label(0) == "0 min"


def test_hour_ticks_are_whole_hours_up_to_the_peak():
    assert hour_ticks(0) == [0, 60]
    assert hour_ticks(150) == [0, 60, 120, 180]
    assert hour_ticks(11 * 60) == [0, 300, 600, 900]
    assert hour_ticks(23 * 60) == [h * 60 for h in (0, 5, 10, 15, 20, 25)]


def months_from(start: date, count: int) -> list[date]:
    return [date(start.year + (start.month - 1 + n) // 12, (start.month - 1 + n) % 12 + 1, 1)
            for n in range(count)]  # fmt: skip


def test_the_chart_has_an_hours_axis_and_the_years():
    months = months_from(date(2025, 11, 1), 12)
    data = MonthlyHours(months, [("direct", "Direct clinical")], {(months[3], "direct"): 150})
    svg = str(hours_chart_svg(data))
    assert [f">{h} h<" in svg for h in (0, 1, 2, 3)] == [True] * 4
    assert ">2025<" in svg and ">2026<" in svg  # the first month and January
    assert f'fill="{brand.CHART_SERIES[0]}"' in svg
    assert "Direct clinical: 2 h 30 in February 2026" in svg


def test_an_empty_chart_says_so_instead_of_drawing_an_empty_axis():
    months = months_from(date(2026, 1, 1), 12)
    svg = str(hours_chart_svg(MonthlyHours(months, [("direct", "Direct clinical")], {})))
    assert "No signed-off hours yet" in svg
    assert " h</text>" not in svg  # no axis labels
    assert "</rect>" not in svg  # no bars (each bar carries its own title)
