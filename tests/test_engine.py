"""The requirement engine with the database: every requirement kind met and not met, the
boundaries (exactly 50 h, exactly 12 months), which hours count (signed only, signed by
someone holding the level on the session date), grandfathering across programme versions,
a three-level ladder, and a query count that does not grow with the number of entries.

The evidence builders at the top are also used by the workflow and certificate tests."""

from __future__ import annotations

import copy
import tomllib
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from airm_training.assessments.cases import CaseInput, GradeInput, grade_case, submit_case
from airm_training.assessments.evaluations import (
    EvaluationInput,
    programme_rubric,
    submit_evaluation,
)
from airm_training.assessments.models import Quiz, QuizAttempt
from airm_training.assessments.quizzes import start_attempt, submit_attempt
from airm_training.core.clock import add_months, today, utcnow
from airm_training.credentials.models import AwardStatus, CredentialAward
from airm_training.credentials.services import award_credential, enrol, enrolment_of
from airm_training.curriculum.models import ModuleCompletion
from airm_training.curriculum.services import record_attendance
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import log_entry, sign_entries
from airm_training.people.models import Licence, Person, Role
from airm_training.programme.loader import DEFAULT_PROGRAMME_FILE, load_programme
from airm_training.programme.models import HoursCategory, Module, ProgrammeLevel
from airm_training.programme.services import current_version
from airm_training.progression.engine import (
    RequirementResult,
    evaluate,
    evaluate_many,
    evaluate_reinstatement,
    evaluate_renewal,
    next_level,
    next_levels,
)
from airm_training.progression.models import Application, Endorsement, Vote
from tests.ce_helpers import verified_ce
from tests.factories import (
    doc_label,
    make_candidate,
    make_director,
    make_licensed,
    make_person,
    make_supervisor,
)
from tests.query_count import count_statements

MODULE_CODES = ("AIRM-101", "AIRM-102", "AIRM-201", "AIRM-202", "AIRM-203", "AIRM-204", "AIRM-301")
QUIZ_CODES = tuple(f"{code}-Q" for code in MODULE_CODES)
BOND_TYPES = {"Emotional support", "Romantic", "Parasocial", "Habitual reliance"}
CASE_TEXT = (
    "An adult client described nightly conversations with a companion app that had become "
    "the main source of comfort after a move to a new city. We explored what the bond gave "
    "and what it cost, paced the attachment-awareness stage carefully, and agreed on small "
    "experiments with human contact between sessions."
)

# The labels of the AIRT-S requirements in the shipped programme file.
LICENCE = "A verified, unexpired licence on file"
MODULES = "7 modules completed"
QUIZZES = "7 quizzes passed"
CASES = "2 case presentations passed"
EVALUATION = "A competency evaluation with every item rated 3 or higher"
HELD = "AIRT-C held for at least 12 months"
DIDACTIC = "Didactic training: 40 hours"
DIRECT = "Direct clinical: 50 hours"
INDIVIDUAL = "Individual consultation with an AIRT-S: 10 hours"
CONSULTATION = "Individual consultation + group consultation with an AIRT-S: 20 hours"
COC = "Consultation of consultation with an AIRT-S: 10 hours"
ENDORSEMENT = "Endorsed by a supervisor"
APPROVAL = "Approved by the co-creators' board (2 of 3)"

# The signed hours that meet every AIRT-S hours requirement exactly:
# (category, number of sessions, minutes each).
QUALIFYING_HOURS = (
    ("didactic", 10, 240),  # 40 h
    ("direct-clinical", 25, 120),  # 50 h
    ("individual-consultation", 20, 60),  # 20 h: 10 individual, 20 with group
    ("consultation-of-consultation", 10, 60),  # 10 h
)


# --- evidence builders --------------------------------------------------------------------
def months_ago(months: int) -> date:
    return add_months(today(), -months)


def enrolled(director: Person, enrolled_on: date) -> Person:
    """A licensed candidate enrolled (and holding AIRT-C) from ``enrolled_on``."""
    person = make_person(Role.CANDIDATE)
    make_licensed(person, verifier=director)
    enrol(person, actor_id=director.id, enrolled_on=enrolled_on)
    db.session.commit()
    return person


def long_standing_supervisor(director: Person | None = None) -> Person:
    """A supervisor whose AIRT-S has been current for 400 days (and still is)."""
    return make_supervisor(awarded_on=today() - timedelta(days=400), director=director)


def category_id(code: str) -> int:
    return db.session.scalar(sa.select(HoursCategory.id).where(HoursCategory.code == code))


