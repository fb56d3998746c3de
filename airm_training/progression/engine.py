"""The requirement engine: where a person stands against the requirements of a level.

Every figure comes from the programme version the person is enrolled under and from
aggregate queries. Evaluation reads the facts of everyone evaluated together first (one
query per kind of fact, one per hours requirement), then applies each requirement's rule
to each person: the number of queries depends on the requirements, never on the number
of people, hours entries, modules or attempts. One person is a batch of one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from airm_training.continuing.rules import count_credits
from airm_training.core.clock import add_months, local_date, today
from airm_training.core.collector import collector_paused
from airm_training.core.durations import duration_label
from airm_training.core.reads import Day, People, built_once
from airm_training.credentials.models import CredentialAward, Enrolment
from airm_training.credentials.services import current_award_clause, held_award_clause
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.programme.models import (
    ProgrammeLevel,
    Requirement,
    RequirementKind,
    RequirementPurpose,
)
from airm_training.progression.facts import (
    Facts,
    Rule,
    Scope,
    gather,
    is_case_requirement,
    modules_of,
    quizzes_of,
)

PROCESS_KINDS = frozenset({RequirementKind.ENDORSEMENT, RequirementKind.APPROVAL})


@dataclass
class RequirementResult:
    requirement_id: int
    kind: str
    label: str
    met: bool
    current: float
    target: float
    progress: str  # e.g. "32 h 30 of 50 h"
    missing: list[str] = field(default_factory=list)
    evidence: dict[str, list] = field(default_factory=dict)  # what was counted
    not_counted: str = ""  # evidence on file that does not count, and why
    description: str = ""  # a director's explanation beside the derived label

    @property
    def percent(self) -> int:
        if self.target <= 0:
            return 100 if self.met else 0
        return min(100, int(100 * self.current / self.target))

    @property
    def is_process(self) -> bool:
        return self.kind in PROCESS_KINDS


@dataclass
class LevelStanding:
    person_id: int
    level_code: str
    level_name: str
    programme_version_id: int
    as_of: date
    results: list[RequirementResult]
    programme_level_id: int | None = None  # the rules evaluated (None when built by hand)

    @property
    def evidence_results(self) -> list[RequirementResult]:
        return [r for r in self.results if not r.is_process]

    @property
    def evidence_met(self) -> bool:
        return all(r.met for r in self.evidence_results)

    def to_snapshot(self) -> dict:
        """A frozen, JSON-ready record of every requirement and what counted."""
        return {
            "level": self.level_code,
            "programme_version_id": self.programme_version_id,
            "as_of": self.as_of.isoformat(),
            "requirements": [
                {
                    "requirement_id": r.requirement_id,
                    "kind": r.kind,
                    "label": r.label,
                    "met": r.met,
                    "progress": r.progress,
                    "missing": r.missing,
                    "not_counted": r.not_counted,
                    "evidence": r.evidence,
                }
                for r in self.evidence_results
            ],
        }


def next_level(person: Person) -> ProgrammeLevel | None:
    """The lowest level of the person's programme version above what they hold now
    (an expired level with reinstatement requirements is still held: its way back is
    renewal or reinstatement, not a new application)."""
    return next_levels([person.id]).get(person.id)


def next_levels(people: Iterable[int] | sa.Select) -> dict[int, ProgrammeLevel]:
    """Each person's next level (``people``: ids, or a query selecting them), in three
    queries whatever the number of people; people who are not enrolled or who hold
    every level are left out. For ids, the statements are built once."""
    if isinstance(people, sa.Select):
        statement, values = _enrolled_and_held(people, today()), {}
    else:
        statement = built_once(
            "next_levels.enrolled",
            lambda: _enrolled_and_held(
                sa.bindparam("people", expanding=True), sa.bindparam("day", type_=sa.Date)
            ),
        )
        values = {"people": list(people), "day": today()}
    # person id → (their programme version, the highest rank they hold, 0 for none)
    enrolled: dict[int, tuple[int, int]] = {
        person_id: (version_id, rank or 0)
        for person_id, version_id, rank in db.session.execute(statement, values)
    }
    if not enrolled:
        return {}
    ladders: dict[int, list[ProgrammeLevel]] = defaultdict(list)
    versions = sorted({v for v, _ in enrolled.values()})
    for rules in db.session.scalars(
        built_once("next_levels.ladders", _ladders), {"versions": versions}
    ):
        ladders[rules.programme_version_id].append(rules)
    result = {}
    for person_id, (version_id, rank) in enrolled.items():
        upper = [rules for rules in ladders[version_id] if rules.rank > rank]
        if upper:
            result[person_id] = upper[0]
    return result


def _enrolled_and_held(people: People, day: Day) -> sa.Select:
    """(person, their programme version, the highest rank they hold on ``day`` or None)
    of each enrolled person among ``people``."""
    held = (
        sa.select(CredentialAward.person_id, sa.func.max(ProgrammeLevel.rank).label("rank"))
        .join(Enrolment, Enrolment.person_id == CredentialAward.person_id)
        .join(
            ProgrammeLevel,
            sa.and_(
                ProgrammeLevel.level_id == CredentialAward.level_id,
                ProgrammeLevel.programme_version_id == Enrolment.programme_version_id,
            ),
        )
        .where(CredentialAward.person_id.in_(people), _held(day))
        .group_by(CredentialAward.person_id)
        .subquery()
    )
    return (
        sa.select(Enrolment.person_id, Enrolment.programme_version_id, held.c.rank)
        .outerjoin(held, held.c.person_id == Enrolment.person_id)
        .where(Enrolment.person_id.in_(people))
    )


def _ladders() -> sa.Select:
    """The levels of the programme versions ``versions`` (a bind parameter), lowest first,
    with their requirements."""
    return (
        sa.select(ProgrammeLevel)
        .where(ProgrammeLevel.programme_version_id.in_(sa.bindparam("versions", expanding=True)))
        .options(selectinload(ProgrammeLevel.requirements))
        .order_by(ProgrammeLevel.rank)
    )


def _held(day: Day):
    """SQL condition: the award is in force, or it has expired but its level has a way
    back after a lapse (reinstatement requirements): then the level is still the
    person's, to renew or reinstate, not to apply for again."""
    return sa.or_(
        current_award_clause(day),
        sa.and_(
            held_award_clause(day),
            sa.exists().where(
                Requirement.programme_level_id == ProgrammeLevel.id,
                Requirement.purpose == RequirementPurpose.REINSTATE.value,
            ),
        ),
    )


