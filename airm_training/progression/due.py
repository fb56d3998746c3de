"""Who waits for a supervisor's competency evaluation: the one read model behind the
supervisor's home tile and the list it links to, so the two always agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from airm_training.credentials.models import Enrolment
from airm_training.extensions import db
from airm_training.hours.queries import supervisees_of
from airm_training.people.models import Person
from airm_training.programme.models import RequirementKind
from airm_training.progression.engine import evaluate_many


@dataclass(frozen=True)
class EvaluationDue:
    person: Person
    enrolled_on: date
    level_code: str
    progress: str  # what the unmet evaluation requirement says, e.g. "no evaluation yet"


def evaluations_due(supervisor_id: int, day: date | None = None) -> list[EvaluationDue]:
    """The supervisor's active, enrolled supervisees (never the supervisor) whose next
    level asks for a competency evaluation they do not have yet; longest enrolled first.
    A fixed number of queries however many supervisees there are."""
    people = {p.id: p for p in supervisees_of(supervisor_id) if p.active and p.id != supervisor_id}
    if not people:
        return []
    enrolled = dict(
        db.session.execute(
            sa.select(Enrolment.person_id, Enrolment.enrolled_on).where(
                Enrolment.person_id.in_(people)
            )
        ).all()
    )
    standings = evaluate_many(list(enrolled), as_of=day) if enrolled else {}
    due = []
    for person_id, standing in standings.items():
        unmet = [r for r in standing.results if r.kind == RequirementKind.EVALUATION and not r.met]
        if unmet:
            due.append(
                EvaluationDue(
                    people[person_id], enrolled[person_id], standing.level_code, unmet[0].progress
                )
            )
    return sorted(due, key=lambda d: (d.enrolled_on, d.person.full_name, d.person.id))
