"""What waits for a person on their home page (reports/work.py): the figures, their ages,
and a number of queries that does not grow with the work."""

from __future__ import annotations

import re
from datetime import timedelta

from airm_training.core.clock import local_date, today, utcnow
from airm_training.extensions import db
from airm_training.hours.queries import queue_for
from airm_training.reports.work import director_queue, supervisor_queue
from airm_training.supporting.services import approve_document
from tests.documents_helpers import uploaded
from tests.factories import login, make_candidate, make_supervisor
from tests.query_count import count_statements
from tests.test_notifications import submitted, trio  # noqa: F401


def by_key(items) -> dict:
    return {item.key: item for item in items}


def submitted_days_ago(candidate, supervisor, days: int):
    entry = submitted(candidate, supervisor, days_ago=min(days, 30))
    entry.submitted_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return entry


def test_the_supervisors_sign_offs_count_only_theirs_and_flag_old_ones(app, trio):  # noqa: F811
    director, supervisor, candidate = trio
    other = make_supervisor(director=director)
    submitted_days_ago(candidate, supervisor, 20)
    submitted_days_ago(candidate, supervisor, 2)
    submitted_days_ago(candidate, other, 30)
    with app.test_request_context():
        signoffs = by_key(supervisor_queue(supervisor.id, today()))["sign-offs"]
        everyone = by_key(director_queue(today()))["sign-offs"]
    assert (signoffs.count, signoffs.urgent) == (2, True)
    assert signoffs.note == "1 over 14 days · oldest 20 days"
    assert signoffs.url == "/hours/queue"
    assert (everyone.count, everyone.note) == (3, "2 over 14 days · oldest 30 days")


def test_recent_sign_offs_are_not_urgent(app, trio):  # noqa: F811
    _director, supervisor, candidate = trio
    submitted_days_ago(candidate, supervisor, 3)
    with app.test_request_context():
        signoffs = by_key(supervisor_queue(supervisor.id, today()))["sign-offs"]
    assert (signoffs.count, signoffs.urgent, signoffs.note) == (1, False, "oldest 3 days")


def test_the_documents_to_review_are_the_pending_ones_oldest_first(app, trio):  # noqa: F811
    director, _supervisor, candidate = trio
    oldest = uploaded(candidate)
    oldest.uploaded_at = utcnow() - timedelta(days=9)
    uploaded(candidate)
    approve_document(director, uploaded(candidate))
    db.session.commit()
    with app.test_request_context():
        documents = by_key(director_queue(today()))["documents"]
    assert (documents.count, documents.label, documents.note) == (
        2,
        "documents to review",
        "oldest 9 days",
    )
    assert documents.url == "/documents/review?status=pending"


def test_an_empty_queue_says_nothing_waits(app):
    supervisor = make_supervisor()
    with app.test_request_context():
        items = supervisor_queue(supervisor.id, today())
    assert [(item.count, item.note) for item in items] == [(0, "nothing waiting")] * 4


def test_the_queues_cost_the_same_queries_however_much_waits(app, trio):  # noqa: F811
    director, supervisor, candidate = trio

    def queries() -> tuple[int, int]:
        with app.test_request_context():
            return (
                count_statements(lambda: supervisor_queue(supervisor.id, today())),
                count_statements(lambda: director_queue(today())),
            )

    submitted_days_ago(candidate, supervisor, 2)  # one supervisee, one entry
    before = queries()
    for days in (1, 5, 20, 25):
        submitted_days_ago(candidate, supervisor, days)
    for _ in range(3):
        make_candidate(director=director).primary_supervisor_id = supervisor.id
    db.session.commit()
    assert queries() == before


def test_the_home_pages_link_each_figure_to_its_list(client, trio):  # noqa: F811
    director, supervisor, _candidate = trio
    login(client, director)
    page = client.get("/director").get_data(as_text=True)
    for link in ("/reports/#sign-offs", "/progression/issuing#to-issue", "/reports/#stalled"):
        assert f'href="{link}"' in page
    client.post("/auth/logout", data={"csrf_token": client.form_token("/auth/security")})
    login(client, supervisor)
    page = client.get("/supervision").get_data(as_text=True)
    for link in (
        "/hours/queue",
        "/assessments/grading",
        "/progression/evaluations-due",
        "/progression/endorsements",
    ):
        assert f'href="{link}"' in page


def test_an_entry_submitted_today_is_said_so(app, trio):  # noqa: F811
    _director, supervisor, candidate = trio
    submitted(candidate, supervisor)
    with app.test_request_context():
        signoffs = by_key(supervisor_queue(supervisor.id, today()))["sign-offs"]
    assert (signoffs.count, signoffs.note) == (1, "the oldest came in today")


def test_the_sign_off_queue_puts_the_longest_waiting_supervisee_first(app, trio):  # noqa: F811
    director, supervisor, candidate = trio
    later = make_candidate(director=director)
    later.full_name = "Aaron Early-in-the-alphabet"
    submitted_days_ago(candidate, supervisor, 3)
    submitted_days_ago(later, supervisor, 9)
    submitted_days_ago(later, supervisor, 20)
    submitted_days_ago(candidate, supervisor, 12)
    entries = db.session.scalars(queue_for(supervisor.id)).all()
    ages = [(e.person_id, (today() - local_date(e.submitted_at)).days) for e in entries]
    assert ages == [(later.id, 20), (later.id, 9), (candidate.id, 12), (candidate.id, 3)]


def test_my_hours_from_the_home_page_lists_the_longest_waiting_first(app, client, trio):  # noqa: F811
    _director, supervisor, candidate = trio
    for days in (4, 25, 11):
        entry = submitted_days_ago(candidate, supervisor, days)
        entry.session_date = today() - timedelta(days=days + 1)  # the two orders differ
    db.session.commit()
    login(client, candidate)
    page = client.get("/hours/?status=submitted&order=oldest").get_data(as_text=True)
    since = re.findall(r'data-queue-since="([\d-]+)"', page)
    expected = [(today() - timedelta(days=d)).isoformat() for d in (25, 11, 4)]
    assert since == expected
    newest = client.get("/hours/?status=submitted").get_data(as_text=True)
    assert re.findall(r'data-queue-since="([\d-]+)"', newest) == expected[::-1]
