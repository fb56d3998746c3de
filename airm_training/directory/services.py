"""Who the public directory lists and what it shows of them, and a person's own profile.

An entry holds only the fields of ``PUBLIC_FIELDS``: nothing else about a person ever
reaches the page (no e-mail, licence number or anything private)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from airm_training.audit.services import record_event
from airm_training.core.clock import today
from airm_training.core.errors import DomainError
from airm_training.core.pagination import paginate
from airm_training.credentials.holders import in_good_standing_clause
from airm_training.credentials.models import CredentialAward
from airm_training.credentials.services import current_award_clause
from airm_training.directory.models import BIO_MAX, DirectoryProfile
from airm_training.extensions import db
from airm_training.people.models import Licence, Person
from airm_training.programme.models import CredentialLevel
from airm_training.programme.services import taxonomy

PER_PAGE = 20


@dataclass(frozen=True)
class ShownCredential:
    code: str
    name: str
    valid_until: date | None  # None: no expiry


@dataclass(frozen=True)
class DirectoryEntry:
    """Everything the directory shows of one person (the allow-list is its fields)."""

    name: str
    credentials: tuple[ShownCredential, ...]
    licences: tuple[tuple[str, str], ...]  # (licence type, jurisdiction), verified and in force
    modalities: tuple[str, ...]
    bio: str


PUBLIC_FIELDS = tuple(f.name for f in fields(DirectoryEntry))


@dataclass(frozen=True)
class Filters:
    credential: str | None = None  # a level code
    location: str | None = None  # a licence jurisdiction


@dataclass(frozen=True)
class Standing:
    """Whether a person appears in the directory now, and if not, why."""

    listed: bool
    reasons: tuple[str, ...]


# --- who is listed -------------------------------------------------------------------------
def _valid_licence(day: date):
    return sa.and_(Licence.verified_at.is_not(None), Licence.expires_on >= day)


def listed_people(filters: Filters, day: date) -> sa.Select:
    """Opted-in, active people in good standing, by name, filtered."""
    statement = (
        sa.select(Person)
        .join(DirectoryProfile, DirectoryProfile.person_id == Person.id)
        .where(
            DirectoryProfile.listed.is_(True),
            Person.active.is_(True),
            in_good_standing_clause(Person.id, day),
        )
        .order_by(Person.full_name, Person.id)
    )
    if filters.credential:
        statement = statement.where(
            sa.select(CredentialAward.id)
            .join(CredentialLevel, CredentialLevel.id == CredentialAward.level_id)
            .where(
                CredentialAward.person_id == Person.id,
                CredentialLevel.code == filters.credential,
                current_award_clause(day),
            )
            .exists()
        )
    if filters.location:
        statement = statement.where(
            sa.select(Licence.id)
            .where(
                Licence.person_id == Person.id,
                Licence.jurisdiction == filters.location,
                _valid_licence(day),
            )
            .exists()
        )
    return statement


def directory_page(filters: Filters) -> tuple[Pagination, list[DirectoryEntry]]:
    """One page of the directory (a constant number of queries for any page size)."""
    day = today()
    page = paginate(listed_people(filters, day), per_page=PER_PAGE)
    people = list(page.items)
    profiles = {
        profile.person_id: profile
        for profile in db.session.scalars(
            sa.select(DirectoryProfile).where(
                DirectoryProfile.person_id.in_([p.id for p in people])
            )
        )
    }
    return page, entries_for([(p, profiles[p.id]) for p in people], day)


def entries_for(rows: list[tuple[Person, DirectoryProfile]], day: date) -> list[DirectoryEntry]:
    """The entries of these people: their credentials in force and valid licences (two
    queries), their profile's modalities and bio."""
    ids = [person.id for person, _profile in rows]
    credentials: dict[int, list[ShownCredential]] = {i: [] for i in ids}
    licences: dict[int, set[tuple[str, str]]] = {i: set() for i in ids}
    if ids:
        for person_id, code, name, expires_on in db.session.execute(
            sa.select(
                CredentialAward.person_id,
                CredentialLevel.code,
                CredentialLevel.name,
                CredentialAward.expires_on,
            )
            .join(CredentialLevel, CredentialLevel.id == CredentialAward.level_id)
            .where(CredentialAward.person_id.in_(ids), current_award_clause(day))
            .order_by(CredentialLevel.code)
        ):
            credentials[person_id].append(ShownCredential(code, name, expires_on))
        for person_id, kind, jurisdiction in db.session.execute(
            sa.select(Licence.person_id, Licence.licence_type, Licence.jurisdiction).where(
                Licence.person_id.in_(ids), _valid_licence(day)
            )
        ):
            licences[person_id].add((kind, jurisdiction))
    return [
        DirectoryEntry(
            name=person.display_name,
            credentials=tuple(credentials[person.id]),
            licences=tuple(sorted(licences[person.id])),
            modalities=tuple(sorted(profile.modalities or [])),
            bio=profile.bio,
        )
        for person, profile in rows
    ]


