"""The machinery of the hostile-input tests works: the checksum sees every kind of change,
each generated example starts from the same database, and the strategies produce the
hostile values they promise."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from airm_training.extensions import db
from airm_training.people.models import Person
from tests.factories import make_person
from tests.hostile import (
    MISSING,
    NASTY_STRINGS,
    changed_tables,
    example_savepoint,
    hostile_form,
    table_checksums,
)


def test_the_checksum_sees_inserts_updates_and_deletes(app):
    person = make_person()
    before = table_checksums()
    person.full_name = "Renamed"
    db.session.commit()
    assert changed_tables(before, table_checksums()) == {"person"}
    before = table_checksums()
    db.session.execute(sa.delete(Person).where(Person.id == person.id))
    assert changed_tables(before, table_checksums()) == {"person"}


def test_each_example_starts_from_the_same_database(app):
    seen = []

    @settings(max_examples=8)
    @given(people=st.integers(1, 3))
    def write(people):
        with example_savepoint(app):
            seen.append(db.session.scalar(sa.select(sa.func.count()).select_from(Person)))
            for _ in range(people):
                make_person()

    write()
    assert len(seen) >= 2 and len(set(seen)) == 1


def test_hostile_forms_perturb_drop_duplicate_and_add_fields():
    shapes = set()

    @settings(max_examples=200, derandomize=True)
    @given(data=hostile_form({"a": "good", "b": "good"}, ["status"]))
    def look(data):
        for name in ("a", "b"):
            value = data.get(name, MISSING)
            shapes.add(
                "missing"
                if value is MISSING
                else "list"
                if isinstance(value, list)
                else "good"
                if value == "good"
                else "hostile"
            )
        if set(data) - {"a", "b"}:
            shapes.add("extra")

    look()
    assert shapes == {"missing", "list", "good", "hostile", "extra"}
    assert "\x00" in "".join(NASTY_STRINGS) and "2024-02-30" in NASTY_STRINGS
