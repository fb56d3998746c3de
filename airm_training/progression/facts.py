"""The facts the requirement rules need, read for many people at once: one read per kind
of fact, whatever the number of people, hours entries, modules or attempts, sent together
in one query for a few people (``core.reads``), plus the hours the tally does not hold.
The rules themselves are in ``engine``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from airm_training.agreements.coverage import covered_clause
from airm_training.assessments import facts
from airm_training.continuing.queries import ce_facts_read
from airm_training.continuing.rules import CeFact
from airm_training.core.changes import marked_people
from airm_training.core.clock import add_months, today
from airm_training.core.reads import Day, People, Read, read_each, read_together, shaped
from airm_training.credentials.models import AwardStatus, CredentialAward, Enrolment
from airm_training.credentials.services import current_award_clause
from airm_training.curriculum.models import ModuleCompletion
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.people.models import Licence
from airm_training.programme.models import CredentialLevel, HoursCategory, Module, RequirementKind
from airm_training.progression.models import HoursTally
from airm_training.supporting.queries import current_documents_read


@dataclass(frozen=True)
class Scope:
    """What an evaluation looks at: the day, whether to list the records counted, and the
    renewal cycle's start."""

    as_of: date
    with_evidence: bool = False
    cycle_start: date | None = None


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
    documents: dict[tuple[int, str], list[int]] = field(default_factory=dict)  # (person, kind)
    ce: dict[int, list[CeFact]] = field(default_factory=dict)  # person → CE records
    completions: dict[int, dict[str, int]] = field(default_factory=dict)  # → {code: id}
    quizzes: dict[int, dict[str, facts.QuizFact]] = field(default_factory=dict)
    cases: dict[int, list[facts.CaseFact]] = field(default_factory=dict)
    evaluations: dict[tuple[int, str], list[facts.EvaluationFact]] = field(default_factory=dict)
    awards: dict[tuple[int, str], tuple[int, date]] = field(default_factory=dict)
    hours: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    # (requirement id, person) → minutes signed but logged too long before enrolment
    hours_uncounted: dict[tuple[int, int], int] = field(default_factory=dict)
    # (requirement id, person) → minutes signed outside an approved supervision agreement
    hours_outside_agreement: dict[tuple[int, int], int] = field(default_factory=dict)
    hours_ids: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    # (requirement id, person) whose hours figures were read from the kept tally
    hours_kept: set[tuple[int, int]] = field(default_factory=set)
    applications: Mapping[int, object] = field(default_factory=dict)