def insert_hours(
    person: Person,
    category: str,
    count: int,
    minutes: int,
    *,
    signer: Person | None,
    status: HoursStatus = HoursStatus.SIGNED,
    first_day_ago: int = 1,
) -> list[int]:
    """``count`` entries straight into the table, one per day going back from
    ``first_day_ago``; signed by ``signer`` when the status says so. Returns their ids."""
    now = utcnow()
    signed = status in (HoursStatus.SIGNED, HoursStatus.SUPERSEDED)
    rows = [
        {
            "person_id": person.id,
            "session_date": today() - timedelta(days=first_day_ago + n),
            "minutes": minutes,
            "category_id": category_id(category),
            "supervisor_id": signer.id if signer else None,
            "stages": [],
            "modalities": [],
            "note": "",
            "status": status.value,
            "late": False,
            "submitted_at": None if status is HoursStatus.DRAFT else now,
            "signed_by_id": signer.id if signed and signer else None,
            "signed_at": now if signed else None,
            "attestation": "I attest" if signed else None,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(count)
    ]
    ids = list(db.session.scalars(sa.insert(HoursEntry).returning(HoursEntry.id), rows))
    db.session.commit()
    return sorted(ids)


def complete_modules(person: Person, director: Person, codes=MODULE_CODES) -> None:
    modules = {m.code: m for m in db.session.scalars(sa.select(Module))}
    for code in codes:
        record_attendance(modules[code], [person], today() - timedelta(days=60), director=director)
    db.session.commit()


def take_quiz(person: Person, code: str, *, passing: bool = True) -> None:
    """One attempt at the quiz: every answer right, or every answer wrong. A quiz follows
    its module's prerequisites: those still missing are recorded as completed first."""
    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.code == code))
    for prerequisite in quiz.module.prerequisites if quiz.module else []:
        if not db.session.scalar(
            sa.select(sa.func.count()).where(
                ModuleCompletion.person_id == person.id,
                ModuleCompletion.module_id == prerequisite.id,
            )
        ):
            director = make_director()
            record_attendance(
                prerequisite, [person], today() - timedelta(days=60), director=director
            )
    attempt = start_attempt(person, quiz)
    answers = {}
    for item in attempt.items:
        key = list(item.snapshot["correct"])
        wrong = [next(o["id"] for o in item.snapshot["options"] if o["id"] not in key)]
        answers[item.position] = key if passing else wrong
    submit_attempt(person, attempt, answers)
    db.session.commit()


def pass_quizzes(person: Person, codes=QUIZ_CODES) -> None:
    for code in codes:
        take_quiz(person, code)


def graded_case(person: Person, supervisor: Person, grade: str, title: str = "A case") -> None:
    case = submit_case(
        person,
        CaseInput(
            title=title,
            stages=["attachment-awareness"],
            bond_type="Romantic",
            modalities=["CBT"],
            text=CASE_TEXT,
            deidentified_confirmed=True,
            supervisor_id=supervisor.id,
        ),
        bond_types=BOND_TYPES,
    )
    rubric = {"formulation": "met", "stage-work": "met", "integration": "met", "ethics": "met"}
    grade_case(
        supervisor, case, GradeInput(grade=grade, feedback="Useful feedback.", rubric=rubric)
    )
    db.session.commit()


def evaluated(person: Person, evaluator: Person, ratings: dict[str, int] | int) -> None:
    codes = [item.code for item in programme_rubric().items]
    if isinstance(ratings, int):
        ratings = dict.fromkeys(codes, ratings)
    submit_evaluation(
        evaluator,
        person,
        EvaluationInput(
            session_date=today() - timedelta(days=10),
            observation="recorded",
            ratings=ratings,
            comments={},
            overall_comment="",
        ),
    )
    db.session.commit()


def qualify(person: Person, *, supervisor: Person, director: Person) -> dict[str, list[int]]:
    """Give an enrolled candidate (enrolled 12+ months ago) every piece of AIRT-S
    evidence, each exactly at its minimum. Returns the hours entry ids by category."""
    complete_modules(person, director)
    pass_quizzes(person)
    graded_case(person, supervisor, "pass", "First case")
    graded_case(person, supervisor, "pass", "Second case")
    evaluated(person, supervisor, 3)
    return {
        category: insert_hours(person, category, count, minutes, signer=supervisor)
        for category, count, minutes in QUALIFYING_HOURS
    }


def qualified_candidate(*, supervisor: Person, director: Person) -> tuple[Person, dict]:
    candidate = make_candidate(director=director, enrolled_on=months_ago(13))
    return candidate, qualify(candidate, supervisor=supervisor, director=director)


# --- reading results ----------------------------------------------------------------------
def standing(person: Person, **kwargs):
    db.session.expire_all()
    rules = next_level(person)
    assert rules is not None, "the person has no next level"
    return evaluate(person, rules, **kwargs)


def result(person: Person, label: str, **kwargs) -> RequirementResult:
    matches = [r for r in standing(person, **kwargs).results if r.label == label]
    assert len(matches) == 1, f"no single requirement labelled {label!r}"
    return matches[0]


def airt_s_rules() -> ProgrammeLevel:
    return next(r for r in current_version().levels if r.level.code == "AIRT-S")


@pytest.fixture
def director(app) -> Person:
    return make_director()


@pytest.fixture
def supervisor(director) -> Person:
    return long_standing_supervisor(director)


@pytest.fixture
def candidate(director) -> Person:
    return make_candidate(director=director, enrolled_on=months_ago(13))