def evaluate(
    person: Person,
    rules: ProgrammeLevel,
    *,
    as_of: date | None = None,
    application=None,
    with_evidence: bool = False,
) -> LevelStanding:
    """Evaluate every requirement of ``rules`` for ``person``. Endorsement and approval
    are read from ``application`` (not met without one)."""
    scope = Scope(as_of or today(), with_evidence=with_evidence)
    applications = {person.id: application} if application is not None else {}
    return _evaluate({person.id: rules}, RequirementPurpose.ATTAIN, scope, applications)[person.id]


def evaluate_many(
    people: Iterable[Person | int] | sa.Select,
    rules: ProgrammeLevel | None = None,
    *,
    as_of: date | None = None,
    applications: Mapping[int, object] | None = None,
    with_evidence: bool = False,
) -> dict[int, LevelStanding]:
    """``{person_id: standing}`` for many people at once, in a number of queries that
    depends on the requirements, never on the number of people or of their records.

    Everyone is evaluated against ``rules`` when given, otherwise each person against
    their own next level (people without one are left out). Endorsement and approval are
    read from ``applications`` (person id → application; not met without one).

    ``people`` may be a query selecting person ids: the facts are then read for it
    directly, sparing the database thousands of ids in each query."""
    if isinstance(people, sa.Select):
        population: list[int] | sa.Select = people
        ids = list(db.session.scalars(people)) if rules is not None else []
    else:
        ids = [p if isinstance(p, int) else p.id for p in people]
        population = ids
    rules_of = dict.fromkeys(ids, rules) if rules is not None else next_levels(population)
    scope = Scope(as_of or today(), with_evidence=with_evidence)
    return _evaluate(rules_of, RequirementPurpose.ATTAIN, scope, applications or {}, population)