def gather(
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
    # For a list of people, each read is built once per shape, the people and the day
    # being bind parameters; for a population's query, built for it.
    if isinstance(ids, list):
        people, day = sa.bindparam("people", expanding=True), sa.bindparam("day", type_=sa.Date)
        values = {"people": ids, "day": scope.as_of}
    else:
        people, day, values = ids, scope.as_of, {}

    def read(shape: tuple, build) -> Read:
        return shaped(shape, lambda: build(people, day), values) if values else build(ids, day)

    reads: dict[str, Read] = {}
    if RequirementKind.LICENCE in by_kind:
        reads["licences"] = read(("licences",), _licences)
    document_kinds = frozenset(
        r.params.get("document_kind") for r in by_kind[RequirementKind.DOCUMENT].values()
    )
    if document_kinds:
        reads["documents"] = read(
            ("documents", document_kinds),
            lambda who, on: current_documents_read(who, document_kinds, on),
        )
    if by_kind[RequirementKind.CE_CREDITS]:
        reads["ce"] = read(("ce",), ce_facts_read)
    modules = frozenset(
        code for r in by_kind[RequirementKind.MODULE].values() for code in modules_of(r)
    )
    if modules:
        reads["completions"] = read(
            ("completions", modules), lambda who, on: _completions(who, modules, on)
        )
    assessments = by_kind[RequirementKind.ASSESSMENT].values()
    quizzes = tuple(sorted({code for r in assessments for code in quizzes_of(r)}))
    if quizzes:
        reads["quizzes"] = read(
            ("quizzes", quizzes), lambda who, _on: facts.quiz_facts_read(who, list(quizzes))
        )
    if any(is_case_requirement(r) for r in assessments):
        reads["cases"] = read(
            ("cases",), lambda who, _on: facts.passed_case_presentations_read(who)
        )
    evaluations = by_kind[RequirementKind.EVALUATION].values()
    forms = frozenset(r.params.get("form", "") for r in evaluations)
    if forms:
        reads["evaluations"] = read(
            ("evaluations", forms), lambda who, _on: facts.evaluation_facts_read(who, forms)
        )
    levels = frozenset(
        r.params.get("level") for r in by_kind[RequirementKind.CREDENTIAL_HELD].values()
    )
    if levels:
        reads["awards"] = read(
            ("awards", levels), lambda who, on: _first_current_awards(who, levels, on)
        )
    hours_rules = list(by_kind[RequirementKind.HOURS].values())
    tally = _kept_hours(hours_rules, ids, scope, known, read) if hours_rules else None
    if tally is not None:
        reads["hours_kept"] = tally
    too_many = isinstance(ids, list) and len(ids) * len(reads) > MAX_VALUES
    for name, value in (read_each(reads) if too_many else read_together(reads)).items():
        setattr(known, name, value)
    for rule in hours_rules:
        applies_to_all = len(people_of[rule.id]) == len(rules_by_person)
        _signed_hours(
            rule, people_of[rule.id], ids if applies_to_all else people_of[rule.id], scope, known
        )
    return known


def _licences(ids: People, day: Day) -> Read:
    return Read(
        sa.select(Licence.person_id, Licence.id)
        .where(
            Licence.person_id.in_(ids),
            Licence.verified_at.is_not(None),
            Licence.expires_on >= day,
        )
        .order_by(Licence.id),
        _ids_per_person,
    )


def _ids_per_person(rows) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    for person_id, record_id in rows:
        found[person_id].append(record_id)
    return dict(found)


def modules_of(req: Rule) -> list[str]:
    return list(req.params.get("modules", []))


def _completions(ids: People, codes: Collection[str], day: Day) -> Read:
    return Read(
        sa.select(ModuleCompletion.person_id, Module.code, ModuleCompletion.id)
        .join(ModuleCompletion, ModuleCompletion.module_id == Module.id)
        .where(
            ModuleCompletion.person_id.in_(ids),
            Module.code.in_(codes),
            ModuleCompletion.completed_on <= day,
        ),
        _completions_per_person,
    )


def _completions_per_person(rows) -> dict[int, dict[str, int]]:
    done: dict[int, dict[str, int]] = defaultdict(dict)
    for person_id, code, completion_id in rows:
        done[person_id][code] = completion_id
    return dict(done)


def is_case_requirement(req: Rule) -> bool:
    return req.params.get("assessment_kind") == "case-presentation"


def quizzes_of(req: Rule) -> list[str]:
    return [] if is_case_requirement(req) else list(req.params.get("assessments", []))


def _first_current_awards(ids: People, codes: Collection[str], day: Day) -> Read:
    """The earliest award in force on the day, per person and level code."""
    return Read(
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
            current_award_clause(day),
        )
        .order_by(CredentialAward.awarded_on, CredentialAward.id),
        _first_per_person_and_level,
    )


def _first_per_person_and_level(rows) -> dict[tuple[int, str], tuple[int, date]]:
    first: dict[tuple[int, str], tuple[int, date]] = {}
    for person_id, code, award_id, awarded_on in rows:
        first.setdefault((person_id, code), (award_id, awarded_on))
    return first


def _hours_conditions(req: Rule, ids: list[int] | sa.Select, scope: Scope) -> list:
    """Which signed entries a requirement looks at; whether each counts for the
    enrolment date is decided by ``counts_for_enrolment``."""
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


def counts_for_enrolment(months_before: int):
    """SQL condition: the entry's session is on or after its clinician's enrolment date
    less ``months_before`` months (the day clamped as ``add_months`` clamps it). Nobody
    enrolled, nothing counts."""
    enrolled_on = (
        sa.select(Enrolment.enrolled_on)
        .where(Enrolment.person_id == HoursEntry.person_id)
        .scalar_subquery()
    )
    if months_before <= 0:
        return HoursEntry.session_date >= enrolled_on
    session = HoursEntry.session_date

    def month_index(day):
        return sa.extract("year", day) * 12 + sa.extract("month", day)

    cutoff_month = month_index(enrolled_on) - months_before
    same_month = month_index(session) == cutoff_month
    return sa.or_(
        month_index(session) > cutoff_month,
        sa.and_(
            same_month,
            sa.or_(
                sa.extract("day", session) >= sa.extract("day", enrolled_on),
                sa.extract("day", session) == _days_in_month(session),
            ),
        ),
    )


def _days_in_month(day):
    year, month = sa.extract("year", day), sa.extract("month", day)
    leap = sa.or_(sa.and_(year % 4 == 0, year % 100 != 0), year % 400 == 0)
    return sa.case(
        (month == 2, sa.case((leap, 29), else_=28)),
        (month.in_([4, 6, 9, 11]), 30),
        else_=31,
    )


def keeps_tally(params: dict) -> bool:
    """Whether an hours requirement's figures can be kept per person: they must not
    depend on the day evaluated (a rolling window, a renewal cycle)."""
    return not params.get("within_months") and params.get("within") != "cycle"


