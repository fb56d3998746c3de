"""Independent reads sent in one round trip. Each ``Read`` is a select and what its rows
become; ``read_together`` sends them as one UNION ALL in which every branch has its columns in
places of their type (NULL, cast to that type, where a branch has no column of it), a
tag and its place in its own order, so each read gets back its own rows, typed and
ordered as if sent alone.

A read built by ``shaped`` is built once per process for its shape (what its statement's
form depends on), its values (the people, the day) being bind parameters given with
``params``; reads that are all shaped are sent as a union built once for their shapes."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import BindParameter

from airm_training.extensions import db

# The people a read is about (ids, a query selecting them, or the bind parameter of a read
# built once) and the day it looks at (a date, or its bind parameter).
People = Iterable[int] | sa.Select | BindParameter
Day = date | BindParameter


@dataclass(frozen=True)
class Read:
    select: sa.Select
    fold: Callable[[Iterable[tuple]], Any]
    # The values of the select's bind parameters, and its shape when built by ``shaped``.
    params: Mapping[str, Any] = field(default_factory=dict)
    shape: Hashable | None = None

    def run(self) -> Any:
        """The read alone, in one query."""
        return self.fold(db.session.execute(self.select, dict(self.params)))

    def fold_with(self, fold: Callable[[Iterable[tuple]], Any]) -> Read:
        """The same statement, its rows folded by ``fold`` (which may take values the
        statement was not built from, the day say)."""
        return replace(self, fold=fold)


# Statements built once per process, by shape; a configuration has few shapes, this many
# is a leak, and then they are built again.
_BUILT: dict[Hashable, Any] = {}
_MOST_BUILT = 512


def built_once(shape: Hashable, build: Callable[[], Any]) -> Any:
    """``build()``, called the first time ``shape`` is asked for and kept."""
    try:
        return _BUILT[shape]
    except KeyError:
        if len(_BUILT) >= _MOST_BUILT:
            _BUILT.clear()
        made = _BUILT[shape] = build()
        return made


def shaped(shape: Hashable, build: Callable[[], Read], params: Mapping[str, Any]) -> Read:
    """The read ``build()`` makes, built once for ``shape``, whose bind parameters take
    ``params``. ``shape`` must name everything the statement's form depends on that is
    not a bind parameter (the codes it filters on, say)."""
    return replace(built_once(("read", shape), build), params=params, shape=shape)


def people_in(people: People) -> Any:
    """What ``column.in_`` takes for ``people``: a query or a bind parameter as they are,
    ids as a list."""
    return people if isinstance(people, sa.Select | BindParameter) else list(people)


def only_row(rows: Iterable[tuple]) -> tuple:
    """The fold of a read of one row (aggregates without GROUP BY): that row."""
    (row,) = rows
    return tuple(row)


def read_each(reads: Mapping[str, Read]) -> dict[str, Any]:
    """One query per read."""
    return {name: read.run() for name, read in reads.items()}


def read_together(reads: Mapping[str, Read]) -> dict[str, Any]:
    """One query for all the reads (one alone is sent as it is)."""
    if len(reads) <= 1:
        return read_each(reads)
    names = list(reads)
    shapes = tuple((name, reads[name].shape) for name in names)
    if all(shape is not None for _name, shape in shapes):
        union, places = built_once(("union", shapes), lambda: _union(reads))
    else:
        union, places = _union(reads)
    params: dict[str, Any] = {}
    for name in names:
        for key, value in reads[name].params.items():
            if params.setdefault(key, value) != value:
                raise ValueError(f"reads sent together give {key!r} two values")
    rows: dict[int, list[tuple]] = {tag: [] for tag in range(len(names))}
    for row in db.session.execute(union, params):
        rows[row[0]].append(row[2:])
    return {
        name: reads[name].fold(tuple(row[i] for i in places[tag]) for row in rows[tag])
        for tag, name in enumerate(names)
    }


def _union(reads: Mapping[str, Read]) -> tuple[sa.CompoundSelect, list[list[int]]]:
    """The reads' selects as one UNION ALL, and where each read's columns are in it."""
    names = list(reads)
    slots, places = _layout([reads[name].select for name in names])
    branches = []
    for tag, name in enumerate(names):
        select = reads[name].select
        order = select._order_by_clauses
        place = sa.func.row_number().over(order_by=order) if order else sa.literal(0)
        mine = dict(zip(places[tag], select.selected_columns, strict=True))
        columns = [
            mine[i] if i in mine else sa.cast(sa.null(), slot) for i, slot in enumerate(slots)
        ]
        branches.append(
            select.order_by(None).with_only_columns(
                sa.literal(tag).label("tag"),
                place.label("place"),
                # The union's columns are named by its first branch alone.
                *(
                    column.label(f"c{i}") if tag == 0 else column
                    for i, column in enumerate(columns)
                ),
                maintain_column_froms=True,
            )
        )
    union = sa.union_all(*branches).order_by(sa.literal_column("tag"), sa.literal_column("place"))
    return union, places


def _layout(selects: list[sa.Select]) -> tuple[list[Any], list[list[int]]]:
    """The union's columns (their types) and, for each select, where its own columns go.
    Columns of the same type share a place across the branches (the n-th of a type in
    each branch goes to the same place), so each branch fills few places with NULL."""
    slots: list[Any] = []
    of_kind: dict[tuple, list[int]] = {}  # a type → its places, in order
    places = []
    for select in selects:
        used: dict[tuple, int] = {}
        mine = []
        for column in select.selected_columns:
            kind = (type(column.type), repr(column.type))
            n = used.get(kind, 0)
            used[kind] = n + 1
            kinds = of_kind.setdefault(kind, [])
            if n == len(kinds):
                kinds.append(len(slots))
                slots.append(column.type)
            mine.append(kinds[n])
        places.append(mine)
    return slots, places