def evaluate_renewal(
    person: Person,
    rules: ProgrammeLevel,
    award: CredentialAward,
    *,
    as_of: date | None = None,
    with_evidence: bool = False,
) -> LevelStanding:
    """The renewal requirements of the cycle that began when ``award`` was awarded."""
    scope = Scope(as_of or today(), with_evidence=with_evidence, cycle_start=award.awarded_on)
    return _evaluate({person.id: rules}, RequirementPurpose.RENEW, scope, {})[person.id]


def evaluate_reinstatement(
    person: Person,
    rules: ProgrammeLevel,
    *,
    as_of: date | None = None,
    application=None,
    with_evidence: bool = False,
) -> LevelStanding:
    """The reinstatement requirements of a lapsed level; the board's approval is read
    from ``application`` (not met without one)."""
    scope = Scope(as_of or today(), with_evidence=with_evidence)
    applications = {person.id: application} if application is not None else {}
    return _evaluate({person.id: rules}, RequirementPurpose.REINSTATE, scope, applications)[
        person.id
    ]


def _evaluate(
    rules_of: Mapping[int, ProgrammeLevel],
    purpose: RequirementPurpose,
    scope: Scope,
    applications: Mapping[int, object],
    population: list[int] | sa.Select | None = None,
) -> dict[int, LevelStanding]:
    """Read the facts of everyone at once, then apply each requirement's rule to them
    (with the garbage collector paused: thousands of people make tens of thousands of
    small results, which it would otherwise walk over and over)."""
    with collector_paused():
        return _evaluate_all(rules_of, purpose, scope, applications, population)


def _evaluate_all(
    rules_of: Mapping[int, ProgrammeLevel],
    purpose: RequirementPurpose,
    scope: Scope,
    applications: Mapping[int, object],
    population: list[int] | sa.Select | None,
) -> dict[int, LevelStanding]:
    plain: dict[int, tuple[Rule, ...]] = {}  # programme level id → its rules, read once
    for rules in rules_of.values():
        if rules.id not in plain:
            plain[rules.id] = tuple(
                Rule(r.id, RequirementKind(r.kind), r.label, r.params)
                for r in rules.requirements
                if r.purpose == purpose
            )
    rules_by_person = {person_id: plain[rules.id] for person_id, rules in rules_of.items()}
    known = gather(rules_by_person, scope, applications, population)
    return {
        person_id: LevelStanding(
            person_id=person_id,
            level_code=rules.level.code,
            level_name=rules.level.name,
            programme_version_id=rules.programme_version_id,
            as_of=scope.as_of,
            results=[
                apply_rule(person_id, rule, known, scope) for rule in rules_by_person[person_id]
            ],
            programme_level_id=rules.id,
        )
        for person_id, rules in rules_of.items()
    }


def apply_rule(person_id: int, rule: Rule, known: Facts, scope: Scope) -> RequirementResult:
    """One requirement's rule applied to what is known of one person."""
    return _EVALUATORS[rule.kind](person_id, rule, known, scope)


def _result(
    req: Rule,
    met: bool,
    current: float,
    target: float,
    progress: str,
    missing=None,
    evidence=None,
    not_counted: str = "",
) -> RequirementResult:
    return RequirementResult(
        req.id,
        str(req.kind),
        req.label,
        met,
        current,
        target,
        progress,
        missing or [],
        evidence or {},
        not_counted,
        str(req.params.get("description", "")),
    )


# --- licence ------------------------------------------------------------------------------
def _licence(person_id: int, req: Rule, known: Facts, scope: Scope):
    ids = known.licences.get(person_id, [])
    met = bool(ids)
    return _result(
        req,
        met,
        int(met),
        1,
        "verified licence on file" if met else "none on file",
        [] if met else ["a verified, unexpired licence"],
        {"licence_ids": ids},
    )


