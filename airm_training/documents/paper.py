"""The paper documents are printed on: ``AIRM_PAPER_SIZE`` ("letter" or "a4"), or when it
is empty the size used where the centre's time zone is — Letter in the United States and
the other countries that print on it, A4 elsewhere."""

from __future__ import annotations

from functools import cache
from importlib import resources

from flask import current_app
from reportlab.lib.pagesizes import A4, LETTER

SIZES = {"letter": LETTER, "a4": A4}
# Countries (ISO 3166) where Letter is the usual paper size.
LETTER_COUNTRIES = {"US", "CA", "MX", "PR", "GU", "AS", "VI", "MP", "UM", "PH", "CL", "CO", "VE"}
LETTER_COUNTRIES |= {"CR", "GT", "PA", "DO", "BZ", "SV", "NI", "HN"}


@cache
def _zone_countries() -> dict[str, str]:
    """Time zone → country code, from the tz database's zone.tab (the tzdata package)."""
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    countries = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            code, _coordinates, zone, *_ = line.split("\t")
            countries[zone] = code
    return countries


def paper_name(configured: str, timezone: str) -> str:
    """ "letter" or "a4": the configured size, else the time zone's usual one."""
    name = (configured or "").strip().lower()
    if name in SIZES:
        return name
    if name:
        raise ValueError(f"AIRM_PAPER_SIZE must be letter or a4, not {configured!r}.")
    return "letter" if _zone_countries().get(timezone) in LETTER_COUNTRIES else "a4"


def page_size(configured: str, timezone: str) -> tuple[float, float]:
    """The (width, height) in points of a portrait page."""
    return SIZES[paper_name(configured, timezone)]


def configured_paper() -> tuple[float, float]:
    """The application's paper: ``AIRM_PAPER_SIZE``, else the centre's time zone's."""
    return page_size(current_app.config["PAPER_SIZE"], current_app.config["TIMEZONE"])
