"""One way to write a duration everywhere: "14 h 15", "50 h", "45 min"."""

from __future__ import annotations


def duration_label(minutes: int) -> str:
    """Whole hours as "50 h", hours and minutes as "14 h 15", under an hour "45 min"."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest:02d}"