# --- supporting document ------------------------------------------------------------------
def _document(person_id: int, req: Rule, known: Facts, scope: Scope):
    kind = str(req.params.get("document_kind", ""))
    ids = known.documents.get((person_id, kind), [])
    met = bool(ids)
    what = kind.replace("-", " ")
    return _result(
        req,
        met,
        int(met),
        1,
        f"approved {what} on file" if met else "none approved and current",
        [] if met else [f"a current, approved {what}"],
        {"document_ids": ids},
    )


# --- continuing education ----------------------------------------------------------------
def _ce_credits(person_id: int, req: Rule, known: Facts, scope: Scope):
    """Verified CE credits in the cycle (or the last N months), in a subject when named;
    no supervisor signs them. Records waiting or outside the cycle are named, not counted."""
    params = req.params
    target = int(params["minimum_minutes"])
    start = None
    if params.get("within") == "cycle" and scope.cycle_start is not None:
        start = scope.cycle_start
    elif params.get("within_months"):
        start = add_months(scope.as_of, -int(params["within_months"]))
    count = count_credits(
        known.ce.get(person_id, []),
        subject_area=params.get("subject_area") or None,
        start=start,
        end=scope.as_of,
    )
    met = count.minutes >= target
    return _result(
        req,
        met,
        count.minutes / 60,
        target / 60,
        f"{duration_label(count.minutes) if count.minutes else 0} of {duration_label(target)}",
        [] if met else [f"{duration_label(target - count.minutes)} more verified"],
        {"ce_record_ids": count.record_ids} if scope.with_evidence else {},
        count.not_counted(),
    )


# --- modules ------------------------------------------------------------------------------
def _modules(person_id: int, req: Rule, known: Facts, scope: Scope):
    codes = modules_of(req)
    completed = known.completions.get(person_id, {})
    done = {code: completed[code] for code in codes if code in completed}
    missing = [c for c in codes if c not in done]
    return _result(
        req,
        not missing,
        len(codes) - len(missing),
        len(codes),
        f"{len(codes) - len(missing)} of {len(codes)} modules",
        missing,
        {"completion_ids": sorted(done.values())},
    )


# --- assessments --------------------------------------------------------------------------
def _assessments(person_id: int, req: Rule, known: Facts, scope: Scope):
    if is_case_requirement(req):
        needed = int(req.params.get("count", 1))
        passed = [
            c for c in known.cases.get(person_id, []) if local_date(c.passed_at) <= scope.as_of
        ]
        return _result(
            req,
            len(passed) >= needed,
            min(len(passed), needed),
            needed,
            f"{len(passed)} of {needed} case presentations passed",
            [] if len(passed) >= needed else [f"{needed - len(passed)} more passed"],
            {"case_presentation_ids": [c.presentation_id for c in passed]},
        )
    codes = quizzes_of(req)
    quiz = known.quizzes.get(person_id, {})
    passed = [
        c
        for c in codes
        if c in quiz and quiz[c].passed and local_date(quiz[c].passed_at) <= scope.as_of
    ]
    missing = [c for c in codes if c not in passed]
    return _result(
        req,
        not missing,
        len(passed),
        len(codes),
        f"{len(passed)} of {len(codes)} quizzes passed",
        missing,
        {"attempt_ids": [quiz[c].attempt_id for c in passed]},
    )


# --- competency evaluation ----------------------------------------------------------------
def _evaluation(person_id: int, req: Rule, known: Facts, scope: Scope):
    minimum = int(req.params.get("minimum_rating", 1))
    evaluations = [
        e
        for e in known.evaluations.get((person_id, req.params.get("form", "")), [])
        if e.session_date <= scope.as_of
    ]
    good = [e for e in evaluations if e.lowest_rating >= minimum]
    best = max((e.lowest_rating for e in evaluations), default=0)
    progress = (
        f"an evaluation with every item ≥ {minimum}"
        if good
        else f"lowest rating {best} (needs {minimum})"
        if evaluations
        else "no evaluation yet"
    )
    return _result(
        req,
        bool(good),
        int(bool(good)),
        1,
        progress,
        [] if good else [f"an evaluation with every item rated {minimum} or higher"],
        {"evaluation_ids": [e.evaluation_id for e in good]},
    )