# --- the ladder itself --------------------------------------------------------------------
def test_an_airt_c_holder_is_evaluated_against_every_airt_s_requirement(candidate):
    rules = next_level(candidate)
    assert rules.level.code == "AIRT-S"
    labels = [r.label for r in evaluate(candidate, rules).results]
    assert labels == [
        LICENCE,
        MODULES,
        QUIZZES,
        CASES,
        EVALUATION,
        HELD,
        DIDACTIC,
        DIRECT,
        INDIVIDUAL,
        CONSULTATION,
        COC,
        ENDORSEMENT,
        APPROVAL,
    ]


def test_a_standing_names_the_rules_it_was_evaluated_against(candidate):
    """The kept summary stores which programme level a standing is for."""
    rules = next_level(candidate)
    assert evaluate(candidate, rules).programme_level_id == rules.id
    assert evaluate_many([candidate.id])[candidate.id].programme_level_id == rules.id


def test_a_person_who_is_not_enrolled_has_no_next_level(app):
    assert next_level(make_person(Role.CANDIDATE)) is None


# --- licence ------------------------------------------------------------------------------
def test_licence_met_with_a_verified_unexpired_licence(candidate):
    r = result(candidate, LICENCE)
    assert r.met
    assert (r.current, r.target) == (1, 1)
    assert r.evidence["licence_ids"] == [candidate.licences[0].id]


@pytest.mark.parametrize("breakage", ["unverified", "expired"])
def test_licence_not_met_when_unverified_or_expired(candidate, breakage):
    licence = db.session.scalar(sa.select(Licence).where(Licence.person_id == candidate.id))
    if breakage == "unverified":
        licence.verified_at = None
    else:
        licence.expires_on = today() - timedelta(days=1)
    db.session.commit()
    r = result(candidate, LICENCE)
    assert not r.met
    assert (r.current, r.target) == (0, 1)
    assert r.missing == ["a verified, unexpired licence"]


def test_licence_expiring_today_still_counts(candidate):
    licence = db.session.scalar(sa.select(Licence).where(Licence.person_id == candidate.id))
    licence.expires_on = today()
    db.session.commit()
    assert result(candidate, LICENCE).met


# --- modules ------------------------------------------------------------------------------
def test_modules_met_when_every_module_is_completed(candidate, director):
    complete_modules(candidate, director)
    r = result(candidate, MODULES)
    assert r.met
    assert (r.current, r.target) == (7, 7)
    assert r.missing == []
    assert len(r.evidence["completion_ids"]) == 7


def test_modules_not_met_with_one_missing(candidate, director):
    complete_modules(candidate, director, MODULE_CODES[:-1])
    r = result(candidate, MODULES)
    assert not r.met
    assert (r.current, r.target) == (6, 7)
    assert r.missing == ["AIRM-301"]
    assert r.progress == "6 of 7 modules"


def test_someone_elses_completions_do_not_count(candidate, director):
    other = make_candidate(director=director)
    complete_modules(other, director)
    r = result(candidate, MODULES)
    assert not r.met
    assert r.current == 0


# --- quizzes ------------------------------------------------------------------------------
def test_quizzes_met_when_every_quiz_is_passed(candidate):
    pass_quizzes(candidate)
    r = result(candidate, QUIZZES)
    assert r.met
    assert (r.current, r.target) == (7, 7)
    assert len(r.evidence["attempt_ids"]) == 7


def test_quizzes_not_met_with_a_failed_attempt(candidate):
    pass_quizzes(candidate, QUIZ_CODES[:-1])
    take_quiz(candidate, QUIZ_CODES[-1], passing=False)
    r = result(candidate, QUIZZES)
    assert not r.met
    assert (r.current, r.target) == (6, 7)
    assert r.missing == [QUIZ_CODES[-1]]


def test_a_failed_attempt_followed_by_a_pass_counts(candidate):
    pass_quizzes(candidate, QUIZ_CODES[1:])
    take_quiz(candidate, QUIZ_CODES[0], passing=False)
    assert not result(candidate, QUIZZES).met
    db.session.execute(  # past the quiz's waiting time
        sa.update(QuizAttempt)
        .where(QuizAttempt.person_id == candidate.id)
        .values(submitted_at=utcnow() - timedelta(days=7))
    )
    db.session.commit()
    take_quiz(candidate, QUIZ_CODES[0])
    assert result(candidate, QUIZZES).met


# --- case presentations -------------------------------------------------------------------
def test_case_presentations_met_with_two_passed(candidate, supervisor):
    graded_case(candidate, supervisor, "pass", "One")
    graded_case(candidate, supervisor, "pass", "Two")
    r = result(candidate, CASES)
    assert r.met
    assert (r.current, r.target) == (2, 2)
    assert len(r.evidence["case_presentation_ids"]) == 2


def test_case_presentations_not_met_when_only_one_passed(candidate, supervisor):
    graded_case(candidate, supervisor, "pass", "Passed")
    graded_case(candidate, supervisor, "revise", "To revise")
    graded_case(candidate, supervisor, "fail", "Failed")
    r = result(candidate, CASES)
    assert not r.met
    assert (r.current, r.target) == (1, 2)
    assert r.missing == ["1 more passed"]


# --- competency evaluation ----------------------------------------------------------------
def test_evaluation_met_when_every_item_reaches_the_minimum(candidate, supervisor):
    evaluated(candidate, supervisor, 3)
    r = result(candidate, EVALUATION)
    assert r.met
    assert (r.current, r.target) == (1, 1)


