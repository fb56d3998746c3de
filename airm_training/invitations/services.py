"""Inviting one person or a cohort from a CSV (all rows or none), and resending an
invitation.

Each row becomes an account without a password (name, e-mail, role), an unverified licence
when one is given, the primary supervisor when one is named, and an invitation e-mail in
the outbox (sent after the commit). Services flush; the caller commits."""

from __future__ import annotations

import csv
import enum
import hashlib
import io
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from airm_training.access.needs import can_grant_role
from airm_training.access.supervision import supervisors_query
from airm_training.audit.services import record_event
from airm_training.auth.services import send_link
from airm_training.auth.tokens import TokenPurpose
from airm_training.core.clock import today, utcnow
from airm_training.core.csv_upload import ImportRejected, RowProblem, read_rows
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.invitations.models import Invitation
from airm_training.people.models import Person, Role
from airm_training.people.services import add_licence, create_person, normalise_email
from airm_training.people.supervision import assign_supervisor

COLUMNS = (
    "full_name",
    "email",
    "post_nominals",
    "role",
    "licence_type",
    "licence_number",
    "licence_jurisdiction",
    "licence_expires_on",
    "primary_supervisor_email",
)
REQUIRED = ("full_name", "email")
LICENCE_COLUMNS = COLUMNS[4:8]
MAX_ROWS = 500
RESEND_AFTER = timedelta(minutes=2)


class InvitationState(enum.StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Row:
    full_name: str
    email: str
    post_nominals: str
    role: Role
    licence: tuple[str, str, str, date] | None  # type, number, jurisdiction, expiry
    supervisor: Person | None


def template_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "Jordan Example",
            "jordan@example.org",
            "MA, LMHC",
            "candidate",
            "LMHC",
            "MH-00000",
            "Washington",
            (today() + timedelta(days=365)).isoformat(),
            "",
        ]
    )
    return buffer.getvalue()


# --- reading and checking the file ---------------------------------------------------------
def _check(rows: list[dict[str, str]], director: Person) -> tuple[list[Row], list[RowProblem]]:
    """Every problem of every row (a constant number of queries for any number of rows)."""
    values = [{k: (row.get(k) or "").strip() for k in COLUMNS} for row in rows]
    emails = {normalise_email(v["email"]) for v in values if v["email"]}
    existing = set(db.session.scalars(sa.select(Person.email).where(Person.email.in_(emails))))
    wanted = {normalise_email(v["primary_supervisor_email"]) for v in values} - {""}
    supervisors = {
        p.email: p for p in db.session.scalars(supervisors_query().where(Person.email.in_(wanted)))
    }
    seen: dict[str, int] = {}
    problems: list[RowProblem] = []
    parsed: list[Row] = []
    for line, (row, v) in enumerate(zip(rows, values, strict=True), start=2):
        found = _row_problems(line, row, v, director, existing, seen, supervisors)
        problems += found
        if not found:
            parsed.append(_row(v, supervisors))
    return parsed, problems


def _row_problems(line, row, v, director, existing, seen, supervisors) -> list[RowProblem]:
    def problem(column, reason):
        return RowProblem(line, column, reason)

    if None in row:
        return [problem(None, "This row has more cells than the header.")]
    found = []
    if not v["full_name"]:
        found.append(problem("full_name", "Enter the person's name."))
    elif len(v["full_name"]) > 120:
        found.append(problem("full_name", "Use at most 120 characters."))
    email = normalise_email(v["email"])
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        found.append(problem("email", "This is not an e-mail address."))
    else:
        if email in existing:
            found.append(problem("email", "Someone with this e-mail address has an account."))
        elif email in seen:
            found.append(problem("email", f"The same e-mail address is on row {seen[email]}."))
        seen.setdefault(email, line)
    try:
        role = Role(v["role"] or Role.CANDIDATE.value)
    except ValueError:
        found.append(problem("role", f"Use one of: {', '.join(r.value for r in Role)}."))
    else:
        if not can_grant_role(director, role):
            found.append(problem("role", f"You may not grant the role {role.label.lower()}."))
    licence = [v[c] for c in LICENCE_COLUMNS]
    if any(licence) and not all(licence):
        found.append(problem("licence_type", "Give all four licence columns, or none."))
    elif all(licence):
        try:
            expires_on = date.fromisoformat(v["licence_expires_on"])
        except ValueError:
            found.append(problem("licence_expires_on", "Write the date as YYYY-MM-DD."))
        else:
            if expires_on < today():
                found.append(problem("licence_expires_on", "This licence has already expired."))
    supervisor_email = normalise_email(v["primary_supervisor_email"])
    if supervisor_email:
        if supervisor_email not in supervisors:
            found.append(
                problem("primary_supervisor_email", "No current supervisor has this address.")
            )
        elif (v["role"] or Role.CANDIDATE.value) != Role.CANDIDATE.value:
            found.append(problem("primary_supervisor_email", "Only candidates have one."))
    return found


