"""The signed-in person's figures every page shows (``access.signed_in``): whether they
supervise (the gate, the menu) and their unread notifications (the bell), in one
statement per request."""

from __future__ import annotations

import re

import sqlalchemy as sa

from airm_training.core.clock import utcnow
from airm_training.extensions import db
from airm_training.notifications.models import Notification
from tests.factories import login, make_candidate, make_director, make_supervisor


def _note(person, read: bool = False) -> None:
    db.session.add(
        Notification(
            person_id=person.id,
            kind="test",
            message="A test notification",
            object_type="person",
            object_id=person.id,
            read_at=utcnow() if read else None,
        )
    )


def _statements(client, path: str) -> tuple[str, list[str]]:
    seen: list[str] = []
    engine = db.engines[None].engine

    def listener(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        page = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    assert page.status_code == 200
    return page.get_data(as_text=True), seen


def test_the_bell_and_the_supervisor_s_menu_come_from_one_statement(client):
    director = make_director()
    supervisor = make_supervisor(director=director)
    for read in (False, False, True):
        _note(supervisor, read)
    db.session.commit()
    login(client, supervisor)
    html, statements = _statements(client, "/supervision")
    asking = [s for s in statements if "FROM notification" in s]
    assert len(asking) == 1 and "credential_award" in asking[0]
    assert re.search(r"badge[^>]*>2<span class=\"visually-hidden\"> unread", html)
    assert 'href="/hours/queue"' in html  # the supervisor's menu


def test_a_candidate_sees_no_supervisor_menu_and_no_badge_without_unread(client):
    candidate = make_candidate()
    _note(candidate, read=True)
    db.session.commit()
    login(client, candidate)
    html, statements = _statements(client, "/candidate")
    assert len([s for s in statements if "FROM notification" in s]) == 1
    assert "unread</span>" not in html
    assert 'href="/hours/queue"' not in html
