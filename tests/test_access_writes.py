"""Who may write: every route of the URL map that accepts a write, posted with a valid
CSRF token by every kind of principal. A principal that the route's need does not admit
is turned away (403, or the sign-in page for an anonymous visitor) and no table changes;
a principal it admits gets past the gate (what the view then decides about the record is
each feature's own test)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import csrf_token_in
from tests.factories import make_candidate, make_director
from tests.hostile import changed_tables, table_checksums
from tests.test_access_matrix import EXPECTED_NEEDS, PRINCIPALS, _sign_in
from tests.test_no_side_effects import WRITE_METHODS, _any_url, _write_rules

# need (as named in EXPECTED_NEEDS) -> the principals it admits, written out by hand.
ADMITTED = {
    "PUBLIC": {"anonymous", "candidate", "supervisor", "co-creator", "director", "admin"},
    "SIGNED_IN": {"candidate", "supervisor", "co-creator", "director", "admin"},
    "CANDIDATE": {"candidate"},
    "SUPERVISOR": {"supervisor"},
    "LOGS_HOURS": {"candidate", "supervisor"},
    "CO_CREATOR": {"co-creator"},
    "DIRECTOR": {"director", "admin"},
    "SIGNATORY": {"co-creator", "director", "admin"},
}
LOGIN = "/auth/login"


def test_every_need_of_a_write_route_has_its_admitted_principals(app):
    needs = {EXPECTED_NEEDS[rule.endpoint] for rule in _write_rules(app)}
    assert needs <= set(ADMITTED), f"needs without a row here: {sorted(needs - set(ADMITTED))}"
    assert all(admitted <= set(PRINCIPALS) for admitted in ADMITTED.values())


def _token(client, principal: str) -> str:
    page = LOGIN if principal == "anonymous" else "/curriculum/"
    return csrf_token_in(client.get(page).get_data(as_text=True))


def _turned_away(response, principal: str) -> bool:
    """Refused at the gate: a 403 naming the need (a view's refusal of someone else's record
    says so instead), or for an anonymous visitor the sign-in page with the page they
    wanted as ``next`` (a view's own redirect to sign in carries no ``next``)."""
    if principal == "anonymous":
        target = urlsplit(response.location or "")
        return response.status_code == 302 and target.path == LOGIN and "next=" in target.query
    return response.status_code == 403 and "This page is for" in response.get_data(as_text=True)


@pytest.mark.parametrize("principal", sorted(PRINCIPALS))
def test_write_routes_turn_away_everyone_their_need_does_not_admit(app, client, principal):
    director = make_director()
    candidate = make_candidate(director=director)
    values = {"person_id": candidate.id, "licence_id": candidate.licences[0].id, "token": "x"}
    _sign_in(client, principal)
    token = _token(client, principal)
    failures, cells = [], 0
    # Signing out goes last: it ends the session the other posts are made in.
    rules = sorted(_write_rules(app), key=lambda rule: rule.endpoint == "auth.logout")
    for rule in rules:
        admitted = principal in ADMITTED[EXPECTED_NEEDS[rule.endpoint]]
        url = _any_url(app, rule, values)
        for method in sorted(rule.methods & WRITE_METHODS):
            cells += 1
            before = None if admitted else table_checksums()
            response = client.open(url, method=method, data={"csrf_token": token})
            if admitted and _turned_away(response, principal):
                failures.append(f"{method} {url}: turned away though admitted")
            if not admitted:
                if not _turned_away(response, principal):
                    failures.append(f"{method} {url}: {response.status_code}, not turned away")
                changed = changed_tables(before, table_checksums())
                if changed:
                    failures.append(f"{method} {url}: changed {sorted(changed)}")
    assert cells >= 50
    assert not failures, f"{principal}:\n" + "\n".join(failures)