def test_evaluation_not_met_when_one_item_is_below_the_minimum(candidate, supervisor):
    codes = [item.code for item in programme_rubric().items]
    evaluated(candidate, supervisor, {**dict.fromkeys(codes, 4), codes[-1]: 2})
    r = result(candidate, EVALUATION)
    assert not r.met
    assert (r.current, r.target) == (0, 1)
    assert r.progress == "lowest rating 2 (needs 3)"
    # A second, good evaluation is enough.
    evaluated(candidate, long_standing_supervisor(), 3)
    assert result(candidate, EVALUATION).met


def test_evaluation_not_met_without_one(candidate):
    r = result(candidate, EVALUATION)
    assert not r.met
    assert r.progress == "no evaluation yet"


# --- credential held ----------------------------------------------------------------------
def test_credential_held_exactly_twelve_months_is_met(director):
    person = make_candidate(director=director, enrolled_on=months_ago(12))
    r = result(person, HELD)
    assert r.met
    assert (r.current, r.target) == (12, 12)


def test_credential_held_a_day_short_of_twelve_months_is_not_met(director):
    person = make_candidate(director=director, enrolled_on=months_ago(12) + timedelta(days=1))
    r = result(person, HELD)
    assert not r.met
    assert (r.current, r.target) == (11, 12)


@pytest.mark.parametrize(
    ("enrolled_on", "as_of", "met"),
    [
        (date(2024, 3, 15), date(2025, 3, 15), True),
        (date(2024, 3, 15), date(2025, 3, 14), False),
        (date(2023, 3, 31), date(2024, 3, 31), True),
        (date(2023, 3, 31), date(2024, 3, 30), False),
    ],
)
def test_credential_held_boundary_on_fixed_dates(director, enrolled_on, as_of, met):
    r = result(enrolled(director, enrolled_on), HELD, as_of=as_of)
    assert r.met is met
    assert (r.current, r.target) == (12 if met else 11, 12)


def test_credential_held_from_29_february_progress_agrees_with_met(director):
    """Twelve months from 29 February 2024 end on 28 February 2025 (the engine's own
    add_months clamps so): the requirement is met that day, and its progress should say
    12 of 12 months, not 11."""
    r = result(enrolled(director, date(2024, 2, 29)), HELD, as_of=date(2025, 2, 28))
    assert r.met
    assert (r.current, r.target) == (12, 12)
    assert r.progress == "12 of 12 months"


def test_credential_held_not_met_without_the_level(director):
    """A person enrolled under the programme whose AIRT-C award was revoked."""
    person = make_candidate(director=director, enrolled_on=months_ago(20))
    award = db.session.scalar(
        sa.select(CredentialAward).where(CredentialAward.person_id == person.id)
    )
    award.status = "revoked"
    db.session.commit()
    rules = airt_s_rules()
    r = next(x for x in evaluate(person, rules).results if x.label == HELD)
    assert not r.met
    assert r.current == 0
    assert r.progress == "AIRT-C not held"


# --- hours --------------------------------------------------------------------------------
def test_exactly_fifty_hours_of_direct_clinical_work_is_met(candidate, supervisor):
    insert_hours(candidate, "direct-clinical", 5, 600, signer=supervisor)  # 3000 minutes
    r = result(candidate, DIRECT)
    assert r.met
    assert (r.current, r.target) == (50, 50)
    assert r.progress == "50 h of 50 h"
    assert r.missing == []


def test_one_minute_short_of_fifty_hours_is_not_met(candidate, supervisor):
    insert_hours(candidate, "direct-clinical", 4, 600, signer=supervisor)
    insert_hours(candidate, "direct-clinical", 1, 599, signer=supervisor, first_day_ago=10)
    r = result(candidate, DIRECT)
    assert not r.met
    assert r.current == pytest.approx(2999 / 60)
    assert r.target == 50
    assert r.progress == "49 h 59 of 50 h"


@pytest.mark.parametrize(
    "status",
    [HoursStatus.SUBMITTED, HoursStatus.RETURNED, HoursStatus.DRAFT, HoursStatus.SUPERSEDED],
)
def test_only_signed_entries_count(candidate, supervisor, status):
    signed = insert_hours(candidate, "direct-clinical", 2, 60, signer=supervisor)
    insert_hours(candidate, "direct-clinical", 5, 600, signer=supervisor, status=status)
    r = result(candidate, DIRECT, with_evidence=True)
    assert not r.met
    assert r.current == 2
    assert r.evidence["hours_entry_ids"] == signed


def test_hours_of_another_category_or_person_do_not_count(candidate, supervisor, director):
    insert_hours(candidate, "didactic", 5, 600, signer=supervisor)
    insert_hours(make_candidate(director=director), "direct-clinical", 5, 600, signer=supervisor)
    r = result(candidate, DIRECT)
    assert r.current == 0
    assert not r.met


def test_consultation_counts_in_both_requirements_that_name_its_category(candidate, supervisor):
    insert_hours(candidate, "individual-consultation", 10, 60, signer=supervisor)
    insert_hours(candidate, "group-consultation", 5, 120, signer=supervisor, first_day_ago=20)
    individual, combined = result(candidate, INDIVIDUAL), result(candidate, CONSULTATION)
    assert individual.met
    assert (individual.current, individual.target) == (10, 10)
    assert combined.met
    assert (combined.current, combined.target) == (20, 20)


