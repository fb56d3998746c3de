"""The supervision-agreement rule: a session counts, where the programme asks for it
(``within_agreement``), only inside an approved agreement with the supervisor it was logged
with that covers its date and category. Plain functions first, then the same answers from
the SQL condition the requirement engine counts with."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from airm_training.agreements.coverage import AgreementSpan, covered_clause, outside_reason
from airm_training.agreements.demo import demo_programme
from airm_training.agreements.models import AgreementStatus, SupervisionAgreement
from airm_training.core.clock import today, utcnow
from airm_training.extensions import db
from airm_training.hours.counting import CountingRule, counting_rule
from airm_training.hours.models import HoursEntry
from airm_training.programme.models import HoursCategory
from airm_training.programme.services import current_version
from tests.factories import make_candidate, make_director, make_supervisor
from tests.test_engine import insert_hours

SUPERVISOR, OTHER = 7, 8
START, END = date(2026, 3, 1), date(2026, 6, 30)
IND, GROUP = "individual-consultation", "group-consultation"


def span(*, approved=True, starts_on=START, ends_on=END, categories=(IND,), supervisor=SUPERVISOR):
    return AgreementSpan(supervisor, approved, starts_on, ends_on, frozenset(categories))


# --- the plain rule ------------------------------------------------------------------------
@pytest.mark.parametrize("day", [START, date(2026, 4, 15), END])
def test_a_session_inside_the_dates_is_covered(day):
    assert outside_reason(day, IND, SUPERVISOR, [span()]) is None


def test_an_open_ended_agreement_covers_every_day_from_its_start():
    assert outside_reason(date(2030, 1, 1), IND, SUPERVISOR, [span(ends_on=None)]) is None


def test_a_session_before_the_start_is_not_covered_and_says_when_it_starts():
    reason = outside_reason(START - timedelta(days=1), IND, SUPERVISOR, [span()])
    assert reason.startswith(
        "The session is before the supervision agreement with this supervisor starts on 2026-03-01"
    )
    assert reason.endswith("it does not count toward a level.")


def test_a_session_after_an_ended_agreement_is_not_covered():
    reason = outside_reason(END + timedelta(days=1), IND, SUPERVISOR, [span()])
    assert "after the supervision agreement with this supervisor ended on 2026-06-30" in reason


def test_a_category_the_agreement_does_not_cover_is_not_covered():
    reason = outside_reason(date(2026, 4, 1), GROUP, SUPERVISOR, [span()])
    assert "does not cover this category" in reason


def test_an_agreement_not_yet_approved_covers_nothing():
    reason = outside_reason(date(2026, 4, 1), IND, SUPERVISOR, [span(approved=False)])
    assert "not approved yet" in reason


def test_an_agreement_with_another_supervisor_does_not_cover_the_session():
    reason = outside_reason(date(2026, 4, 1), IND, SUPERVISOR, [span(supervisor=OTHER)])
    assert reason.startswith("There is no supervision agreement with this supervisor")
    assert "no supervisor is named" in outside_reason(date(2026, 4, 1), IND, None, [span()]).lower()


def test_a_second_agreement_covers_what_the_first_does_not():
    later = span(starts_on=date(2026, 7, 1), ends_on=None, categories=(IND, GROUP))
    assert outside_reason(date(2026, 8, 1), GROUP, SUPERVISOR, [span(), later]) is None
    gap = outside_reason(date(2026, 8, 1), GROUP, SUPERVISOR, [span()])
    assert gap is not None


def test_the_counting_rule_asks_only_for_the_categories_the_programme_names():
    rule = CountingRule(
        date(2026, 1, 1), {IND: date(2026, 1, 1)}, within_agreement=frozenset({IND}), agreements=()
    )
    assert rule.reason(date(2026, 4, 1), IND, SUPERVISOR).startswith("There is no supervision")
    assert rule.reason(date(2026, 4, 1), "didactic", SUPERVISOR) is None
    before_enrolment = rule.reason(date(2025, 12, 1), IND, SUPERVISOR)
    assert before_enrolment.startswith("The session is before the enrolment")


def test_with_the_rule_off_no_agreement_is_needed():
    rule = CountingRule(date(2026, 1, 1), {IND: date(2026, 1, 1)})
    assert rule.reason(date(2026, 4, 1), IND, SUPERVISOR) is None


# --- the rule read from the programme, and the SQL the engine counts with -----------------
@pytest.fixture
def director(app):
    return make_director()


def agreement(
    candidate,
    supervisor,
    *,
    status=AgreementStatus.APPROVED,
    starts_on,
    ends_on=None,
    categories=(IND,),
):
    row = SupervisionAgreement(
        candidate_id=candidate.id,
        supervisor_id=supervisor.id,
        starts_on=starts_on,
        ends_on=ends_on,
        terms="Terms.",
        status=status.value,
        candidate_signed_at=utcnow(),
        candidate_attestation="I sign.",
        categories=list(
            db.session.scalars(sa.select(HoursCategory).where(HoursCategory.code.in_(categories)))
        ),
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_the_rule_comes_from_the_enrolment_version(director):
    supervisor = make_supervisor(awarded_on=today() - timedelta(days=400), director=director)
    before = make_candidate(director=director, enrolled_on=today() - timedelta(days=200))
    assert counting_rule(before.id).within_agreement == frozenset()  # the shipped file: off
    demo_programme(current_version())
    after = make_candidate(director=director, enrolled_on=today() - timedelta(days=200))
    rule = counting_rule(after.id)
    assert {IND, GROUP, "consultation-of-consultation"} <= rule.within_agreement
    assert "didactic" not in rule.within_agreement
    day = today() - timedelta(days=10)
    assert rule.reason(day, IND, supervisor.id).startswith("There is no supervision agreement")
    assert counting_rule(before.id).reason(day, IND, supervisor.id) is None


def test_the_sql_condition_gives_the_plain_rule_s_answers(director):
    """Every case of the plain rule, in the database: the engine's condition and the
    reason beside the entry agree on each entry."""
    demo_programme(current_version())
    supervisor = make_supervisor(awarded_on=today() - timedelta(days=400), director=director)
    other = make_supervisor(awarded_on=today() - timedelta(days=400), director=director)
    candidate = make_candidate(director=director, enrolled_on=today() - timedelta(days=300))
    start, end = today() - timedelta(days=40), today() - timedelta(days=20)
    agreement(candidate, supervisor, starts_on=start, ends_on=end)
    agreement(
        candidate,
        supervisor,
        status=AgreementStatus.AWAITING_APPROVAL,
        starts_on=today() - timedelta(days=10),
        categories=(IND, GROUP),
    )
    agreement(candidate, other, starts_on=start, categories=(GROUP,))
    ids = []
    for days_ago in (60, 41, 40, 30, 20, 19, 5):
        for signer in (supervisor, other):
            for code in (IND, GROUP):
                ids += insert_hours(candidate, code, 1, 60, signer=signer, first_day_ago=days_ago)
    db.session.flush()
    covered = set(
        db.session.scalars(sa.select(HoursEntry.id).where(HoursEntry.id.in_(ids), covered_clause()))
    )
    rule = counting_rule(candidate.id)
    entries = db.session.scalars(sa.select(HoursEntry).where(HoursEntry.id.in_(ids))).all()
    answers = {
        e.id: rule.reason(e.session_date, e.category.code, e.supervisor_id) is None for e in entries
    }
    assert answers == {i: i in covered for i in ids}
    assert 0 < len(covered) < len(ids)  # both answers occur
