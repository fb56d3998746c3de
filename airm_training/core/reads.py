"""Independent reads sent in one round trip. Each ``Read`` is a select and what its rows
become; ``read_together`` sends them as one UNION ALL in which every branch has columns
of its own (NULL in the other branches, cast to the same type), a tag and its place in
its own order, so each read gets back its own rows, typed and ordered as if sent alone."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from airm_training.extensions import db


@dataclass(frozen=True)
class Read:
    select: sa.Select
    fold: Callable[[Iterable[tuple]], Any]

    def run(self) -> Any:
        """The read alone, in one query."""
        return self.fold(db.session.execute(self.select))


def read_each(reads: Mapping[str, Read]) -> dict[str, Any]:
    """One query per read."""
    return {name: read.run() for name, read in reads.items()}


def read_together(reads: Mapping[str, Read]) -> dict[str, Any]:
    """One query for all the reads (one alone is sent as it is)."""
    if len(reads) <= 1:
        return read_each(reads)
    names = list(reads)
    widths = [len(reads[name].select.selected_columns) for name in names]
    types = [column.type for name in names for column in reads[name].select.selected_columns]
    branches = []
    start = 0
    for tag, (name, width) in enumerate(zip(names, widths, strict=True)):
        select = reads[name].select
        order = select._order_by_clauses
        place = sa.func.row_number().over(order_by=order) if order else sa.literal(0)
        own = list(select.selected_columns)
        columns = [
            own[i - start] if start <= i < start + width else sa.cast(sa.null(), types[i])
            for i in range(len(types))
        ]
        branches.append(
            select.order_by(None).with_only_columns(
                sa.literal(tag).label("tag"),
                place.label("place"),
                *(column.label(f"c{i}") for i, column in enumerate(columns)),
                maintain_column_froms=True,
            )
        )
        start += width
    union = sa.union_all(*branches).order_by(sa.literal_column("tag"), sa.literal_column("place"))
    rows: dict[int, list[tuple]] = {tag: [] for tag in range(len(names))}
    for row in db.session.execute(union):
        rows[row[0]].append(tuple(row[2:]))
    result = {}
    start = 0
    for tag, (name, width) in enumerate(zip(names, widths, strict=True)):
        result[name] = reads[name].fold(row[start : start + width] for row in rows[tag])
        start += width
    return result
