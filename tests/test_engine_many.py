"""Evaluating many people at once: the same results as evaluating each person alone, in
a number of queries that does not grow with the number of people."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.core.clock import today
from airm_training.extensions import db
from airm_training.hours.models import HoursStatus
from airm_training.people.models import Licence, Person, Role
from airm_training.progression.engine import evaluate, evaluate_many, next_level, next_levels
from airm_training.progression.models import Endorsement, Vote
from tests.bulk import bulk_candidates
from tests.factories import make_candidate, make_person
from tests.test_engine import (
    DIDACTIC,
    QUIZ_CODES,
    airt_s_rules,
    complete_modules,
    count_statements,
    evaluated,
    graded_case,
    insert_hours,
    load_document,
    long_standing_supervisor,
    months_ago,
    pass_quizzes,
    programme_document,
    qualified_candidate,
    requirement_doc,
    take_quiz,
)
from tests.test_engine import bare_application as make_application


@pytest.fixture
def director(app):
    return make_person(Role.DIRECTOR)


@pytest.fixture
def supervisor(director):
    return long_standing_supervisor(director)


@pytest.fixture
def cohort(director, supervisor):
    """People at very different points, under two programme versions."""
    qualified, _ = qualified_candidate(supervisor=supervisor, director=director)

    partial = make_candidate(director=director, enrolled_on=months_ago(6))
    complete_modules(partial, director, ("AIRM-101", "AIRM-102", "AIRM-201"))
    pass_quizzes(partial, QUIZ_CODES[:3])
    take_quiz(partial, QUIZ_CODES[3], passing=False)
    graded_case(partial, supervisor, "pass", "Passed")
    graded_case(partial, supervisor, "revise", "To revise")
    evaluated(partial, supervisor, 2)
    insert_hours(partial, "direct-clinical", 7, 150, signer=supervisor)
    insert_hours(partial, "group-consultation", 4, 90, signer=supervisor)
    not_a_supervisor = make_candidate(director=director, enrolled_on=months_ago(30))
    insert_hours(partial, "individual-consultation", 5, 60, signer=not_a_supervisor)

    fresh = make_candidate(director=director, enrolled_on=today())

    lapsed = make_candidate(director=director, enrolled_on=months_ago(14))
    lapsed.licences[0].expires_on = today() - timedelta(days=1)
    insert_hours(lapsed, "didactic", 12, 240, signer=supervisor)  # 48 h
    insert_hours(
        lapsed, "individual-consultation", 3, 60, signer=supervisor, status=HoursStatus.SUBMITTED
    )
    db.session.commit()

    document = copy.deepcopy(programme_document())
    document["programme"]["version"] = 2
    requirement_doc(document, "AIRT-S", DIDACTIC)["minimum_hours"] = 60
    load_document(document, "e" * 64)
    db.session.commit()
    newer = make_candidate(director=director, enrolled_on=months_ago(1))
    insert_hours(newer, "didactic", 12, 240, signer=supervisor)  # 48 of 60 h

    applicant, _ = qualified_candidate(supervisor=supervisor, director=director)
    application = make_application(applicant, supervisor)
    member = make_person(Role.CO_CREATOR)
    db.session.add_all(
        [
            Endorsement(application_id=application.id, supervisor_id=supervisor.id, endorsed=True),
            Vote(application_id=application.id, member_id=member.id, approve=True),
        ]
    )
    db.session.commit()
    db.session.expire_all()

    not_enrolled = make_person(Role.CANDIDATE)
    return {
        "people": [qualified, partial, fresh, lapsed, newer, applicant, not_a_supervisor],
        "not_enrolled": not_enrolled,
        "applications": {applicant.id: application},
    }


def one_by_one(people, applications, **kwargs):
    return {
        p.id: evaluate(p, next_level(p), application=applications.get(p.id), **kwargs)
        for p in people
    }


@pytest.mark.parametrize("with_evidence", [False, True])
def test_many_at_once_equals_one_by_one(cohort, with_evidence):
    people, applications = cohort["people"], cohort["applications"]
    db.session.expire_all()
    alone = one_by_one(people, applications, with_evidence=with_evidence)
    together = evaluate_many(
        [*people, cohort["not_enrolled"]], applications=applications, with_evidence=with_evidence
    )
    assert set(together) == {p.id for p in people}  # the person not enrolled is left out
    for person in people:
        many, single = together[person.id], alone[person.id]
        assert many.programme_version_id == single.programme_version_id
        assert [(r.label, r.met, r.progress) for r in many.results] == [
            (r.label, r.met, r.progress) for r in single.results
        ]
        assert many == single  # numbers, missing items and evidence as well


def test_the_cohort_is_varied(cohort):
    """The figures the comparison above covers, checked by hand for a few people."""
    qualified, partial, fresh, lapsed, newer, applicant, _ = cohort["people"]
    standings = evaluate_many(cohort["people"], applications=cohort["applications"])

    def status(person):
        return {r.label: (r.met, r.progress) for r in standings[person.id].results}

    assert standings[qualified.id].evidence_met
    assert not standings[fresh.id].evidence_met
    partial_status = status(partial)
    assert partial_status["7 modules completed"] == (False, "3 of 7 modules")
    assert partial_status["7 quizzes passed"] == (False, "3 of 7 quizzes passed")
    assert partial_status["2 case presentations passed"] == (
        False,
        "1 of 2 case presentations passed",
    )
    assert partial_status["Direct clinical: 50 hours"] == (
        False,
        "17 h 30 of 50 h",
    )
    assert partial_status["Individual consultation with an AIRT-S: 10 hours"] == (
        False,
        "0 of 10 h",
    )
    assert partial_status[
        "Individual consultation + group consultation with an AIRT-S: 20 hours"
    ] == (
        False,
        "6 h of 20 h",
    )
    lapsed_status = status(lapsed)
    assert lapsed_status["A verified, unexpired licence on file"] == (False, "none on file")
    assert lapsed_status[DIDACTIC] == (True, "48 h of 40 h")
    assert status(newer)["Didactic training: 60 hours"] == (False, "48 h of 60 h")
    applicant_status = status(applicant)
    assert applicant_status["Endorsed by a supervisor"] == (True, "1 of 1 endorsements")
    assert applicant_status["Approved by the co-creators' board (2 of 3)"] == (
        False,
        "1 of 2 approvals",
    )


def test_everyone_against_the_rules_given(cohort):
    rules = airt_s_rules()
    people = cohort["people"]
    together = evaluate_many([p.id for p in people], rules)
    assert {s.programme_version_id for s in together.values()} == {rules.programme_version_id}
    for person in people:
        assert together[person.id] == evaluate(person, rules)


def test_next_levels_agrees_with_next_level(cohort):
    people = [*cohort["people"], cohort["not_enrolled"]]
    levels = next_levels([p.id for p in people])
    for person in people:
        assert levels.get(person.id) is next_level(person)


def test_nobody_to_evaluate(app):
    assert evaluate_many([]) == {}


@pytest.mark.parametrize("with_evidence", [False, True])
def test_query_count_is_the_same_for_5_and_100_people(director, supervisor, with_evidence):
    few = bulk_candidates(5, signer_id=supervisor.id, prefix="few")
    many = bulk_candidates(100, signer_id=supervisor.id, prefix="many", hours_each=6)

    def run(ids):
        def call():
            db.session.expire_all()
            standings = evaluate_many(ids, with_evidence=with_evidence)
            assert len(standings) == len(ids)

        return call

    run(few)()  # the first statement after a commit also opens the test's savepoint
    assert count_statements(run(few)) == count_statements(run(many))
    standing = evaluate_many(many[:1])[many[0]]
    direct = next(r for r in standing.results if r.label.startswith("Direct clinical"))
    assert direct.progress == "6 h of 50 h"


def test_a_licence_relationship_change_is_seen(cohort):
    """Facts are read from the database, not from objects loaded earlier."""
    fresh = cohort["people"][2]
    db.session.query(Licence).filter_by(person_id=fresh.id).update({"verified_at": None})
    db.session.commit()
    standing = evaluate_many([fresh])[fresh.id]
    assert not standing.results[0].met


def test_a_query_selecting_the_people_gives_the_same_results(cohort):
    people = cohort["people"]
    ids = [p.id for p in people]
    chosen = sa.select(Person.id).where(Person.id.in_([*ids, cohort["not_enrolled"].id]))
    assert evaluate_many(chosen) == evaluate_many(ids)
    rules = airt_s_rules()
    assert evaluate_many(chosen, rules) == evaluate_many([*ids, cohort["not_enrolled"].id], rules)


def test_one_person_s_facts_are_read_with_the_statement_built_for_the_first(cohort):
    """Evaluating people one at a time, the facts' union is built for the first and sent
    again, with the next person's values, for everyone with the same requirements."""
    qualified, partial = cohort["people"][:2]
    unions: list = []

    def remember(_conn, clauseelement, *_args):
        if isinstance(clauseelement, sa.CompoundSelect):
            unions.append(clauseelement)

    engine = db.engines[None].engine
    sa.event.listen(engine, "before_execute", remember)
    try:
        standings = [evaluate(p, next_level(p)) for p in (qualified, partial, qualified)]
    finally:
        sa.event.remove(engine, "before_execute", remember)
    assert len(unions) == 3 and unions[0] is unions[1] is unions[2]
    assert standings[0] == standings[2] and standings[0] != standings[1]
    assert standings[0].evidence_met and not standings[1].evidence_met
    assert [s.person_id for s in standings] == [qualified.id, partial.id, qualified.id]
