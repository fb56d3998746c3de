"""Renewal: a holder meets the cycle's requirements and asks to renew; a director renews,
issuing a new certificate and marking the old one superseded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from airm_training.audit.services import record_event
from airm_training.core.clock import today, utcnow
from airm_training.core.errors import DomainError
from airm_training.credentials.models import AwardStatus, CredentialAward
from airm_training.credentials.services import award_credential
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.programme.models import (
    ProgrammeLevel,
    ProgrammeVersion,
)
from airm_training.progression.engine import LevelStanding, evaluate_renewal
from airm_training.progression.holdings import Holdings, holdings_of
from airm_training.progression.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Certificate,
)
from airm_training.progression.notices import (
    notify_certificate_issued,
    notify_renewal_requested,
)
from airm_training.progression.services import (
    claim_transition,
    new_certificate,
    open_application,
)
from airm_training.progression.workflow import (
    ApplicationAction,
    CertificateAction,
    can_renew,
    certificate_transition,
)
from airm_training.signatures.services import certificate_signature_ids


@dataclass(frozen=True)
class RenewalPolicy:
    """A level's renewal window and grace period, from the programme file."""

    window_days: int | None  # None: renewal may be asked for at any time
    grace_days: int

    @classmethod
    def of(cls, rules: ProgrammeLevel) -> RenewalPolicy:
        level = next(
            (
                doc
                for doc in rules.programme_version.definition.get("levels", [])
                if doc.get("code") == rules.level.code
            ),
            {},
        )
        window = level.get("renewal_window_days")
        return cls(int(window) if window is not None else None, int(level.get("grace_days", 0)))

    def opens_on(self, award: CredentialAward) -> date | None:
        """The first day the award's renewal may be asked for (None: any day)."""
        if award.expires_on is None or self.window_days is None:
            return None
        return award.expires_on - timedelta(days=self.window_days)


@dataclass(frozen=True)
class RenewalStanding:
    award: CredentialAward
    rules: ProgrammeLevel
    standing: LevelStanding
    policy: RenewalPolicy
    day: date

    @property
    def met(self) -> bool:
        return all(r.met for r in self.standing.results)

    @property
    def opens_on(self) -> date | None:
        """The first day renewal may be asked for."""
        return self.policy.opens_on(self.award)

    @property
    def grace_ends_on(self) -> date | None:
        if self.award.expires_on is None:
            return None
        return self.award.expires_on + timedelta(days=self.policy.grace_days)

    @property
    def in_grace(self) -> bool:
        """Expired, confers no rights, may still be renewed late."""
        return self.award.expires_on is not None and self.award.expires_on < self.day

    @property
    def window_open(self) -> bool:
        return self.opens_on is None or self.opens_on <= self.day

    @property
    def status(self) -> str:
        return "expired — in grace" if self.in_grace else "current"


def renewal_standing(
    person: Person, holdings: Holdings | None = None, *, only_when_due: bool = False
) -> RenewalStanding | None:
    """The person's award that has renewal rules and is in force or in its grace period,
    with the cycle's progress: the highest level first, its latest award first.
    ``holdings``: the person's awards when the page has read them already.
    ``only_when_due``: None (and nothing evaluated) until the renewal window opens."""
    day = today()
    held = holdings if holdings is not None else holdings_of(person.id)
    renewable = [
        (h.award, h.rules) for h in held.active() if h.renewable and h.award.awarded_on <= day
    ]
    renewable.sort(key=lambda pair: (pair[1].rank, pair[0].awarded_on), reverse=True)
    for award, rules in renewable:
        policy = RenewalPolicy.of(rules)
        if award.expires_on is None or award.expires_on + timedelta(days=policy.grace_days) >= day:
            opens_on = policy.opens_on(award)
            if only_when_due and opens_on is not None and opens_on > day:
                return None
            standing = evaluate_renewal(person, rules, award, as_of=day)
            return RenewalStanding(award, rules, standing, policy, day)
    return None


