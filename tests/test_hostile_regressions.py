"""Regressions found by the hostile-input tests, one test each: every one of these was a
server error (500) before its fix."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.assessments.models import Quiz
from airm_training.assessments.quizzes import start_attempt
from airm_training.core.clock import today
from airm_training.core.input import MAX_ID, id_value, id_values
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import log_entry
from tests.factories import login, make_candidate, make_director, make_supervisor
from tests.hostile import changed_tables, table_checksums

NOT_IDS = ["\u00b2", "\u00b9\u00b2", "\uff11", "-1", "1e3", " 1", "", "9" * 11, str(MAX_ID + 1)]


@pytest.mark.parametrize("text", NOT_IDS)
def test_only_ascii_digits_within_the_integer_range_are_ids(text):
    with pytest.raises(ValueError):
        id_value(text)
    assert id_values([text, "12"]) == [12]


def test_the_largest_id_is_still_an_id():
    assert id_value(str(MAX_ID)) == MAX_ID


@pytest.mark.parametrize("value", ["99999999999999999999", str(MAX_ID + 1)])
def test_an_id_too_large_for_the_database_is_not_found(client, value):
    """Was OverflowError (SQLite) / integer out of range (PostgreSQL)."""
    login(client, make_candidate())
    assert client.get(f"/hours/{value}").status_code == 404
    assert client.get(f"/people/{value}").status_code == 404


def test_signing_with_odd_entry_ids_signs_nothing_and_does_not_fail(client):
    """Was ValueError: "²".isdigit() is true, int("²") raises."""
    supervisor = make_supervisor()
    candidate = make_candidate()
    entry = log_entry(
        candidate,
        EntryInput(
            session_date=today() - timedelta(days=1),
            minutes=60,
            category_code="individual-consultation",
            supervisor_id=supervisor.id,
        ),
        submit=True,
    )
    db.session.commit()
    login(client, supervisor)
    before = table_checksums()
    response = client.submit(
        "/hours/sign",
        {"attest": "y", "entry": ["\u00b2", "99999999999999999999"]},
        form_path="/hours/queue",
    )
    assert response.status_code == 302
    assert changed_tables(before, table_checksums()) == set()
    db.session.expire_all()
    assert db.session.get(HoursEntry, entry.id).status == "submitted"


def test_quiz_answers_with_odd_option_ids_are_wrong_answers(client):
    candidate = make_candidate()
    quiz = db.session.scalar(sa.select(Quiz).order_by(Quiz.code))
    attempt = start_attempt(candidate, quiz)
    db.session.commit()
    login(client, candidate)
    answers = {f"q{item.position}": ["\u00b2", "1" * 30] for item in attempt.items}
    path = f"/assessments/attempts/{attempt.id}"
    response = client.submit(path, answers)
    assert response.status_code == 302
    assert "You scored 0 %" in client.get(path).get_data(as_text=True)


@pytest.mark.parametrize("field", ["note", "category", "csrf_token\x00"])
def test_a_nul_byte_in_a_form_is_a_bad_request_and_changes_nothing(client, field):
    """PostgreSQL refuses NUL in text: a note with one was a database error."""
    supervisor = make_supervisor()
    login(client, make_candidate())
    data = {
        "session_date": (today() - timedelta(days=1)).isoformat(),
        "duration_hours": "1",
        "duration_minutes": "0",
        "category": "individual-consultation",
        "supervisor": str(supervisor.id),
        "note": "Consultation on pacing",
        "submit_entry": "Submit",
    }
    data[field] = (data.get(field) or "x") + "\x00"
    before = table_checksums()
    response = client.submit("/hours/new", data)
    assert response.status_code == 400
    assert changed_tables(before, table_checksums()) == set()


def test_a_nul_byte_in_a_query_string_is_a_bad_request(client):
    login(client, make_candidate())
    assert client.get("/hours/?category=a%00b").status_code == 400
    assert client.get("/verify/?code=%00").status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/people/?supervisor=99999999999999999999",
        "/people/?supervisor=%C2%B2",
        "/audit/?person=99999999999999999999",
        "/audit/?person=2147483648",
    ],
)
def test_filters_with_an_id_beyond_the_integer_range_are_ignored(client, url):
    """Was OverflowError / integer out of range: the filters took any int as an id."""
    login(client, make_director())
    assert client.get(url).status_code == 200
