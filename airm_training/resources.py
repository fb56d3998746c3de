"""Where the app's templates and migrations are: inside the installed package (the wheel
maps the repository's top-level ``templates/`` and ``migrations/`` into it), or at the top
of the source checkout."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent


def running_from_checkout() -> bool:
    """True when the package is imported from the source tree (not from a wheel)."""
    return (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "templates").is_dir()


def resource_dir(name: str) -> Path:
    """``templates`` or ``migrations``: the installed copy, else the checkout's."""
    installed = PACKAGE_DIR / name
    return installed if installed.is_dir() else PROJECT_ROOT / name
