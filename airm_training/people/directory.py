"""The people directory: filters and what each row shows, in a fixed number of queries
however many people there are."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from airm_training.core.clock import today
from airm_training.credentials.models import AwardStatus, CredentialAward
from airm_training.credentials.services import current_award_clause
from airm_training.extensions import db
from airm_training.people.models import Person, Role, RoleAssignment
from airm_training.programme.models import CredentialLevel

CURRENT, EXPIRED = "current", "expired"
NO_SUPERVISOR = 0  # the supervisor filter's value for "nobody assigned"


@dataclass(frozen=True)
class DirectoryFilter:
    query: str = ""
    role: Role | None = None
    credential: tuple[str, str] | None = None  # (level code, CURRENT or EXPIRED)
    active: bool | None = None
    supervisor_id: int | None = None  # NO_SUPERVISOR: people without one

    def apply(self, statement: sa.Select, day: date) -> sa.Select:
        if self.query:
            pattern = f"%{self.query.lower()}%"
            statement = statement.where(
                sa.or_(sa.func.lower(Person.full_name).like(pattern), Person.email.like(pattern))
            )
        if self.role:
            statement = statement.where(
                sa.exists().where(
                    RoleAssignment.person_id == Person.id, RoleAssignment.role == self.role.value
                )
            )
        if self.credential:
            code, state = self.credential
            statement = statement.where(
                _holds(code, current_award_clause(day))
                if state == CURRENT
                else sa.and_(
                    _holds(
                        code,
                        sa.and_(
                            CredentialAward.status == AwardStatus.ACTIVE,
                            CredentialAward.expires_on < day,
                        ),
                    ),
                    ~_holds(code, current_award_clause(day)),
                )
            )
        if self.active is not None:
            statement = statement.where(Person.active.is_(self.active))
        if self.supervisor_id == NO_SUPERVISOR:
            statement = statement.where(Person.primary_supervisor_id.is_(None))
        elif self.supervisor_id is not None:
            statement = statement.where(Person.primary_supervisor_id == self.supervisor_id)
        return statement


def _holds(code: str, condition) -> sa.Exists:
    return (
        sa.exists()
        .where(CredentialAward.person_id == Person.id)
        .where(CredentialAward.level_id == CredentialLevel.id)
        .where(CredentialLevel.code == code)
        .where(condition)
    )


@dataclass(frozen=True)
class DirectoryRow:
    """One person as the directory lists them."""

    id: int
    full_name: str
    post_nominals: str
    email: str
    roles: str  # their roles in words, in order ("" for none)
    credentials: list[tuple[str, str]]  # (level code, CURRENT or EXPIRED)
    supervisor: str | None  # the primary supervisor's name
    status: str  # "Active", "Invited" (no password set yet) or "Deactivated"


def directory_ids(filters: DirectoryFilter) -> sa.Select:
    """The ids of the filtered people, by name."""
    return filters.apply(sa.select(Person.id).order_by(Person.full_name, Person.id), today())


def directory_rows(person_ids: list[int], day: date) -> list[DirectoryRow]:
    """The directory's rows for these people, in their order: their columns, roles and
    primary supervisor's name in one query, their credentials in another."""
    if not person_ids:
        return []
    supervisor = aliased(Person)
    roles = (
        sa.select(sa.func.aggregate_strings(RoleAssignment.role, ","))
        .where(RoleAssignment.person_id == Person.id)
        .scalar_subquery()
    )
    found = {
        row.id: row
        for row in db.session.execute(
            sa.select(
                Person.id,
                Person.full_name,
                Person.post_nominals,
                Person.email,
                Person.active,
                Person.password_hash.is_(None).label("invited"),
                supervisor.full_name.label("supervisor"),
                roles.label("roles"),
            )
            .outerjoin(supervisor, supervisor.id == Person.primary_supervisor_id)
            .where(Person.id.in_(person_ids))
        )
    }
    credentials = credential_summary(person_ids, day)
    return [
        DirectoryRow(
            id=row.id,
            full_name=row.full_name,
            post_nominals=row.post_nominals,
            email=row.email,
            roles=", ".join(sorted({Role(code).label for code in _codes(row.roles)})),
            credentials=credentials[row.id],
            supervisor=row.supervisor,
            status="Deactivated" if not row.active else "Invited" if row.invited else "Active",
        )
        for row in (found[person_id] for person_id in person_ids if person_id in found)
    ]


def _codes(joined: str | None) -> list[str]:
    """The role codes of a comma-joined aggregate (None: no roles)."""
    return [code for code in (joined or "").split(",") if code]


def credential_choices() -> list[tuple[str, str]]:
    """(value, label) for every level, current and expired: "AIRT-S:current", ..."""
    codes = db.session.scalars(sa.select(CredentialLevel.code).order_by(CredentialLevel.code))
    return [
        (f"{code}:{state}", f"{code} {state}") for code in codes for state in (CURRENT, EXPIRED)
    ]


def credential_summary(person_ids: list[int], day: date) -> dict[int, list[tuple[str, str]]]:
    """person id → [(level code, CURRENT or EXPIRED)], from one query. Revoked and
    superseded awards are left out; a level held now is not also listed as expired."""
    summary: dict[int, dict[str, str]] = defaultdict(dict)
    if person_ids:
        rows = db.session.execute(
            sa.select(CredentialAward, CredentialLevel.code)
            .join(CredentialLevel, CredentialLevel.id == CredentialAward.level_id)
            .where(
                CredentialAward.person_id.in_(person_ids),
                CredentialAward.status == AwardStatus.ACTIVE,
                CredentialAward.awarded_on <= day,
            )
            .order_by(CredentialLevel.code)
        )
        for award, code in rows:
            held = summary[award.person_id]
            if award.is_current_on(day):
                held[code] = CURRENT
            else:
                held.setdefault(code, EXPIRED)
    return {pid: sorted(summary[pid].items()) for pid in person_ids}