def _row(v: dict[str, str], supervisors: dict[str, Person]) -> Row:
    licence = None
    if all(v[c] for c in LICENCE_COLUMNS):
        licence = (
            v["licence_type"],
            v["licence_number"],
            v["licence_jurisdiction"],
            date.fromisoformat(v["licence_expires_on"]),
        )
    return Row(
        full_name=v["full_name"],
        email=normalise_email(v["email"]),
        post_nominals=v["post_nominals"],
        role=Role(v["role"] or Role.CANDIDATE.value),
        licence=licence,
        supervisor=supervisors.get(normalise_email(v["primary_supervisor_email"])),
    )


# --- inviting ------------------------------------------------------------------------------
def invite_from_csv(director: Person, raw: bytes) -> list[Invitation]:
    """Create and invite everyone in the file, or nobody (``ImportRejected`` lists every
    problem by row)."""
    rows = read_rows(
        raw,
        columns=COLUMNS,
        required=REQUIRED,
        limit=MAX_ROWS,
        too_many=f"Invite at most {MAX_ROWS} people at a time.",
    )
    rows, problems = _check(rows, director)
    if problems:
        raise ImportRejected(problems)
    checksum = hashlib.sha256(raw).hexdigest()
    invitations = []
    for row in rows:
        person = create_person(
            email=row.email,
            full_name=row.full_name,
            post_nominals=row.post_nominals,
            roles=(row.role,),
            actor_id=director.id,
        )
        if row.licence:
            kind, number, jurisdiction, expires_on = row.licence
            add_licence(
                person,
                licence_type=kind,
                number=number,
                jurisdiction=jurisdiction,
                expires_on=expires_on,
                actor_id=director.id,
            )
        if row.supervisor:
            assign_supervisor(director, person, row.supervisor)
        invitation = Invitation(
            person_id=person.id, invited_by_id=director.id, batch_checksum=checksum
        )
        db.session.add(invitation)
        send_link(person, TokenPurpose.INVITE)
        invitations.append(invitation)
    db.session.flush()
    record_event(
        "invitations.imported",
        "invitation",
        None,
        actor_id=director.id,
        after={"people": len(invitations), "checksum": checksum},
    )
    return invitations


def invite_person(
    director: Person,
    *,
    email: str,
    full_name: str,
    post_nominals: str = "",
    roles: tuple[Role, ...] = (),
) -> Person:
    """Create one account without a password and send its invitation; it joins the
    invitations list beside those from files."""
    forbidden = [role.label for role in roles if not can_grant_role(director, role)]
    if forbidden:
        raise DomainError.on("roles", f"You may not grant: {', '.join(forbidden)}.")
    person = create_person(
        email=email,
        full_name=full_name,
        post_nominals=post_nominals,
        roles=roles,
        actor_id=director.id,
    )
    db.session.add(Invitation(person_id=person.id, invited_by_id=director.id))
    send_link(person, TokenPurpose.INVITE)
    db.session.flush()
    return person


def state_of(invitation: Invitation) -> InvitationState:
    """Accepted once the person set a password; expired once the link's age passed."""
    if invitation.person.password_hash:
        return InvitationState.ACCEPTED
    max_age = timedelta(seconds=current_app.config["INVITE_TOKEN_MAX_AGE"])
    if invitation.sent_at + max_age < utcnow():
        return InvitationState.EXPIRED
    return InvitationState.INVITED


def can_resend(invitation: Invitation) -> str | None:
    """Why the invitation cannot be sent again now, or None."""
    if state_of(invitation) is InvitationState.ACCEPTED:
        return "Already accepted."
    if not invitation.person.active:
        return "The account is deactivated."
    if utcnow() - invitation.sent_at < RESEND_AFTER:
        minutes = int(RESEND_AFTER.total_seconds() // 60)
        return f"Sent less than {minutes} minutes ago; it can be resent after that."
    return None


def resend(director: Person, invitation: Invitation) -> None:
    """Send a fresh link (the earlier one keeps its own expiry)."""
    refusal = can_resend(invitation)
    if refusal:
        raise DomainError.on(None, refusal)
    invitation.sent_at = utcnow()
    invitation.send_count += 1
    send_link(invitation.person, TokenPurpose.INVITE)
    db.session.flush()
    record_event(
        "invitation.resent",
        "person",
        invitation.person_id,
        actor_id=director.id,
        after={"send_count": invitation.send_count},
    )


def invitations_query() -> sa.Select:
    return sa.select(Invitation).order_by(Invitation.created_at.desc(), Invitation.id.desc())
