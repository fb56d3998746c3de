"""Reads sent together (``core.reads``): each comes back with its own rows, in its own
order and with its own types, as if it had been sent alone, in one statement."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from airm_training.core.reads import Read, read_each, read_together, shaped
from airm_training.extensions import db
from airm_training.people.models import Licence, Person
from airm_training.programme.models import Requirement
from tests.factories import make_candidate, make_director
from tests.query_count import count_statements


def _reads() -> dict[str, Read]:
    return {
        "people": Read(
            sa.select(Person.id, Person.email, Person.active, Person.created_at).order_by(
                Person.email.desc()
            ),
            list,
        ),
        "licences": Read(
            sa.select(Licence.person_id, Licence.expires_on, Licence.verified_at).order_by(
                Licence.expires_on.desc(), Licence.id
            ),
            list,
        ),
        "count": Read(sa.select(sa.func.count(Person.id)), lambda rows: [tuple(r) for r in rows]),
        "none": Read(sa.select(Person.id).where(sa.false()), list),
        "params": Read(
            sa.select(Requirement.id, Requirement.params).order_by(Requirement.id.desc()), list
        ),
    }


def test_reads_together_equal_the_reads_alone_in_one_statement():
    director = make_director()
    for _ in range(3):
        make_candidate(director=director)
    alone = read_each(_reads())
    found: dict = {}
    statements = count_statements(lambda: found.update(read_together(_reads())))
    assert statements == 1
    assert {name: [tuple(row) for row in rows] for name, rows in alone.items()} == found
    assert len(found["people"]) == 4 and found["count"] == [(4,)]
    assert found["none"] == []
    emails = [email for _, email, _, _ in found["people"]]
    assert emails == sorted(emails, reverse=True)
    _, _, active, created_at = found["people"][0]
    assert active is True and isinstance(created_at, datetime)
    _, expires_on, _ = found["licences"][0]
    assert isinstance(expires_on, date)
    assert found["params"] and all(isinstance(params, dict) for _, params in found["params"])


def test_one_read_is_sent_as_it_is():
    make_director()
    reads = {"people": Read(sa.select(Person.id), list)}
    alone = read_each(reads)  # (the transaction is begun here)
    found: dict = {}
    assert count_statements(lambda: found.update(read_together(reads))) == 1
    assert found == alone


def test_nothing_to_read_sends_nothing():
    assert count_statements(lambda: read_together({})) == 0


def _emails_of(ids) -> dict[str, Read]:
    """Two reads built once per shape, the people a bind parameter."""
    people = sa.bindparam("people", expanding=True)
    params = {"people": ids}
    return {
        "emails": shaped(
            ("test-emails",),
            lambda: Read(
                sa.select(Person.id, Person.email).where(Person.id.in_(people)).order_by(Person.id),
                list,
            ),
            params,
        ),
        "count": shaped(
            ("test-count",),
            lambda: Read(
                sa.select(sa.func.count(Person.id)).where(Person.id.in_(people)),
                lambda rows: next(iter(rows))[0],
            ),
            params,
        ),
    }


def test_shaped_reads_are_sent_as_one_union_built_once_with_each_call_s_values():
    first, second, third = make_director(), make_candidate(), make_candidate()
    db.session.flush()
    sent: list = []  # the unions sent

    def remember(_conn, clauseelement, *_args):
        if isinstance(clauseelement, sa.CompoundSelect):
            sent.append(clauseelement)

    engine = db.engines[None].engine
    sa.event.listen(engine, "before_execute", remember)
    try:
        one = read_together(_emails_of([first.id, second.id]))
        other = read_together(_emails_of([third.id]))
    finally:
        sa.event.remove(engine, "before_execute", remember)
    assert one == {"emails": [(first.id, first.email), (second.id, second.email)], "count": 2}
    assert other == {"emails": [(third.id, third.email)], "count": 1}
    assert len(sent) == 2 and sent[0] is sent[1]
    assert read_each(_emails_of([third.id])) == other


def test_reads_sent_together_must_agree_on_their_values():
    make_director()
    reads = {**_emails_of([1]), "other": _emails_of([2])["emails"]}
    with pytest.raises(ValueError, match="'people' two values"):
        read_together(reads)
