"""Reads sent together (``core.reads``): each comes back with its own rows, in its own
order and with its own types, as if it had been sent alone, in one statement."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from airm_training.core.reads import Read, read_each, read_together
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
