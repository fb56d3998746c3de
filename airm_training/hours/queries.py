"""Reading hours: filtered lists, totals per category, the sign-off queue, supervisees.
Each page costs a fixed number of queries, however many entries there are."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, joinedload, lazyload

from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.people.models import Person
from airm_training.programme.models import HoursCategory

# "Pending" means submitted and waiting for a signature; drafts and returned entries are
# counted apart, and a supervisor never sees a clinician's drafts.
PENDING = HoursStatus.SUBMITTED.value


@dataclass(frozen=True)
class HoursFilter:
    status: str | None = None
    category: str | None = None
    supervisor_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    oldest_first: bool = False  # by when each entry took its status, longest waiting first

    def apply(self, statement: sa.Select) -> sa.Select:
        if self.status:
            statement = statement.where(HoursEntry.status == self.status)
        if self.category:
            statement = statement.where(
                HoursEntry.category_id.in_(
                    sa.select(HoursCategory.id).where(HoursCategory.code == self.category)
                )
            )
        if self.supervisor_id:
            statement = statement.where(HoursEntry.supervisor_id == self.supervisor_id)
        if self.date_from:
            statement = statement.where(HoursEntry.session_date >= self.date_from)
        if self.date_to:
            statement = statement.where(HoursEntry.session_date <= self.date_to)
        return statement


def entries_of(person_id: int, filters: HoursFilter) -> sa.Select:
    """A person's entries, newest session first (or waiting longest first), with what
    the list shows preloaded."""
    order = (
        (HoursEntry.waiting_since, HoursEntry.id)
        if filters.oldest_first
        else (HoursEntry.session_date.desc(), HoursEntry.id.desc())
    )
    return filters.apply(
        sa.select(HoursEntry)
        .where(HoursEntry.person_id == person_id)
        .options(
            # Their names are shown, not their roles.
            joinedload(HoursEntry.supervisor).lazyload(Person.role_assignments),
            joinedload(HoursEntry.signed_by).lazyload(Person.role_assignments),
        )
        .order_by(*order)
    )


@dataclass
class CategoryTotals:
    category: HoursCategory
    signed_minutes: int = 0
    pending_minutes: int = 0  # submitted, waiting for a signature
    returned_minutes: int = 0
    draft_minutes: int = 0  # only ever read for the clinician themselves


# Which of CategoryTotals' figures an entry's minutes add to, by its status.
_TOTAL_OF_STATUS = {
    HoursStatus.SIGNED.value: "signed_minutes",
    HoursStatus.SUBMITTED.value: "pending_minutes",
    HoursStatus.RETURNED.value: "returned_minutes",
    HoursStatus.DRAFT.value: "draft_minutes",
}


def totals_by_category(
    person_ids: list[int], filters: HoursFilter | None = None, *, with_drafts: bool = True
):
    """person id → category code → CategoryTotals (signed, pending, returned and, for the
    clinician's own view, drafts), in one query. Grouped in the order of the index
    ``ix_hours_entry_standing`` (person, status, category), so the database sums straight
    off the index instead of sorting every entry first."""
    statement = (
        sa.select(
            HoursEntry.person_id,
            HoursEntry.status,
            HoursEntry.category_id,
            sa.func.sum(HoursEntry.minutes),
        )
        .where(HoursEntry.person_id.in_(person_ids))
        .group_by(HoursEntry.person_id, HoursEntry.status, HoursEntry.category_id)
    )
    if filters:
        statement = filters.apply(statement)
    categories = {
        c.id: c
        for c in db.session.scalars(sa.select(HoursCategory).order_by(HoursCategory.position))
    }
    result: dict[int, dict[str, CategoryTotals]] = {
        pid: {c.code: CategoryTotals(c) for c in categories.values() if not c.retired}
        for pid in person_ids
    }
    counted = dict(_TOTAL_OF_STATUS)
    if not with_drafts:
        del counted[HoursStatus.DRAFT.value]
    for person_id, status, category_id, minutes in db.session.execute(statement):
        figure = counted.get(status)
        if figure is None:  # superseded, or a draft nobody else may see
            continue
        category = categories[category_id]
        totals = result[person_id].setdefault(category.code, CategoryTotals(category))
        setattr(totals, figure, int(minutes or 0))
    return result


def queue_for(
    supervisor_id: int,
    *,
    supervisee_id: int | None = None,
    category: str | None = None,
    late_only: bool = False,
) -> sa.Select:
    """Entries waiting for this supervisor's sign-off, grouped by supervisee then date."""
    statement = (
        sa.select(HoursEntry)
        .join(Person, Person.id == HoursEntry.person_id)
        .where(
            HoursEntry.supervisor_id == supervisor_id,
            HoursEntry.status == HoursStatus.SUBMITTED.value,
            HoursEntry.person_id != supervisor_id,
        )
        .options(
            # The candidate from the join above, the amended entry in the same statement.
            contains_eager(HoursEntry.person).lazyload(Person.role_assignments),
            joinedload(HoursEntry.amends),
        )
        .order_by(
            sa.func.min(HoursEntry.submitted_at).over(partition_by=HoursEntry.person_id),
            HoursEntry.person_id,
            HoursEntry.submitted_at,
            HoursEntry.id,
        )
    )
    if supervisee_id:
        statement = statement.where(HoursEntry.person_id == supervisee_id)
    if category:
        statement = statement.where(
            HoursEntry.category_id.in_(
                sa.select(HoursCategory.id).where(HoursCategory.code == category)
            )
        )
    if late_only:
        statement = statement.where(HoursEntry.late.is_(True))
    return statement


def supervisees_of(supervisor_id: int) -> list[Person]:
    """People whose primary supervisor this is, and people who have submitted hours to
    this supervisor (drafts do not count). Their roles load only if asked for."""
    logged_with_me = (
        sa.select(HoursEntry.person_id)
        .where(
            HoursEntry.supervisor_id == supervisor_id,
            HoursEntry.status != HoursStatus.DRAFT.value,
        )
        .distinct()
    )
    return list(
        db.session.scalars(
            sa.select(Person)
            .where(
                sa.or_(Person.id.in_(logged_with_me), Person.primary_supervisor_id == supervisor_id)
            )
            .options(lazyload(Person.role_assignments))
            .order_by(Person.full_name)
        )
    )


def supervisee_totals(supervisor_id: int) -> list[tuple[Person, dict[str, CategoryTotals]]]:
    people = supervisees_of(supervisor_id)
    totals = totals_by_category([p.id for p in people], with_drafts=False) if people else {}
    return [(person, totals[person.id]) for person in people]


def supervisors_of_person(person_id: int) -> list[Person]:
    """Supervisors a person has logged entries with (for the filter list)."""
    supervisor = aliased(Person)
    return list(
        db.session.scalars(
            sa.select(supervisor)
            .where(
                supervisor.id.in_(
                    sa.select(HoursEntry.supervisor_id).where(HoursEntry.person_id == person_id)
                )
            )
            .options(lazyload(supervisor.role_assignments))  # names only
            .order_by(supervisor.full_name)
        )
    )


def group_by_person(entries: list[HoursEntry]) -> list[tuple[Person, list[HoursEntry]]]:
    grouped: dict[int, list[HoursEntry]] = defaultdict(list)
    people: dict[int, Person] = {}
    for entry in entries:
        grouped[entry.person_id].append(entry)
        people[entry.person_id] = entry.person
    return [(people[pid], grouped[pid]) for pid in grouped]
