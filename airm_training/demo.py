"""Demo data: the centre's co-creators and a handful of fictional candidates at
different points of the path. Dates are relative to today so the demo stays current.
Running it again creates only what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from airm_training.agreements.demo import demo_programme, seed_agreements
from airm_training.assessments.bank import load_question_bank
from airm_training.continuing.demo import seed_ce
from airm_training.core.clock import add_months, today, utcnow
from airm_training.credentials.services import award_credential, enrol
from airm_training.demo_activity import seed_activity
from airm_training.directory.demo import seed_directory
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.notifications.delivery import discard_pending_mail
from airm_training.notifications.models import Notification, NotificationKind
from airm_training.people.models import Person, Role
from airm_training.people.services import (
    add_licence,
    create_person,
    find_by_email,
    verify_licence,
)
from airm_training.people.supervision import assign_supervisor
from airm_training.programme.loader import load_programme_file
from airm_training.programme.services import current_version
from airm_training.progression.reinstatement import apply_for_reinstatement
from airm_training.supporting.demo import seed_documents

DEMO_PASSWORD = "airm-demo-password"  # noqa: S105  # nosec B105  # published demo credential
DEMO_DOMAIN = "btrc.example"
REINSTATEMENT_STATEMENT = "Back in practice since the spring, with my CE hours up to date."


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    post_nominals: str
    job_title: str
    roles: tuple[Role, ...]
    licence: tuple[str, str, str]  # type, number, jurisdiction
    licence_verified: bool = True
    enrolled_months_ago: int | None = None
    supervisor_months_ago: int | None = None  # AIRT-S awarded this many months ago
    notes: str = ""


CO_CREATOR_ROLES = (Role.CO_CREATOR, Role.DIRECTOR)

DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        f"connie.zollner@{DEMO_DOMAIN}",
        "Dr. Connie Zollner",
        "Psy.D, LMHC, LPC",
        "Director of Operations",
        (*CO_CREATOR_ROLES, Role.ADMIN),
        ("LMHC", "MH-60211", "Washington"),
        supervisor_months_ago=10,
        notes="co-creator, director and administrator; AIRT-S",
    ),
    DemoPerson(
        f"elizabeth.abbruzza@{DEMO_DOMAIN}",
        "Elizabeth Abbruzza",
        "MA, LMHC, LPC",
        "Clinical Director",
        CO_CREATOR_ROLES,
        ("LMHC", "MH-60188", "Washington"),
        supervisor_months_ago=10,
        notes="co-creator and director; AIRT-S",
    ),
    DemoPerson(
        f"jessica.lamar@{DEMO_DOMAIN}",
        "Dr. Jessica Lamar",
        "Psy.D, LMHC, LPC",
        "Director of Business Development and Strategy",
        CO_CREATOR_ROLES,
        ("LPC", "LP-22907", "Washington"),
        supervisor_months_ago=10,
        notes="co-creator and director; AIRT-S",
    ),
    DemoPerson(
        f"aubrey.holden@{DEMO_DOMAIN}",
        "Aubrey Holden",
        "MA, LMHC",
        "Clinician",
        (Role.CANDIDATE,),
        ("LMHC", "MH-71450", "Washington"),
        enrolled_months_ago=8,
        notes="candidate (AIRT-C for 8 months); integrates EMDR and Brainspotting",
    ),
    DemoPerson(
        f"priya.raman@{DEMO_DOMAIN}",
        "Priya Raman",
        "MSW, LCSW",
        "Clinician",
        (Role.CANDIDATE,),
        ("LCSW", "SW-30877", "Oregon"),
        licence_verified=False,
        notes="applicant: licence awaiting verification, not yet enrolled",
    ),
    DemoPerson(
        f"marcus.bell@{DEMO_DOMAIN}",
        "Marcus Bell",
        "MA, LMFT",
        "Clinician",
        (Role.CANDIDATE,),
        ("LMFT", "MF-11923", "Washington"),
        enrolled_months_ago=2,
        notes="candidate (AIRT-C for 2 months), just starting",
    ),
    DemoPerson(
        f"sofia.alvarez@{DEMO_DOMAIN}",
        "Sofia Alvarez",
        "MS, LPC",
        "Clinician",
        (Role.CANDIDATE,),
        ("LPC", "LP-40452", "Idaho"),
        enrolled_months_ago=15,
        notes="candidate (AIRT-C for 15 months), well along the AIRT-S track",
    ),
    DemoPerson(
        f"daniel.okafor@{DEMO_DOMAIN}",
        "Dr. Daniel Okafor",
        "Psy.D",
        "Psychologist",
        (Role.CANDIDATE,),
        ("Psychologist", "PY-05531", "Washington"),
        enrolled_months_ago=30,
        supervisor_months_ago=3,
        notes="AIRT-S since 3 months (a supervisor who came through the programme)",
    ),
    DemoPerson(
        f"hannah.price@{DEMO_DOMAIN}",
        "Hannah Price",
        "MA, LMHC",
        "Clinician",
        (Role.CANDIDATE,),
        ("LMHC", "MH-52290", "Washington"),
        enrolled_months_ago=40,
        supervisor_months_ago=25,
        notes="AIRT-S expired a month ago, in grace: cannot sign hours until renewed late",
    ),
    DemoPerson(
        f"rosa.delgado@{DEMO_DOMAIN}",
        "Rosa Delgado",
        "MSW, LCSW",
        "Clinician",
        (Role.CANDIDATE,),
        ("LCSW", "SW-41562", "Oregon"),
        enrolled_months_ago=44,
        supervisor_months_ago=29,
        notes="AIRT-S expired 5 months ago and lapsed after its grace period; her "
        "reinstatement requirements are met and she has asked the board to reinstate it "
        "(the board's queue is not empty)",
    ),
)


# candidate -> primary supervisor (e-mail local parts)
PRIMARY_SUPERVISORS = {
    "aubrey.holden": "connie.zollner",
    "marcus.bell": "daniel.okafor",
    "sofia.alvarez": "elizabeth.abbruzza",
}


def _months_ago(months: int) -> date:
    return add_months(today(), -months)


def seed_demo() -> int:
    """Create the demo people who do not exist yet; return how many were created."""
    version = current_version() or load_programme_file().version
    if any(find_by_email(spec.email) is None for spec in DEMO_PEOPLE):
        version = demo_programme(version)
    load_question_bank()
    director = find_by_email(DEMO_PEOPLE[0].email)
    created: dict[str, Person] = {}
    for spec in DEMO_PEOPLE:
        if find_by_email(spec.email) is not None:
            continue
        person = create_person(
            email=spec.email,
            full_name=spec.full_name,
            post_nominals=spec.post_nominals,
            job_title=spec.job_title,
            roles=spec.roles,
            password=DEMO_PASSWORD,
            actor_id=director.id if director else None,
        )
        director = director or person
        _add_licence(person, spec, verifier=director)
        if spec.enrolled_months_ago is not None:
            enrol(person, actor_id=director.id, enrolled_on=_months_ago(spec.enrolled_months_ago))
        if spec.supervisor_months_ago is not None:
            award_credential(
                person,
                "AIRT-S",
                actor_id=director.id,
                version=version,
                awarded_on=_months_ago(spec.supervisor_months_ago),
            )
        created[spec.email.split("@")[0]] = person
    if created:
        everyone = {spec.email.split("@")[0]: find_by_email(spec.email) for spec in DEMO_PEOPLE}
        seed_activity(set(created), everyone, director)
        seed_directory(everyone)
        seed_documents(set(created), everyone, director)
        seed_agreements(set(created), everyone)
        seed_ce(set(created), everyone, director)
        for candidate, supervisor in PRIMARY_SUPERVISORS.items():
            if candidate in created:
                assign_supervisor(director, everyone[candidate], everyone[supervisor])
        if "rosa.delgado" in created:
            request = apply_for_reinstatement(
                everyone["rosa.delgado"], statement=REINSTATEMENT_STATEMENT
            )
            request.submitted_at = utcnow() - timedelta(days=6)  # asked last week
        _settle_notifications()
    return len(created)


def _settle_notifications() -> None:
    """The demo's notifications stay in the app (nobody is e-mailed); those about hours
    already signed or returned are read, so the bells show what still waits."""
    discard_pending_mail(db.session())
    waiting = sa.select(HoursEntry.id).where(HoursEntry.status == HoursStatus.SUBMITTED.value)
    db.session.execute(
        sa.update(Notification)
        .where(
            Notification.kind == NotificationKind.HOURS_SUBMITTED.value,
            Notification.read_at.is_(None),
            Notification.object_id.not_in(waiting),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _add_licence(person: Person, spec: DemoPerson, *, verifier: Person) -> None:
    licence_type, number, jurisdiction = spec.licence
    licence = add_licence(
        person,
        licence_type=licence_type,
        number=number,
        jurisdiction=jurisdiction,
        expires_on=today() + timedelta(days=540),
        actor_id=verifier.id,
    )
    if spec.licence_verified:
        verify_licence(licence, verifier=verifier)
