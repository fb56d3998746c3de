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
from sqlalchemy.orm import aliased, selectinload

from airm_training.assessments import facts
from airm_training.core.clock import add_months, local_date, today
from airm_training.credentials.models import AwardStatus, CredentialAward, Enrolment
from airm_training.credentials.services import current_award_clause
from airm_training.curriculum.models import ModuleCompletion
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.people.models import Licence, Person
from airm_training.programme.models import (
    CredentialLevel,
    HoursCategory,
    Module,
    ProgrammeLevel,
    RequirementKind,
    RequirementPurpose,
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
    progress: str  # e.g. "32.5 of 50 h"
    missing: list[str] = field(default_factory=list)
    evidence: dict[str, list] = field(default_factory=dict)  # what was counted

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
                    "evidence": r.evidence,
                }
                for r in self.evidence_results
            ],
        }


@dataclass(frozen=True)
class Scope:
    """What an evaluation looks at: the day, whether to list the records counted, and the
    renewal cycle's start."""

    as_of: date
    with_evidence: bool = False
    cycle_start: date | None = None


def next_level(person: Person) -> ProgrammeLevel | None:
    """The lowest level of the person's programme version above what they hold now."""
    return next_levels([person.id]).get(person.id)


def next_levels(people: Iterable[int] | sa.Select) -> dict[int, ProgrammeLevel]:
    """Each person's next level (``people``: ids, or a query selecting them), in four
    queries whatever the number of people; people who are not enrolled or who hold
    every level are left out."""
    ids = people if isinstance(people, sa.Select) else list(people)
    versions = dict(
        db.session.execute(
            sa.select(Enrolment.person_id, Enrolment.programme_version_id).where(
                Enrolment.person_id.in_(ids)
            )
        ).all()
    )
    if not versions:
        return {}
    day = today()
    top: dict[int, int] = {}
    held = db.session.execute(
        sa.select(CredentialAward.person_id, sa.func.max(ProgrammeLevel.rank))
        .join(Enrolment, Enrolment.person_id == CredentialAward.person_id)
        .join(
            ProgrammeLevel,
            sa.and_(
                ProgrammeLevel.level_id == CredentialAward.level_id,
                ProgrammeLevel.programme_version_id == Enrolment.programme_version_id,
            ),
        )
        .where(CredentialAward.person_id.in_(ids), current_award_clause(day))
        .group_by(CredentialAward.person_id)
    )
    top.update((person_id, rank) for person_id, rank in held)
    ladders: dict[int, list[ProgrammeLevel]] = defaultdict(list)
    for rules in db.session.scalars(
        sa.select(ProgrammeLevel)
        .where(ProgrammeLevel.programme_version_id.in_(set(versions.values())))
        .options(selectinload(ProgrammeLevel.requirements))
        .order_by(ProgrammeLevel.rank)
    ):
        ladders[rules.programme_version_id].append(rules)
    result = {}
    for person_id, version_id in versions.items():
        rank = top.get(person_id, 0)
        upper = [rules for rules in ladders[version_id] if rules.rank > rank]
        if upper:
            result[person_id] = upper[0]
    return result


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


def _evaluate(
    rules_of: Mapping[int, ProgrammeLevel],
    purpose: RequirementPurpose,
    scope: Scope,
    applications: Mapping[int, object],
    population: list[int] | sa.Select | None = None,
) -> dict[int, LevelStanding]:
    """Read the facts of everyone at once, then apply each requirement's rule to them."""
    plain: dict[int, tuple[Rule, ...]] = {}  # programme level id → its rules, read once
    for rules in rules_of.values():
        if rules.id not in plain:
            plain[rules.id] = tuple(
                Rule(r.id, RequirementKind(r.kind), r.label, r.params)
                for r in rules.requirements
                if r.purpose == purpose
            )
    rules_by_person = {person_id: plain[rules.id] for person_id, rules in rules_of.items()}
    known = _gather(rules_by_person, scope, applications, population)
    return {
        person_id: LevelStanding(
            person_id=person_id,
            level_code=rules.level.code,
            level_name=rules.level.name,
            programme_version_id=rules.programme_version_id,
            as_of=scope.as_of,
            results=[
                _EVALUATORS[rule.kind](person_id, rule, known, scope)
                for rule in rules_by_person[person_id]
            ],
        )
        for person_id, rules in rules_of.items()
    }


@dataclass(frozen=True)
class Rule:
    """A requirement as plain values, read once however many people it is applied to."""

    id: int
    kind: RequirementKind
    label: str
    params: dict


