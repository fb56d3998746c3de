"""Lapse and reinstatement. A credential past its expiry and its grace period has lapsed;
the way back is a reinstatement application with the level's own requirements
(programme data), approved by the co-creators' board and issued by a director (see
``services.vote`` and ``services.issue``, which follow the application's workflow)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from airm_training.audit.services import record_event
from airm_training.core.clock import today
from airm_training.core.errors import DomainError
from airm_training.credentials.models import AwardStatus, CredentialAward
from airm_training.credentials.services import award_credential
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.programme.models import ProgrammeLevel, ProgrammeVersion, RequirementPurpose
from airm_training.progression.engine import LevelStanding, evaluate_reinstatement
from airm_training.progression.holdings import Held, Holdings, holdings_of
from airm_training.progression.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Certificate,
)
from airm_training.progression.notices import (
    notify_reinstatement_requested,
)
from airm_training.progression.renewal import RenewalPolicy, replace_certificate
from airm_training.progression.services import claim_transition, new_certificate, open_application
from airm_training.progression.workflow import (
    ApplicationAction,
    can_reinstate,
)
from airm_training.signatures.services import current_signature_ids

MAX_STATEMENT = 5000


@dataclass(frozen=True)
class Lapse:
    """A level whose latest award is past its expiry and its grace period."""

    award: CredentialAward
    rules: ProgrammeLevel  # the level under the award's programme version

    @property
    def lapsed_on(self) -> date:
        """The first day after the grace period."""
        grace = RenewalPolicy.of(self.rules).grace_days
        return self.award.expires_on + timedelta(days=grace + 1)


@dataclass(frozen=True)
class ReinstatementStanding:
    lapse: Lapse
    standing: LevelStanding

    @property
    def evidence_met(self) -> bool:
        return self.standing.evidence_met


def lapse_of(
    person: Person, day: date | None = None, holdings: Holdings | None = None
) -> Lapse | None:
    """The person's lapsed level that has reinstatement requirements, if any: its latest
    active award expired more than the grace period ago (a later award of the level, in
    force or still to start, means it has not lapsed). The highest level is looked at
    first and, within a level, the award expiring last (one without expiry first)."""
    day = day or today()
    held = holdings if holdings is not None else holdings_of(person.id)
    seen: set[int] = set()
    for award_held in sorted(held.active(), key=_latest_first):
        award = award_held.award
        if award.level_id in seen:
            continue
        seen.add(award.level_id)
        if award.expires_on is None or not award_held.reinstatable:
            continue
        lapse = Lapse(award, award_held.rules)
        if lapse.lapsed_on <= day:
            return lapse
    return None


def _latest_first(award_held: Held) -> tuple:
    award = award_held.award
    expires = award.expires_on.toordinal() if award.expires_on is not None else None
    return (-award_held.rules.rank, expires is not None, -(expires or 0), -award.id)


def award_condition(award: CredentialAward, day: date) -> str:
    """What an active award that has expired is on ``day``: "expired — in grace" until
    its grace period ends, then "lapsed"."""
    rules = db.session.scalar(
        sa.select(ProgrammeLevel).where(
            ProgrammeLevel.level_id == award.level_id,
            ProgrammeLevel.programme_version_id == award.programme_version_id,
        )
    )
    grace = RenewalPolicy.of(rules).grace_days if rules is not None else 0
    if award.expires_on is not None and day <= award.expires_on + timedelta(days=grace):
        return "expired — in grace"
    return "lapsed"


def has_reinstatement(rules: ProgrammeLevel) -> bool:
    """The level has a way back after a lapse: reinstatement requirements."""
    return any(r.purpose == RequirementPurpose.REINSTATE for r in rules.requirements)


def reinstatement_standing(
    person: Person,
    *,
    application: Application | None = None,
    holdings: Holdings | None = None,
) -> ReinstatementStanding | None:
    """Where the person stands against the reinstatement requirements of their lapsed
    level (None when nothing has lapsed); ``holdings`` as for ``renewal_standing``."""
    lapse = lapse_of(person, holdings=holdings)
    if lapse is None:
        return None
    return ReinstatementStanding(
        lapse, evaluate_reinstatement(person, lapse.rules, application=application)
    )


def apply_for_reinstatement(person: Person, *, statement: str) -> Application:
    """Freeze the evidence and ask the board to reinstate the person's lapsed level."""
    reinstatement = reinstatement_standing(person)
    if reinstatement is None:
        raise DomainError.on(None, "You hold no lapsed credential to reinstate.")
    if open_application(person.id) is not None:
        raise DomainError.on(None, "You already have an application in progress.")
    if not reinstatement.evidence_met:
        missing = [r.label for r in reinstatement.standing.evidence_results if not r.met]
        raise DomainError.on(
            None, "The reinstatement requirements are not met yet: " + "; ".join(missing) + "."
        )
    if len(statement) > MAX_STATEMENT:
        raise DomainError.on("statement", "Keep the statement under 5,000 characters.")
    lapse = reinstatement.lapse
    standing = evaluate_reinstatement(person, lapse.rules, with_evidence=True)
    application = Application(
        kind=ApplicationKind.REINSTATE.value,
        person_id=person.id,
        level_id=lapse.rules.level_id,
        programme_version_id=lapse.rules.programme_version_id,
        endorser_id=None,
        renews_award_id=lapse.award.id,
        status=ApplicationStatus.SUBMITTED.value,
        open_key=f"{person.id}:{lapse.rules.level_id}",
        statement=statement.strip(),
        snapshot={**standing.to_snapshot(), "reinstates_award_id": lapse.award.id},
    )
    db.session.add(application)
    db.session.flush()
    record_event(
        "reinstatement.requested",
        "application",
        application.id,
        actor_id=person.id,
        after={
            "level": lapse.rules.level.code,
            "award_id": lapse.award.id,
            "lapsed_on": lapse.lapsed_on.isoformat(),
        },
    )
    notify_reinstatement_requested(application)
    return application


def reinstate(director: Person, application: Application) -> Certificate:
    """Issue the reinstated credential, valid from today; the lapsed award and its
    certificate become superseded."""
    can_reinstate(director, application).enforce()
    person = application.person
    lapse = lapse_of(person)
    if lapse is None or lapse.award.id != application.renews_award_id:
        raise DomainError.on(None, "This credential is no longer lapsed: nothing to reinstate.")
    standing = evaluate_reinstatement(person, lapse.rules, application=application)
    if not all(r.met for r in standing.results):
        missing = [r.label for r in standing.results if not r.met]
        raise DomainError.on(
            None, "The reinstatement requirements are no longer met: " + "; ".join(missing) + "."
        )
    claim_transition(application, ApplicationAction.ISSUE, open_key=None)
    old_award = lapse.award
    new_award = award_credential(
        person,
        old_award.level.code,
        actor_id=director.id,
        version=db.session.get(ProgrammeVersion, application.programme_version_id),
        awarded_on=today(),
    )
    old_award.status = AwardStatus.SUPERSEDED.value
    approvers = [v.member for v in application.votes if v.approve]
    certificate = new_certificate(
        person,
        new_award,
        director,
        [member.display_name for member in approvers],
        application_id=application.id,
        board_signatures=current_signature_ids([member.id for member in approvers]),
    )
    old_certificate = db.session.scalar(
        sa.select(Certificate).where(Certificate.award_id == old_award.id)
    )
    return replace_certificate(
        "credential.reinstated", old_award, old_certificate, new_award, certificate, director.id
    )
