"""Hostile sizes: page numbers and cursors of any size on every paginated page, and bulk posts far
larger than any real one, never give a server error; an oversized sign-off is refused with
a message and signs nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.hours.services import MAX_SIGN_AT_ONCE
from airm_training.people.services import find_by_email
from tests.factories import login
from tests.hostile import (  # noqa: F401 - one demo world, shared
    _transaction,
    changed_tables,
    demo_world,
    example_savepoint,
    pop_flashes,
    table_checksums,
)
from tests.test_fuzz_forms import DEMO_PASSWORD

# (path, name of its page parameter): every page that shows one page of a list.
PAGED = (
    ("/hours/", "page"),
    ("/hours/queue", "page"),
    ("/notifications/", "page"),
    ("/people/", "page"),
    ("/audit/", "before"),
    ("/audit/", "after"),
    ("/progression/issuing", "page"),
    ("/reports/", "near_page"),
    ("/reports/", "stalled_page"),
)
page_numbers = st.one_of(
    st.integers(min_value=2**31 - 2, max_value=10**60),
    st.integers(min_value=-(10**60), max_value=1),
    st.sampled_from(["99999999999999999999", "1e9", "\u0661\u0662", "+5", " 3", "0x10", ""]),
).map(str)


def director_and_supervisor(app):
    client = app.test_client()
    person = find_by_email("connie.zollner@btrc.example")  # director, admin and supervisor
    assert login(client, person, DEMO_PASSWORD).status_code == 302
    return client


@given(page=page_numbers)
def test_any_page_number_shows_a_page(app, page):
    with example_savepoint(app):
        client = director_and_supervisor(app)
        for path, name in PAGED:
            response = client.get(path, query_string={name: page})
            assert response.status_code == 200, (path, name, page)


def test_a_huge_cursor_shows_the_newest_events(app):
    client = director_and_supervisor(app)
    newest = client.get("/audit/").get_data(as_text=True)
    for name in ("before", "after"):
        past = client.get("/audit/", query_string={name: "99999999999999999999"})
        assert past.status_code == 200
        assert past.get_data(as_text=True).count('<tr id="event-') == newest.count('<tr id="event-')


@given(count=st.sampled_from([MAX_SIGN_AT_ONCE + 1, 5_000, 300_000]))
def test_an_oversized_sign_off_is_refused_with_a_message(app, count):
    with example_savepoint(app):
        client = director_and_supervisor(app)
        token = client.form_token("/hours/queue")
        before = table_checksums()
        body = "&".join(f"entry={n}" for n in range(1, count + 1))
        response = client.post(
            "/hours/sign",
            data=f"{body}&attest=y&csrf_token={token}",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 302
        assert changed_tables(before, table_checksums()) == set()
        (message,) = [text for _kind, text in pop_flashes(client)]
        assert f"Sign at most {MAX_SIGN_AT_ONCE} entries at a time ({count} were chosen)" in (
            message
        )


@pytest.mark.parametrize("count", [1, MAX_SIGN_AT_ONCE])
def test_a_sign_off_within_the_cap_is_not_refused_for_its_size(app, count):
    client = director_and_supervisor(app)
    connie = find_by_email("connie.zollner@btrc.example")
    waiting = list(
        db.session.scalars(
            sa.select(HoursEntry.id).where(
                HoursEntry.supervisor_id == connie.id,
                HoursEntry.status == HoursStatus.SUBMITTED.value,
            )
        )
    )
    ids = (waiting + list(range(10**6, 10**6 + count)))[:count]
    token = client.form_token("/hours/queue")
    client.post(
        "/hours/sign", data={"entry": [str(i) for i in ids], "attest": "y", "csrf_token": token}
    )
    messages = " ".join(text for _kind, text in pop_flashes(client))
    assert "Sign at most" not in messages