@dataclass
class Facts:
    """What the rules know about the people evaluated together, each read in one query
    (hours: one per hours requirement)."""

    licences: dict[int, list[int]] = field(default_factory=dict)  # person → licence ids
    completions: dict[int, dict[str, int]] = field(default_factory=dict)  # → {code: id}
    quizzes: dict[int, dict[str, facts.QuizFact]] = field(default_factory=dict)
    cases: dict[int, list[facts.CaseFact]] = field(default_factory=dict)
    evaluations: dict[tuple[int, str], list[facts.EvaluationFact]] = field(default_factory=dict)
    awards: dict[tuple[int, str], tuple[int, date]] = field(default_factory=dict)
    hours: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    hours_ids: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    applications: Mapping[int, object] = field(default_factory=dict)


def _gather(
    rules_by_person: Mapping[int, tuple[Rule, ...]],
    scope: Scope,
    applications: Mapping[int, object],
    population: list[int] | sa.Select | None,
) -> Facts:
    """The facts every rule needs, for everyone in ``rules_by_person``; the queries
    filter on ``population`` (those people, or a query selecting a superset of them)."""
    known = Facts(applications=applications)
    if not rules_by_person:
        return known
    by_kind: dict[RequirementKind, dict[int, Rule]] = defaultdict(dict)
    people_of: dict[int, list[int]] = defaultdict(list)  # rule id → people
    for person_id, rules in rules_by_person.items():
        for rule in rules:
            by_kind[rule.kind][rule.id] = rule
            people_of[rule.id].append(person_id)
    ids = list(rules_by_person) if population is None else population
    if RequirementKind.LICENCE in by_kind:
        known.licences = _licences(ids, scope)
    modules = {code for r in by_kind[RequirementKind.MODULE].values() for code in _modules_of(r)}
    if modules:
        known.completions = _completions(ids, modules, scope)
    assessments = by_kind[RequirementKind.ASSESSMENT].values()
    quizzes = sorted({code for r in assessments for code in _quizzes_of(r)})
    if quizzes:
        known.quizzes = facts.quiz_facts_for(ids, quizzes)
    if any(_is_case_requirement(r) for r in assessments):
        known.cases = facts.passed_case_presentations_for(ids)
    forms = {r.params.get("form", "") for r in by_kind[RequirementKind.EVALUATION].values()}
    if forms:
        known.evaluations = facts.evaluation_facts_for(ids, forms)
    levels = {r.params.get("level") for r in by_kind[RequirementKind.CREDENTIAL_HELD].values()}
    if levels:
        known.awards = _first_current_awards(ids, levels, scope)
    for rule in by_kind[RequirementKind.HOURS].values():
        applies_to_all = len(people_of[rule.id]) == len(rules_by_person)
        _signed_hours(rule, ids if applies_to_all else people_of[rule.id], scope, known)
    return known


def _result(
    req: Rule,
    met: bool,
    current: float,
    target: float,
    progress: str,
    missing=None,
    evidence=None,
) -> RequirementResult:
    return RequirementResult(
        req.id,
        req.kind.value,
        req.label,
        met,
        current,
        target,
        progress,
        missing or [],
        evidence or {},
    )


# --- licence ------------------------------------------------------------------------------
def _licences(ids: list[int] | sa.Select, scope: Scope) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    rows = db.session.execute(
        sa.select(Licence.person_id, Licence.id)
        .where(
            Licence.person_id.in_(ids),
            Licence.verified_at.is_not(None),
            Licence.expires_on >= scope.as_of,
        )
        .order_by(Licence.id)
    )
    for person_id, licence_id in rows:
        found[person_id].append(licence_id)
    return dict(found)


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


# --- modules ------------------------------------------------------------------------------
def _modules_of(req: Rule) -> list[str]:
    return list(req.params.get("modules", []))


def _completions(
    ids: list[int] | sa.Select, codes: set[str], scope: Scope
) -> dict[int, dict[str, int]]:
    done: dict[int, dict[str, int]] = defaultdict(dict)
    rows = db.session.execute(
        sa.select(ModuleCompletion.person_id, Module.code, ModuleCompletion.id)
        .join(ModuleCompletion, ModuleCompletion.module_id == Module.id)
        .where(
            ModuleCompletion.person_id.in_(ids),
            Module.code.in_(codes),
            ModuleCompletion.completed_on <= scope.as_of,
        )
    )
    for person_id, code, completion_id in rows:
        done[person_id][code] = completion_id
    return dict(done)


def _modules(person_id: int, req: Rule, known: Facts, scope: Scope):
    codes = _modules_of(req)
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
def _is_case_requirement(req: Rule) -> bool:
    return req.params.get("assessment_kind") == "case-presentation"


def _quizzes_of(req: Rule) -> list[str]:
    return [] if _is_case_requirement(req) else list(req.params.get("assessments", []))


