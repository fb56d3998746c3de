"""When each person last did something toward their training: logged hours, completed a
module, started a quiz or submitted a case presentation."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from airm_training.assessments.models import CasePresentation, CaseVersion, QuizAttempt
from airm_training.curriculum.models import ModuleCompletion
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry


def last_activity(people: sa.Select) -> dict[int, datetime]:
    """The latest such moment of each person ``people`` selects (the ids of one column),
    for those who did anything: one query, each kind's latest read from an index per
    person, never by scanning every record."""
    person = people.subquery().c[0]
    latest = (
        sa.select(sa.func.max(HoursEntry.created_at)).where(HoursEntry.person_id == person),
        sa.select(sa.func.max(ModuleCompletion.recorded_at)).where(
            ModuleCompletion.person_id == person
        ),
        sa.select(sa.func.max(QuizAttempt.started_at)).where(QuizAttempt.person_id == person),
        sa.select(sa.func.max(CaseVersion.submitted_at))
        .join(CasePresentation, CasePresentation.id == CaseVersion.presentation_id)
        .where(CasePresentation.person_id == person),
    )
    rows = db.session.execute(sa.select(person, *(query.scalar_subquery() for query in latest)))
    found = {}
    for person_id, *moments in rows:
        known = [moment for moment in moments if moment is not None]
        if known:
            found[person_id] = max(known)
    return found
