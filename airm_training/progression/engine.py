"""The requirement engine: where a person stands against the requirements of a level.

Every figure comes from the programme version the person is enrolled under and from
aggregate queries: the number of queries depends on the number of requirements, never
on the number of hours entries, modules or attempts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from airm_training.assessments import facts
from airm_training.core.clock import add_months, local_date, today
from airm_training.credentials.models import AwardStatus, CredentialAward, Enrolment
from airm_training.curriculum.models import ModuleCompletion
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.people.models import Licence, Person
from airm_training.programme.models import (
    CredentialLevel,
    HoursCategory,
    Module,
    ProgrammeLevel,
    Requirement,
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
    """What an evaluation looks at: the day, the application (for endorsement and
    approval), whether to list the records counted, and the renewal cycle's start."""

    as_of: date
    application: object | None = None
    with_evidence: bool = False
    cycle_start: date | None = None


def next_level(person: Person) -> ProgrammeLevel | None:
    """The lowest level of the person's programme version above what they hold now."""
    enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.person_id == person.id))
    if enrolment is None:
        return None
    day = today()
    held_ranks = set(
        db.session.scalars(
            sa.select(ProgrammeLevel.rank)
            .join(CredentialAward, CredentialAward.level_id == ProgrammeLevel.level_id)
            .where(
                ProgrammeLevel.programme_version_id == enrolment.programme_version_id,
                CredentialAward.person_id == person.id,
                CredentialAward.status == AwardStatus.ACTIVE,
                CredentialAward.awarded_on <= day,
                sa.or_(CredentialAward.expires_on.is_(None), CredentialAward.expires_on >= day),
            )
        )
    )
    top = max(held_ranks, default=0)
    return db.session.scalar(
        sa.select(ProgrammeLevel)
        .where(
            ProgrammeLevel.programme_version_id == enrolment.programme_version_id,
            ProgrammeLevel.rank > top,
        )
        .order_by(ProgrammeLevel.rank)
        .limit(1)
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
    scope = Scope(as_of or today(), application, with_evidence)
    return _evaluate(person, rules, RequirementPurpose.ATTAIN, scope)


def evaluate_renewal(
    person: Person,
    rules: ProgrammeLevel,
    award: CredentialAward,
    *,
    as_of: date | None = None,
    with_evidence: bool = False,
) -> LevelStanding:
    """The renewal requirements of the cycle that began when ``award`` was awarded."""
    scope = Scope(as_of or today(), None, with_evidence, cycle_start=award.awarded_on)
    return _evaluate(person, rules, RequirementPurpose.RENEW, scope)


def _evaluate(
    person: Person, rules: ProgrammeLevel, purpose: RequirementPurpose, scope: Scope
) -> LevelStanding:
    requirements = [r for r in rules.requirements if r.purpose == purpose]
    results = [_EVALUATORS[RequirementKind(req.kind)](person, req, scope) for req in requirements]
    return LevelStanding(
        person_id=person.id,
        level_code=rules.level.code,
        level_name=rules.level.name,
        programme_version_id=rules.programme_version_id,
        as_of=scope.as_of,
        results=results,
    )


def _result(
    req: Requirement,
    met: bool,
    current: float,
    target: float,
    progress: str,
    missing=None,
    evidence=None,
) -> RequirementResult:
    return RequirementResult(
        req.id, req.kind, req.label, met, current, target, progress, missing or [], evidence or {}
    )


def _licence(person, req, scope: Scope):
    ids = list(
        db.session.scalars(
            sa.select(Licence.id).where(
                Licence.person_id == person.id,
                Licence.verified_at.is_not(None),
                Licence.expires_on >= scope.as_of,
            )
        )
    )
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


def _modules(person, req, scope: Scope):
    codes = list(req.params.get("modules", []))
    done = dict(
        db.session.execute(
            sa.select(Module.code, ModuleCompletion.id)
            .join(ModuleCompletion, ModuleCompletion.module_id == Module.id)
            .where(
                ModuleCompletion.person_id == person.id,
                Module.code.in_(codes),
                ModuleCompletion.completed_on <= scope.as_of,
            )
        ).all()
    )
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


def _assessments(person, req, scope: Scope):
    if req.params.get("assessment_kind") == "case-presentation":
        needed = int(req.params.get("count", 1))
        passed = [
            c
            for c in facts.passed_case_presentations(person.id)
            if local_date(c.passed_at) <= scope.as_of
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
    codes = list(req.params.get("assessments", []))
    quiz = facts.quiz_facts(person.id, codes)
    passed = [c for c in codes if quiz[c].passed and local_date(quiz[c].passed_at) <= scope.as_of]
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


def _evaluation(person, req, scope: Scope):
    minimum = int(req.params.get("minimum_rating", 1))
    evaluations = [
        e
        for e in facts.evaluation_facts(person.id, req.params.get("form", ""))
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


def _credential_held(person, req, scope: Scope):
    months = int(req.params.get("months", 0))
    code = req.params.get("level")
    award = db.session.execute(
        sa.select(CredentialAward.id, CredentialAward.awarded_on)
        .join(CredentialLevel, CredentialLevel.id == CredentialAward.level_id)
        .where(
            CredentialAward.person_id == person.id,
            CredentialLevel.code == code,
            CredentialAward.status == AwardStatus.ACTIVE,
            CredentialAward.awarded_on <= scope.as_of,
            sa.or_(CredentialAward.expires_on.is_(None), CredentialAward.expires_on >= scope.as_of),
        )
        .order_by(CredentialAward.awarded_on)
        .limit(1)
    ).first()
    if award is None:
        return _result(req, False, 0, months, f"{code} not held", [f"{code} held"])
    held_months = _months_between(award.awarded_on, scope.as_of)
    met = add_months(award.awarded_on, months) <= scope.as_of
    return _result(
        req,
        met,
        min(held_months, months),
        months,
        f"{held_months} of {months} months",
        [] if met else [f"{code} held until {add_months(award.awarded_on, months)}"],
        {"award_ids": [award.id]},
    )


def _months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end``, counted the way ``add_months`` counts."""
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def _hours(person, req, scope: Scope):
    params = req.params
    target = int(params["minimum_minutes"])
    conditions = [
        HoursEntry.person_id == person.id,
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
    minutes, sessions = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(HoursEntry.minutes), 0), sa.func.count()).where(
            *conditions
        )
    ).one()
    minutes, sessions = int(minutes), int(sessions)
    min_sessions = int(params.get("min_sessions", 0))
    met = minutes >= target and sessions >= min_sessions
    missing = []
    if minutes < target:
        missing.append(f"{_hours_text(target - minutes)} h more")
    if sessions < min_sessions:
        missing.append(f"{min_sessions - sessions} more sessions")
    evidence = {}
    if scope.with_evidence:
        evidence["hours_entry_ids"] = list(
            db.session.scalars(sa.select(HoursEntry.id).where(*conditions).order_by(HoursEntry.id))
        )
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


def _endorsement(person, req, scope: Scope):
    needed = int(req.params.get("count", 1))
    count = sum(1 for e in scope.application.endorsements if e.endorsed) if scope.application else 0
    return _result(
        req,
        count >= needed,
        min(count, needed),
        needed,
        f"{count} of {needed} endorsements",
        [] if count >= needed else ["a supervisor's endorsement"],
        {
            "endorsement_ids": [e.id for e in scope.application.endorsements]
            if scope.application
            else []
        },
    )


def _approval(person, req, scope: Scope):
    quorum = int(req.params.get("quorum", 1))
    approvals = sum(1 for v in scope.application.votes if v.approve) if scope.application else 0
    return _result(
        req,
        approvals >= quorum,
        min(approvals, quorum),
        quorum,
        f"{approvals} of {quorum} approvals",
        [] if approvals >= quorum else [f"{quorum - approvals} more board approvals"],
        {"vote_ids": [v.id for v in scope.application.votes] if scope.application else []},
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
