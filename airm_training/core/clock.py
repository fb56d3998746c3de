"""Current time in one place so that rules and tests agree on "now"."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def utcnow() -> datetime:
    """Naive UTC timestamp, the form every DateTime column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """Today's date in the centre's time zone (``TIMEZONE``), or UTC outside an app."""
    zone = current_app.config.get("TIMEZONE") if has_app_context() else None
    if not zone:
        return utcnow().date()
    return datetime.now(ZoneInfo(zone)).date()


def local_date(moment: datetime) -> date:
    """The centre's calendar date of a stored (naive UTC) timestamp."""
    zone = current_app.config.get("TIMEZONE") if has_app_context() else None
    if not zone:
        return moment.date()
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).date()


def local_datetime(moment: datetime) -> datetime:
    """A stored (naive UTC) timestamp in the centre's time zone."""
    zone = current_app.config.get("TIMEZONE") if has_app_context() else None
    aware = moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(zone)) if zone else aware


def local_datetime_text(moment: datetime) -> str:
    """A stored (naive UTC) timestamp as pages and exports show it: "2026-12-04 10:49 PST"."""
    return local_datetime(moment).strftime("%Y-%m-%d %H:%M %Z")


def local_day_start(day: date) -> datetime:
    """The stored (naive UTC) form of midnight at the start of ``day`` in the centre."""
    zone = current_app.config.get("TIMEZONE") if has_app_context() else None
    midnight = datetime.combine(day, time.min)
    if not zone:
        return midnight
    return midnight.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC).replace(tzinfo=None)


def add_months(start: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
