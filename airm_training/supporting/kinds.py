"""The kinds of supporting document, read from the programme file's ``[[document_kinds]]``
(the version in force, or the shipped file for a version loaded before it defined them)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from airm_training.programme.loader import DEFAULT_PROGRAMME_FILE
from airm_training.programme.services import current_version


@dataclass(frozen=True)
class DocumentKind:
    code: str
    name: str
    expires: bool = False  # the document carries an expiry date (and stops counting then)
    licence: bool = False  # a copy of a licence on file: approving it verifies that licence


def document_kinds() -> tuple[DocumentKind, ...]:
    """Every kind, in the programme file's order."""
    version = current_version()
    section = (version.definition if version else {}).get("document_kinds") or _shipped()
    return tuple(
        DocumentKind(
            code=str(doc["code"]),
            name=str(doc["name"]),
            expires=bool(doc.get("expires", False)),
            licence=bool(doc.get("licence", False)),
        )
        for doc in section
    )


def kind_named(code: str) -> DocumentKind | None:
    return next((kind for kind in document_kinds() if kind.code == code), None)


def kind_names() -> dict[str, str]:
    return {kind.code: kind.name for kind in document_kinds()}


@cache
def _shipped() -> list[dict]:
    return tomllib.loads(DEFAULT_PROGRAMME_FILE.read_text(encoding="utf-8")).get(
        "document_kinds", []
    )
