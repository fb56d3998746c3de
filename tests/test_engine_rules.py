"""Each requirement rule of the engine applied to plain facts (no database): the
defaults a programme file may leave out, the exact shortfall and progress texts, the
as-of day's boundaries, a zero target, and what each result lists as counted."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

import pytest

from airm_training.assessments.facts import CaseFact, EvaluationFact, QuizFact
from airm_training.continuing.rules import CeFact
from airm_training.programme.models import RequirementKind
from airm_training.progression.engine import LevelStanding, RequirementResult, apply_rule
from airm_training.progression.facts import Facts, Rule, Scope

DAY = date(2026, 6, 30)
PERSON = 7
RULE_ID = 11


def rule(kind: RequirementKind, **params) -> Rule:
    return Rule(RULE_ID, kind, "The label", params)


def check(req: Rule, known: Facts, *, as_of: date = DAY, with_evidence: bool = False):
    return apply_rule(PERSON, req, known, Scope(as_of, with_evidence=with_evidence))


def evaluation(evaluation_id: int, lowest: int, day: date = DAY) -> EvaluationFact:
    return EvaluationFact(evaluation_id, day, 3, lowest)


# --- case presentations and quizzes -------------------------------------------------------
CASES = {"assessment_kind": "case-presentation"}


def test_a_case_requirement_without_a_count_needs_one_passed_case():
    req = rule(RequirementKind.ASSESSMENT, **CASES)
    none = check(req, Facts())
    assert (none.met, none.target, none.missing) == (False, 1, ["1 more passed"])
    assert none.progress == "0 of 1 case presentations passed"
    one = Facts(cases={PERSON: [CaseFact(5, "A case", datetime(2026, 6, 1, 12), 3)]})
    result = check(req, one)
    assert (result.met, result.current, result.missing) == (True, 1, [])
    assert result.progress == "1 of 1 case presentations passed"
    assert result.evidence == {"case_presentation_ids": [5]}


def test_quiz_progress_counts_only_passes_by_the_as_of_day():
    req = rule(RequirementKind.ASSESSMENT, assessments=["Q-1", "Q-2", "Q-3"])
    known = Facts(
        quizzes={
            PERSON: {
                "Q-1": QuizFact("Q-1", True, 90, datetime(2026, 6, 30, 10), 41),
                "Q-2": QuizFact("Q-2", True, 85, datetime(2026, 7, 1, 10), 42),  # after
                "Q-3": QuizFact("Q-3", False, 40, None, None),
            }
        }
    )
    result = check(req, known)
    assert result.progress == "1 of 3 quizzes passed"
    assert (result.met, result.current, result.target) == (False, 1, 3)
    assert result.missing == ["Q-2", "Q-3"]
    assert result.evidence == {"attempt_ids": [41]}


# --- competency evaluation ----------------------------------------------------------------
def test_an_evaluation_rule_without_a_minimum_is_met_by_any_rating():
    req = rule(RequirementKind.EVALUATION, form="airm-competency")
    known = Facts(evaluations={(PERSON, "airm-competency"): [evaluation(9, 1)]})
    result = check(req, known)
    assert (result.met, result.current, result.missing) == (True, 1, [])
    assert result.progress == "an evaluation with every item ≥ 1"
    assert result.evidence == {"evaluation_ids": [9]}


def test_an_evaluation_rule_without_a_form_reads_the_evaluations_of_no_form():
    req = rule(RequirementKind.EVALUATION, minimum_rating=2)
    assert check(req, Facts(evaluations={(PERSON, ""): [evaluation(9, 2)]})).met
    assert not check(req, Facts(evaluations={(PERSON, "other"): [evaluation(9, 2)]})).met


def test_an_evaluation_below_the_minimum_says_its_lowest_rating():
    req = rule(RequirementKind.EVALUATION, form="f", minimum_rating=3)
    known = Facts(evaluations={(PERSON, "f"): [evaluation(8, 1), evaluation(9, 2)]})
    result = check(req, known)
    assert (result.met, result.current) == (False, 0)
    assert result.progress == "lowest rating 2 (needs 3)"
    assert result.missing == ["an evaluation with every item rated 3 or higher"]
    assert result.evidence == {"evaluation_ids": []}
    nothing = check(req, Facts())
    assert nothing.progress == "no evaluation yet"
    assert nothing.missing == ["an evaluation with every item rated 3 or higher"]


def test_an_evaluation_after_the_as_of_day_does_not_count():
    req = rule(RequirementKind.EVALUATION, form="f", minimum_rating=3)
    later = Facts(evaluations={(PERSON, "f"): [evaluation(9, 4, date(2026, 7, 1))]})
    assert check(req, later).progress == "no evaluation yet"
    assert check(req, later, as_of=date(2026, 7, 1)).met


def test_only_the_good_evaluations_are_listed_as_evidence():
    req = rule(RequirementKind.EVALUATION, form="f", minimum_rating=3)
    known = Facts(evaluations={(PERSON, "f"): [evaluation(8, 2), evaluation(9, 3)]})
    result = check(req, known)
    assert result.met
    assert result.progress == "an evaluation with every item ≥ 3"
    assert result.evidence == {"evaluation_ids": [9]}


# --- hours --------------------------------------------------------------------------------
def test_hours_shortfall_names_the_minutes_and_the_sessions_missing():
    req = rule(RequirementKind.HOURS, minimum_minutes=600, min_sessions=4)
    nothing = check(req, Facts())
    assert nothing.missing == ["10 h more", "4 more sessions"]
    assert nothing.progress == "0 of 10 h"
    some = check(req, Facts(hours={(RULE_ID, PERSON): (135, 3)}))
    assert some.missing == ["7 h 45 more", "1 more sessions"]
    assert some.progress == "2 h 15 of 10 h"
    assert (some.met, some.current, some.target) == (False, 2.25, 10)


def test_a_zero_hours_target_is_met_with_nothing_logged():
    req = rule(RequirementKind.HOURS, minimum_minutes=0)
    result = check(req, Facts())
    assert (result.met, result.missing, result.percent) == (True, [], 100)
    assert result.progress == "0 of 0 min"


def test_hours_before_enrolment_are_named_as_not_counted():
    req = rule(RequirementKind.HOURS, minimum_minutes=60)
    known = Facts(hours_uncounted={(RULE_ID, PERSON): 120, (RULE_ID, PERSON + 1): 30})
    assert check(req, known).not_counted == "2 h signed for sessions before enrolment"
    assert check(req, Facts(hours_uncounted={(RULE_ID, PERSON + 1): 30})).not_counted == ""


def test_hours_evidence_is_listed_only_when_asked():
    req = rule(RequirementKind.HOURS, minimum_minutes=60)
    known = Facts(hours={(RULE_ID, PERSON): (60, 1)}, hours_ids={(RULE_ID, PERSON): [3]})
    assert check(req, known).evidence == {}
    assert check(req, known, with_evidence=True).evidence == {"hours_entry_ids": [3]}
    assert check(req, Facts(), with_evidence=True).evidence == {"hours_entry_ids": []}


# --- the percent shown beside a result ------------------------------------------------------
@pytest.mark.parametrize(
    ("current", "target", "met", "percent"),
    [(0, 0, True, 100), (0, 0, False, 0), (1, 4, False, 25), (5, 4, True, 100)],
)
def test_percent(current, target, met, percent):
    result = RequirementResult(1, "hours", "x", met, current, target, "")
    assert result.percent == percent


def test_the_snapshot_freezes_the_evidence_requirements_only():
    evidence = RequirementResult(
        1, "hours", "Direct", False, 1, 2, "1 h of 2 h", ["1 h more"], {"ids": [4]}, "n"
    )
    process = RequirementResult(2, "approval", "Board", False, 0, 2, "0 of 2 approvals")
    standing = LevelStanding(5, "AIRT-S", "Supervisor", 3, DAY, [evidence, process])
    assert not standing.evidence_met
    assert standing.to_snapshot() == {
        "level": "AIRT-S",
        "programme_version_id": 3,
        "as_of": "2026-06-30",
        "requirements": [
            {
                "requirement_id": 1,
                "kind": "hours",
                "label": "Direct",
                "met": False,
                "progress": "1 h of 2 h",
                "missing": ["1 h more"],
                "not_counted": "n",
                "evidence": {"ids": [4]},
            }
        ],
    }


# --- licence, documents, modules ----------------------------------------------------------
def test_licence_and_document_results_say_what_is_on_file():
    licence = rule(RequirementKind.LICENCE)
    held = check(licence, Facts(licences={PERSON: [2]}))
    assert (held.met, held.current, held.target, held.missing) == (True, 1, 1, [])
    assert (held.progress, held.evidence) == ("verified licence on file", {"licence_ids": [2]})
    none = check(licence, Facts(licences={PERSON + 1: [3]}))
    assert (none.met, none.current, none.progress) == (False, 0, "none on file")
    assert none.missing == ["a verified, unexpired licence"]
    assert none.evidence == {"licence_ids": []}
    document = rule(RequirementKind.DOCUMENT, document_kind="liability-insurance")
    approved = check(document, Facts(documents={(PERSON, "liability-insurance"): [6]}))
    assert (approved.met, approved.current, approved.target) == (True, 1, 1)
    assert approved.progress == "approved liability insurance on file"
    assert (approved.missing, approved.evidence) == ([], {"document_ids": [6]})
    other_kind = check(document, Facts(documents={(PERSON, "ce-certificate"): [6]}))
    assert (other_kind.met, other_kind.current) == (False, 0)
    assert other_kind.progress == "none approved and current"
    assert other_kind.missing == ["a current, approved liability insurance"]


def test_a_document_rule_without_a_kind_reads_documents_of_no_kind():
    req = rule(RequirementKind.DOCUMENT)
    assert check(req, Facts(documents={(PERSON, ""): [6]})).met


def test_modules_progress_lists_the_missing_in_programme_order():
    req = rule(RequirementKind.MODULE, modules=["M-1", "M-2", "M-3"])
    result = check(req, Facts(completions={PERSON: {"M-2": 20, "M-9": 21}}))
    assert (result.met, result.current, result.target) == (False, 1, 3)
    assert result.progress == "1 of 3 modules"
    assert result.missing == ["M-1", "M-3"]
    assert result.evidence == {"completion_ids": [20]}
    nothing = check(req, Facts())
    assert (nothing.progress, nothing.missing) == ("0 of 3 modules", ["M-1", "M-2", "M-3"])
    done = check(req, Facts(completions={PERSON: {"M-3": 5, "M-1": 4, "M-2": 9}}))
    assert (done.met, done.missing, done.evidence) == (True, [], {"completion_ids": [4, 5, 9]})


# --- credential held ------------------------------------------------------------------------
def test_credential_held_counts_whole_months_up_to_the_as_of_day():
    req = rule(RequirementKind.CREDENTIAL_HELD, level="AIRT-C", months=12)
    short = check(req, Facts(awards={(PERSON, "AIRT-C"): (4, date(2025, 7, 1))}))
    assert (short.met, short.current, short.target) == (False, 11, 12)
    assert short.progress == "11 of 12 months"
    assert short.missing == ["AIRT-C held until 2026-07-01"]
    assert short.evidence == {"award_ids": [4]}
    exact = check(req, Facts(awards={(PERSON, "AIRT-C"): (4, date(2025, 6, 30))}))
    assert (exact.met, exact.current, exact.missing) == (True, 12, [])
    longer = check(req, Facts(awards={(PERSON, "AIRT-C"): (4, date(2023, 1, 15))}))
    assert (longer.current, longer.progress) == (12, "41 of 12 months")
    missing = check(req, Facts())
    assert (missing.met, missing.current, missing.target) == (False, 0, 12)
    assert (missing.progress, missing.missing) == ("AIRT-C not held", ["AIRT-C held"])


def test_a_credential_held_rule_without_months_needs_the_level_only():
    req = rule(RequirementKind.CREDENTIAL_HELD, level="AIRT-C")
    assert check(req, Facts(awards={(PERSON, "AIRT-C"): (4, DAY)})).met
    assert not check(req, Facts()).met


# --- endorsement and approval -----------------------------------------------------------------
def application(endorsed=(), votes=()):
    return SimpleNamespace(
        endorsements=[SimpleNamespace(id=i, endorsed=e) for i, e in endorsed],
        votes=[SimpleNamespace(id=i, approve=a) for i, a in votes],
    )


def test_endorsements_count_only_those_that_endorse():
    req = rule(RequirementKind.ENDORSEMENT)
    declined = Facts(applications={PERSON: application(endorsed=[(1, False)])})
    result = check(req, declined)
    assert (result.met, result.current, result.target) == (False, 0, 1)
    assert (result.progress, result.missing) == (
        "0 of 1 endorsements",
        ["a supervisor's endorsement"],
    )
    assert result.evidence == {"endorsement_ids": [1]}
    exactly = check(req, Facts(applications={PERSON: application(endorsed=[(1, True)])}))
    assert (exactly.met, exactly.current, exactly.missing) == (True, 1, [])
    two = rule(RequirementKind.ENDORSEMENT, count=2)
    both = Facts(applications={PERSON: application(endorsed=[(1, True), (2, True), (3, True)])})
    met = check(two, both)
    assert (met.met, met.current, met.progress, met.missing) == (True, 2, "3 of 2 endorsements", [])
    assert check(req, Facts()).progress == "0 of 1 endorsements"


def test_approval_at_exactly_the_quorum_and_one_short():
    req = rule(RequirementKind.APPROVAL, quorum=2)
    one = check(req, Facts(applications={PERSON: application(votes=[(1, True), (2, False)])}))
    assert (one.met, one.current, one.target) == (False, 1, 2)
    assert (one.progress, one.missing) == ("1 of 2 approvals", ["1 more board approvals"])
    assert one.evidence == {"vote_ids": [1, 2]}
    two = check(req, Facts(applications={PERSON: application(votes=[(1, True), (3, True)])}))
    assert (two.met, two.current, two.missing) == (True, 2, [])
    default = check(rule(RequirementKind.APPROVAL), Facts())
    assert (default.met, default.target, default.missing) == (False, 1, ["1 more board approvals"])


def test_months_held_are_whole_months_counted_back_from_a_later_day_of_month():
    req = rule(RequirementKind.CREDENTIAL_HELD, level="AIRT-C", months=12)
    award = Facts(awards={(PERSON, "AIRT-C"): (4, date(2025, 3, 20))})
    result = check(req, award, as_of=date(2026, 3, 10))  # the 20th not reached yet
    assert (result.met, result.current, result.progress) == (False, 11, "11 of 12 months")
    fresh = check(req, Facts(awards={(PERSON, "AIRT-C"): (4, date(2026, 6, 20))}))
    assert (fresh.current, fresh.progress) == (0, "0 of 12 months")
    not_a_month = check(
        req, Facts(awards={(PERSON, "AIRT-C"): (4, date(2026, 5, 20))}), as_of=date(2026, 6, 10)
    )
    assert (not_a_month.current, not_a_month.progress) == (0, "0 of 12 months")


def test_case_count_and_a_case_passed_on_the_as_of_day(app):
    req = rule(RequirementKind.ASSESSMENT, count=2, **CASES)
    known = Facts(cases={PERSON: [CaseFact(5, "A case", datetime(2026, 6, 30, 15), 3)]})
    result = check(req, known)
    assert (result.met, result.current, result.target) == (False, 1, 2)
    assert (result.progress, result.missing) == (
        "1 of 2 case presentations passed",
        ["1 more passed"],
    )
    assert check(req, known, as_of=date(2026, 6, 29)).progress == "0 of 2 case presentations passed"


def test_enough_minutes_in_too_few_sessions_is_not_met():
    req = rule(RequirementKind.HOURS, minimum_minutes=600, min_sessions=4)
    result = check(req, Facts(hours={(RULE_ID, PERSON): (600, 3)}))
    assert (result.met, result.missing) == (False, ["1 more sessions"])


# --- continuing education -------------------------------------------------------------------
def ce(record_id: int, day: date, minutes: int, status: str = "verified", subject: str = "airm"):
    return CeFact(record_id, day, minutes, subject, status)


def test_ce_credits_within_the_last_months_count_from_that_day_on():
    req = rule(RequirementKind.CE_CREDITS, minimum_minutes=120, within_months=12)
    known = Facts(
        ce={
            PERSON: [
                ce(1, date(2025, 6, 30), 60),  # the first day of the window
                ce(2, date(2025, 6, 29), 60),  # the day before it
                ce(3, DAY, 30),
                ce(4, date(2026, 1, 1), 45, status="pending"),
            ]
        }
    )
    result = check(req, known, with_evidence=True)
    assert (result.met, result.current, result.target) == (False, 1.5, 2)
    assert result.progress == "1 h 30 of 2 h"
    assert result.missing == ["30 min more verified"]
    assert result.evidence == {"ce_record_ids": [1, 3]}
    assert result.not_counted == ("45 min waiting for verification; 1 h outside the renewal cycle")
    assert check(req, known).evidence == {}


def test_ce_credits_at_exactly_the_target_are_met():
    req = rule(RequirementKind.CE_CREDITS, minimum_minutes=90)
    result = check(req, Facts(ce={PERSON: [ce(1, DAY, 60), ce(2, date(2020, 1, 1), 30)]}))
    assert (result.met, result.missing, result.not_counted) == (True, [], "")
    assert result.progress == "1 h 30 of 1 h 30"


def test_ce_credits_with_nothing_on_file():
    req = rule(RequirementKind.CE_CREDITS, minimum_minutes=60)
    result = check(req, Facts())
    assert (result.met, result.current, result.progress) == (False, 0, "0 of 1 h")
    assert result.missing == ["1 h more verified"]


def test_ce_credits_in_the_cycle_only_when_the_rule_says_so():
    cycle = Scope(DAY, cycle_start=date(2026, 1, 1))
    known = Facts(ce={PERSON: [ce(1, date(2025, 12, 31), 60), ce(2, date(2026, 1, 1), 60)]})
    in_cycle = rule(RequirementKind.CE_CREDITS, minimum_minutes=60, within="cycle")
    assert apply_rule(PERSON, in_cycle, known, cycle).current == 1
    anytime = rule(RequirementKind.CE_CREDITS, minimum_minutes=60)
    assert apply_rule(PERSON, anytime, known, cycle).current == 2


def test_ce_credits_in_a_subject_count_only_that_subject():
    req = rule(RequirementKind.CE_CREDITS, minimum_minutes=60, subject_area="ethics")
    known = Facts(ce={PERSON: [ce(1, DAY, 60), ce(2, DAY, 30, subject="ethics")]})
    assert check(req, known).current == 0.5
    blank = rule(RequirementKind.CE_CREDITS, minimum_minutes=60, subject_area="")
    assert check(blank, known).current == 1.5


# --- what every result carries --------------------------------------------------------------
def test_a_result_carries_the_requirements_id_and_description():
    described = rule(RequirementKind.LICENCE, description="A licence in the state of practice.")
    result = check(described, Facts())
    assert (result.requirement_id, result.description) == (
        RULE_ID,
        "A licence in the state of practice.",
    )
    assert result.not_counted == ""
    assert check(rule(RequirementKind.LICENCE), Facts()).description == ""


def test_a_document_rule_with_nothing_on_file_lists_no_documents():
    result = check(rule(RequirementKind.DOCUMENT, document_kind="liability-insurance"), Facts())
    assert (result.met, result.evidence) == (False, {"document_ids": []})
    assert result.missing == ["a current, approved liability insurance"]


def test_hours_outside_an_agreement_are_named_beside_those_before_enrolment():
    req = rule(RequirementKind.HOURS, minimum_minutes=60)
    outside = Facts(hours_outside_agreement={(RULE_ID, PERSON): 90, (RULE_ID, PERSON + 1): 30})
    assert check(req, outside).not_counted == (
        "1 h 30 signed outside an approved supervision agreement"
    )
    both = Facts(
        hours_uncounted={(RULE_ID, PERSON): 120},
        hours_outside_agreement={(RULE_ID, PERSON): 90},
    )
    assert check(req, both).not_counted == (
        "2 h signed for sessions before enrolment; "
        "1 h 30 signed outside an approved supervision agreement"
    )
