"""The kept hours tally (``HoursTally``): each enrolled person's counted signed minutes
per requirement of attaining a level under their version, so that evaluating thousands
of people reads a few thousand small rows instead of every hours entry.

Kept in the transaction that changes what it rests on: when a session is about to
commit, the tally of everyone whose hours entries, enrolment or supervision agreements
changed, and of everyone whose entries were signed by someone whose credentials changed
(a signer's level on the session date decides whether consultation counts), is
recomputed from the entries with ``facts.signed_hours_totals``, the same query an
evaluation runs live; statements run through the session (a bulk ``UPDATE`` or
``INSERT``) are noted too, by the rows they name or select. Until the commit, the
evaluations of marked people read live (``facts._kept_hours``). ``airm rebuild-standing``
recomputes everyone (after an upgrade, or a restore)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import ORMExecuteState, Session

from airm_training.agreements.models import SupervisionAgreement
from airm_training.core.changes import (
    keep_on_every_session,
    mark_people,
    mark_signers,
    statement_people,
    take_marks,
)
from airm_training.credentials.models import CredentialAward, Enrolment
from airm_training.hours.models import HoursEntry
from airm_training.people.models import Person
from airm_training.programme.models import (
    ProgrammeLevel,
    Requirement,
    RequirementKind,
    RequirementPurpose,
)
from airm_training.progression import summary
from airm_training.progression.facts import Rule, Scope, keeps_tally, signed_hours_totals
from airm_training.progression.models import HoursTally

# Every signed session, whatever its date (sessions cannot be dated in the future).
_ALL_DAYS = Scope(date.max)
BATCH = 500
# Table → (the column naming whose tally a change touches, whether that is a signer).
_WATCHED = {
    HoursEntry.__tablename__: (HoursEntry.person_id, False),
    Enrolment.__tablename__: (Enrolment.person_id, False),
    SupervisionAgreement.__tablename__: (SupervisionAgreement.candidate_id, False),
    CredentialAward.__tablename__: (CredentialAward.person_id, True),
}


def _changed(session: Session, _context, _instances) -> None:
    """Note whose tally the objects about to be flushed change."""
    people: list[int | None] = []
    signers: list[int | None] = []
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, HoursEntry | Enrolment):
            people.append(obj.person_id)
        elif isinstance(obj, SupervisionAgreement):
            people.append(obj.candidate_id)
        elif isinstance(obj, CredentialAward):
            signers.append(obj.person_id)
        elif isinstance(obj, Requirement) and obj.id is not None and obj in session.deleted:
            session.execute(sa.delete(HoursTally).where(HoursTally.requirement_id == obj.id))
    mark_people(session, people)
    mark_signers(session, signers)


def _statement_changes(state: ORMExecuteState) -> None:
    """Note whose tally an ``INSERT``, ``UPDATE`` or ``DELETE`` statement run through the
    session changes (``core.changes.statement_people``)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    watched = _WATCHED.get(getattr(state.statement.table, "name", ""))
    if watched is None:
        return
    column, of_signer = watched
    ids = statement_people(state, sa.select(column))
    (mark_signers if of_signer else mark_people)(state.session, ids)


def settle(session: Session) -> None:
    """Tally everyone marked so far in the session's transaction, and forget the kept
    standing of everyone whose evidence changed (run as it commits)."""
    session.flush()  # the changes not yet flushed are marked as they are
    people, signers, evidence = take_marks(session)
    if signers:
        people |= set(
            session.scalars(
                sa.select(HoursEntry.person_id)
                .where(HoursEntry.signed_by_id.in_(signers))
                .distinct()
            )
        )
    if people or evidence:
        summary.forget(session, people | evidence)
    if people:
        refresh(session, people)


def _forget(session: Session, *_args) -> None:
    take_marks(session)


def install() -> None:
    """Keep the tally on every session (once per process)."""
    keep_on_every_session(_changed, _statement_changes, settle, _forget)


def refresh(session: Session, person_ids: Iterable[int]) -> int:
    """Recompute the tally of these people (their rows are locked first, so that two
    transactions tallying one person take turns); the number of rows written."""
    ids = sorted(set(person_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        session.execute(
            sa.select(Person.id).where(Person.id.in_(batch)).order_by(Person.id).with_for_update()
        )
        session.execute(sa.delete(HoursTally).where(HoursTally.person_id.in_(batch)))
        written += _insert(session, batch)
    return written


def _insert(session: Session, ids: list[int]) -> int:
    people_of_rule: dict[int, list[int]] = defaultdict(list)
    rules: dict[int, Rule] = {}
    rows = session.execute(
        sa.select(Enrolment.person_id, Requirement)
        .join(ProgrammeLevel, ProgrammeLevel.programme_version_id == Enrolment.programme_version_id)
        .join(Requirement, Requirement.programme_level_id == ProgrammeLevel.id)
        .where(
            Enrolment.person_id.in_(ids),
            Requirement.kind == RequirementKind.HOURS.value,
            Requirement.purpose == RequirementPurpose.ATTAIN.value,
        )
    )
    for person_id, req in rows:
        if keeps_tally(req.params):
            rules[req.id] = Rule(req.id, RequirementKind.HOURS, req.label, req.params)
            people_of_rule[req.id].append(person_id)
    tallies = []
    for req_id, people in people_of_rule.items():
        found = {
            person_id: (minutes, sessions, uncounted, outside)
            for person_id, minutes, sessions, uncounted, outside in session.execute(
                signed_hours_totals(rules[req_id], people, _ALL_DAYS)
            )
        }
        for person_id in people:
            minutes, sessions, uncounted, outside = found.get(person_id, (0, 0, 0, 0))
            tallies.append(
                {
                    "requirement_id": req_id,
                    "person_id": person_id,
                    "minutes": int(minutes or 0),
                    "sessions": int(sessions or 0),
                    "uncounted_minutes": int(uncounted or 0),
                    "outside_minutes": int(outside or 0),
                }
            )
    if tallies:
        session.execute(sa.insert(HoursTally), tallies)
    return len(tallies)


def rebuild(session: Session) -> int:
    """Recompute everyone's tally; the number of rows written."""
    session.execute(sa.delete(HoursTally))
    return refresh(session, session.scalars(sa.select(Enrolment.person_id)))


def differences(session: Session) -> list[tuple[int, int]]:
    """(requirement, person) pairs whose kept figures differ from a recomputation (none,
    unless something changed the records behind the tally's back)."""
    kept = _kept(session)
    nested = session.begin_nested()
    try:
        rebuild(session)
        fresh = _kept(session)
    finally:
        nested.rollback()
    return sorted(k for k in kept.keys() | fresh.keys() if kept.get(k) != fresh.get(k))


def _kept(session: Session) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    rows = session.execute(HoursTally.figures())
    return {(r, p): (m, s, u, o) for r, p, m, s, u, o in rows}
