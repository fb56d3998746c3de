"""The one place where each PDF's plain data is built from the records: the transcript,
the certificate and the evidence packet. The documents package draws them, never
touching a database object."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from airm_training.assessments import facts
from airm_training.assessments.evaluations import evaluations_of
from airm_training.assessments.models import CasePresentation, Quiz
from airm_training.core.clock import local_date, today
from airm_training.core.durations import duration_label
from airm_training.core.urls import external_url
from airm_training.credentials.services import awards_of
from airm_training.curriculum.models import ModuleCompletion
from airm_training.documents.certificate import CertificateData
from airm_training.documents.evidence import EvidenceData
from airm_training.documents.transcript import TranscriptData
from airm_training.extensions import db
from airm_training.hours.counting import counting_rule
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.people.models import Person
from airm_training.programme.models import HoursCategory, Module
from airm_training.progression.models import Application, Certificate
from airm_training.progression.queries import certificates_of
from airm_training.progression.services import verification_status
from airm_training.signatures.services import certificate_images


def transcript_data(person: Person) -> TranscriptData:
    day = today()
    modules = db.session.execute(
        sa.select(Module.code, Module.title, ModuleCompletion.completed_on)
        .join(ModuleCompletion, ModuleCompletion.module_id == Module.id)
        .where(ModuleCompletion.person_id == person.id)
        .order_by(Module.position)
    ).all()
    quiz_titles = dict(db.session.execute(sa.select(Quiz.code, Quiz.title)).all())
    quiz_results = facts.quiz_facts(person.id, sorted(quiz_titles))
    cases = db.session.scalars(
        sa.select(CasePresentation)
        .where(CasePresentation.person_id == person.id)
        .order_by(CasePresentation.created_at)
    ).all()
    hours, uncounted = _signed_hours(person)
    return TranscriptData(
        organisation=current_app.config["ORGANISATION_NAME"],
        holder_name=person.display_name,
        email=person.email,
        generated_on=day,
        credentials=tuple(
            (
                f"{a.level.name} ({a.level.code})",
                a.awarded_on.isoformat(),
                a.expires_on.isoformat() if a.expires_on else "—",
                "current"
                if a.is_current_on(day)
                else a.status
                if a.status != "active"
                else "expired",
            )
            for a in awards_of(person)
        ),
        modules=tuple((code, title, done.isoformat()) for code, title, done in modules),
        quizzes=tuple(
            (
                quiz_titles[code],
                f"{fact.best_percent} %",
                local_date(fact.passed_at).isoformat() if fact.passed_at else "not passed",
            )
            for code, fact in quiz_results.items()
            if fact.best_percent is not None
        ),
        cases=tuple(
            (
                case.title,
                case.state.label,
                local_date(case.decided_at).isoformat() if case.decided_at else "—",
            )
            for case in cases
        ),
        evaluations=tuple(
            (e.session_date.isoformat(), e.evaluator.display_name, str(e.lowest_rating))
            for e in evaluations_of(person.id)
        ),
        hours=hours,
        uncounted=uncounted,
        certificates=tuple(
            (c.serial, c.level_code, verification_status(c), c.verification_code)
            for c in certificates_of(person.id)
        ),
        verify_address=external_url("verify.form"),
    )


def certificate_data(certificate: Certificate) -> CertificateData:
    return CertificateData(
        organisation=certificate.organisation,
        holder_name=certificate.holder_name,
        level_code=certificate.level_code,
        level_name=certificate.level_name,
        serial=certificate.serial,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        issuer_name=certificate.issuer_name,
        approver_names=tuple(certificate.approver_names),
        verification_url=external_url("verify.show", code=certificate.verification_code),
        signature_images=certificate_images(certificate.id, 1 + len(certificate.approver_names)),
    )


def evidence_data(application: Application) -> EvidenceData:
    """The evidence packet: the application's frozen snapshot and its decisions."""
    snapshot = application.snapshot
    return EvidenceData(
        organisation=current_app.config["ORGANISATION_NAME"],
        applicant=application.person.display_name,
        level=f"{application.level.name} ({application.level.code})",
        submitted_on=local_date(application.submitted_at).isoformat(),
        as_of=snapshot.get("as_of", ""),
        endorser=application.endorser.display_name if application.endorser else "—",
        statement=application.statement,
        requirements=tuple(
            (
                r["label"],
                "yes" if r["met"] else "no",
                r["progress"],
                "; ".join(
                    f"{k.removesuffix('_ids').replace('_', ' ')}: {len(v)}"
                    for k, v in r["evidence"].items()
                ),
            )
            for r in snapshot.get("requirements", [])
        ),
        decisions=tuple(
            [
                (e.supervisor.display_name, "endorsed" if e.endorsed else "declined", e.reason)
                for e in application.endorsements
            ]
            + [
                (v.member.display_name, "approved" if v.approve else "rejected", v.comment)
                for v in application.votes
            ]
        ),
    )


def _signed_hours(person: Person) -> tuple[tuple, tuple]:
    """Signed hours that count, by category and supervisor; and each signed entry that
    does not count, with the reason."""
    signer = aliased(Person)
    rows = db.session.execute(
        sa.select(
            HoursCategory.name,
            HoursCategory.code,
            signer.full_name,
            HoursEntry.minutes,
            HoursEntry.signed_at,
            HoursEntry.session_date,
            HoursEntry.supervisor_id,
        )
        .join(HoursCategory, HoursCategory.id == HoursEntry.category_id)
        .join(signer, signer.id == HoursEntry.signed_by_id)
        .where(HoursEntry.person_id == person.id, HoursEntry.status == HoursStatus.SIGNED.value)
        .order_by(HoursCategory.position, signer.full_name, HoursEntry.session_date)
    ).all()
    rule = counting_rule(person.id)
    groups: dict[tuple[str, str], list] = {}
    uncounted = []
    for category, code, supervisor, minutes, signed_at, session_date, supervisor_id in rows:
        reason = rule.reason(session_date, code, supervisor_id)
        if reason:
            uncounted.append((session_date.isoformat(), category, duration_label(minutes), reason))
            continue
        groups.setdefault((category, supervisor), []).append((minutes, signed_at))
    counted = tuple(
        (
            category,
            supervisor,
            duration_label(sum(m for m, _ in items)),
            len(items),
            local_date(min(s for _, s in items)).isoformat(),
            local_date(max(s for _, s in items)).isoformat(),
        )
        for (category, supervisor), items in groups.items()
    )
    return counted, tuple(uncounted)
