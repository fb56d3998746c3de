"""The kept standing summary (``StandingSummary``): each enrolled person's next level on
a day, how many of its evidence requirements they meet and which they do not, so that the
reports read a few thousand small rows instead of evaluating everyone.

A row is an evaluation's result, written by ``refresh`` (``airm rebuild-standing``, and
every night for the new day); it holds only for its ``as_of`` day. Whatever changes what
it rests on deletes it in the same transaction (``forget``, run as the session commits):
the person's hours, enrolment, agreements, credentials, licences, documents, continuing
education, modules, quizzes, case presentations and evaluations, the credentials of whoever
signed their hours, and any change to the programme (which forgets everyone). People
without a valid row are evaluated live (``progress_of``), so a missing row costs time,
never a wrong figure."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, selectinload

from airm_training.assessments.models import (
    CasePresentation,
    CaseVersion,
    CompetencyEvaluation,
    Quiz,
    QuizAttempt,
)
from airm_training.continuing.models import CeRecord
from airm_training.core.changes import (
    EVERYONE,
    mark_evidence,
    marked_evidence,
    marked_people,
    statement_people,
)
from airm_training.core.reads import Read, read_together, shaped
from airm_training.credentials.models import CredentialAward, Enrolment
from airm_training.credentials.services import current_award_clause
from airm_training.curriculum.models import ModuleCompletion
from airm_training.extensions import db
from airm_training.people.models import Licence, Person
from airm_training.programme.models import (
    CredentialLevel,
    HoursCategory,
    Module,
    ProgrammeLevel,
    ProgrammeVersion,
    Requirement,
)
from airm_training.progression.activity import last_activity
from airm_training.progression.engine import LevelStanding, evaluate_many
from airm_training.progression.models import StandingGap, StandingSummary
from airm_training.supporting.models import SupportingDocument

BATCH = 500
# Evidence kept by a person's own rows (hours, enrolments and agreements reach the summary
# through the tally's marks): model → the column naming the person.
_OWNED = {
    CredentialAward: CredentialAward.person_id,
    Licence: Licence.person_id,
    SupportingDocument: SupportingDocument.person_id,
    CeRecord: CeRecord.person_id,
    ModuleCompletion: ModuleCompletion.person_id,
    QuizAttempt: QuizAttempt.person_id,
    CasePresentation: CasePresentation.person_id,
    CompetencyEvaluation: CompetencyEvaluation.person_id,
}
# The programme: a change to any of these can change anyone's standing.
PROGRAMME = (
    ProgrammeVersion,
    ProgrammeLevel,
    Requirement,
    CredentialLevel,
    HoursCategory,
    Module,
    Quiz,
)
_PROGRAMME_TABLES = frozenset(model.__tablename__ for model in PROGRAMME)
_OWNED_TABLES = {model.__tablename__: column for model, column in _OWNED.items()}
_SUMMARY = sa.select(
    StandingSummary.person_id,
    StandingSummary.programme_level_id,
    StandingSummary.met,
    StandingSummary.total,
    StandingSummary.unmet,
    StandingSummary.last_active_at,
    StandingSummary.holds_credential,
)


@dataclass(frozen=True)
class Progress:
    """One person's next level and how far they are with its evidence requirements."""

    level_code: str
    met: int
    total: int
    missing: tuple[str, ...]  # labels of the requirements not met, in the level's order

    @classmethod
    def of(cls, standing: LevelStanding) -> Progress:
        evidence = standing.evidence_results
        return cls(
            standing.level_code,
            sum(1 for r in evidence if r.met),
            len(evidence),
            tuple(r.label for r in evidence if not r.met),
        )


def _changed(session: Session, _context, _instances) -> None:
    """Note whose standing the objects about to be flushed change."""
    people: list[int | None] = []
    for obj in (*session.new, *session.dirty, *session.deleted):
        column = _OWNED.get(type(obj))
        if column is not None:
            people.append(getattr(obj, column.key))
        elif isinstance(obj, CaseVersion):
            presentation = obj.presentation
            people.append(presentation.person_id if presentation is not None else EVERYONE)
        elif isinstance(obj, PROGRAMME):
            people.append(EVERYONE)
    mark_evidence(session, people)


