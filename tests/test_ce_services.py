"""Continuing education through its services and the requirement engine: recording with a
certificate, a director's verification (nobody else's), renewal counting verified credits
by subject area with no supervisor's signature, the audit sample, and the demo."""

from __future__ import annotations

import copy
import tomllib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.continuing.models import CeAudit, CeRecord, CeStatus
from airm_training.continuing.services import (
    draw_audit,
    mark_audit_item,
    record_ce,
    reject_ce,
    verify_ce,
)
from airm_training.core.clock import add_months, today
from airm_training.core.errors import DomainError
from airm_training.credentials.models import CredentialAward
from airm_training.credentials.services import award_credential
from airm_training.demo import seed_demo
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.people.services import find_by_email
from airm_training.programme.loader import DEFAULT_PROGRAMME_FILE, load_programme
from airm_training.programme.services import current_version
from airm_training.progression.engine import evaluate_renewal
from airm_training.progression.renewal import renewal_standing
from airm_training.supporting.models import DocumentStatus, SupportingDocument
from tests.ce_helpers import ce_input, recorded_ce, verified_ce
from tests.factories import make_candidate, make_director
from tests.query_count import count_statements

TOTAL = "Verified continuing education in the cycle: 12 hours"
AIRM = "Verified continuing education in AIRM and artificial intimacy in the cycle: 6 hours"


@pytest.fixture
def director():
    return make_director()


@pytest.fixture
def holder(director):
    """An AIRT-S holder 200 days into their cycle."""
    person = make_candidate(director=director)
    award_credential(
        person,
        "AIRT-S",
        actor_id=director.id,
        version=current_version(),
        awarded_on=today() - timedelta(days=200),
    )
    db.session.commit()
    return person


def _award(person) -> CredentialAward:
    return db.session.scalar(
        sa.select(CredentialAward).where(
            CredentialAward.person_id == person.id, CredentialAward.expires_on.is_not(None)
        )
    )


def _results(person):
    return {r.label: r for r in renewal_standing(person).standing.results}


def _events(action: str, object_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.object_id == str(object_id)
            )
        )
    )


