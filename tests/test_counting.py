"""What counts: hours count toward a level only from the enrolment date (or N months
before it where a requirement allows it); sessions older than the programme's limit are
refused; entries that do not count say so on the entry, the checklist and the transcript."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest

from airm_training.core.clock import add_months, today
from airm_training.core.errors import DomainError
from airm_training.credentials.services import enrolment_of
from airm_training.extensions import db
from airm_training.hours.counting import counting_rule
from airm_training.hours.models import HoursEntry
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import log_entry, oldest_session, sign_entries
from tests.factories import login, make_candidate, make_director
from tests.test_engine import (
    DIDACTIC,
    DIRECT,
    insert_hours,
    load_document,
    long_standing_supervisor,
    months_ago,
    programme_document,
    requirement_doc,
    result,
)
from tests.test_transcript import pdf_text


@pytest.fixture
def director(app):
    return make_director()


@pytest.fixture
def supervisor(director):
    return long_standing_supervisor(director)


def last_31st_after_a_short_month() -> date:
    """The latest 31st before today whose previous month has fewer days."""
    day = today() - timedelta(days=40)
    while not (day.day == 31 and add_months(day, -1).day < 31):
        day -= timedelta(days=1)
    return day


def signed_entry(person, supervisor, day: date, minutes: int = 60, category="direct-clinical"):
    entry = log_entry(
        person,
        EntryInput(
            session_date=day,
            minutes=minutes,
            category_code=category,
            supervisor_id=supervisor.id,
        ),
        submit=True,
    )
    sign_entries(supervisor, [entry.id], attested=True)
    db.session.commit()
    return entry


def test_a_session_older_than_the_programme_limit_is_refused_and_nothing_is_saved(
    director, supervisor
):
    candidate = make_candidate(director=director, enrolled_on=months_ago(8))
    assert oldest_session(today()) == add_months(today(), -36)
    for day in (date(1990, 1, 1), add_months(today(), -36) - timedelta(days=1)):
        with pytest.raises(DomainError) as refused:
            log_entry(
                candidate,
                EntryInput(session_date=day, minutes=60, category_code="direct-clinical"),
                submit=False,
            )
        assert refused.value.problems[0][0] == "session_date"
        assert "too old" in refused.value.problems[0][1]
    db.session.rollback()
    assert db.session.query(HoursEntry).filter_by(person_id=candidate.id).count() == 0
    # exactly at the limit is still accepted (but does not count: before enrolment)
    log_entry(
        candidate,
        EntryInput(session_date=add_months(today(), -36), minutes=60, category_code="didactic"),
        submit=False,
    )


def test_signed_hours_before_enrolment_do_not_count_and_say_why(director, supervisor):
    candidate = make_candidate(director=director, enrolled_on=months_ago(8))
    enrolled_on = enrolment_of(candidate).enrolled_on
    signed_entry(candidate, supervisor, enrolled_on, 60)  # on the day: counts
    signed_entry(candidate, supervisor, enrolled_on - timedelta(days=1), 120)  # the day before
    direct = result(candidate, DIRECT)
    assert (direct.current, direct.progress) == (1, "1 h of 50 h")
    assert direct.not_counted == "2 h signed for sessions before enrolment"
    evidence = result(candidate, DIRECT, with_evidence=True).evidence["hours_entry_ids"]
    assert len(evidence) == 1


def test_the_reason_shows_on_the_entry_the_list_the_checklist_and_the_transcript(
    client, director, supervisor
):
    candidate = make_candidate(director=director, enrolled_on=months_ago(8))
    enrolled_on = enrolment_of(candidate).enrolled_on
    before = signed_entry(candidate, supervisor, enrolled_on - timedelta(days=3), 90)
    after = signed_entry(candidate, supervisor, enrolled_on + timedelta(days=3), 60)
    login(client, candidate)
    page = client.get(f"/hours/{before.id}").get_data(as_text=True)
    assert "Does not count" in page
    assert f"before the enrolment on {enrolled_on.isoformat()}" in page
    assert "Does not count" not in client.get(f"/hours/{after.id}").get_data(as_text=True)
    listing = client.get("/hours/").get_data(as_text=True)
    assert listing.count("Does not count") == 1
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Does not count: 1 h 30 signed for sessions before enrolment" in home
    transcript = pdf_text(client.get("/progression/transcript.pdf").data)
    assert "Signed hours that do not count" in transcript
    assert (enrolled_on - timedelta(days=3)).isoformat() in transcript
    assert "before the enrolment on" in transcript


def test_a_requirement_may_count_sessions_some_months_before_enrolment(director, supervisor):
    document = copy.deepcopy(programme_document())
    document["programme"]["version"] = 2
    requirement_doc(document, "AIRT-S", DIDACTIC)["counts_months_before_enrolment"] = 1
    load_document(document, "e" * 64)
    db.session.commit()
    # enrolled on the 31st of a month that follows a 30-day month: the day clamps to the
    # 30th, as add_months does
    enrolled_on = last_31st_after_a_short_month()
    candidate = make_candidate(director=director, enrolled_on=enrolled_on)
    label = "Didactic training: 40 hours (counted from 1 month before enrolment)"
    counts_from = add_months(enrolled_on, -1)
    assert counts_from.day in (28, 29, 30)
    assert counting_rule(candidate.id).counts_from["didactic"] == counts_from
    assert counting_rule(candidate.id).counts_from["direct-clinical"] == enrolled_on
    for first_day_ago, category in ((0, "didactic"), (1, "didactic"), (1, "direct-clinical")):
        insert_hours(
            candidate,
            category,
            1,
            60,
            signer=supervisor,
            first_day_ago=(today() - counts_from).days + first_day_ago,
        )
    didactic = result(candidate, label)
    assert didactic.current == 1
    assert didactic.not_counted == "1 h signed for sessions before enrolment"
    assert result(candidate, DIRECT).current == 0