def _statement_changes(state: ORMExecuteState) -> None:
    """Note whose standing a bulk ``INSERT``, ``UPDATE`` or ``DELETE`` changes."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement.table, "name", "")
    if table in _PROGRAMME_TABLES or (table == CaseVersion.__tablename__ and state.is_insert):
        mark_evidence(state.session, [EVERYONE])
    elif table == CaseVersion.__tablename__:
        people = sa.select(CasePresentation.person_id).join(
            CaseVersion, CaseVersion.presentation_id == CasePresentation.id
        )
        mark_evidence(state.session, statement_people(state, people))
    elif table in _OWNED_TABLES:
        mark_evidence(state.session, statement_people(state, sa.select(_OWNED_TABLES[table])))


def install() -> None:
    """Note, on every session, whose standing changes (once per process); the tally's
    ``settle`` forgets their rows as the session commits."""
    if not event.contains(Session, "before_flush", _changed):
        event.listen(Session, "before_flush", _changed)
        event.listen(Session, "do_orm_execute", _statement_changes)


def forget(session: Session, person_ids: Iterable[int]) -> None:
    """Delete the rows of these people (of everyone, when ``EVERYONE`` is among them) and
    note them as gaps, their person rows locked first so that a refresh running meanwhile
    takes turns."""
    ids = set(person_ids)
    if EVERYONE in ids:
        session.execute(sa.delete(StandingSummary))
        session.execute(sa.delete(StandingGap))
        return
    ordered = sorted(ids)
    for start in range(0, len(ordered), BATCH):
        batch = ordered[start : start + BATCH]
        _lock(session, batch)
        session.execute(sa.delete(StandingSummary).where(StandingSummary.person_id.in_(batch)))
        _note_gaps(session, sa.select(Person.id).where(Person.id.in_(batch)))


def _note_gaps(session: Session, people: sa.Select) -> None:
    """Note as gaps those ``people`` selects (their ids) not noted yet (under the lock of
    their person rows, or in the rebuild)."""
    noted = sa.select(StandingGap.person_id).where(StandingGap.person_id == Person.id)
    session.execute(
        sa.insert(StandingGap).from_select(["person_id"], people.where(~sa.exists(noted)))
    )


def _lock(session: Session, ids: list[int] | sa.Select) -> None:
    session.execute(
        sa.select(Person.id).where(Person.id.in_(ids)).order_by(Person.id).with_for_update()
    )


def rebuild(session: Session, day: date) -> int:
    """Evaluate every enrolled person on ``day`` and keep the results; the rows written."""
    enrolled = sa.select(Enrolment.person_id)
    _lock(session, enrolled)
    ids = list(session.scalars(enrolled.order_by(Enrolment.person_id)))
    standings = evaluate_many(enrolled, as_of=day)
    active = last_activity(enrolled)
    holding = set(
        session.scalars(
            sa.select(CredentialAward.person_id)
            .where(CredentialAward.person_id.in_(enrolled), current_award_clause(day))
            .distinct()
        )
    )
    session.execute(sa.delete(StandingSummary))
    session.execute(sa.delete(StandingGap))
    rows = [
        {
            **_row(person_id, standings.get(person_id), day),
            "last_active_at": active.get(person_id),
            "holds_credential": person_id in holding,
        }
        for person_id in ids
    ]
    for start in range(0, len(rows), BATCH * 10):
        session.execute(sa.insert(StandingSummary), rows[start : start + BATCH * 10])
    kept = sa.select(StandingSummary.person_id).where(StandingSummary.person_id == Person.id)
    _note_gaps(session, sa.select(Person.id).where(~sa.exists(kept)))
    return len(rows)


def _row(person_id: int, standing: LevelStanding | None, day: date) -> dict:
    if standing is None:
        return {"person_id": person_id, "as_of": day, "programme_level_id": None}
    evidence = standing.evidence_results
    return {
        "person_id": person_id,
        "as_of": day,
        "programme_level_id": standing.programme_level_id,
        "met": sum(1 for r in evidence if r.met),
        "total": len(evidence),
        "unmet": [r.requirement_id for r in evidence if not r.met],
    }


def progress_of(
    person_ids: Collection[int], population: sa.Select, day: date
) -> dict[int, Progress]:
    """``{person_id: progress}`` on ``day`` of those of ``person_ids`` with a level to
    reach (``population`` selects them, or a superset): from the kept rows where they hold,
    evaluated live for the rest."""
    session = db.session
    changed = _changed_now(session)
    kept = {}
    if EVERYONE not in changed:
        rows = session.execute(
            sa.select(
                StandingSummary.person_id,
                StandingSummary.programme_level_id,
                StandingSummary.met,
                StandingSummary.total,
                sa.cast(StandingSummary.unmet, sa.Text),  # decoded once per pattern
            ).where(StandingSummary.person_id.in_(population), StandingSummary.as_of == day)
        )
        kept = {
            person_id: (level_id, met, total, unmet)
            for person_id, level_id, met, total, unmet in rows
            if person_id not in changed
        }
    result = _from_rows(kept)
    missing = [person_id for person_id in person_ids if person_id not in kept]
    result.update(live_progress(missing, population, day))
    return result


def live_progress(
    person_ids: Collection[int], population: sa.Select, day: date
) -> dict[int, Progress]:
    """``{person_id: progress}`` of those of ``person_ids`` with a level to reach,
    evaluated now (many at once are evaluated with the whole ``population``)."""
    if not person_ids:
        return {}
    live = evaluate_many(population if len(person_ids) > BATCH else list(person_ids), as_of=day)
    return {p: Progress.of(live[p]) for p in person_ids if p in live}


def progress_counts(day: date) -> dict[tuple[str, int, int], int]:
    """``{(next level's code, met, total): how many}`` of the active enrolled people whose
    kept row of ``day`` is valid and names a level to reach (counted by the database, in
    the order of ``ix_standing_summary_progress``, with no lookup per row)."""
    row = StandingSummary
    conditions = _kept_of_active(row, day)
    if conditions is None:
        return {}
    counted = (
        sa.select(row.programme_level_id, row.met, row.total, sa.func.count().label("people"))
        .where(*conditions)
        .group_by(row.programme_level_id, row.met, row.total)
        .subquery()
    )
    by_level = (
        sa.select(CredentialLevel.code, counted.c.met, counted.c.total, counted.c.people)
        .join(ProgrammeLevel, ProgrammeLevel.id == counted.c.programme_level_id)
        .join(CredentialLevel, CredentialLevel.id == ProgrammeLevel.level_id)
    )
    rows = db.session.execute(by_level)
    counts: dict[tuple[str, int, int], int] = {}
    for code, met, total, people in rows:  # levels of two versions may share a code
        counts[(code, met, total)] = counts.get((code, met, total), 0) + people
    return counts


def enrolled_without_credential(day: date, unkept: Collection[int]) -> int:
    """How many active enrolled people hold no credential in force on ``day``: the kept
    rows that say so (of active people, unchanged in this transaction) and, counted from
    their awards, those of ``unkept`` (active enrolled people without a valid row:
    ``without_valid_row``), in one statement."""
    changed = _changed_now(db.session)
    holding = sa.exists().where(
        CredentialAward.person_id == Enrolment.person_id, current_award_clause(day)
    )
    live = (
        sa.select(sa.func.count())
        .select_from(Enrolment)
        .where(Enrolment.person_id.in_(sorted(unkept)), ~holding)
        .scalar_subquery()
    )
    if EVERYONE in changed:
        return db.session.scalar(sa.select(live))
    row = StandingSummary
    conditions = [
        row.as_of == day,
        row.holds_credential.is_(False),
        row.person_id.not_in(sa.select(Person.id).where(Person.active == sa.false())),
    ]
    if changed:
        conditions.append(row.person_id.not_in(changed))
    kept = sa.select(sa.func.count()).select_from(row).where(*conditions).scalar_subquery()
    return db.session.scalar(sa.select(kept + live))


def kept_closest(
    day: date, percent: int, limit: int | None
) -> tuple[int, list[tuple[int, str, Progress]]]:
    """Of the active enrolled people whose kept row of ``day`` is valid and who have met
    ``percent`` % or more of their next level's evidence requirements: how many, and the
    first ``limit`` of them (all when None) as (person id, name, progress), the highest
    share first, then by name (in code-point order, as Python sorts) and id. The rows are
    read off ``ix_standing_summary_progress``, leaving out the few inactive people."""
    row = StandingSummary
    conditions = _kept_of_active(row, day)
    if conditions is None:
        return 0, []
    conditions.append(100 * row.met >= percent * row.total)
    session = db.session
    share = sa.case((row.total == 0, 100), else_=(100 * row.met) // row.total)
    name = Person.full_name
    if session.get_bind().dialect.name == "postgresql":
        name = name.collate("C")
    found = session.execute(
        sa.select(
            row.person_id,
            Person.full_name,
            row.programme_level_id,
            row.met,
            row.total,
            sa.cast(row.unmet, sa.Text),
            sa.func.count().over(),  # all of them, whatever the limit
        )
        .join(Person, Person.id == row.person_id)
        .where(*conditions)
        .order_by(share.desc(), name, row.person_id)
        .limit(limit)
    ).all()
    progress = _from_rows(
        {p: (level, met, total, unmet) for p, _, level, met, total, unmet, _all in found}
    )
    count = found[0][-1] if found else 0
    return count, [
        (person_id, full_name, progress[person_id]) for person_id, full_name, *_ in found
    ]


def _kept_of_active(row, day: date) -> list | None:
    """SQL conditions on a kept row (``row``): of ``day``, naming a level to reach, of an
    active person unchanged in this transaction (None: no row holds, the programme
    changed). Every kept row is an enrolled person's (the rebuild writes only theirs; a
    change of enrolment forgets it), so only the few inactive people are looked up."""
    changed = _changed_now(db.session)
    if EVERYONE in changed:
        return None
    inactive = sa.select(Person.id).where(Person.active == sa.false())
    conditions = [
        row.as_of == day,
        row.programme_level_id.is_not(None),
        row.person_id.not_in(inactive),
    ]
    if changed:
        conditions.append(row.person_id.not_in(changed))
    return conditions


def _changed_now(session: Session) -> frozenset[int]:
    """The people whose kept rows do not hold in this transaction (``EVERYONE`` among
    them when the programme changed)."""
    return marked_people(session) | marked_evidence(session)


def quiet_people(
    people: sa.Select, day: date, since: datetime
) -> tuple[dict[int, tuple[datetime | None, str]], list[int]]:
    """Of the people ``people`` selects (their ids): ``({person_id: (last active, next
    level's code)}`` of those whose kept row for ``day`` says they have a level to reach and
    did nothing from ``since`` on, ``[ids of those without a valid row]``) — the second to
    be read live. The quiet rows and the people without a row are found first (few, from
    the kept rows alone), then which of them ``people`` selects, so that the population is
    never read whole."""
    session = db.session
    changed = _changed_now(session)
    if EVERYONE in changed:
        return {}, list(session.scalars(people))
    read = read_together(
        {
            "quiet": shaped("summary.quiet_rows", _quiet_rows, {"day": day, "since": since}),
            "without_row": _without_row_read(day),
        }
    )
    quiet = {
        person_id: (last, code)
        for person_id, last, code in read["quiet"]
        if person_id not in changed
    }
    unkept = read["without_row"] | changed
    among = _among_ids(people, quiet.keys() | unkept)
    return (
        {person_id: found for person_id, found in quiet.items() if person_id in among},
        sorted(among & unkept),
    )


def without_valid_row(people: sa.Select, day: date) -> list[int]:
    """Those ``people`` selects (their ids) whose kept row is missing, of another day
    or resting on changes of this transaction: they are read live."""
    changed = _changed_now(db.session)
    if EVERYONE in changed:
        return list(db.session.scalars(people))
    return sorted(_among_ids(people, _without_row(day) | changed))


def _without_row(day: date) -> set[int]:
    """Everyone without a kept row for ``day`` (``_without_row_read``)."""
    return _without_row_read(day).run()


def _without_row_read(day: date) -> Read:
    """Everyone without a kept row for ``day``. While rows of ``day`` are kept, those are
    the gaps (forgotten since the rebuild, or without a row then; people added since
    become gaps with their first change, their enrolment among them) and any row of
    another day, both found through their keys; otherwise everyone."""
    return shaped("summary.without_row", _build_without_row, {"day": day})


def _quiet_rows() -> Read:
    """(person, last active, next level's code) of the kept rows of the day ``day`` whose
    last activity is before ``since`` or never (both bind parameters)."""
    since = sa.bindparam("since")
    return Read(
        sa.select(StandingSummary.person_id, StandingSummary.last_active_at, CredentialLevel.code)
        .join(ProgrammeLevel, ProgrammeLevel.id == StandingSummary.programme_level_id)
        .join(CredentialLevel, CredentialLevel.id == ProgrammeLevel.level_id)
        .where(
            StandingSummary.as_of == sa.bindparam("day"),
            sa.or_(
                StandingSummary.last_active_at.is_(None), StandingSummary.last_active_at < since
            ),
        ),
        list,
    )


def _build_without_row() -> Read:
    day = sa.bindparam("day", type_=sa.Date)
    kept_today = sa.exists().where(StandingSummary.as_of == day)
    people = sa.union(
        sa.select(StandingGap.person_id).where(kept_today),
        # (two ranges of ix_standing_summary_quiet, where ``!=`` would read every row)
        sa.select(StandingSummary.person_id).where(
            sa.or_(StandingSummary.as_of < day, StandingSummary.as_of > day)
        ),
        sa.select(Person.id).where(~kept_today),
    ).subquery()
    return Read(sa.select(people.c.person_id), lambda rows: {person_id for (person_id,) in rows})


def _among_ids(people: sa.Select, ids: Collection[int]) -> set[int]:
    """Those of ``ids`` that ``people`` selects (many are matched against the whole
    population, read once)."""
    if not ids:
        return set()
    if len(ids) > BATCH:
        return set(db.session.scalars(people)) & set(ids)
    return set(db.session.scalars(people.where(people.selected_columns[0].in_(sorted(ids)))))


def _from_rows(kept: dict[int, tuple[int | None, int, int, str]]) -> dict[int, Progress]:
    """Progress from kept rows (level, met, total, the unmet requirements' ids as JSON
    text). Thousands of people share a few patterns of unmet requirements: each distinct
    pattern is decoded and labelled once."""
    level_ids = {level_id for level_id, *_rest in kept.values() if level_id is not None}
    if not level_ids:
        return {}
    levels = {
        rules.id: rules
        for rules in db.session.scalars(
            sa.select(ProgrammeLevel)
            .where(ProgrammeLevel.id.in_(level_ids))
            .options(selectinload(ProgrammeLevel.requirements))
        )
    }
    labels = {r.id: r.label for rules in levels.values() for r in rules.requirements}
    codes = {level_id: rules.level.code for level_id, rules in levels.items()}
    missing_of: dict[str, tuple[str, ...]] = {}
    result = {}
    for person_id, (level_id, met, total, unmet) in kept.items():
        if level_id is None:
            continue
        missing = missing_of.get(unmet)
        if missing is None:
            missing = missing_of[unmet] = tuple(labels[i] for i in json.loads(unmet))
        result[person_id] = Progress(codes[level_id], met, total, missing)
    return result


def differences(session: Session, day: date) -> list[int]:
    """The people whose kept row for ``day`` differs from an evaluation now (none, unless
    something changed the records behind the summary's back); rows of other days are
    out of date, not wrong, and are left out."""
    kept = _kept(session, day)
    nested = session.begin_nested()
    try:
        rebuild(session, day)
        fresh = _kept(session, day)
    finally:
        nested.rollback()
    return sorted(p for p in kept if kept[p] != fresh.get(p))


def _kept(session: Session, day: date) -> dict[int, tuple]:
    rows = session.execute(_SUMMARY.where(StandingSummary.as_of == day))
    return {
        person_id: (*figures[:3], list(figures[3]), *figures[4:]) for person_id, *figures in rows
    }