def signed_hours_totals(req: Rule, ids: list[int] | sa.Select, scope: Scope) -> sa.Select:
    """Per person: (person id, minutes and sessions that count for ``req``, minutes signed
    before enrolment, minutes signed outside an approved agreement where ``req`` asks for
    one). The one definition of what counts, read live and kept in ``hours_tally``."""
    conditions = _hours_conditions(req, ids, scope)
    enrolled, agreed = _enrolled_and_agreed(req, scope)
    counts = sa.and_(enrolled, agreed)
    return (
        sa.select(
            HoursEntry.person_id,
            sa.func.sum(sa.case((counts, HoursEntry.minutes), else_=0)),
            sa.func.sum(sa.case((counts, 1), else_=0)),
            sa.func.sum(sa.case((enrolled, 0), else_=HoursEntry.minutes)),
            sa.func.sum(sa.case((sa.and_(enrolled, sa.not_(agreed)), HoursEntry.minutes), else_=0)),
        )
        .where(*conditions)
        .group_by(HoursEntry.person_id)
    )


def _enrolled_and_agreed(req: Rule, scope: Scope):
    """Renewal cycles start after enrolment, so only requirements for attaining a level
    apply the enrolment date."""
    enrolled = (
        counts_for_enrolment(int(req.params.get("counts_months_before_enrolment", 0)))
        if scope.cycle_start is None
        else sa.true()
    )
    agreed = covered_clause() if req.params.get("within_agreement") else sa.true()
    return enrolled, agreed


def _kept_hours(
    rules: list[Rule], ids: list[int] | sa.Select, scope: Scope, known: Facts, read
) -> Read | None:
    """The read that fills ``known`` from ``hours_tally`` where it holds the figures (one
    query for every requirement) and gives the (requirement, person) pairs found; None
    when the tally cannot answer: for an earlier day (the tally counts every signed
    session, and sessions cannot be dated in the future) or for evidence lists. People
    whose records this transaction changed and has not yet tallied are left out.
    ``read`` builds the read as ``gather`` builds each of its reads."""
    kept_ids = tuple(r.id for r in rules if keeps_tally(r.params))
    if not kept_ids or scope.with_evidence or scope.cycle_start is not None:
        return None
    if scope.as_of < today():
        return None
    pending = marked_people(db.session)

    def fold(rows) -> set[tuple[int, int]]:
        found = set()
        for req_id, person_id, minutes, sessions, uncounted, outside in rows:
            if person_id in pending:
                continue
            found.add((req_id, person_id))
            _record(known, req_id, person_id, minutes, sessions, uncounted, outside)
        return found

    tally = read(("hours_kept", kept_ids), lambda who, _on: _kept_figures(kept_ids, who))
    return replace(tally, fold=fold)


def _kept_figures(requirement_ids: tuple[int, ...], ids: People) -> Read:
    """The kept figures' rows (``_kept_hours`` gives the fold)."""
    return Read(
        HoursTally.figures().where(
            HoursTally.requirement_id.in_(requirement_ids), HoursTally.person_id.in_(ids)
        ),
        list,
    )


def _record(known: Facts, req_id, person_id, minutes, sessions, uncounted, outside) -> None:
    known.hours[(req_id, person_id)] = (int(minutes or 0), int(sessions or 0))
    if uncounted:
        known.hours_uncounted[(req_id, person_id)] = int(uncounted)
    if outside:
        known.hours_outside_agreement[(req_id, person_id)] = int(outside)


# Above this many people without kept figures, read them with the population's own query.
_FEW = 500
# Above this many ids in all (people times reads), the reads are sent one by one: SQLite takes
# at most 32,766 values in one statement.
MAX_VALUES = 20_000


def _signed_hours(
    req: Rule, people: list[int], ids: list[int] | sa.Select, scope: Scope, known: Facts
) -> None:
    """The figures of ``req`` for ``people`` (``ids`` selects them or a superset) that the
    tally did not hold, read live; and the entries counted, when evidence is asked for."""
    missing = [p for p in people if (req.id, p) not in known.hours_kept]
    if not missing:
        return
    live = missing if len(missing) <= _FEW or not isinstance(ids, sa.Select) else ids
    rows = db.session.execute(signed_hours_totals(req, live, scope))
    for person_id, minutes, sessions, uncounted, outside in rows:
        _record(known, req.id, person_id, minutes, sessions, uncounted, outside)
    if scope.with_evidence:
        enrolled, agreed = _enrolled_and_agreed(req, scope)
        entries = db.session.execute(
            sa.select(HoursEntry.person_id, HoursEntry.id)
            .where(*_hours_conditions(req, live, scope), enrolled, agreed)
            .order_by(HoursEntry.id)
        )
        for person_id, entry_id in entries:
            known.hours_ids.setdefault((req.id, person_id), []).append(entry_id)


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