# --- credential held ----------------------------------------------------------------------
def _credential_held(person_id: int, req: Rule, known: Facts, scope: Scope):
    months = int(req.params.get("months", 0))
    code = req.params.get("level")
    award = known.awards.get((person_id, code))
    if award is None:
        return _result(req, False, 0, months, f"{code} not held", [f"{code} held"])
    award_id, awarded_on = award
    held_months = _months_between(awarded_on, scope.as_of)
    met = add_months(awarded_on, months) <= scope.as_of
    return _result(
        req,
        met,
        min(held_months, months),
        months,
        f"{held_months} of {months} months",
        [] if met else [f"{code} held until {add_months(awarded_on, months)}"],
        {"award_ids": [award_id]},
    )


def _months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end``, counted the way ``add_months`` counts."""
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)


# --- hours --------------------------------------------------------------------------------
def _hours(person_id: int, req: Rule, known: Facts, scope: Scope):
    params = req.params
    target = int(params["minimum_minutes"])
    minutes, sessions = known.hours.get((req.id, person_id), (0, 0))
    min_sessions = int(params.get("min_sessions", 0))
    met = minutes >= target and sessions >= min_sessions
    missing = []
    if minutes < target:
        missing.append(f"{duration_label(target - minutes)} more")
    if sessions < min_sessions:
        missing.append(f"{min_sessions - sessions} more sessions")
    evidence = {}
    if scope.with_evidence:
        evidence["hours_entry_ids"] = known.hours_ids.get((req.id, person_id), [])
    uncounted = known.hours_uncounted.get((req.id, person_id), 0)
    outside = known.hours_outside_agreement.get((req.id, person_id), 0)
    not_counted = []
    if uncounted:
        not_counted.append(f"{duration_label(uncounted)} signed for sessions before enrolment")
    if outside:
        not_counted.append(
            f"{duration_label(outside)} signed outside an approved supervision agreement"
        )
    return _result(
        req,
        met,
        minutes / 60,
        target / 60,
        f"{duration_label(minutes) if minutes else 0} of {duration_label(target)}",
        missing,
        evidence,
        "; ".join(not_counted),
    )


# --- endorsement and approval: read from the application --------------------------------
def _endorsement(person_id: int, req: Rule, known: Facts, scope: Scope):
    needed = int(req.params.get("count", 1))
    application = known.applications.get(person_id)
    endorsements = list(application.endorsements) if application else []
    count = sum(1 for e in endorsements if e.endorsed)
    return _result(
        req,
        count >= needed,
        min(count, needed),
        needed,
        f"{count} of {needed} endorsements",
        [] if count >= needed else ["a supervisor's endorsement"],
        {"endorsement_ids": [e.id for e in endorsements]},
    )


def _approval(person_id: int, req: Rule, known: Facts, scope: Scope):
    quorum = int(req.params.get("quorum", 1))
    application = known.applications.get(person_id)
    votes = list(application.votes) if application else []
    approvals = sum(1 for v in votes if v.approve)
    return _result(
        req,
        approvals >= quorum,
        min(approvals, quorum),
        quorum,
        f"{approvals} of {quorum} approvals",
        [] if approvals >= quorum else [f"{quorum - approvals} more board approvals"],
        {"vote_ids": [v.id for v in votes]},
    )


_EVALUATORS = {
    RequirementKind.LICENCE: _licence,
    RequirementKind.DOCUMENT: _document,
    RequirementKind.CE_CREDITS: _ce_credits,
    RequirementKind.MODULE: _modules,
    RequirementKind.ASSESSMENT: _assessments,
    RequirementKind.EVALUATION: _evaluation,
    RequirementKind.CREDENTIAL_HELD: _credential_held,
    RequirementKind.HOURS: _hours,
    RequirementKind.ENDORSEMENT: _endorsement,
    RequirementKind.APPROVAL: _approval,
}
