"""Reading an uploaded CSV file all-or-nothing: its text, its header against a template,
and at most a given number of rows; every refusal says what to fix, by row."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RowProblem:
    row: int | None  # line number in the file (the header is row 1); None: the whole file
    column: str | None
    reason: str


class ImportRejected(Exception):
    """The file was not imported; ``problems`` says why, row by row; ``privacy`` holds the
    notes that may identify a client (the privacy check's findings of each), waiting for
    the person's confirmation."""

    def __init__(self, problems: list[RowProblem], privacy: list[Any] | None = None) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems
        self.privacy = privacy or []


def _refuse(row: int | None, reason: str) -> ImportRejected:
    return ImportRejected([RowProblem(row, None, reason)])


def read_rows(
    raw: bytes,
    *,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    limit: int,
    too_many: str,
) -> list[dict[str, str]]:
    """The file's rows keyed by its (stripped) header, which must hold every ``required``
    column and only ``columns``; more than ``limit`` rows are refused with ``too_many``."""
    if not raw.strip():
        raise _refuse(None, "The file is empty.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(
            None, "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."
        ) from None
    if "\x00" in text:
        raise _refuse(None, "The file is not a CSV text file.")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in (reader.fieldnames or [])]
    except csv.Error as error:  # e.g. a header cell over the csv module's field limit
        raise _refuse(1, f"Not valid CSV: {error}.") from None
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in columns]
    if missing or unknown:
        detail = []
        if missing:
            detail.append(f"missing {', '.join(missing)}")
        if unknown:
            detail.append(f"unknown {', '.join(unknown)}")
        raise _refuse(
            1,
            f"The header row does not match the template ({'; '.join(detail)}). "
            f"Expected: {','.join(columns)}",
        )
    reader.fieldnames = header
    rows = []
    try:
        for row in reader:
            if len(rows) >= limit:
                raise _refuse(None, too_many)
            rows.append(row)
    except csv.Error as error:
        raise _refuse(reader.line_num, f"Not valid CSV: {error}.") from None
    if not rows:
        raise _refuse(None, "The file has a header but no rows.")
    return rows
