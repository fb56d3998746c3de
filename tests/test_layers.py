"""The floors import no feature: ``core`` is mechanism only, ``notifications`` and
``audit`` are called down into by the features (the audit trail's page is a director's
report, in ``reports/audit_trail.py``). Imports made for type checkers only (under
``if TYPE_CHECKING:``) are not dependencies at run time and are left out."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "airm_training"

# What each floor may import, besides itself and the standard and third-party libraries.
ALLOWED = {
    "core": {"extensions"},
    "notifications": {"core", "extensions", "audit"},
    "audit": {"core", "extensions"},
}


def _type_checking_only(tree: ast.AST) -> set[int]:
    hidden: set[int] = set()
    for node in ast.walk(tree):
        test = getattr(node, "test", None)
        if isinstance(node, ast.If) and getattr(test, "id", getattr(test, "attr", "")) == (
            "TYPE_CHECKING"
        ):
            hidden |= {id(inner) for inner in ast.walk(node)}
    return hidden


def imported_parts(path: Path) -> list[tuple[int, str]]:
    """(line, first part under ``airm_training``) of every import ``path`` makes at run time."""
    tree = ast.parse(path.read_text(), str(path))
    hidden = _type_checking_only(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "airm_training" and len(parts) > 1:
                found.append((node.lineno, parts[1]))
    return found


def forbidden_imports(floor: str) -> list[str]:
    allowed = ALLOWED[floor] | {floor}
    return [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports airm_training.{part}"
        for path in sorted((PACKAGE / floor).rglob("*.py"))
        for line, part in imported_parts(path)
        if part not in allowed
    ]


@pytest.mark.parametrize("floor", sorted(ALLOWED))
def test_floors_import_no_feature(floor):
    assert forbidden_imports(floor) == []


def test_the_scan_sees_imports_and_skips_type_checking_ones(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "import airm_training.hours.models\n"
        "from airm_training.people.models import Person\n"
        "if TYPE_CHECKING:\n"
        "    from airm_training.progression.models import Application\n"
    )
    assert imported_parts(sample) == [(2, "hours"), (3, "people")]
