"""Documents in the rules: the requirement kind ``document`` (a current approved document
of a kind, read for many people in one query), the loader's check of its kind, and
expiring approved documents in the 90/30/7-day reminders."""

from __future__ import annotations

import copy
import tomllib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.core.clock import today
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.notifications.models import Notification
from airm_training.programme.loader import DEFAULT_PROGRAMME_FILE, load_programme
from airm_training.progression.engine import evaluate, evaluate_many
from airm_training.reminders import send_reminders
from airm_training.supporting.services import reject_document
from tests.documents_helpers import approved, uploaded
from tests.factories import make_candidate, make_director
from tests.query_count import count_statements

INSURANCE = {"kind": "document", "document_kind": "liability-insurance"}


def _document_with(requirements: list[dict], version: int = 2) -> dict:
    document = tomllib.loads(DEFAULT_PROGRAMME_FILE.read_text(encoding="utf-8"))
    document = copy.deepcopy(document)
    document["programme"]["version"] = version
    document["levels"] = [
        {"code": "AIRT-C", "name": "Candidate", "rank": 1, "granted_by": "enrolment"},
        {
            "code": "DOC-L",
            "name": "Documented level",
            "rank": 2,
            "granted_by": "application",
            "requirements": requirements,
        },
    ]
    return document


@pytest.fixture
def rules():
    version = load_programme(
        _document_with([INSURANCE]),
        checksum="d" * 64,
        base=DEFAULT_PROGRAMME_FILE.parent,
        actor_id=None,
    ).version
    db.session.commit()
    return next(level for level in version.levels if level.level.code == "DOC-L")


@pytest.fixture
def director():
    return make_director()


def _result(person, rules, **kwargs):
    (result,) = evaluate(person, rules, **kwargs).results
    return result


def test_the_label_says_what_is_needed(rules):
    (requirement,) = rules.requirements
    assert requirement.label == "A current, approved liability insurance on file"


def test_only_a_current_approved_document_of_the_kind_counts(rules, director):
    person = make_candidate(director=director)
    assert not _result(person, rules).met
    pending = uploaded(person)
    assert not _result(person, rules).met
    reject_document(director, pending, "Illegible.")
    approved(person, director, kind="training-certificate", expires_on=None)
    result = _result(person, rules)
    assert not result.met
    assert result.missing == ["a current, approved liability insurance"]
    document = approved(person, director, expires_on=today() + timedelta(days=20))
    result = _result(person, rules)
    assert result.met and result.evidence == {"document_ids": [document.id]}
    assert result.progress == "approved liability insurance on file"
    assert _result(person, rules, as_of=today() + timedelta(days=20)).met  # the last day counts
    assert not _result(person, rules, as_of=today() + timedelta(days=21)).met


def test_many_people_are_read_in_the_same_number_of_queries(rules, director):
    people = [make_candidate(director=director) for _ in range(3)]
    approved(people[0], director)
    some = [p.id for p in people]
    db.session.expire_all()  # both counts reload the same rows of the rules
    few = count_statements(lambda: evaluate_many(some, rules))
    more = [make_candidate(director=director) for _ in range(12)]
    for person in more:
        approved(person, director)
        approved(person, director, kind="ce-certificate", expires_on=None)
    everyone = [p.id for p in people + more]
    db.session.expire_all()
    many = count_statements(lambda: evaluate_many(everyone, rules))
    assert many == few
    standings = evaluate_many(everyone, rules)
    assert sum(standings[p].results[0].met for p in everyone) == 13


def test_the_loader_refuses_an_unknown_document_kind():
    document = _document_with([{"kind": "document", "document_kind": "passport"}], version=3)
    with pytest.raises(DomainError, match="unknown document kind 'passport'"):
        load_programme(
            document, checksum="e" * 64, base=DEFAULT_PROGRAMME_FILE.parent, actor_id=None
        )


# --- reminders -----------------------------------------------------------------------------
def _reminders_to(person) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Notification.message).where(
                Notification.person_id == person.id,
                Notification.kind == "reminder",
                Notification.object_type == "supporting_document",
            )
        )
    )


def test_an_expiring_approved_document_is_reminded_once_per_threshold(director, monkeypatch):
    person = make_candidate(director=director)
    expires = today() + timedelta(days=300)
    approved(person, director, expires_on=expires)
    uploaded(person, expires_on=expires)  # waiting for review: no reminder of its own
    monkeypatch.setattr("airm_training.core.clock.today", lambda: expires - timedelta(days=30))
    send_reminders()
    send_reminders()
    assert _reminders_to(person) == [
        f"Your professional liability insurance expires in 30 days, on {expires}. Upload the "
        "renewed one so a director can review it."
    ]
    monkeypatch.setattr("airm_training.core.clock.today", lambda: expires - timedelta(days=7))
    send_reminders()
    assert len(_reminders_to(person)) == 2


def test_a_document_replaced_by_a_later_one_is_not_reminded(director, monkeypatch):
    person = make_candidate(director=director)
    expires = today() + timedelta(days=100)
    approved(person, director, expires_on=expires)
    approved(person, director, expires_on=expires + timedelta(days=365))
    monkeypatch.setattr("airm_training.core.clock.today", lambda: expires - timedelta(days=7))
    send_reminders()
    assert _reminders_to(person) == []