def request_renewal(person: Person) -> Application:
    renewal = renewal_standing(person)
    if renewal is None:
        raise DomainError.on(None, "You hold no credential that is renewed.")
    if open_application(person.id) is not None:
        raise DomainError.on(None, "You already have an application in progress.")
    if not renewal.window_open:
        raise DomainError.on(
            None,
            f"Renewal of {renewal.rules.level.code} opens on {renewal.opens_on.isoformat()}, "
            f"{renewal.policy.window_days} days before it expires on "
            f"{renewal.award.expires_on.isoformat()}.",
        )
    if not renewal.met:
        missing = [r.label for r in renewal.standing.results if not r.met]
        raise DomainError.on(
            None, "The renewal requirements are not met yet: " + "; ".join(missing)
        )
    standing = evaluate_renewal(person, renewal.rules, renewal.award, with_evidence=True)
    application = Application(
        kind=ApplicationKind.RENEW.value,
        person_id=person.id,
        level_id=renewal.rules.level_id,
        programme_version_id=renewal.rules.programme_version_id,
        endorser_id=None,
        renews_award_id=renewal.award.id,
        status=ApplicationStatus.SUBMITTED.value,
        open_key=f"{person.id}:{renewal.rules.level_id}",
        snapshot={**standing.to_snapshot(), "renews_award_id": renewal.award.id},
    )
    db.session.add(application)
    db.session.flush()
    record_event(
        "renewal.requested",
        "application",
        application.id,
        actor_id=person.id,
        after={"level": renewal.rules.level.code, "award_id": renewal.award.id},
    )
    notify_renewal_requested(application)
    return application


def renew(director: Person, application: Application) -> Certificate:
    """Issue the renewed credential; the old award and certificate become superseded."""
    can_renew(director, application).enforce()
    old_award = db.session.get(CredentialAward, application.renews_award_id)
    renewal = renewal_standing(application.person)
    if renewal is None or renewal.award.id != old_award.id or not renewal.met:
        raise DomainError.on(None, "The renewal requirements are no longer met.")
    claim_transition(application, ApplicationAction.RENEW, open_key=None, decided_at=utcnow())
    version = db.session.get(ProgrammeVersion, application.programme_version_id)
    new_award = award_credential(
        application.person,
        old_award.level.code,
        actor_id=director.id,
        version=version,
        awarded_on=today(),
        valid_from=old_award.expires_on + timedelta(days=1) if old_award.expires_on else None,
    )
    old_award.status = AwardStatus.SUPERSEDED.value
    old_certificate = db.session.scalar(
        sa.select(Certificate).where(Certificate.award_id == old_award.id)
    )
    certificate = new_certificate(
        application.person,
        new_award,
        director,
        list(old_certificate.approver_names) if old_certificate else [],
        application_id=application.id,
        board_signatures=_board_signatures_of(old_certificate),
    )
    return replace_certificate(
        "credential.renewed", old_award, old_certificate, new_award, certificate, director.id
    )


def _board_signatures_of(certificate: Certificate | None) -> list[int | None]:
    """The board's lines of ``certificate`` as it was issued: a renewal repeats them."""
    if certificate is None:
        return []
    lines = certificate_signature_ids(certificate.id)
    return [lines.get(position) for position in range(1, len(certificate.approver_names) + 1)]


def replace_certificate(
    action: str,
    old_award: CredentialAward,
    old_certificate: Certificate | None,
    new_award: CredentialAward,
    certificate: Certificate,
    actor_id: int,
) -> Certificate:
    """``certificate`` (of ``new_award``) takes the place of ``old_certificate``: the old one
    is superseded, the change audited as ``action`` and the holder told."""
    superseded = old_certificate and certificate_transition(
        old_certificate, CertificateAction.SUPERSEDE
    )
    if superseded:
        old_certificate.status = superseded.value
        old_certificate.superseded_by_id = certificate.id
    db.session.flush()
    record_event(
        action,
        "certificate",
        certificate.id,
        actor_id=actor_id,
        before={
            "award_id": old_award.id,
            "certificate": old_certificate.serial if old_certificate else None,
        },
        after={"award_id": new_award.id, "certificate": certificate.serial},
    )
    notify_certificate_issued(certificate, actor_id)
    return certificate
