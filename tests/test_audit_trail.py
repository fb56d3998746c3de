"""The audit trail page: filters, the chain's state, safe rendering, History links,
permissions and constant query counts."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from airm_training.audit import services as audit_services
from airm_training.audit.models import AuditEvent
from airm_training.audit.services import record_event
from airm_training.core import pagination
from airm_training.core.clock import today
from airm_training.curriculum.editing import move_module
from airm_training.extensions import db
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import log_entry
from airm_training.people.models import Role
from airm_training.programme.models import Module
from airm_training.progression.services import apply, endorse, issue, vote
from tests.factories import login, make_candidate, make_director, make_person, make_supervisor
from tests.query_count import count_queries
from tests.tampering import lift_append_only_triggers
from tests.test_engine import long_standing_supervisor, qualified_candidate


def shown_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="event-(\d+)">', response.get_data(as_text=True))]


def at(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(audit_services, "utcnow", lambda: moment)


@pytest.fixture
def trail(client, monkeypatch):
    """Five events at known times (UTC; the centre is in America/Los_Angeles, UTC-8 in
    March 2020) between two people, and a director signed in to read them."""
    ann = make_person(full_name="Ann Actor")
    bob = make_person(full_name="Bob Subject")
    recorded = {}
    for name, moment, action, obj, obj_id, actor in (
        ("e1", datetime(2020, 3, 1, 18, 0), "person.roles_changed", "person", bob.id, ann),
        ("e2", datetime(2020, 3, 2, 7, 30), "hours.submitted", "hours_entry", 7, bob),
        ("e3", datetime(2020, 3, 2, 9, 0), "auth.login_failed", "person", ann.id, None),
        ("e4", datetime(2020, 3, 5, 12, 0), "hours.signed", "hours_entry", 7, ann),
        ("e5", datetime(2020, 3, 6, 12, 0), "certificate.issued", "certificate", 3, bob),
    ):
        at(monkeypatch, moment)
        recorded[name] = record_event(
            action,
            obj,
            obj_id,
            actor_id=actor.id if actor else None,
            before={"roles": ["candidate"]} if name == "e1" else None,
            after={"roles": ["candidate", "co-creator"]} if name == "e1" else {"n": 1},
        ).id
    monkeypatch.undo()
    db.session.commit()
    director = make_director()
    login(client, director)
    created = {
        person: db.session.scalar(
            sa.select(AuditEvent.id).where(
                AuditEvent.action == "person.created", AuditEvent.object_id == str(person)
            )
        )
        for person in (ann.id, bob.id)
    }
    return {"ann": ann, "bob": bob, "created": created, **recorded}


def expect(trail, *names) -> list[int]:
    """The named events, newest first as the page lists them."""
    return sorted((trail[name] for name in names), reverse=True)


def test_filter_by_action(client, trail):
    assert shown_ids(client.get("/audit/?action=hours.signed")) == expect(trail, "e4")


def test_filter_by_object(client, trail):
    response = client.get("/audit/?object_type=hours_entry&object_id=7")
    assert shown_ids(response) == expect(trail, "e2", "e4")
    assert shown_ids(client.get("/audit/?object_type=certificate")) == expect(trail, "e5")


def test_filter_by_person_as_actor_or_subject(client, trail):
    ann = trail["ann"]
    response = client.get(f"/audit/?person={ann.id}")
    # e1 and e4 by Ann, e3 and her account's creation about her
    assert shown_ids(response) == sorted(
        [trail["e1"], trail["e3"], trail["e4"], trail["created"][ann.id]], reverse=True
    )
    bob = trail["bob"]
    combined = client.get(f"/audit/?person={bob.id}&object_type=hours_entry")
    assert shown_ids(combined) == expect(trail, "e2")


def test_filter_by_dates_in_the_centres_time_zone(client, trail):
    # e2 is 07:30 UTC on 2 March: still 1 March in the centre
    assert shown_ids(client.get("/audit/?date_from=2020-03-01&date_to=2020-03-01")) == expect(
        trail, "e1", "e2"
    )
    assert shown_ids(client.get("/audit/?date_from=2020-03-02&date_to=2020-03-05")) == expect(
        trail, "e3", "e4"
    )
    assert shown_ids(client.get("/audit/?date_to=2020-03-01")) == expect(trail, "e1", "e2")


def test_an_object_without_events_finds_nothing(client, trail):
    response = client.get("/audit/?object_type=hours_entry&object_id=999999")
    assert shown_ids(response) == []
    assert "No events" in response.get_data(as_text=True)


def test_events_show_actor_action_object_changes_and_local_time(client, trail):
    html = client.get("/audit/?action=person.roles_changed&date_to=2020-03-01").get_data(
        as_text=True
    )
    assert "2020-03-01 10:00 PST" in html
    assert "Ann Actor" in html
    row = re.search(
        r'<tr id="event-\d+">.*?</tr>\s*</tbody>\s*</table>\s*</details>\s*</td>', html, re.S
    )
    assert "<td>Roles changed<" in row.group(0)  # words, not the code
    assert f'href="/people/{trail["bob"].id}">Person {trail["bob"].id}</a>' in row.group(0)
    # The person the event is about, in a column of its own.
    assert f'<td><a href="/people/{trail["bob"].id}">Bob' in row.group(0)
    assert '<td class="text-break">candidate</td>' in row.group(0)
    assert "candidate, co-creator" in row.group(0)
    assert "<details>" in row.group(0) and "<details open>" not in html  # details folded
    system = client.get("/audit/?action=auth.login_failed&date_to=2020-03-03")
    assert "the system" in system.get_data(as_text=True)


def test_values_are_escaped(client, trail):
    record_event(
        "note.saved", "note", 1, actor_id=None, after={"text": "<script>alert(1)</script>"}
    )
    db.session.commit()
    html = client.get("/audit/?action=note.saved").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_page_reports_the_chain(client, trail):
    assert "Chain intact." not in client.get("/audit/").get_data(as_text=True)
    assert "Chain intact." in client.get("/audit/?verify=1").get_data(as_text=True)

    lift_append_only_triggers()
    db.session.execute(
        sa.update(AuditEvent).where(AuditEvent.id == trail["e3"]).values(action="auth.login")
    )
    html = client.get("/audit/?verify=1").get_data(as_text=True)
    assert f"Chain broken at event {trail['e3']}:" in html
    assert "its content does not match its hash" in html


def link_named(html: str, name: str) -> str | None:
    match = re.search(r'href="([^"]*)"[^>]*>' + name + "</a>", html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_pages_go_older_and_newer_by_event_and_keep_the_filters(client, trail):
    made = []
    for n in range(120):
        made.append(record_event("bulk.made", "bulk", n, actor_id=None).id)
    db.session.commit()
    newest_first = made[::-1]

    first = client.get("/audit/?action=bulk.made")
    html = first.get_data(as_text=True)
    assert "120 events matching the filters" in html
    assert shown_ids(first) == newest_first[:50]
    assert link_named(html, "Newer") is None
    older = link_named(html, "Older")
    assert older == f"/audit/?before={newest_first[49]}&action=bulk.made"

    second = client.get(older)
    assert shown_ids(second) == newest_first[50:100]
    third_link = link_named(second.get_data(as_text=True), "Older")
    third = client.get(third_link)
    assert shown_ids(third) == newest_first[100:]
    third_html = third.get_data(as_text=True)
    assert link_named(third_html, "Older") is None

    back = client.get(link_named(third_html, "Newer"))
    assert shown_ids(back) == newest_first[50:100]
    # Newer again reaches the newest events: the first page, full.
    top = client.get(link_named(back.get_data(as_text=True), "Newer"))
    assert shown_ids(top) == newest_first[:50]
    assert link_named(third_html, "Newest") == "/audit/?action=bulk.made"


def test_a_new_event_does_not_shift_the_older_pages(client, trail):
    made = [record_event("bulk.made", "bulk", n, actor_id=None).id for n in range(60)]
    db.session.commit()
    older = link_named(client.get("/audit/?action=bulk.made").get_data(as_text=True), "Older")
    record_event("bulk.made", "bulk", 60, actor_id=None)
    db.session.commit()
    assert shown_ids(client.get(older)) == made[:10][::-1]


def test_the_count_stops_at_the_cap(client, trail, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 30)
    for n in range(31):
        record_event("bulk.made", "bulk", n, actor_id=None)
    db.session.commit()
    html = client.get("/audit/?action=bulk.made").get_data(as_text=True)
    assert "More than 30 events matching the filters" in html
    for n in range(31, 60):
        record_event("bulk.made", "bulk", n, actor_id=None)
    db.session.commit()
    monkeypatch.setattr(pagination, "COUNT_CAP", 60)
    assert "60 events matching" in client.get("/audit/?action=bulk.made").get_data(as_text=True)


def test_nothing_older_says_so(client, trail):
    html = client.get("/audit/?before=1").get_data(as_text=True)
    assert "Nothing has been recorded yet" not in html
    assert "There is nothing recorded before event 1." in html
    assert 'href="/audit/">Go to the newest events' in html
    filtered = client.get("/audit/?action=nothing.such&before=3").get_data(as_text=True)
    assert "Nothing matches these filters." in filtered


@pytest.mark.parametrize("cursor", ["after", "before"])
@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999", "1e9", ""])
def test_a_cursor_that_is_not_an_id_shows_the_newest_events(client, trail, cursor, value):
    response = client.get("/audit/", query_string={cursor: value})
    assert response.status_code == 200
    assert shown_ids(response) == shown_ids(client.get("/audit/"))


def test_a_cursor_past_the_newest_event_shows_the_newest_events(client, trail):
    assert shown_ids(client.get("/audit/?after=999999")) == shown_ids(client.get("/audit/"))


@pytest.mark.parametrize("query", ["", "?action=bulk.made"])
def test_query_count_does_not_grow_with_events(app, query):
    director = make_director()
    actors = [make_person() for _ in range(5)]
    client = app.test_client()
    login(client, director)

    def add(count: int) -> None:
        for n in range(count):
            about = actors[n % len(actors)].id  # each page names the people it is about
            record_event("bulk.made", "person", about, actor_id=actors[(n + 1) % len(actors)].id)
        db.session.commit()

    add(10)
    small = count_queries(lambda: client.get("/audit/" + query))
    add(190)
    large = count_queries(lambda: client.get("/audit/" + query))
    assert large == small
    last = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))
    separator = "&" if query else "?"
    for cursor in (f"before={last - 60}", f"after={last - 120}"):
        deep = "/audit/" + query + separator + cursor
        assert count_queries(lambda path=deep: client.get(path)) == small + 1, cursor


@pytest.mark.parametrize(
    "make",
    [make_candidate, make_supervisor, lambda: make_person(Role.CO_CREATOR)],
    ids=["candidate", "supervisor", "co-creator"],
)
def test_only_directors_read_the_trail(client, make):
    login(client, make())
    response = client.get("/audit/?verify=1")
    assert response.status_code == 403
    assert "Chain" not in response.get_data(as_text=True)


def test_directors_see_the_nav_link_and_others_do_not(app, client):
    login(client, make_director())
    assert 'href="/audit/"' in client.get("/director").get_data(as_text=True)
    other = app.test_client()
    candidate = make_candidate()
    login(other, candidate)
    assert 'href="/audit/"' not in other.get("/candidate").get_data(as_text=True)


# --- History links from each object's page -------------------------------------------------
def history_link(html: str) -> str:
    match = re.search(r'href="(/audit/\?[^"]+)">History</a>', html)
    assert match, "no History link"
    return match.group(1).replace("&amp;", "&")


def test_history_links_open_the_filtered_trail(app, client):
    director = make_director()
    supervisor = long_standing_supervisor(director)
    candidate, _hours = qualified_candidate(supervisor=supervisor, director=director)
    application = apply(candidate, endorser_id=supervisor.id, statement="")
    endorse(supervisor, application, endorse=True, reason="Ready.")
    for member in (make_person(Role.CO_CREATOR), make_person(Role.CO_CREATOR)):
        vote(member, application, approve=True, comment="")
    certificate = issue(director, application)
    entry = log_entry(
        candidate,
        EntryInput(
            session_date=today(),
            minutes=60,
            category_code="individual-consultation",
            supervisor_id=supervisor.id,
        ),
        submit=True,
    )
    module = db.session.scalar(sa.select(Module).where(Module.code == "AIRM-101"))
    move_module(director, module, 1)
    db.session.commit()
    login(client, director)

    pages = {
        f"/hours/{entry.id}": ("hours_entry", entry.id),
        f"/progression/applications/{application.id}": ("application", application.id),
        f"/progression/certificates/{certificate.id}": ("certificate", certificate.id),
        "/curriculum/AIRM-101": ("module", module.id),
    }
    for page, (object_type, object_id) in pages.items():
        link = history_link(client.get(page).get_data(as_text=True))
        assert link == f"/audit/?object_type={object_type}&object_id={object_id}", page
        expected = list(
            db.session.scalars(
                sa.select(AuditEvent.id)
                .where(
                    AuditEvent.object_type == object_type,
                    AuditEvent.object_id == str(object_id),
                )
                .order_by(AuditEvent.id.desc())
            )
        )
        assert expected, object_type
        assert shown_ids(client.get(link)) == expected, page

    person_link = history_link(client.get(f"/people/{candidate.id}").get_data(as_text=True))
    assert person_link == f"/audit/?person={candidate.id}"

    own = app.test_client()
    login(own, candidate)
    for page in (f"/hours/{entry.id}", f"/progression/applications/{application.id}"):
        assert ">History</a>" not in own.get(page).get_data(as_text=True)


def test_a_bad_date_is_reported_and_not_applied(client, trail):
    response = client.get("/audit/?action=hours.signed&date_from=not-a-date")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "From: Not a valid date value. (not applied)" in html
    assert shown_ids(response) == expect(trail, "e4")


def test_an_unknown_person_finds_nothing(client, trail):
    assert shown_ids(client.get("/audit/?person=999999")) == []


def test_the_filter_lists_show_actions_and_types_recorded_after_the_page_was_first_read(
    client, trail
):
    """The lists' statement is built once; the values are read on every visit."""
    first = client.get("/audit/").get_data(as_text=True)
    assert 'value="hours.signed"' in first
    assert 'value="ce_audit"' not in first and 'value="ce.audit_drawn"' not in first
    record_event("ce.audit_drawn", "ce_audit", 1, actor_id=trail["ann"].id)
    db.session.commit()
    again = client.get("/audit/").get_data(as_text=True)
    assert 'value="ce.audit_drawn"' in again and 'value="ce_audit"' in again
