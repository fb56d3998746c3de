"""Checks of how the app is served, run by ``deploy/gunicorn.conf.py`` at start."""

from __future__ import annotations

from urllib.parse import urlsplit


def shared_limits_warning(workers: int, storage_uri: str) -> str | None:
    """The warning to shout when several workers keep rate-limit counters each in its own
    memory: every worker would allow the whole limit, so 4 workers allow 4 times as many
    password guesses. ``None`` when the counters are shared (or there is one worker)."""
    if workers <= 1 or urlsplit(storage_uri).scheme != "memory":
        return None
    return (
        f"WARNING: {workers} workers keep their rate-limit counters in memory "
        f"(RATELIMIT_STORAGE_URI={storage_uri}): each worker allows the full sign-in limit. "
        "Install airm-training[redis] and set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0, "
        "or run one worker."
    )