def test_consultation_signed_by_a_supervisor_not_current_on_the_session_date_does_not_count(
    candidate, supervisor
):
    entry = log_entry(
        candidate,
        EntryInput(
            session_date=today() - timedelta(days=10),
            minutes=600,
            category_code="individual-consultation",
            supervisor_id=supervisor.id,
        ),
        submit=True,
    )
    db.session.commit()
    sign_entries(supervisor, [entry.id], attested=True)
    db.session.commit()
    before = result(candidate, INDIVIDUAL, with_evidence=True)
    assert before.met
    assert before.evidence["hours_entry_ids"] == [entry.id]

    # The award turns out to date from after the session (a corrected award date).
    award = db.session.scalar(
        sa.select(CredentialAward).where(CredentialAward.person_id == supervisor.id)
    )
    award.awarded_on = today() - timedelta(days=5)
    db.session.commit()
    after = result(candidate, INDIVIDUAL, with_evidence=True)
    assert not after.met
    assert (after.current, after.target) == (0, 10)
    assert after.evidence["hours_entry_ids"] == []
    assert db.session.get(HoursEntry, entry.id).status == HoursStatus.SIGNED  # still signed


def test_consultation_signed_by_a_holder_of_another_level_does_not_count(candidate, director):
    """Signed by someone who holds AIRT-C but not AIRT-S (rows inserted directly)."""
    other = make_candidate(director=director, enrolled_on=months_ago(24))
    insert_hours(candidate, "individual-consultation", 10, 60, signer=other)
    r = result(candidate, INDIVIDUAL)
    assert not r.met
    assert r.current == 0


def test_consultation_counts_when_the_signer_was_current_then_even_if_expired_since(
    candidate, supervisor
):
    insert_hours(candidate, "individual-consultation", 10, 60, signer=supervisor, first_day_ago=30)
    award = db.session.scalar(
        sa.select(CredentialAward).where(CredentialAward.person_id == supervisor.id)
    )
    award.expires_on = today() - timedelta(days=5)  # after every session
    db.session.commit()
    assert result(candidate, INDIVIDUAL).met
    award.expires_on = today() - timedelta(days=35)  # before every session
    db.session.commit()
    assert not result(candidate, INDIVIDUAL).met


# --- endorsement and approval -------------------------------------------------------------
def bare_application(person: Person, endorser: Person) -> Application:
    rules = next_level(person)
    application = Application(
        person_id=person.id,
        level_id=rules.level_id,
        programme_version_id=rules.programme_version_id,
        endorser_id=endorser.id,
        status="submitted",
        open_key=None,
        statement="",
        snapshot={},
    )
    db.session.add(application)
    db.session.commit()
    return application


def test_endorsement_and_approval_are_not_met_without_an_application(candidate):
    for label in (ENDORSEMENT, APPROVAL):
        r = result(candidate, label)
        assert not r.met
        assert r.current == 0
    assert (result(candidate, ENDORSEMENT).target, result(candidate, APPROVAL).target) == (1, 2)


def test_endorsement_met_only_by_an_endorsing_supervisor(candidate, supervisor):
    application = bare_application(candidate, supervisor)
    other = long_standing_supervisor()
    application.endorsements.append(
        Endorsement(supervisor_id=other.id, endorsed=False, reason="Not yet")
    )
    db.session.commit()
    r = result(candidate, ENDORSEMENT, application=application)
    assert not r.met
    assert (r.current, r.target) == (0, 1)
    application.endorsements.append(Endorsement(supervisor_id=supervisor.id, endorsed=True))
    db.session.commit()
    r = result(candidate, ENDORSEMENT, application=application)
    assert r.met
    assert (r.current, r.target) == (1, 1)


def test_approval_needs_a_quorum_of_approving_votes(candidate, supervisor):
    application = bare_application(candidate, supervisor)
    members = [make_person(Role.CO_CREATOR) for _ in range(3)]
    application.votes.append(Vote(member_id=members[0].id, approve=True))
    application.votes.append(Vote(member_id=members[1].id, approve=False, comment="No"))
    db.session.commit()
    r = result(candidate, APPROVAL, application=application)
    assert not r.met
    assert (r.current, r.target) == (1, 2)
    application.votes.append(Vote(member_id=members[2].id, approve=True))
    db.session.commit()
    r = result(candidate, APPROVAL, application=application)
    assert r.met
    assert (r.current, r.target) == (2, 2)


def test_a_qualified_candidate_meets_every_evidence_requirement(supervisor, director):
    candidate, _hours = qualified_candidate(supervisor=supervisor, director=director)
    s = standing(candidate)
    assert [r.label for r in s.results if not r.met] == [ENDORSEMENT, APPROVAL]
    assert s.evidence_met
    assert len(s.evidence_results) == 11
    assert {r.kind for r in s.results if r.is_process} == {"endorsement", "approval"}