def filter_choices() -> tuple[list[tuple[str, str]], list[str]]:
    """The credentials (code, name) and the jurisdictions of listed people's valid
    licences, for the filter form."""
    day = today()
    levels = db.session.execute(
        sa.select(CredentialLevel.code, CredentialLevel.name).order_by(CredentialLevel.code)
    ).all()
    listed = listed_people(Filters(), day).with_only_columns(Person.id).order_by(None)
    jurisdictions = db.session.scalars(
        sa.select(Licence.jurisdiction)
        .where(Licence.person_id.in_(listed), _valid_licence(day))
        .distinct()
        .order_by(Licence.jurisdiction)
    ).all()
    return [(code, name) for code, name in levels], list(jurisdictions)


# --- a person's own profile ----------------------------------------------------------------
def profile_of(person: Person) -> DirectoryProfile:
    """The person's profile, or an unsaved one that is not listed (the default)."""
    profile = db.session.scalar(
        sa.select(DirectoryProfile).where(DirectoryProfile.person_id == person.id)
    )
    return profile or DirectoryProfile(person_id=person.id, listed=False, bio="", modalities=[])


def standing_of(person: Person, profile: DirectoryProfile) -> Standing:
    """Whether ``person`` is listed now; otherwise every reason why not."""
    day = today()
    in_good_standing = db.session.scalar(
        sa.select(sa.literal(True)).where(in_good_standing_clause(person.id, day))
    )
    reasons = []
    if not profile.listed:
        reasons.append("You have not chosen to be listed.")
    if not person.active:
        reasons.append("Your account is deactivated.")
    if not in_good_standing:
        reasons.append(
            "You need a credential in force, and none of yours may have expired, lapsed or "
            "been revoked (renew or be reinstated first)."
        )
    return Standing(not reasons, tuple(reasons))


def preview_entry(person: Person, profile: DirectoryProfile) -> DirectoryEntry:
    """The entry as the directory would show it, listed or not."""
    return entries_for([(person, profile)], today())[0]


def profile_problems(bio: str, modalities: list[str]) -> list[tuple[str, str]]:
    problems = []
    if len(bio) > BIO_MAX:
        problems.append(("bio", f"Use at most {BIO_MAX} characters."))
    unknown = sorted(set(modalities) - taxonomy().modalities)
    if unknown:
        problems.append(("modalities", f"Not a modality of the programme: {', '.join(unknown)}."))
    return problems


def update_profile(
    person: Person, *, listed: bool, bio: str, modalities: list[str]
) -> DirectoryProfile:
    """Save the person's choices (audited: whether listed and the modalities; the bio is
    public text, so the audit records only that it changed)."""
    bio = bio.strip()
    problems = profile_problems(bio, modalities)
    if problems:
        raise DomainError(*problems)
    profile = profile_of(person)
    before = {"listed": bool(profile.listed), "modalities": sorted(profile.modalities or [])}
    bio_changed = profile.bio != bio
    profile.listed, profile.bio, profile.modalities = listed, bio, sorted(set(modalities))
    db.session.add(profile)
    db.session.flush()
    record_event(
        "directory.profile_updated",
        "person",
        person.id,
        actor_id=person.id,
        before=before,
        after={"listed": listed, "modalities": profile.modalities, "bio_changed": bio_changed},
    )
    return profile
