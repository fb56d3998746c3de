"""Own and other records: for each route about one person's record, what its owner may do
and what another candidate gets when trying the same on that record (refused: 403 or 404,
and no table changes). The cells are written out by hand, on the demo data: Aubrey Holden
owns the records, Marcus Bell (another candidate) tries them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from airm_training.assessments.models import CasePresentation, QuizAttempt
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.notifications.models import Notification
from airm_training.people.models import Person
from tests.conftest import csrf_token_in
from tests.hostile import _transaction, changed_tables, demo_world, table_checksums  # noqa: F401 - the demo world, shared
from tests.test_fuzz_forms import DEMO_PASSWORD

OWNER, OTHER = "aubrey.holden", "marcus.bell"
REFUSED = (403, 404)

# (method, URL with the owner's record ids, what the owner gets); the other candidate is
# refused every one of them.
CELLS = [
    ("GET", "/people/{owner}", 200),
    ("GET", "/hours/{signed}", 200),
    ("GET", "/hours/{signed}/amend", 200),
    ("GET", "/hours/{returned}", 200),
    ("GET", "/hours/{returned}/edit", 200),
    ("GET", "/hours/{submitted}", 200),
    ("GET", "/assessments/cases/{case}", 200),
    ("GET", "/assessments/cases/{case}/revise", 200),
    ("GET", "/assessments/attempts/{attempt}", 200),
    ("POST", "/hours/{returned}/edit", 200),
    ("POST", "/hours/{signed}/amend", 200),
    ("POST", "/hours/{submitted}/withdraw", 302),
    ("POST", "/hours/{returned}/submit", 302),
    ("POST", "/hours/{returned}/delete", 302),
    ("POST", "/assessments/cases/{case}/revise", 200),
    ("POST", "/notifications/{notification}/read", 302),
    ("POST", "/notifications/{notification}/open", 302),
    ("POST", "/people/{owner}/licences", 302),
]


def _person(who: str) -> Person:
    return db.session.scalar(sa.select(Person).where(Person.email == f"{who}@btrc.example"))


def _first(statement) -> int:
    found = db.session.scalar(statement.order_by(*statement.selected_columns).limit(1))
    assert found is not None, f"the demo data lacks {statement}"
    return found


def owner_records() -> dict[str, int]:
    owner = _person(OWNER)
    entry = sa.select(HoursEntry.id).where(HoursEntry.person_id == owner.id)
    return {
        "owner": owner.id,
        "signed": _first(entry.where(HoursEntry.status == "signed")),
        "returned": _first(entry.where(HoursEntry.status == "returned")),
        "submitted": _first(entry.where(HoursEntry.status == "submitted")),
        "case": _first(
            sa.select(CasePresentation.id).where(CasePresentation.person_id == owner.id)
        ),
        "attempt": _first(sa.select(QuizAttempt.id).where(QuizAttempt.person_id == owner.id)),
        "notification": _first(
            sa.select(Notification.id).where(Notification.person_id == owner.id)
        ),
    }


def signed_in(app, who: str):
    client = app.test_client()
    response = client.submit(
        "/auth/login",
        {"email": f"{who}@btrc.example", "password": DEMO_PASSWORD},
        form_path="/auth/login",
    )
    assert response.status_code == 302
    return client, csrf_token_in(client.get("/curriculum/").get_data(as_text=True))


@pytest.mark.parametrize(("method", "path", "owner_gets"), CELLS)
def test_another_candidate_is_refused_the_owners_record(app, method, path, owner_gets):
    url = path.format(**owner_records())
    client, token = signed_in(app, OTHER)
    before = table_checksums()

    response = client.open(url, method=method, data={"csrf_token": token})

    assert response.status_code in REFUSED, f"{method} {url}: {response.status_code}"
    assert changed_tables(before, table_checksums()) == set()


@pytest.mark.parametrize(("method", "path", "owner_gets"), CELLS)
def test_the_owner_reaches_their_own_record(app, method, path, owner_gets):
    url = path.format(**owner_records())
    client, token = signed_in(app, OWNER)

    response = client.open(url, method=method, data={"csrf_token": token})

    assert response.status_code == owner_gets, f"{method} {url}: {response.status_code}"