# --- grandfathering -----------------------------------------------------------------------
def programme_document() -> dict:
    return tomllib.loads(DEFAULT_PROGRAMME_FILE.read_text(encoding="utf-8"))


def load_document(document: dict, checksum: str):
    return load_programme(
        document, checksum=checksum, base=DEFAULT_PROGRAMME_FILE.parent, actor_id=None
    ).version


def requirement_doc(document: dict, level: str, label: str) -> dict:
    level_doc = next(lv for lv in document["levels"] if lv["code"] == level)
    return next(r for r in level_doc["requirements"] if doc_label(r) == label)


def test_grandfathering_keeps_the_enrolment_version_numbers(director, supervisor):
    enrolled_before = make_candidate(director=director, enrolled_on=months_ago(13))
    v1 = enrolment_of(enrolled_before).programme_version_id

    document = copy.deepcopy(programme_document())
    document["programme"]["version"] = 2
    requirement_doc(document, "AIRT-S", DIDACTIC)["minimum_hours"] = 60
    v2 = load_document(document, "b" * 64)
    db.session.commit()
    enrolled_after = make_candidate(director=director, enrolled_on=months_ago(1))
    assert enrolment_of(enrolled_after).programme_version_id == v2.id != v1

    for person in (enrolled_before, enrolled_after):
        insert_hours(person, "didactic", 9, 300, signer=supervisor)  # 45 h

    old = result(enrolled_before, DIDACTIC)
    assert old.met
    assert (old.current, old.target) == (45, 40)
    assert next_level(enrolled_before).programme_version_id == v1

    new = result(enrolled_after, "Didactic training: 60 hours")  # the label follows the number
    assert not new.met
    assert (new.current, new.target) == (45, 60)
    assert new.progress == "45 h of 60 h"
    assert next_level(enrolled_after).programme_version_id == v2.id


# --- a three-level ladder -----------------------------------------------------------------
def three_level_document() -> dict:
    document = copy.deepcopy(programme_document())
    document["programme"]["version"] = 2
    document["levels"] = [
        {
            "code": "L1",
            "name": "Level one",
            "rank": 1,
            "granted_by": "enrolment",
        },
        {
            "code": "L2",
            "name": "Level two",
            "rank": 2,
            "granted_by": "application",
            "validity_months": 24,
            "requirements": [{"kind": "licence", "label": "Licence for L2"}],
        },
        {
            "code": "L3",
            "name": "Level three",
            "rank": 3,
            "granted_by": "application",
            "requirements": [
                {"kind": "licence", "label": "Licence for L3"},
                {
                    "kind": "credential_held",
                    "label": "L2 held for 12 months",
                    "level": "L2",
                    "months": 12,
                },
            ],
        },
    ]
    return document


def test_next_level_climbs_a_three_level_ladder(director):
    version = load_document(three_level_document(), "c" * 64)
    db.session.commit()
    person = make_candidate(director=director)
    assert enrolment_of(person).programme_version_id == version.id
    held = db.session.scalars(
        sa.select(CredentialAward).where(CredentialAward.person_id == person.id)
    ).all()
    assert [a.level.code for a in held] == ["L1"]

    rules = next_level(person)
    assert rules.level.code == "L2"
    assert [r.label for r in evaluate(person, rules).results] == [
        "A verified, unexpired licence on file"
    ]

    award_credential(person, "L2", actor_id=director.id, version=version, awarded_on=today())
    db.session.commit()
    rules = next_level(person)
    assert rules.level.code == "L3"
    held_l2 = next(r for r in evaluate(person, rules).results if r.kind == "credential_held")
    assert not held_l2.met
    assert (held_l2.current, held_l2.target) == (0, 12)

    l2 = db.session.scalar(
        sa.select(CredentialAward)
        .where(CredentialAward.person_id == person.id)
        .order_by(CredentialAward.id.desc())
        .limit(1)
    )
    l2.awarded_on = months_ago(12)
    l2.expires_on = add_months(l2.awarded_on, 24) - timedelta(days=1)
    db.session.commit()
    rules = next_level(person)
    assert rules.level.code == "L3"
    assert all(r.met for r in evaluate(person, rules).results)

    award_credential(person, "L3", actor_id=director.id, version=version, awarded_on=today())
    db.session.commit()
    db.session.expire_all()
    assert next_level(person) is None


def test_an_expired_level_is_the_next_level_again(director):
    version = load_document(three_level_document(), "d" * 64)
    db.session.commit()
    person = make_candidate(director=director)
    award_credential(
        person, "L2", actor_id=director.id, version=version, awarded_on=months_ago(30)
    )  # valid 24 months: expired six months ago
    db.session.commit()
    assert next_level(person).level.code == "L2"


# --- query count --------------------------------------------------------------------------
@pytest.mark.parametrize("with_evidence", [False, True])
def test_evaluation_query_count_does_not_grow_with_hours_entries(
    candidate, supervisor, with_evidence
):
    def run():
        db.session.expire_all()
        evaluate(candidate, next_level(candidate), with_evidence=with_evidence)

    insert_hours(candidate, "direct-clinical", 5, 30, signer=supervisor)
    few = count_statements(run)
    insert_hours(candidate, "direct-clinical", 295, 30, signer=supervisor, first_day_ago=6)
    many = count_statements(run)
    assert many == few
    signed = sa.select(sa.func.count()).where(
        HoursEntry.person_id == candidate.id, HoursEntry.status == "signed"
    )
    assert db.session.scalar(signed) == 300
    assert result(candidate, DIRECT).current == 150


