"""No SQL built from strings: ``text()``, ``sa.text()`` and ``execute()`` only ever take
a literal (with bound parameters) or a SQLAlchemy construct, never an f-string, ``%``
formatting, ``.format()`` or a concatenation. ruff's "S" rules and bandit run in
``make test`` beside this test."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The application's code. Migrations are left out: their DDL names tables and triggers,
# which cannot be bound parameters, and they never see a request's data.
SCANNED = [ROOT / "airm_training", ROOT / "deploy", ROOT / "setup.py"]
SQL_CALLS = {"text", "execute", "exec_driver_sql", "executescript"}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _is_built_string(node: ast.expr) -> bool:
    """An f-string with placeholders, ``"..." % x``, ``"...".format()`` or ``a + b`` of
    strings (a concatenation of two literals is still a literal)."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        if isinstance(node.op, ast.Add) and all(
            isinstance(side, ast.Constant) for side in (node.left, node.right)
        ):
            return False
        return isinstance(node.op, ast.Add) or isinstance(node.left, ast.Constant | ast.JoinedStr)
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("format", "join")
    )


def sql_built_from_strings(source: str, filename: str = "<source>") -> list[str]:
    """``file:line`` of every SQL call whose statement is built from strings."""
    findings = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call) or _name(node.func) not in SQL_CALLS:
            continue
        statements = node.args[:1] + [k.value for k in node.keywords if k.arg == "statement"]
        if any(_is_built_string(statement) for statement in statements):
            findings.append(f"{filename}:{node.lineno}")
    return findings


def _python_files() -> list[Path]:
    files = []
    for path in SCANNED:
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return files


def test_no_sql_is_built_from_strings():
    findings = []
    for path in _python_files():
        findings += sql_built_from_strings(path.read_text(), str(path.relative_to(ROOT)))
    assert not findings, "SQL built from strings (use bound parameters):\n" + "\n".join(findings)


@pytest.mark.parametrize(
    "snippet",
    [
        "db.session.execute(sa.text(f\"SELECT * FROM person WHERE email = '{email}'\"))",
        'sa.text("SELECT * FROM person WHERE id = %s" % person_id)',
        'text("SELECT * FROM {} WHERE id = 1".format(table))',
        'connection.execute("DELETE FROM vote WHERE id = " + vote_id)',
        'connection.exec_driver_sql("DROP TABLE " + name)',
        'db.session.execute(statement=f"UPDATE person SET active = {flag}")',
        'sa.text(" ".join(["SELECT", column, "FROM person"]))',
    ],
)
def test_the_scan_catches_sql_built_from_strings(snippet):
    assert sql_built_from_strings(snippet) == ["<source>:1"]


@pytest.mark.parametrize(
    "snippet",
    [
        'db.session.execute(sa.text("SELECT * FROM person WHERE id = :id"), {"id": person_id})',
        "db.session.execute(sa.select(Person).where(Person.id == person_id))",
        'sa.text("SELECT 1 " "FROM person")',
        'sa.text("SELECT 1 " + "FROM person")',
        'sa.text(f"SELECT 1")',
        "connection.execute(statement)",
    ],
)
def test_the_scan_allows_literals_and_constructs(snippet):
    assert sql_built_from_strings(snippet) == []