# --- recording -----------------------------------------------------------------------------
def test_a_record_keeps_its_certificate_as_a_ce_certificate_document(holder):
    record = recorded_ce(holder, hours=2.5)
    assert record.state is CeStatus.PENDING and record.minutes == 150
    document = db.session.get(SupportingDocument, record.document_id)
    assert document.kind == "ce-certificate" and document.person_id == holder.id
    assert document.state is DocumentStatus.PENDING
    (event,) = _events("ce.recorded", record.id)
    assert event.after["minutes"] == 150 and event.after["document_id"] == document.id


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"provider": "  "}, "provider", "Enter the provider."),
        ({"course_title": "x" * 201}, "course_title", "under 200"),
        ({"approval_number": ""}, "approval_number", "approval number"),
        ({"completed_on": today() + timedelta(days=1)}, "completed_on", "future"),
        ({"completed_on": None}, "completed_on", "Enter the date"),
        ({"minutes": 0}, "credit_hours", "from 1 minute"),
        ({"minutes": 201 * 60}, "credit_hours", "from 1 minute"),
        ({"subject_area": "astrology"}, "subject_area", "subject areas"),
        ({"certificate": b"plain text"}, "certificate", "PDF, PNG or JPEG"),
        ({"certificate": b""}, "certificate", "Choose a file"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_nothing_is_kept(holder, changes, field, message):
    with pytest.raises(DomainError) as refusal:
        record_ce(holder, ce_input(**changes))
    db.session.rollback()
    fields = dict(refusal.value.problems)
    assert field in fields and message in fields[field]
    assert db.session.scalar(sa.select(sa.func.count(CeRecord.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(SupportingDocument.id))) == 0


# --- verification --------------------------------------------------------------------------
def test_a_director_verifies_and_the_certificate_is_approved_with_it(holder, director):
    record = recorded_ce(holder)
    verify_ce(director, record)
    db.session.commit()
    assert record.state is CeStatus.VERIFIED and record.reviewed_by_id == director.id
    assert record.document.state is DocumentStatus.APPROVED
    assert _events("ce.verified", record.id)[0].actor_id == director.id
    with pytest.raises(DomainError, match="already reviewed"):
        verify_ce(director, record)


def test_only_another_director_verifies(holder, director):
    record = recorded_ce(holder)
    other = make_candidate(director=director)
    with pytest.raises(DomainError, match="Only a director"):
        verify_ce(other, record)
    with pytest.raises(DomainError, match="Only a director"):
        verify_ce(holder, record)
    own = recorded_ce(director)
    with pytest.raises(DomainError, match="their own"):
        verify_ce(director, own)
    db.session.rollback()
    assert db.session.get(CeRecord, record.id).state is CeStatus.PENDING


def test_rejection_needs_a_reason_and_is_audited(holder, director):
    record = recorded_ce(holder)
    with pytest.raises(DomainError, match="Say why"):
        reject_ce(director, record, "   ")
    db.session.rollback()
    reject_ce(director, record, "The certificate shows no approval number.")
    db.session.commit()
    assert record.state is CeStatus.REJECTED
    assert record.document.state is DocumentStatus.REJECTED
    assert _events("ce.rejected", record.id)[0].after["reason"].startswith("The certificate")


# --- renewal -------------------------------------------------------------------------------
def test_renewal_counts_verified_ce_without_any_signature(holder, director):
    verified_ce(holder, director, hours=8, days_ago=100)
    verified_ce(holder, director, hours=4, days_ago=50, subject_area="ethics")
    results = _results(holder)
    assert results[TOTAL].met and results[TOTAL].progress == "12 h of 12 h"
    assert results[AIRM].met and results[AIRM].current == 8
    assert db.session.scalar(sa.select(sa.func.count(HoursEntry.id))) == 0  # nobody signed


def test_credits_by_subject_area(holder, director):
    verified_ce(holder, director, hours=12, days_ago=100, subject_area="ethics")
    results = _results(holder)
    assert results[TOTAL].met
    assert not results[AIRM].met and results[AIRM].current == 0
    assert results[AIRM].missing == ["6 h more verified"]


def test_unverified_and_out_of_cycle_ce_do_not_count_and_the_checklist_says_why(holder, director):
    recorded_ce(holder, hours=5, days_ago=20)  # waiting
    verified_ce(holder, director, hours=3, days_ago=400)  # before the cycle began
    rejected = recorded_ce(holder, hours=9, days_ago=30)
    reject_ce(director, rejected, "Not an approved course.")
    db.session.commit()
    total = _results(holder)[TOTAL]
    assert total.current == 0 and not total.met
    assert total.not_counted == "5 h waiting for verification; 3 h outside the renewal cycle"
    # the evidence frozen with a renewal names the records counted
    verified = verified_ce(holder, director, hours=12, days_ago=10)
    standing = evaluate_renewal(
        holder, renewal_standing(holder).rules, _award(holder), with_evidence=True
    )
    snapshot = {r["label"]: r for r in standing.to_snapshot()["requirements"]}
    assert snapshot[TOTAL]["evidence"] == {"ce_record_ids": [verified.id]}


def test_the_renewal_query_count_is_flat_with_many_records(holder, director):
    verified_ce(holder, director, hours=1, days_ago=10)
    rules, award = renewal_standing(holder).rules, _award(holder)

    def statements() -> int:
        evaluate_renewal(holder, rules, award)  # loads what the commits expired
        return count_statements(lambda: evaluate_renewal(holder, rules, award))

    few = statements()
    for day in range(20):
        verified_ce(holder, director, hours=1, days_ago=20 + day)
        recorded_ce(holder, hours=1, days_ago=20 + day)
    many = statements()
    assert many == few
    assert _results(holder)[TOTAL].met


def test_the_loader_refuses_an_unknown_subject_area():
    document = copy.deepcopy(tomllib.loads(DEFAULT_PROGRAMME_FILE.read_text(encoding="utf-8")))
    document["programme"]["version"] = 7
    level = next(lv for lv in document["levels"] if lv["code"] == "AIRT-S")
    level["renewal"][1]["subject_area"] = "astrology"
    with pytest.raises(DomainError, match="unknown subject area 'astrology'"):
        load_programme(
            document, checksum="f" * 64, base=DEFAULT_PROGRAMME_FILE.parent, actor_id=None
        )


# --- audit ---------------------------------------------------------------------------------
def test_an_audit_samples_the_cycles_verified_records_reproducibly(holder, director):
    inside = [verified_ce(holder, director, hours=1, days_ago=10 + n) for n in range(5)]
    verified_ce(holder, director, hours=1, days_ago=300)  # before the cycle
    recorded_ce(holder, hours=1, days_ago=5)  # not verified
    audit = draw_audit(director, _award(holder), seed="fixed")
    db.session.commit()
    sampled = [item.ce_record_id for item in audit.items]
    assert len(sampled) == 2  # 25 % of 5, rounded up
    assert set(sampled) <= {r.id for r in inside}
    assert audit.population == 5 and audit.seed == "fixed" and audit.share == "0.25"
    (event,) = _events("ce.audit_drawn", audit.id)
    assert event.after["population"] == sorted(r.id for r in inside)
    assert event.after["sampled"] == sampled and event.after["seed"] == "fixed"
    again = draw_audit(director, _award(holder), seed="fixed")
    assert [item.ce_record_id for item in again.items] == sampled
    assert draw_audit(director, _award(holder)).seed != "fixed"  # a fresh seed by default


def test_an_audit_of_one_record_samples_it_and_none_is_refused(holder, director):
    with pytest.raises(DomainError, match="no verified continuing education"):
        draw_audit(director, _award(holder))
    only = verified_ce(holder, director, hours=1, days_ago=10)
    audit = draw_audit(director, _award(holder))
    assert [item.ce_record_id for item in audit.items] == [only.id]


def test_only_another_director_audits(holder, director):
    verified_ce(holder, director, hours=1, days_ago=10)
    with pytest.raises(DomainError, match="Only a director"):
        draw_audit(holder, _award(holder))
    award_credential(
        director,
        "AIRT-S",
        actor_id=director.id,
        version=current_version(),
        awarded_on=add_months(today(), -2),
    )
    with pytest.raises(DomainError, match="their own"):
        draw_audit(director, _award(director))


def test_a_finding_of_not_verified_takes_the_record_out_of_the_count(holder, director):
    record = verified_ce(holder, director, hours=12, days_ago=10)
    audit = draw_audit(director, _award(holder))
    db.session.commit()
    (item,) = audit.items
    with pytest.raises(DomainError, match="Say why"):
        mark_audit_item(director, item, False, "")
    db.session.rollback()
    assert _results(holder)[TOTAL].met
    mark_audit_item(director, item, False, "The provider has no record of this course.")
    db.session.commit()
    assert record.state is CeStatus.REJECTED
    assert "Not confirmed by the audit" in record.rejection_reason
    assert not _results(holder)[TOTAL].met
    with pytest.raises(DomainError, match="already recorded"):
        mark_audit_item(director, item, True, "")
    (event,) = _events("ce.audit_marked", audit.id)
    assert event.after == {
        "ce_record_id": record.id,
        "verified": False,
        "note": "The provider has no record of this course.",
        "status": "rejected",
    }


def test_a_verified_finding_keeps_the_record_counting(holder, director):
    record = verified_ce(holder, director, hours=12, days_ago=10)
    audit = draw_audit(director, _award(holder))
    mark_audit_item(director, audit.items[0], True, "")
    db.session.commit()
    assert audit.items[0].verified is True and record.state is CeStatus.VERIFIED
    assert _results(holder)[TOTAL].met


# --- demo ----------------------------------------------------------------------------------
def test_the_demo_renews_daniel_on_verified_ce_and_holds_a_pending_record_and_an_audit():
    seed_demo()
    db.session.commit()
    daniel = find_by_email("daniel.okafor@btrc.example")
    results = _results(daniel)
    assert results[TOTAL].met and results[AIRM].met
    assert "waiting for verification" in results[TOTAL].not_counted
    statuses = db.session.scalars(
        sa.select(CeRecord.status).where(CeRecord.person_id == daniel.id)
    ).all()
    assert sorted(statuses) == ["pending", "verified", "verified", "verified"]
    ce_hours = db.session.scalar(
        sa.select(sa.func.count(HoursEntry.id)).where(
            HoursEntry.person_id == daniel.id, HoursEntry.category.has(code="continuing-education")
        )
    )
    assert ce_hours == 0  # nothing for a supervisor to sign
    (audit,) = db.session.scalars(sa.select(CeAudit)).all()
    assert audit.award.person_id == daniel.id and audit.items[0].verified is True
    assert seed_demo() == 0  # idempotent: nothing more is created
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(CeAudit.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(CeRecord.id))) == 4


# --- privacy sweep -------------------------------------------------------------------------
def test_the_privacy_sweep_reads_ce_texts_and_their_owner_can_redact(holder, director):
    from airm_training.privacy.redaction import redact
    from airm_training.privacy.sweep import sweep

    record = recorded_ce(holder, course_title="Case review, call me on 206-555-0143")
    reject_ce(director, record, "Names the client Jane Whitfield.")
    db.session.commit()
    rows = {(row.source.key, row.object_id, row.owner_id) for row in sweep()}
    assert ("ce_record.course_title", record.id, holder.id) in rows
    assert ("ce_record.rejection_reason", record.id, director.id) in rows
    redact(holder, "ce_record.course_title", record.id)
    db.session.commit()
    assert "206-555-0143" not in record.course_title
    assert ("ce_record.course_title", record.id) not in {
        (row.source.key, row.object_id) for row in sweep()
    }