# --- rules the mutation run showed untested ------------------------------------------------
def _direct_clinical_requirement():
    return next(r for r in airt_s_rules().requirements if r.label == DIRECT)


def test_min_sessions_is_part_of_met(candidate, supervisor):
    requirement = _direct_clinical_requirement()
    requirement.params = {**requirement.params, "min_sessions": 6}
    db.session.commit()
    insert_hours(candidate, "direct-clinical", 5, 600, signer=supervisor)  # 50 h, 5 sessions
    r = result(candidate, DIRECT)
    assert r.current == 50
    assert not r.met
    assert r.missing == ["1 more sessions"]
    insert_hours(candidate, "direct-clinical", 1, 60, signer=supervisor, first_day_ago=20)
    r = result(candidate, DIRECT)
    assert r.met
    assert r.missing == []


def test_an_enrolled_person_holding_no_level_has_the_entry_level_next(candidate):
    db.session.execute(
        sa.update(CredentialAward)
        .where(CredentialAward.person_id == candidate.id)
        .values(status="revoked")
    )
    db.session.commit()
    assert next_level(candidate).level.code == "AIRT-C"


def test_an_evaluation_dated_on_the_as_of_day_counts(candidate, supervisor):
    evaluated(candidate, supervisor, 3)  # dated ten days ago
    day = today() - timedelta(days=10)
    assert result(candidate, EVALUATION, as_of=day).met
    r = result(candidate, EVALUATION, as_of=day - timedelta(days=1))
    assert not r.met
    assert r.progress == "no evaluation yet"


def test_nothing_is_missing_at_exactly_the_count_or_quorum(candidate, supervisor):
    application = bare_application(candidate, supervisor)
    application.endorsements.append(Endorsement(supervisor_id=supervisor.id, endorsed=True))
    members = [make_person(Role.CO_CREATOR) for _ in range(2)]
    application.votes.append(Vote(member_id=members[0].id, approve=True))
    db.session.commit()
    assert result(candidate, ENDORSEMENT, application=application).missing == []
    assert result(candidate, APPROVAL, application=application).missing == [
        "1 more board approvals"
    ]
    application.votes.append(Vote(member_id=members[1].id, approve=True))
    db.session.commit()
    r = result(candidate, APPROVAL, application=application)
    assert (r.met, r.missing, r.progress) == (True, [], "2 of 2 approvals")
    graded_case(candidate, supervisor, "pass", "First case")
    graded_case(candidate, supervisor, "pass", "Second case")
    r = result(candidate, CASES)
    assert (r.met, r.missing, r.progress) == (True, [], "2 of 2 case presentations passed")


def _result_with(current: float, target: float, met: bool) -> RequirementResult:
    return RequirementResult(1, "hours", "x", met, current, target, "")


def test_percent_of_a_zero_target_and_of_more_than_the_target():
    assert _result_with(0, 0, True).percent == 100  # no division by zero
    assert _result_with(0, 0, False).percent == 0
    assert _result_with(25, 50, False).percent == 50
    assert _result_with(1, 3, False).percent == 33
    assert _result_with(80, 50, True).percent == 100


# --- many at once, renewal and reinstatement ------------------------------------------------
def direct_of(standing) -> RequirementResult:
    return next(r for r in standing.results if r.label == DIRECT)


def test_evaluate_many_against_the_rules_given_or_each_next_level(candidate, supervisor, director):
    other = make_candidate(director=director, enrolled_on=months_ago(13))
    stranger = make_person(Role.CANDIDATE)  # not enrolled: no next level
    ids = insert_hours(candidate, "direct-clinical", 2, 90, signer=supervisor, first_day_ago=5)
    day = today() - timedelta(days=1)
    given = evaluate_many([candidate, other.id], airt_s_rules(), as_of=day, with_evidence=True)
    assert sorted(given) == sorted([candidate.id, other.id])
    assert {s.level_code for s in given.values()} == {"AIRT-S"}
    assert {s.as_of for s in given.values()} == {day}
    assert direct_of(given[candidate.id]).current == 3
    assert sorted(direct_of(given[candidate.id]).evidence["hours_entry_ids"]) == sorted(ids)
    assert direct_of(given[other.id]).current == 0
    people = sa.select(Person.id).where(Person.id.in_([candidate.id, other.id, stranger.id]))
    by_query = evaluate_many(people, airt_s_rules())
    assert direct_of(by_query[candidate.id]).current == 3
    assert direct_of(by_query[candidate.id]).evidence == {}
    assert {s.as_of for s in by_query.values()} == {today()}
    for own in (evaluate_many([candidate.id, stranger.id]), evaluate_many(people)):
        assert stranger.id not in own
        assert own[candidate.id].level_code == "AIRT-S"
        assert direct_of(own[candidate.id]).current == 3


