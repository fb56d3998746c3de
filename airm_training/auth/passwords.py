"""The list of common passwords that nobody may choose (shipped with the package)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

HEADER_PREFIX = "## "


@cache
def common_passwords() -> frozenset[str]:
    """Every password of ``common_passwords.txt``, lower-cased (read once per process)."""
    text = files("airm_training.auth").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith(HEADER_PREFIX)
    )


def is_common_password(password: str) -> bool:
    """Whether ``password`` (ignoring case and surrounding spaces) is on the list."""
    return password.strip().lower() in common_passwords()