def _assessments(person_id: int, req: Rule, known: Facts, scope: Scope):
    if _is_case_requirement(req):
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
    codes = _quizzes_of(req)
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
def _first_current_awards(
    ids: list[int] | sa.Select, codes: set[str], scope: Scope
) -> dict[tuple[int, str], tuple[int, date]]:
    """The earliest award in force on the day, per person and level code."""
    first: dict[tuple[int, str], tuple[int, date]] = {}
    rows = db.session.execute(
        sa.select(
            CredentialAward.person_id,
            CredentialLevel.code,
            CredentialAward.id,
            CredentialAward.awarded_on,
        )
        .join(CredentialLevel, CredentialLevel.id == CredentialAward.level_id)
        .where(
            CredentialAward.person_id.in_(ids),
            CredentialLevel.code.in_(codes),
            current_award_clause(scope.as_of),
        )
        .order_by(CredentialAward.awarded_on, CredentialAward.id)
    )
    for person_id, code, award_id, awarded_on in rows:
        first.setdefault((person_id, code), (award_id, awarded_on))
    return first


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


def _hours_conditions(req: Rule, ids: list[int] | sa.Select, scope: Scope) -> list:
    params = req.params
    conditions = [
        HoursEntry.person_id.in_(ids),
        HoursEntry.status == HoursStatus.SIGNED.value,
        HoursEntry.session_date <= scope.as_of,
        HoursEntry.category_id.in_(
            sa.select(HoursCategory.id).where(HoursCategory.code.in_(params["categories"]))
        ),
    ]
    if params.get("within") == "cycle" and scope.cycle_start is not None:
        conditions.append(HoursEntry.session_date >= scope.cycle_start)
    if params.get("within_months"):
        conditions.append(
            HoursEntry.session_date >= add_months(scope.as_of, -int(params["within_months"]))
        )
    if params.get("signed_by_level"):
        conditions.append(_signer_held_level_on_session_date(params["signed_by_level"]))
    return conditions


def _signed_hours(req: Rule, ids: list[int] | sa.Select, scope: Scope, known: Facts) -> None:
    """Minutes and sessions that count for ``req``, per person (and the entries, when
    evidence is asked for)."""
    conditions = _hours_conditions(req, ids, scope)
    rows = db.session.execute(
        sa.select(HoursEntry.person_id, sa.func.sum(HoursEntry.minutes), sa.func.count())
        .where(*conditions)
        .group_by(HoursEntry.person_id)
    )
    for person_id, minutes, sessions in rows:
        known.hours[(req.id, person_id)] = (int(minutes), int(sessions))
    if scope.with_evidence:
        entries = db.session.execute(
            sa.select(HoursEntry.person_id, HoursEntry.id)
            .where(*conditions)
            .order_by(HoursEntry.id)
        )
        for person_id, entry_id in entries:
            known.hours_ids.setdefault((req.id, person_id), []).append(entry_id)


def _hours(person_id: int, req: Rule, known: Facts, scope: Scope):
    params = req.params
    target = int(params["minimum_minutes"])
    minutes, sessions = known.hours.get((req.id, person_id), (0, 0))
    min_sessions = int(params.get("min_sessions", 0))
    met = minutes >= target and sessions >= min_sessions
    missing = []
    if minutes < target:
        missing.append(f"{_hours_text(target - minutes)} h more")
    if sessions < min_sessions:
        missing.append(f"{min_sessions - sessions} more sessions")
    evidence = {}
    if scope.with_evidence:
        evidence["hours_entry_ids"] = known.hours_ids.get((req.id, person_id), [])
    return _result(
        req,
        met,
        minutes / 60,
        target / 60,
        f"{_hours_text(minutes)} of {_hours_text(target)} h",
        missing,
        evidence,
    )


def _signer_held_level_on_session_date(level_code: str):
    award = aliased(CredentialAward)
    level = aliased(CredentialLevel)
    return (
        sa.select(award.id)
        .join(level, level.id == award.level_id)
        .where(
            award.person_id == HoursEntry.signed_by_id,
            level.code == level_code,
            award.status == AwardStatus.ACTIVE,
            award.awarded_on <= HoursEntry.session_date,
            sa.or_(award.expires_on.is_(None), award.expires_on >= HoursEntry.session_date),
        )
        .exists()
    )


def _hours_text(minutes: int) -> str:
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


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
    RequirementKind.MODULE: _modules,
    RequirementKind.ASSESSMENT: _assessments,
    RequirementKind.EVALUATION: _evaluation,
    RequirementKind.CREDENTIAL_HELD: _credential_held,
    RequirementKind.HOURS: _hours,
    RequirementKind.ENDORSEMENT: _endorsement,
    RequirementKind.APPROVAL: _approval,
}