def test_evaluate_many_reads_endorsements_from_the_applications_given(candidate, supervisor):
    application = bare_application(candidate, supervisor)
    application.endorsements.append(Endorsement(supervisor_id=supervisor.id, endorsed=True))
    db.session.commit()
    with_it = evaluate_many([candidate], airt_s_rules(), applications={candidate.id: application})
    without = evaluate_many([candidate], airt_s_rules())
    endorsed = [r for r in with_it[candidate.id].results if r.label == ENDORSEMENT]
    assert [r.met for r in endorsed] == [True]
    assert [r.met for r in without[candidate.id].results if r.label == ENDORSEMENT] == [False]


def _holder(director: Person) -> tuple[Person, CredentialAward]:
    """An AIRT-S holder enrolled three years ago, awarded a year ago."""
    person = enrolled(director, months_ago(36))
    award = award_credential(
        person, "AIRT-S", actor_id=director.id, version=current_version(), awarded_on=months_ago(12)
    )
    db.session.commit()
    return person, award


def test_renewal_counts_the_renewal_section_from_the_award_only(director, supervisor):
    person, award = _holder(director)
    first = verified_ce(person, director, 4, days_ago=3)
    second = verified_ce(person, director, 4, days_ago=5)
    verified_ce(person, director, 4, days_ago=500)  # before the award: another cycle
    standing = evaluate_renewal(person, airt_s_rules(), award, with_evidence=True)
    assert standing.as_of == today()
    assert [r.kind for r in standing.results] == ["ce_credits", "ce_credits", "hours"]
    ce = standing.results[0]
    assert (ce.current, ce.target, ce.met) == (8, 12, False)
    assert sorted(ce.evidence["ce_record_ids"]) == sorted([first.id, second.id])
    earlier = evaluate_renewal(person, airt_s_rules(), award, as_of=today() - timedelta(days=4))
    assert earlier.as_of == today() - timedelta(days=4)
    assert (earlier.results[0].current, earlier.results[0].evidence) == (4, {})


def test_reinstatement_reads_the_reinstatement_section_and_the_board(director, supervisor):
    person, _award = _holder(director)
    insert_hours(person, "continuing-education", 3, 240, signer=supervisor, first_day_ago=3)
    application = SimpleNamespace(  # the engine reads an application's votes
        votes=[SimpleNamespace(id=n, approve=True) for n in (1, 2)], endorsements=[]
    )
    standing = evaluate_reinstatement(person, airt_s_rules(), with_evidence=True)
    assert standing.as_of == today()
    assert [r.kind for r in standing.results] == ["licence", "hours", "hours", "hours", "approval"]
    assert (standing.results[1].current, standing.results[1].met) == (12, True)
    assert len(standing.results[1].evidence["hours_entry_ids"]) == 3
    assert not standing.results[-1].met
    approved = evaluate_reinstatement(
        person, airt_s_rules(), as_of=today() - timedelta(days=3), application=application
    )
    assert approved.results[-1].met
    assert approved.as_of == today() - timedelta(days=3)
    assert approved.results[1].evidence == {}


# --- what the mutation run showed untested -------------------------------------------------
def test_a_standing_names_its_person_and_level(candidate):
    result = evaluate(candidate, airt_s_rules())
    assert (result.person_id, result.level_code, result.level_name) == (
        candidate.id,
        "AIRT-S",
        "AIRM-Trained Supervisor",
    )


def test_next_levels_reads_any_iterable_of_ids(candidate):
    expected = next_levels([candidate.id])
    assert expected[candidate.id].level.code == "AIRT-S"
    assert next_levels(i for i in [candidate.id]) == expected


def test_a_lapsed_level_with_a_way_back_is_still_held(candidate, director):
    """An AIRT-S expired past its grace is renewed or reinstated, not applied for again:
    the AIRT-S section has reinstatement requirements."""
    award_credential(
        candidate,
        "AIRT-S",
        actor_id=director.id,
        version=current_version(),
        awarded_on=months_ago(30),
    )
    db.session.commit()
    assert any(r.purpose == "reinstate" for r in airt_s_rules().requirements)
    assert next_level(candidate) is None


def test_a_revoked_level_is_not_held(candidate, director):
    award = award_credential(
        candidate,
        "AIRT-S",
        actor_id=director.id,
        version=current_version(),
        awarded_on=months_ago(30),
    )
    award.status = AwardStatus.REVOKED
    db.session.commit()
    assert next_level(candidate).level.code == "AIRT-S"


def test_the_next_level_follows_the_ranks_not_the_order_of_the_file(director):
    document = three_level_document()
    document["levels"].reverse()  # L3, L2, L1
    version = load_document(document, "e" * 64)
    db.session.commit()
    person = make_candidate(director=director)
    assert enrolment_of(person).programme_version_id == version.id
    assert next_level(person).level.code == "L2"


def test_the_rank_held_is_read_in_the_persons_own_version(candidate):
    """A later version may rank a level differently; the person's standing is read in
    the version they are enrolled under."""
    document = three_level_document()
    document["levels"][2]["code"] = "AIRT-C"  # ranked 3 in this version, 1 in theirs
    load_document(document, "f" * 64)
    db.session.commit()
    assert next_level(candidate).level.code == "AIRT-S"
