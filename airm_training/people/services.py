"""Creating people, setting their passwords (by the rules and hashing of
``auth.passwords``), roles, licences and accounts. Services flush; the caller commits."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from airm_training.audit.services import record_event
from airm_training.auth.passwords import check_password_rules, hash_password
from airm_training.core.clock import today, utcnow
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.people.models import Licence, Person, Role, RoleAssignment


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> Person | None:
    return db.session.scalar(sa.select(Person).where(Person.email == normalise_email(email)))


def create_person(
    *,
    email: str,
    full_name: str,
    actor_id: int | None,
    post_nominals: str = "",
    job_title: str = "",
    roles: tuple[Role, ...] = (),
    password: str | None = None,
) -> Person:
    """Create an account; without a password it waits for an invitation to be accepted."""
    email = normalise_email(email)
    full_name = full_name.strip()
    if not full_name:
        raise DomainError.on("full_name", "Enter the person's name.")
    if find_by_email(email) is not None:
        raise DomainError.on("email", "Someone with this e-mail address already has an account.")
    person = Person(
        email=email,
        full_name=full_name,
        post_nominals=post_nominals.strip(),
        job_title=job_title.strip(),
        active=True,
        session_version=1,
    )
    if password is not None:
        check_password_rules(password)
        person.password_hash = hash_password(password)
    db.session.add(person)
    db.session.flush()
    record_event(
        "person.created",
        "person",
        person.id,
        actor_id=actor_id,
        after={"email": email, "full_name": person.full_name},
    )
    for role in roles:
        grant_role(person, role, actor_id=actor_id)
    return person


def grant_role(person: Person, role: Role, *, actor_id: int | None) -> None:
    if role in person.roles:
        return
    person.role_assignments.append(RoleAssignment(role=role.value, granted_by_id=actor_id))
    db.session.flush()
    record_event("role.granted", "person", person.id, actor_id=actor_id, after={"role": role.value})


def set_password(person: Person, password: str, *, actor_id: int | None) -> None:
    """Set a new password and end every existing session of the person."""
    check_password_rules(password)
    person.password_hash = hash_password(password)
    end_sessions(person)
    record_event("person.password_set", "person", person.id, actor_id=actor_id)


def end_sessions(person: Person) -> None:
    """Invalidate every session cookie issued to the person so far. The database adds the
    one, so a stale copy of the person in memory cannot leave the version unchanged."""
    person.session_version = Person.session_version + 1
    db.session.flush()


def add_licence(
    person: Person,
    *,
    licence_type: str,
    number: str,
    jurisdiction: str,
    expires_on: date,
    actor_id: int | None,
) -> Licence:
    """Record a licence (unverified until a director verifies it)."""
    licence_type, number, jurisdiction = licence_type.strip(), number.strip(), jurisdiction.strip()
    problems = [
        (name, message)
        for name, value, message in (
            ("licence_type", licence_type, "Enter the licence type, e.g. LMHC."),
            ("number", number, "Enter the licence number."),
            ("jurisdiction", jurisdiction, "Enter the state or country that issued it."),
        )
        if not value
    ]
    if problems:
        raise DomainError(*problems)
    if expires_on < today():
        raise DomainError.on("expires_on", "This licence has already expired.")
    licence = Licence(
        licence_type=licence_type, number=number, jurisdiction=jurisdiction, expires_on=expires_on
    )
    person.licences.append(licence)
    db.session.flush()
    record_event(
        "licence.recorded",
        "licence",
        licence.id,
        actor_id=actor_id,
        after={
            "person_id": person.id,
            "licence_type": licence_type,
            "number": number,
            "jurisdiction": jurisdiction,
            "expires_on": expires_on.isoformat(),
        },
    )
    return licence


def verify_licence(licence: Licence, *, verifier: Person) -> None:
    """A director confirms the licence with the issuing board."""
    if not verifier.has_role(Role.DIRECTOR, Role.ADMIN):
        raise DomainError.on(None, "Only a director can verify a licence.")
    if licence.verified_at is not None:
        raise DomainError.on(None, "This licence is already verified.")
    licence.verified_at = utcnow()
    licence.verified_by_id = verifier.id
    db.session.flush()
    record_event(
        "licence.verified",
        "licence",
        licence.id,
        actor_id=verifier.id,
        after={"verified_at": licence.verified_at.isoformat()},
    )


def active_holders(role: Role) -> int:
    """How many active people hold ``role``."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RoleAssignment)
        .join(Person, Person.id == RoleAssignment.person_id)
        .where(RoleAssignment.role == role.value, Person.active.is_(True))
    )


def check_not_last(person: Person, role: Role, *, doing: str) -> None:
    """Refuse ``doing`` when ``person`` is the last active holder of ``role``."""
    if person.active and role in person.roles and active_holders(role) <= 1:
        raise DomainError.on(
            None,
            f"{person.full_name} is the last active {role.label.lower()}: "
            f"{doing} would leave nobody with that role. Give someone else the role first.",
        )


DEACTIVATION_REASON_MAX = 500


def deactivate_person(actor: Person, person: Person, reason: str) -> None:
    """Stop a person from signing in and end their sessions; their records stay."""
    reason = reason.strip()
    if not reason:
        raise DomainError.on("reason", "Say why the account is deactivated.")
    if len(reason) > DEACTIVATION_REASON_MAX:
        raise DomainError.on("reason", f"Use at most {DEACTIVATION_REASON_MAX} characters.")
    if not person.active:
        raise DomainError.on(None, f"{person.full_name} is already deactivated.")
    if person.id == actor.id:
        raise DomainError.on(None, "You cannot deactivate your own account.")
    if person.has_role(Role.ADMIN) and not actor.has_role(Role.ADMIN):
        raise DomainError.on(None, "Only an administrator can deactivate an administrator.")
    check_not_last(person, Role.ADMIN, doing="deactivating them")
    person.active = False
    end_sessions(person)
    record_event(
        "person.deactivated",
        "person",
        person.id,
        actor_id=actor.id,
        before={"active": True},
        after={"active": False, "reason": reason},
    )


def reactivate_person(actor: Person, person: Person) -> None:
    """Let a deactivated person sign in again."""
    if person.active:
        raise DomainError.on(None, f"{person.full_name} is already active.")
    if person.has_role(Role.ADMIN) and not actor.has_role(Role.ADMIN):
        raise DomainError.on(None, "Only an administrator can reactivate an administrator.")
    person.active = True
    db.session.flush()
    record_event(
        "person.reactivated",
        "person",
        person.id,
        actor_id=actor.id,
        before={"active": False},
        after={"active": True},
    )
