"""Hostile input for property-based tests: strategies for form values, a checksum of
every table, a savepoint around each generated example, and one demo world per module.

Profiles (``AIRM_HYPOTHESIS_PROFILE``): ``default`` keeps ``make test`` quick (12 examples
per property); ``thorough`` tries 300, e.g.
``AIRM_HYPOTHESIS_PROFILE=thorough make test PYTEST_ARGS=tests/test_fuzz_forms.py``;
``ci`` (chosen when ``CI`` is set) is ``default`` derandomised, so a CI run repeats."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from airm_training.demo import seed_demo
from airm_training.extensions import db, limiter

# Each test builds its world once (in the test's rolled-back transaction) and runs every
# example inside a savepoint of its own (``example_savepoint``), so the function-scoped
# fixtures are safe to share between examples.
_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "derandomize": False,
}
settings.register_profile("default", max_examples=12, **_COMMON)
settings.register_profile("thorough", max_examples=300, **_COMMON)
settings.register_profile("ci", max_examples=12, **{**_COMMON, "derandomize": True})
settings.load_profile(
    os.environ.get("AIRM_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "default")
)

# --- values ------------------------------------------------------------------------------
NASTY_STRINGS = (
    "",
    " ",
    "\t\r\n",
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m\x7f",
    "\u202eevil\u202c",  # right-to-left override
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew
    "\u0645\u0631\u062d\u0628\u0627",  # Arabic
    "e" + "\u0301" * 50,  # stacked combining accents
    "\U0001f469\u200d\U0001f4bb\U0001f3f3\ufe0f\u200d\U0001f308",  # ZWJ emoji
    "\ufeffBOM",
    "\ufffd\ufffe\uffff",
    "\\ud800\\udfff",  # escaped surrogates, as typed
    "%00%ff",
    "x" * 5_000,
    "y" * 200_000,
    "0",
    "-1",
    "1",
    "59",
    "60",
    "100",
    "101",
    "720",
    "721",
    "2147483647",
    "2147483648",
    "99999999999999999999",
    "9" * 5_000,
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "1.5",
    "1,5",
    "0x10",
    "1_000",
    "\u00b2",  # superscript two: str.isdigit() but not int()
    "\u0661\u0662",  # Arabic-Indic digits
    "\uff11",  # fullwidth one
    "0001-01-01",
    "9999-12-31",
    "2024-02-30",
    "2023-02-29",
    "0000-00-00",
    "2024-13-01",
    "10000-01-01",
    "1970-01-01T00:00:00Z",
    "=cmd|' /C calc'!A0",
    "+1+1",
    "@SUM(A1)",
    "<script>alert(1)</script>",
    "{{ 7 * 7 }}",
    "' OR '1'='1",
    "'; DROP TABLE person; --",
    "../../../etc/passwd",
    "%s%n%x",
    "None",
    "null",
    "true",
    "on",
    "y",
    "[]",
    "{}",
    "a@b",
    "x@example.org",
    "\u0430dmin@example.org",  # Cyrillic a
)

_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
_numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
_dates = st.dates().map(lambda day: day.isoformat())
hostile_scalar = st.one_of(st.sampled_from(NASTY_STRINGS), _text, _numbers, _dates)


@dataclass(frozen=True)
class Missing:
    """A field left out of the request altogether."""


MISSING = Missing()


def hostile_value(baseline: str | list[str]) -> st.SearchStrategy:
    """A field's value: its good value, a hostile one, several values for one field
    (a list where a scalar goes, or duplicated fields), or missing."""
    good = st.just(baseline)
    return st.one_of(
        good,
        good,
        hostile_scalar,
        st.lists(hostile_scalar, min_size=2, max_size=4),
        st.just(MISSING),
    )


def hostile_form(baseline: dict[str, str | list[str]], extra_fields=()) -> st.SearchStrategy:
    """A whole form: every field of ``baseline`` perturbed or not, plus maybe fields the
    form does not have (``extra_fields`` first, then random names)."""
    fields = {name: hostile_value(value) for name, value in baseline.items()}
    extras = st.dictionaries(
        st.one_of(st.sampled_from(tuple(extra_fields) or ("status",)), _text.filter(bool)),
        hostile_scalar,
        max_size=3,
    )
    return st.builds(_merge, st.fixed_dictionaries(fields), extras)


def _merge(fields: dict, extras: dict) -> dict:
    data = {k: v for k, v in extras.items() if k != "csrf_token"}
    data.update({k: v for k, v in fields.items() if v is not MISSING})
    return data


# --- the database ------------------------------------------------------------------------
# An accepted action may also tell people about it (in-app notifications, and the e-mail
# queued for them in the outbox) and rewrite the figures kept from what it changed (the
# tally, the sign-off backlog, the standing gaps); a rejected one never does.
SIDE_EFFECTS = frozenset(
    {"notification", "outbox_message", "hours_tally", "signoff_backlog", "standing_gap"}
)


def table_checksums(*, ignore: frozenset[str] = frozenset()) -> dict[str, tuple[int, str]]:
    """Rows and a hash of the contents of every table, read through the test's session."""
    checksums = {}
    for table in db.metadata.sorted_tables:
        if table.name in ignore:
            continue
        order = list(table.primary_key.columns) or list(table.columns)
        rows = db.session.execute(sa.select(table).order_by(*order)).all()
        digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()
        checksums[table.name] = (len(rows), digest)
    return checksums


def changed_tables(before: dict, after: dict) -> set[str]:
    return {name for name in before if before[name] != after.get(name)}


@contextmanager
def example_savepoint(app) -> Iterator[None]:
    """Run one generated example in a savepoint of the test's connection, rolled back
    afterwards: examples never see each other's writes."""
    connection = db._app_engines[app][None]  # the connection set up by tests/conftest.py
    db.session.remove()
    savepoint = connection.begin_nested()
    limiter.reset()
    try:
        yield
    finally:
        db.session.remove()
        if savepoint.is_active:
            savepoint.rollback()


def pop_flashes(client) -> list[tuple[str, str]]:
    """The messages a request left for the next page (and forget them)."""
    with client.session_transaction() as session:
        return list(session.pop("_flashes", []))


# --- one demo world per test module --------------------------------------------------------
@pytest.fixture(scope="module")
def demo_world(app):
    """The demo data, loaded once for a whole test module in a transaction of its own
    (rolled back at the end of the module); each test runs in a savepoint of it."""
    with app.app_context():
        engines = db._app_engines[app]
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        try:
            seed_demo()
            db.session.commit()
            db.session.remove()
            yield connection
        finally:
            db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine


@pytest.fixture
def _transaction(app, demo_world):
    """Replaces the per-test transaction of tests/conftest.py in the modules that import
    it: every test is a savepoint of the module's demo world, rolled back afterwards."""
    with app.app_context():
        savepoint = demo_world.begin_nested()
        limiter.reset()
        app.extensions["mailman"].outbox = []
        try:
            yield
        finally:
            db.session.remove()
            if savepoint.is_active:
                savepoint.rollback()
