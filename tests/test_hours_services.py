"""Hours services with the database: logging, editing, the life cycle, sign-off,
returns, amendments, and the queries behind the lists and totals."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.core.clock import add_months, today
from airm_training.core.errors import DomainError
from airm_training.credentials.models import CredentialAward
from airm_training.extensions import db
from airm_training.hours import services
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.hours.queries import queue_for, totals_by_category
from airm_training.hours.rules import EntryInput
from airm_training.hours.services import (
    ATTESTATION,
    active_categories,
    can_view_entry,
    delete_entry,
    edit_entry,
    identical_entries,
    log_entry,
    minutes_by_day,
    oldest_session,
    request_amendment,
    return_entry,
    sign_entries,
    submit_entry,
    withdraw_entry,
)
from airm_training.hours.workflow import NOT_CURRENT
from airm_training.notifications.models import Notification
from airm_training.people.models import Person, Role
from airm_training.programme.models import HoursCategory
from airm_training.programme.services import current_version
from tests.factories import make_candidate, make_director, make_person, make_supervisor
from tests.query_count import count_statements


# --- helpers ------------------------------------------------------------------------------
def yesterday():
    return today() - timedelta(days=1)


def entry_input(supervisor=None, **changes) -> EntryInput:
    """An entry with sensible defaults: yesterday, an hour of individual consultation."""
    values = {
        "session_date": yesterday(),
        "minutes": 60,
        "category_code": "individual-consultation",
        "supervisor_id": supervisor.id if supervisor is not None else None,
    }
    values.update(changes)
    return EntryInput(**values)


def supervisor_for_a_year():
    """A supervisor whose AIRT-S has been current for the past year."""
    return make_supervisor(awarded_on=today() - timedelta(days=365))


def logged(person, supervisor, *, submit=True, **changes) -> HoursEntry:
    """Log an entry; a second identical one is confirmed as a second session."""
    data = entry_input(supervisor, **changes)
    entry = log_entry(person, data, submit=submit, duplicate_confirmed=True)
    db.session.commit()
    return entry


def signed(person, supervisor, **changes) -> HoursEntry:
    entry = logged(person, supervisor, **changes)
    sign_entries(supervisor, [entry.id], attested=True)
    db.session.commit()
    return reload(entry)


def notices(person: Person, kind: str) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.person_id == person.id, Notification.kind == kind)
            .order_by(Notification.id)
        )
    )


def reload(entry: HoursEntry) -> HoursEntry:
    db.session.expire_all()
    return db.session.get(HoursEntry, entry.id)


def exists(entry_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(HoursEntry, entry_id) is not None


def events(action: str, entry_id: int | None = None) -> list[AuditEvent]:
    statement = sa.select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_type == "hours_entry"
    )
    if entry_id is not None:
        statement = statement.where(AuditEvent.object_id == str(entry_id))
    return list(db.session.scalars(statement.order_by(AuditEvent.id)))


def refused(action, *args, **kwargs) -> DomainError:
    """Run an action that must be refused; roll back its partial work; return the error."""
    with pytest.raises(DomainError) as caught:
        action(*args, **kwargs)
    db.session.rollback()
    return caught.value


def reasons(error: DomainError) -> str:
    return " | ".join(reason for _, reason in error.problems)


def statuses(*entries) -> list[str]:
    db.session.expire_all()
    return [db.session.get(HoursEntry, e.id).status for e in entries]


@pytest.fixture
def people(app):
    """A director, a supervisor current for a year and two candidates."""
    director = make_director()
    supervisor = supervisor_for_a_year()
    return (
        supervisor,
        make_candidate(director=director),
        make_candidate(director=director),
    )


# --- logging ------------------------------------------------------------------------------
def test_log_entry_as_draft(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor, submit=False, note="  ACT defusion role-play  ")
    entry = reload(entry)
    assert entry.status == HoursStatus.DRAFT
    assert entry.submitted_at is None
    assert entry.late is False
    assert entry.person_id == candidate.id
    assert entry.note == "ACT defusion role-play"
    [event] = events("hours.drafted", entry.id)
    assert event.actor_id == candidate.id
    assert event.after == entry.to_audit()
    assert event.after["minutes"] == 60
    assert event.after["category"] == "individual-consultation"
    assert event.after["supervisor_id"] == supervisor.id
    assert event.after["status"] == "draft"
    assert events("hours.submitted", entry.id) == []


def test_log_entry_submitted(people):
    supervisor, candidate, _ = people
    entry = logged(
        candidate,
        supervisor,
        minutes=90,
        stages=["attachment-awareness"],
        modalities=["ACT", "CBT"],
    )
    entry = reload(entry)
    assert entry.status == HoursStatus.SUBMITTED
    assert entry.submitted_at is not None
    assert entry.late is False
    assert entry.modalities == ["ACT", "CBT"]
    [event] = events("hours.submitted", entry.id)
    assert event.actor_id == candidate.id
    assert event.after == entry.to_audit()
    assert event.after["session_date"] == yesterday().isoformat()
    assert event.after["minutes"] == 90
    assert event.after["stages"] == ["attachment-awareness"]
    assert event.after["status"] == "submitted"
    assert events("hours.drafted", entry.id) == []


def test_log_entry_with_broken_rules_saves_nothing(people):
    supervisor, candidate, _ = people
    error = refused(
        log_entry,
        candidate,
        entry_input(supervisor, minutes=0, session_date=today() + timedelta(days=1)),
        submit=True,
    )
    assert {field for field, _ in error.problems} == {"minutes", "session_date"}
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(HoursEntry)
        .where(HoursEntry.person_id == candidate.id)
    )
    assert count == 0


def test_late_flag_follows_the_configured_window(app, people):
    supervisor, candidate, _ = people
    window = app.config["LATE_ENTRY_DAYS"]
    on_time = logged(candidate, supervisor, session_date=today() - timedelta(days=window))
    late = logged(candidate, supervisor, session_date=today() - timedelta(days=window + 1))
    assert reload(on_time).late is False
    assert reload(late).late is True


def test_late_flag_is_set_when_an_old_draft_is_submitted(app, people):
    supervisor, candidate, _ = people
    window = app.config["LATE_ENTRY_DAYS"]
    entry = logged(
        candidate, supervisor, submit=False, session_date=today() - timedelta(days=window + 5)
    )
    assert reload(entry).late is False
    submit_entry(entry, candidate)
    db.session.commit()
    entry = reload(entry)
    assert entry.status == HoursStatus.SUBMITTED
    assert entry.late is True


def test_log_entry_refuses_a_supervisor_whose_airt_s_expired(app):
    expired = make_supervisor(awarded_on=today() - timedelta(days=25 * 31))
    candidate = make_candidate()
    error = refused(log_entry, candidate, entry_input(expired), submit=True)
    assert [field for field, _ in error.problems] == ["supervisor"]


# --- the 16-hour day ----------------------------------------------------------------------
def test_day_limit_counts_the_persons_own_entries_in_every_live_state(people):
    supervisor, candidate, other = people
    day = yesterday()
    draft = logged(candidate, supervisor, submit=False, minutes=240)
    returned = logged(candidate, supervisor, minutes=240)
    return_entry(returned, supervisor, "Add the stage you worked on.")
    db.session.commit()
    signed(candidate, supervisor, minutes=240)
    logged(candidate, supervisor, minutes=180)  # submitted
    assert sorted(statuses(draft, returned)) == ["draft", "returned"]
    # Someone else's long day does not count towards this person's.
    logged(other, supervisor, minutes=720)

    # 900 minutes already logged: one more minute than 16 h is refused...
    error = refused(log_entry, candidate, entry_input(supervisor, minutes=61), submit=False)
    assert [field for field, _ in error.problems] == ["minutes"]
    assert day.isoformat() in reasons(error)
    # ... and exactly 16 h is allowed.
    logged(candidate, supervisor, submit=False, minutes=60)

    # The entry being edited does not count against itself.
    edit_entry(draft, candidate, entry_input(supervisor, minutes=240, note="same"), submit=False)
    db.session.commit()
    assert reload(draft).note == "same"
    error = refused(
        edit_entry, draft, candidate, entry_input(supervisor, minutes=241), submit=False
    )
    assert [field for field, _ in error.problems] == ["minutes"]
    assert reload(draft).minutes == 240


def test_day_limit_applies_per_day(people):
    supervisor, candidate, _ = people
    logged(candidate, supervisor, minutes=720)
    logged(candidate, supervisor, minutes=240)
    logged(candidate, supervisor, minutes=720, session_date=today() - timedelta(days=2))
    logged(candidate, supervisor, minutes=240, session_date=today() - timedelta(days=2))


# --- editing and ownership ----------------------------------------------------------------
def test_draft_can_be_edited(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor, submit=False)
    edit_entry(entry, candidate, entry_input(supervisor, minutes=45, note="shorter"), submit=False)
    db.session.commit()
    entry = reload(entry)
    assert (entry.minutes, entry.note, entry.status) == (45, "shorter", "draft")
    [event] = events("hours.edited", entry.id)
    assert event.before["minutes"] == 60
    assert event.after["minutes"] == 45


@pytest.mark.parametrize("make", ["submitted", "signed"])
def test_submitted_and_signed_entries_cannot_be_edited(people, make):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor) if make == "submitted" else signed(candidate, supervisor)
    before = reload(entry).to_audit()
    refused(edit_entry, entry, candidate, entry_input(supervisor, minutes=30), submit=False)
    refused(edit_entry, entry, candidate, entry_input(supervisor, minutes=30), submit=True)
    assert reload(entry).to_audit() == before
    assert events("hours.edited", entry.id) == []
    assert events("hours.resubmitted", entry.id) == []


def test_only_the_owner_may_change_an_entry(people):
    supervisor, candidate, other = people
    draft = logged(candidate, supervisor, submit=False)
    submitted = logged(candidate, supervisor)
    data = entry_input(supervisor, minutes=30)

    refused(edit_entry, draft, other, data, submit=False)
    refused(submit_entry, draft, other)
    refused(delete_entry, draft, other)
    refused(withdraw_entry, submitted, other)
    # Nor may the supervisor change the candidate's entry.
    refused(edit_entry, draft, supervisor, data, submit=True)

    assert reload(draft).minutes == 60
    assert statuses(draft, submitted) == ["draft", "submitted"]


def test_withdraw_takes_a_submitted_entry_back_to_draft(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor)
    withdraw_entry(entry, candidate)
    db.session.commit()
    entry = reload(entry)
    assert entry.status == HoursStatus.DRAFT
    assert entry.submitted_at is None
    assert len(events("hours.withdrawn", entry.id)) == 1


def test_signed_entry_cannot_be_withdrawn(people):
    supervisor, candidate, _ = people
    entry = signed(candidate, supervisor)
    refused(withdraw_entry, entry, candidate)
    assert statuses(entry) == ["signed"]


def test_delete_draft_removes_it_and_records_what_it_was(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor, submit=False, minutes=75)
    entry_id = entry.id
    delete_entry(entry, candidate)
    db.session.commit()
    assert not exists(entry_id)
    [event] = events("hours.deleted", entry_id)
    assert event.actor_id == candidate.id
    assert event.before["minutes"] == 75
    assert event.before["status"] == "draft"
    assert event.before["person_id"] == candidate.id


@pytest.mark.parametrize("make", ["submitted", "signed"])
def test_submitted_and_signed_entries_cannot_be_deleted(people, make):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor) if make == "submitted" else signed(candidate, supervisor)
    refused(delete_entry, entry, candidate)
    assert exists(entry.id)
    assert statuses(entry) == [make]
    assert events("hours.deleted", entry.id) == []


# --- signing ------------------------------------------------------------------------------
def test_sign_many_entries_at_once(people):
    supervisor, candidate, other = people
    entries = [
        logged(candidate, supervisor),
        logged(candidate, supervisor, minutes=30, session_date=today() - timedelta(days=3)),
        logged(other, supervisor, category_code="group-consultation", group_size=5),
    ]
    count = sign_entries(supervisor, [e.id for e in entries], attested=True)
    db.session.commit()
    assert count == 3
    for entry in entries:
        entry = reload(entry)
        assert entry.status == HoursStatus.SIGNED
        assert entry.signed_by_id == supervisor.id
        assert entry.signed_at is not None
        assert entry.attestation == ATTESTATION
        [event] = events("hours.signed", entry.id)
        assert event.actor_id == supervisor.id
        assert event.after == {"status": "signed", "attestation": ATTESTATION}
    assert ATTESTATION.startswith("I attest")


def test_signing_needs_the_attestation(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor)
    error = refused(sign_entries, supervisor, [entry.id], attested=False)
    assert [field for field, _ in error.problems] == ["attest"]
    assert statuses(entry) == ["submitted"]
    assert events("hours.signed") == []


def test_signing_is_all_or_nothing_when_one_entry_was_logged_with_someone_else(people):
    supervisor, candidate, _ = people
    elsewhere = supervisor_for_a_year()
    mine = logged(candidate, supervisor)
    theirs = logged(candidate, elsewhere)
    error = refused(sign_entries, supervisor, [mine.id, theirs.id], attested=True)
    assert f"Entry {theirs.id}: it was not logged with you." in reasons(error)
    assert f"Entry {mine.id}" not in reasons(error)
    assert statuses(mine, theirs) == ["submitted", "submitted"]
    assert reload(mine).signed_by_id is None
    assert events("hours.signed") == []


def test_signing_is_all_or_nothing_when_one_entry_is_not_submitted(people):
    supervisor, candidate, _ = people
    ready = logged(candidate, supervisor)
    draft = logged(candidate, supervisor, submit=False)
    returned = logged(candidate, supervisor)
    return_entry(returned, supervisor, "Which stage?")
    db.session.commit()
    error = refused(sign_entries, supervisor, [ready.id, draft.id, returned.id], attested=True)
    assert f"Entry {draft.id}: it is draft, not waiting for sign-off." in reasons(error)
    assert f"Entry {returned.id}: it is returned, not waiting for sign-off." in reasons(error)
    assert statuses(ready, draft, returned) == ["submitted", "draft", "returned"]
    assert events("hours.signed") == []


def test_supervisor_cannot_sign_their_own_hours(people):
    supervisor, candidate, _ = people
    # A supervisor on the AIRT-S track logs consultation-of-consultation with another one.
    their_supervisor = supervisor_for_a_year()
    own = logged(supervisor, their_supervisor, category_code="consultation-of-consultation")
    other = logged(candidate, supervisor)
    error = refused(sign_entries, supervisor, [own.id, other.id], attested=True)
    assert f"Entry {own.id}: you cannot sign your own hours." in reasons(error)
    assert statuses(own, other) == ["submitted", "submitted"]


def test_own_hours_are_refused_even_if_logged_with_oneself(people):
    """The rules never let anyone log hours with themselves; if such a row existed
    anyway (an import bug, a manual fix), signing must still refuse it."""
    supervisor, _, _ = people
    entry = logged(supervisor, supervisor_for_a_year(), category_code="direct-clinical")
    entry.supervisor_id = supervisor.id
    db.session.commit()
    error = refused(sign_entries, supervisor, [entry.id], attested=True)
    assert "you cannot sign your own hours" in reasons(error)
    assert statuses(entry) == ["submitted"]


def test_supervisor_whose_airt_s_expired_cannot_sign(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor)  # logged while the supervisor was current
    award = db.session.scalar(
        sa.select(CredentialAward).where(CredentialAward.person_id == supervisor.id)
    )
    award.expires_on = yesterday()  # current on the session date, not today
    db.session.commit()
    error = refused(sign_entries, supervisor, [entry.id], attested=True)
    assert "not current" in reasons(error)
    entry = reload(entry)
    assert entry.status == HoursStatus.SUBMITTED
    assert entry.signed_by_id is None


def test_consultation_before_the_supervisors_award_cannot_be_signed(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor, session_date=today() - timedelta(days=10))
    # The award turns out to date from after the session (e.g. a corrected award date).
    award = db.session.scalar(
        sa.select(CredentialAward).where(CredentialAward.person_id == supervisor.id)
    )
    award.awarded_on = today() - timedelta(days=5)
    db.session.commit()
    error = refused(sign_entries, supervisor, [entry.id], attested=True)
    assert "not current on the session date" in reasons(error)
    assert statuses(entry) == ["submitted"]


def test_signing_twice_is_refused_and_changes_nothing(people):
    supervisor, candidate, _ = people
    first = logged(candidate, supervisor)
    second = logged(candidate, supervisor, minutes=30)
    sign_entries(supervisor, [first.id, second.id], attested=True)
    db.session.commit()
    before = [(e.status, e.signed_at, e.signed_by_id) for e in map(reload, (first, second))]
    refused(sign_entries, supervisor, [first.id, second.id], attested=True)
    after = [(e.status, e.signed_at, e.signed_by_id) for e in map(reload, (first, second))]
    assert after == before
    assert len(events("hours.signed")) == 2


# --- returning ----------------------------------------------------------------------------
def test_return_needs_a_reason(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor)
    for blank in ("", "   \n"):
        error = refused(return_entry, entry, supervisor, blank)
        assert [field for field, _ in error.problems] == ["reason"]
    assert statuses(entry) == ["submitted"]


def test_only_the_entrys_supervisor_may_return_it(people):
    supervisor, candidate, other = people
    entry = logged(candidate, supervisor)
    refused(return_entry, entry, supervisor_for_a_year(), "Not mine to return")
    refused(return_entry, entry, other, "Nor mine")
    refused(return_entry, entry, candidate, "Nor my own")
    entry = reload(entry)
    assert entry.status == HoursStatus.SUBMITTED
    assert entry.return_reason is None


def test_return_edit_and_resubmit(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor)
    return_entry(entry, supervisor, "  Please add the AIRM stage.  ")
    db.session.commit()
    entry = reload(entry)
    assert entry.status == HoursStatus.RETURNED
    assert entry.return_reason == "Please add the AIRM stage."
    assert entry.returned_at is not None
    [event] = events("hours.returned", entry.id)
    assert event.after["reason"] == "Please add the AIRM stage."

    edit_entry(
        entry, candidate, entry_input(supervisor, stages=["disruption-detachment"]), submit=True
    )
    db.session.commit()
    entry = reload(entry)
    assert entry.status == HoursStatus.SUBMITTED
    assert entry.stages == ["disruption-detachment"]
    [event] = events("hours.resubmitted", entry.id)
    assert event.before["status"] == "returned"
    assert event.after["status"] == "submitted"
    assert event.after["stages"] == ["disruption-detachment"]

    sign_entries(supervisor, [entry.id], attested=True)
    db.session.commit()
    assert statuses(entry) == ["signed"]


def test_a_returned_entry_cannot_be_returned_again(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor)
    return_entry(entry, supervisor, "first")
    db.session.commit()
    refused(return_entry, entry, supervisor, "second")
    assert reload(entry).return_reason == "first"


# --- amendments ---------------------------------------------------------------------------
def test_amendment_supersedes_the_original_once_signed(people):
    supervisor, candidate, _ = people
    original = signed(candidate, supervisor, note="first version")
    original_content = original.to_audit()
    original_signed_at = original.signed_at

    amendment = request_amendment(
        original, candidate, entry_input(supervisor, minutes=90, note="corrected")
    )
    db.session.commit()
    amendment = reload(amendment)
    assert amendment.status == HoursStatus.SUBMITTED
    assert amendment.amends_id == original.id
    assert amendment.minutes == 90
    assert len(events("hours.amendment_requested", amendment.id)) == 1
    original = reload(original)
    assert original.status == HoursStatus.SIGNED
    assert original.to_audit() == original_content
    assert original.signed_at == original_signed_at

    sign_entries(supervisor, [amendment.id], attested=True)
    db.session.commit()
    original, amendment = reload(original), reload(amendment)
    assert original.status == HoursStatus.SUPERSEDED
    assert amendment.status == HoursStatus.SIGNED
    assert amendment.signed_by_id == supervisor.id
    # Both versions stay; the original keeps its content and its signature.
    assert (original.minutes, original.note) == (60, "first version")
    assert original.signed_by_id == supervisor.id
    assert len(events("hours.superseded", original.id)) == 1


def test_only_signed_entries_can_be_amended(people):
    supervisor, candidate, _ = people
    superseded = signed(candidate, supervisor)
    amendment = request_amendment(superseded, candidate, entry_input(supervisor, minutes=90))
    db.session.commit()
    sign_entries(supervisor, [amendment.id], attested=True)
    db.session.commit()
    assert statuses(superseded) == ["superseded"]

    for entry in (
        logged(candidate, supervisor, submit=False, session_date=today() - timedelta(days=2)),
        logged(candidate, supervisor, session_date=today() - timedelta(days=3)),
        reload(superseded),
    ):
        error = refused(request_amendment, entry, candidate, entry_input(supervisor, minutes=30))
        assert "Only a signed entry" in reasons(error)
    amendments = db.session.scalars(
        sa.select(HoursEntry.amends_id).where(HoursEntry.amends_id.is_not(None))
    ).all()
    assert amendments == [superseded.id]


def test_a_second_pending_amendment_is_refused(people):
    supervisor, candidate, _ = people
    original = signed(candidate, supervisor)
    request_amendment(original, candidate, entry_input(supervisor, minutes=90))
    db.session.commit()
    refused(request_amendment, original, candidate, entry_input(supervisor, minutes=120))
    amendments = db.session.scalars(
        sa.select(HoursEntry.minutes).where(HoursEntry.amends_id == original.id)
    ).all()
    assert amendments == [90]


def test_amendment_must_go_to_the_supervisor_who_signed(people):
    supervisor, candidate, _ = people
    original = signed(candidate, supervisor)
    error = refused(
        request_amendment, original, candidate, entry_input(supervisor_for_a_year(), minutes=90)
    )
    assert [field for field, _ in error.problems] == ["supervisor"]
    assert (
        db.session.scalar(sa.select(HoursEntry.id).where(HoursEntry.amends_id == original.id))
        is None
    )


def test_only_the_owner_may_amend(people):
    supervisor, candidate, other = people
    original = signed(candidate, supervisor)
    refused(request_amendment, original, other, entry_input(supervisor, minutes=90))
    assert (
        db.session.scalar(sa.select(HoursEntry.id).where(HoursEntry.amends_id == original.id))
        is None
    )


def test_amendment_cannot_be_redirected_to_another_supervisor(people):
    """An amendment is signed by the supervisor who signed the original. Withdrawing it
    and editing it must not let someone else sign it and supersede the original."""
    supervisor, candidate, _ = people
    someone_else = supervisor_for_a_year()
    original = signed(candidate, supervisor)
    amendment = request_amendment(original, candidate, entry_input(supervisor, minutes=90))
    db.session.commit()
    withdraw_entry(amendment, candidate)
    db.session.commit()

    def redirect_and_sign():
        edit_entry(amendment, candidate, entry_input(someone_else, minutes=90), submit=True)
        sign_entries(someone_else, [amendment.id], attested=True)

    refused(redirect_and_sign)
    original = reload(original)
    assert original.status == HoursStatus.SIGNED
    assert original.signed_by_id == supervisor.id


def test_a_returned_amendment_can_be_fixed_on_a_long_day(people):
    """The amendment replaces its original, so the original's minutes do not count
    against it: not when it is requested, and not when it is fixed after a return."""
    supervisor, candidate, _ = people
    original = signed(candidate, supervisor, minutes=600)
    amendment = request_amendment(original, candidate, entry_input(supervisor, minutes=700))
    db.session.commit()
    return_entry(amendment, supervisor, "Name the stage, please.")
    db.session.commit()
    edit_entry(
        amendment,
        candidate,
        entry_input(supervisor, minutes=700, stages=["attachment-awareness"]),
        submit=True,
    )
    db.session.commit()
    amendment = reload(amendment)
    assert amendment.status == HoursStatus.SUBMITTED
    assert amendment.stages == ["attachment-awareness"]


# --- queries ------------------------------------------------------------------------------
def test_totals_by_category_split_signed_and_pending(people):
    supervisor, candidate, other = people
    signed(candidate, supervisor, minutes=60)
    signed(candidate, supervisor, minutes=30, session_date=today() - timedelta(days=2))
    logged(candidate, supervisor, minutes=45)  # submitted
    logged(candidate, supervisor, submit=False, minutes=15)  # draft
    logged(candidate, supervisor, minutes=120, category_code="didactic")
    signed(other, supervisor, minutes=600)  # someone else's

    totals = totals_by_category([candidate.id])
    assert set(totals) == {candidate.id}
    mine = totals[candidate.id]
    assert (
        mine["individual-consultation"].signed_minutes,
        mine["individual-consultation"].pending_minutes,
        mine["individual-consultation"].draft_minutes,
    ) == (90, 45, 15)  # a draft is never pending
    assert (mine["didactic"].signed_minutes, mine["didactic"].pending_minutes) == (0, 120)
    assert (mine["direct-clinical"].signed_minutes, mine["direct-clinical"].pending_minutes) == (
        0,
        0,
    )

    both = totals_by_category([candidate.id, other.id])
    assert both[other.id]["individual-consultation"].signed_minutes == 600
    assert both[other.id]["individual-consultation"].pending_minutes == 0
    assert both[candidate.id]["individual-consultation"].signed_minutes == 90


def test_superseded_minutes_do_not_count(people):
    supervisor, candidate, _ = people
    original = signed(candidate, supervisor, minutes=60)
    amendment = request_amendment(original, candidate, entry_input(supervisor, minutes=90))
    db.session.commit()
    pending = totals_by_category([candidate.id])[candidate.id]["individual-consultation"]
    assert (pending.signed_minutes, pending.pending_minutes) == (60, 90)
    sign_entries(supervisor, [amendment.id], attested=True)
    db.session.commit()
    done = totals_by_category([candidate.id])[candidate.id]["individual-consultation"]
    assert (done.signed_minutes, done.pending_minutes) == (90, 0)


def test_queue_lists_only_submitted_entries_logged_with_the_supervisor(people):
    supervisor, candidate, other = people
    elsewhere = supervisor_for_a_year()
    waiting = [
        logged(candidate, supervisor),
        logged(other, supervisor, minutes=30),
    ]
    logged(candidate, supervisor, submit=False)  # draft
    signed(candidate, supervisor, minutes=20)
    returned = logged(other, supervisor, minutes=25)
    return_entry(returned, supervisor, "fix")
    db.session.commit()
    logged(candidate, elsewhere, minutes=40)  # someone else's queue
    logged(
        supervisor, elsewhere, minutes=50, category_code="didactic"
    )  # the supervisor's own hours

    queue = db.session.scalars(queue_for(supervisor.id)).all()
    assert sorted(e.id for e in queue) == sorted(e.id for e in waiting)
    assert {e.status for e in queue} == {"submitted"}
    # The supervisor's own hours wait in the queue of the supervisor they logged them with.
    assert sorted(e.minutes for e in db.session.scalars(queue_for(elsewhere.id))) == [40, 50]


def test_queue_and_totals_cost_the_same_queries_for_10_or_200_entries(people):
    supervisor, first, second = people
    director_id = make_director().id
    supervisor_id = supervisor.id
    candidate_ids = [first.id, second.id]

    def person(person_id):
        return db.session.get(Person, person_id)

    def add_entries(total: int, start_day: int) -> None:
        per_day = 2 * len(candidate_ids)
        for i in range(total):
            day = today() - timedelta(days=start_day + i // per_day)
            log_entry(
                person(candidate_ids[i % len(candidate_ids)]),
                entry_input(person(supervisor_id), minutes=30, session_date=day),
                submit=True,
                duplicate_confirmed=True,
            )
        db.session.commit()

    def amend_one(person_id: int) -> None:
        day = today() - timedelta(days=200)
        original = logged(person(person_id), person(supervisor_id), minutes=10, session_date=day)
        sign_entries(person(supervisor_id), [original.id], attested=True)
        db.session.commit()
        request_amendment(
            reload(original),
            person(person_id),
            entry_input(person(supervisor_id), minutes=15, session_date=day),
        )
        db.session.commit()

    def read() -> int:
        db.session.expunge_all()  # load everything afresh, as a new request would
        queue = db.session.scalars(queue_for(supervisor_id)).all()
        for entry in queue:  # what the queue page shows
            assert entry.person.full_name
            assert entry.amends is None or entry.amends.minutes == 10
        totals = totals_by_category(candidate_ids)
        assert set(totals) == set(candidate_ids)
        return len(queue)

    add_entries(9, start_day=1)
    amend_one(first.id)
    small = count_statements(read)
    assert read() == 10

    candidate_ids += [make_candidate(director=person(director_id)).id for _ in range(4)]
    add_entries(188, start_day=10)
    amend_one(candidate_ids[2])
    amend_one(candidate_ids[3])
    large = count_statements(read)
    assert read() == 200
    assert large == small


def test_only_the_originals_signer_may_sign_an_amendment(people):
    """Even if an amendment somehow names another supervisor, only the original's signer
    may sign it (the check at signing, behind the check when it is edited)."""
    supervisor, candidate, _ = people
    someone_else = supervisor_for_a_year()
    original = signed(candidate, supervisor)
    amendment = request_amendment(original, candidate, entry_input(supervisor, minutes=90))
    db.session.commit()
    db.session.execute(
        sa.update(HoursEntry)
        .where(HoursEntry.id == amendment.id)
        .values(supervisor_id=someone_else.id)
    )
    db.session.commit()
    error = refused(sign_entries, someone_else, [amendment.id], attested=True)
    assert "signed by the supervisor who signed the original" in reasons(error)
    assert statuses(original, amendment) == ["signed", "submitted"]


def test_a_first_submission_from_the_edit_form_is_recorded_as_submitted(people):
    supervisor, candidate, _ = people
    draft = logged(candidate, supervisor, submit=False)
    edit_entry(draft, candidate, entry_input(supervisor, minutes=45), submit=True)
    db.session.commit()
    assert len(events("hours.submitted", draft.id)) == 1
    assert events("hours.resubmitted", draft.id) == []


def test_an_identical_entry_needs_confirmation(people):
    supervisor, candidate, _other = people
    data = entry_input(supervisor)
    first = log_entry(candidate, data, submit=True)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        log_entry(candidate, entry_input(supervisor), submit=False)
    ((field, reason),) = refused.value.problems
    assert field == "confirm_duplicate"
    assert f"entry {first.id}" in reason
    db.session.rollback()
    assert [e.id for e in identical_entries(candidate, data)] == [first.id]
    for change in ({"minutes": data.minutes + 1}, {"category_code": "didactic"}):
        assert identical_entries(candidate, entry_input(supervisor, **change)) == []
    second = log_entry(candidate, entry_input(supervisor), submit=True, duplicate_confirmed=True)
    assert [e.id for e in identical_entries(candidate, data)] == [first.id, second.id]


# --- rules the mutation run showed untested ------------------------------------------------
def test_a_return_reason_of_1000_characters_is_kept_1001_refused(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor)
    error = refused(return_entry, entry, supervisor, "x" * 1001)
    assert error.problems == [("reason", "Keep the reason under 1000 characters.")]
    assert statuses(entry) == ["submitted"]
    return_entry(entry, supervisor, "y" * 1000)
    db.session.commit()
    assert reload(entry).return_reason == "y" * 1000


def test_editing_an_amendment_to_another_supervisor_is_refused(people):
    supervisor, candidate, _ = people
    original = signed(candidate, supervisor)
    amendment = request_amendment(original, candidate, entry_input(supervisor, minutes=90))
    db.session.commit()
    withdraw_entry(amendment, candidate)
    db.session.commit()
    error = refused(
        edit_entry,
        amendment,
        candidate,
        entry_input(supervisor_for_a_year(), minutes=90),
        submit=False,
    )
    assert error.problems == [
        ("supervisor", "An amendment is signed by the supervisor who signed the original.")
    ]
    assert reload(amendment).supervisor_id == supervisor.id


def test_signing_an_empty_selection_is_refused(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor)
    error = refused(sign_entries, supervisor, [], attested=True)
    assert error.problems == [(None, "Choose at least one entry to sign.")]
    assert statuses(entry) == ["submitted"]
    assert events("hours.signed") == []


def test_signing_counts_each_entry_once_and_refuses_a_missing_one(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor)
    missing = entry.id + 1000
    error = refused(sign_entries, supervisor, [entry.id, missing], attested=True)
    assert error.problems == [(None, "Some of these entries no longer exist.")]
    assert statuses(entry) == ["submitted"]
    assert sign_entries(supervisor, [entry.id, entry.id], attested=True) == 1
    db.session.commit()
    assert statuses(entry) == ["signed"]
    assert [e.after for e in events("hours.signed", entry.id)] == [
        {"status": "signed", "attestation": ATTESTATION}
    ]
    assert events("hours.signed", entry.id)[0].before == {"status": "submitted"}


def test_at_most_500_entries_are_signed_at_once(people):
    supervisor, _candidate, _ = people
    ids = list(range(10_001, 10_502))  # 501 ids
    error = refused(sign_entries, supervisor, ids, attested=True)
    assert error.problems == [
        (None, "Sign at most 500 entries at a time (501 were chosen); nothing was signed.")
    ]
    error = refused(sign_entries, supervisor, ids[:500], attested=True)  # 500: looked up
    assert error.problems == [(None, "Some of these entries no longer exist.")]


def test_the_attestation_is_asked_before_anything_else(people):
    supervisor, _candidate, _ = people
    error = refused(sign_entries, supervisor, [], attested=False)
    assert error.problems == [("attest", "Confirm the attestation to sign.")]


def test_a_supervisor_not_current_today_is_refused_before_the_entries_are_read(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor)
    award = db.session.scalar(
        sa.select(CredentialAward).where(CredentialAward.person_id == supervisor.id)
    )
    award.expires_on = yesterday()
    db.session.commit()
    error = refused(sign_entries, supervisor, [entry.id, entry.id + 1000], attested=True)
    assert error.problems == [(None, NOT_CURRENT)]


def test_signing_an_amendment_records_the_original_superseded_by_the_signer(people):
    supervisor, candidate, _ = people
    original = signed(candidate, supervisor)
    plain = logged(candidate, supervisor, minutes=30, session_date=today() - timedelta(days=2))
    amendment = request_amendment(original, candidate, entry_input(supervisor, minutes=90))
    db.session.commit()
    assert sign_entries(supervisor, [amendment.id, plain.id], attested=True) == 2
    db.session.commit()
    (event,) = events("hours.superseded", original.id)
    assert event.actor_id == supervisor.id
    assert (event.before, event.after) == ({"status": "signed"}, {"status": "superseded"})
    assert statuses(original, amendment, plain) == ["superseded", "signed", "signed"]
    assert events("hours.superseded", plain.id) == []


def test_a_return_keeps_the_trimmed_reason_records_it_and_tells_the_clinician(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor)
    reason = "  " + "z" * 1000 + "\n"  # 1000 characters once trimmed
    return_entry(entry, supervisor, reason)
    db.session.commit()
    entry = reload(entry)
    assert entry.status == HoursStatus.RETURNED
    assert entry.return_reason == "z" * 1000
    assert entry.returned_at is not None
    (event,) = events("hours.returned", entry.id)
    assert event.actor_id == supervisor.id
    assert event.before == {"status": "submitted"}
    assert event.after == {"status": "returned", "reason": "z" * 1000}
    (notice,) = notices(candidate, "hours_returned")
    assert notice.object_id == entry.id


def test_the_reason_is_checked_before_who_returns(people):
    supervisor, candidate, other = people
    entry = logged(candidate, supervisor)
    error = refused(return_entry, entry, other, " ")
    assert error.problems == [("reason", "Say what needs to change, so it can be fixed.")]
    error = refused(return_entry, entry, other, "x" * 1001)
    assert error.problems == [("reason", "Keep the reason under 1000 characters.")]


def test_an_amendment_request_is_submitted_audited_and_sent_to_the_signer(people):
    supervisor, candidate, _ = people
    original = signed(candidate, supervisor, minutes=600)
    before = original.to_audit()
    amendment = request_amendment(
        original, candidate, entry_input(supervisor, minutes=700, note=" fixed ")
    )  # 700 on a day with the original's 600 is allowed: it replaces them
    db.session.commit()
    amendment = reload(amendment)
    assert (amendment.person_id, amendment.amends_id) == (candidate.id, original.id)
    assert amendment.status == HoursStatus.SUBMITTED
    assert amendment.submitted_at is not None
    assert (amendment.minutes, amendment.note) == (700, "fixed")
    (event,) = events("hours.amendment_requested", amendment.id)
    assert event.actor_id == candidate.id
    assert (event.before, event.after) == (before, amendment.to_audit())
    assert [n.object_id for n in notices(supervisor, "hours_submitted")][-1] == amendment.id


def test_an_amendment_names_its_field_when_the_supervisor_differs(people):
    supervisor, candidate, _ = people
    original = signed(candidate, supervisor)
    error = refused(request_amendment, original, candidate, entry_input(None, minutes=90))
    assert error.problems == [
        ("supervisor", "An amendment is signed by the supervisor who signed the original.")
    ]


def test_a_draft_without_a_supervisor_cannot_be_submitted_by_editing_or_submitting(people):
    _supervisor, candidate, _ = people
    draft = logged(candidate, None, submit=False, category_code="didactic")  # allowed as a draft
    for action in (
        lambda: edit_entry(
            draft, candidate, entry_input(None, category_code="didactic"), submit=True
        ),
        lambda: submit_entry(draft, candidate),
    ):
        error = refused(action)
        assert error.problems == [("supervisor", "Choose the supervisor who will sign this entry.")]
        assert statuses(draft) == ["draft"]
    edit_entry(
        draft, candidate, entry_input(None, category_code="didactic", minutes=45), submit=False
    )
    assert reload(draft).minutes == 45


# --- more rules the mutation run showed untested -------------------------------------------
def hours_policy_months() -> int:
    return current_version().definition["hours_policy"]["oldest_session_months"]


def test_a_session_older_than_the_programmes_limit_is_refused(people):
    _supervisor, candidate, _ = people
    months = hours_policy_months()
    oldest = add_months(today(), -months)
    assert oldest_session(today()) == oldest
    error = refused(
        log_entry,
        candidate,
        entry_input(None, category_code="didactic", session_date=oldest - timedelta(days=1)),
        submit=False,
    )
    assert error.problems == [
        (
            "session_date",
            f"Sessions before {oldest.isoformat()} are too old to be logged: the programme "
            f"accepts sessions from the last {months} months.",
        )
    ]
    kept = logged(candidate, None, submit=False, category_code="didactic", session_date=oldest)
    assert reload(kept).session_date == oldest


def test_without_an_hours_policy_sessions_of_any_age_are_accepted(people):
    _supervisor, candidate, _ = people
    version = current_version()
    version.definition = {k: v for k, v in version.definition.items() if k != "hours_policy"}
    db.session.flush()
    assert oldest_session(today()) is None
    old = today() - timedelta(days=3650)
    kept = logged(candidate, None, submit=False, category_code="didactic", session_date=old)
    assert reload(kept).session_date == old
    version.definition = {**version.definition, "hours_policy": {}}
    db.session.flush()
    assert oldest_session(today()) is None


def test_without_a_programme_version_there_is_no_age_limit(app, monkeypatch):
    monkeypatch.setattr(services, "current_version", lambda: None)
    assert oldest_session(today()) is None


def test_minutes_by_day_counts_live_entries_on_the_days_asked_only(people):
    supervisor, candidate, other = people
    two_days_ago = today() - timedelta(days=2)
    logged(candidate, supervisor, minutes=60)
    logged(candidate, supervisor, submit=False, minutes=30)
    logged(candidate, supervisor, minutes=45, session_date=two_days_ago)
    logged(other, supervisor, minutes=120)
    assert minutes_by_day(candidate.id, [yesterday()]) == {yesterday(): 90}
    assert minutes_by_day(candidate.id, [yesterday(), two_days_ago]) == {
        yesterday(): 90,
        two_days_ago: 45,
    }
    assert minutes_by_day(candidate.id, []) == {}


def test_a_superseded_original_no_longer_counts_towards_its_day(people):
    supervisor, candidate, _ = people
    original = signed(candidate, supervisor, minutes=600)
    amendment = request_amendment(original, candidate, entry_input(supervisor, minutes=100))
    db.session.commit()
    sign_entries(supervisor, [amendment.id], attested=True)
    db.session.commit()
    assert statuses(original) == ["superseded"]
    assert minutes_by_day(candidate.id, [yesterday()]) == {yesterday(): 100}
    logged(candidate, supervisor, minutes=700)  # 100 + 700: within 16 hours


def test_nobody_logs_hours_with_themselves(people):
    supervisor, _candidate, _ = people
    error = refused(
        log_entry,
        supervisor,
        entry_input(supervisor, category_code="consultation-of-consultation"),
        submit=True,
    )
    assert error.problems == [("supervisor", "You cannot be your own supervisor.")]


def test_a_group_entry_keeps_its_group_size(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor, category_code="group-consultation", group_size=7)
    assert reload(entry).group_size == 7
    assert events("hours.submitted", entry.id)[0].after["group_size"] == 7


def test_identical_means_same_person_day_category_minutes_supervisor_and_live(people):
    supervisor, candidate, other = people
    data = entry_input(supervisor)
    first = logged(candidate, supervisor)
    assert [e.id for e in identical_entries(candidate, data)] == [first.id]
    # Another clinician's entry, another day, another supervisor: not identical.
    logged(other, supervisor)
    assert [e.id for e in identical_entries(other, data)] != [first.id]
    for change in (
        {"session_date": today() - timedelta(days=2)},
        {"supervisor_id": supervisor_for_a_year().id},
        {"supervisor_id": None},
    ):
        assert identical_entries(candidate, entry_input(supervisor, **change)) == []
    # A superseded entry is no longer live.
    sign_entries(supervisor, [first.id], attested=True)
    db.session.commit()
    amendment = request_amendment(reload(first), candidate, entry_input(supervisor, minutes=61))
    db.session.commit()
    sign_entries(supervisor, [amendment.id], attested=True)
    db.session.commit()
    assert statuses(first) == ["superseded"]
    assert identical_entries(candidate, data) == []


def test_the_duplicate_message_names_the_entry_and_the_way_out(people):
    supervisor, candidate, _ = people
    first = logged(candidate, supervisor)
    error = refused(log_entry, candidate, entry_input(supervisor), submit=True)
    assert error.problems == [
        (
            "confirm_duplicate",
            f"You already logged an identical entry (entry {first.id}: "
            f"{yesterday().isoformat()}, {reload(first).category.name}, 60 min, the same "
            "supervisor). Tick the box to log a second session all the same.",
        )
    ]


def test_logging_for_submission_needs_a_supervisor_even_where_a_draft_does_not(people):
    _supervisor, candidate, _ = people
    error = refused(log_entry, candidate, entry_input(None, category_code="didactic"), submit=True)
    assert error.problems == [("supervisor", "Choose the supervisor who will sign this entry.")]


def hours_submitted_links(supervisor: Person) -> list[tuple[str, int | None]]:
    return [(n.object_type, n.object_id) for n in notices(supervisor, "hours_submitted")]


def test_each_way_of_submitting_records_it_and_links_the_supervisor_to_the_entry(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor)  # log and submit at once
    assert hours_submitted_links(supervisor) == [("hours_entry", entry.id)]

    draft = logged(candidate, supervisor, submit=False, minutes=30)
    edit_entry(draft, candidate, entry_input(supervisor, minutes=35), submit=True)
    db.session.commit()
    (event,) = events("hours.submitted", draft.id)
    assert event.actor_id == candidate.id
    assert hours_submitted_links(supervisor)[-1] == ("hours_entry", draft.id)

    other_draft = logged(candidate, supervisor, submit=False, minutes=40)
    submit_entry(other_draft, candidate)
    db.session.commit()
    (event,) = events("hours.submitted", other_draft.id)
    assert event.actor_id == candidate.id
    assert (event.before, event.after) == (
        {"status": "draft"},
        {"status": "submitted", "late": False},
    )
    assert hours_submitted_links(supervisor)[-1] == ("hours_entry", other_draft.id)
    assert len(hours_submitted_links(supervisor)) == 3


def test_an_edit_is_recorded_with_its_author(people):
    supervisor, candidate, _ = people
    draft = logged(candidate, supervisor, submit=False)
    edit_entry(draft, candidate, entry_input(supervisor, minutes=50), submit=False)
    db.session.commit()
    (event,) = events("hours.edited", draft.id)
    assert event.actor_id == candidate.id
    assert notices(supervisor, "hours_submitted") == []


def test_a_withdrawal_is_recorded_with_its_author_and_states(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor)
    withdraw_entry(entry, candidate)
    db.session.commit()
    (event,) = events("hours.withdrawn", entry.id)
    assert event.actor_id == candidate.id
    assert (event.before, event.after) == ({"status": "submitted"}, {"status": "draft"})


def test_submitting_a_draft_checks_what_it_holds_again(people):
    """A draft is checked afresh when it is submitted: a group keeps its size, and a
    stage, modality or note that no longer passes is refused."""
    supervisor, candidate, _ = people
    group = logged(
        candidate,
        supervisor,
        submit=False,
        category_code="group-consultation",
        group_size=4,
        stages=["attachment-awareness"],
        modalities=["ACT"],
        note="fine",
    )
    submit_entry(group, candidate)
    db.session.commit()
    assert statuses(group) == ["submitted"]

    for column, value, field in (
        ("stages", ["no-such-stage"], "stages"),
        ("modalities", ["No such modality"], "modalities"),
        ("note", "n" * 1001, "note"),
        ("group_size", None, "group_size"),
    ):
        draft = logged(
            candidate,
            supervisor,
            submit=False,
            minutes=15,
            category_code="group-consultation",
            group_size=3,
        )
        db.session.execute(
            sa.update(HoursEntry).where(HoursEntry.id == draft.id).values({column: value})
        )
        db.session.commit()
        error = refused(submit_entry, reload(draft), candidate)
        assert [f for f, _ in error.problems] == [field]
        assert statuses(draft) == ["draft"]


def test_the_signature_time_is_the_rows_last_change(people):
    supervisor, candidate, _ = people
    entry = logged(candidate, supervisor)
    sign_entries(supervisor, [entry.id], attested=True)
    db.session.commit()
    entry = reload(entry)
    assert entry.updated_at == entry.signed_at


@pytest.mark.parametrize(
    "meanwhile", [{"status": "draft"}, {"supervisor_id": None}], ids=["withdrawn", "redirected"]
)
def test_an_entry_changed_while_signing_signs_nothing(people, monkeypatch, meanwhile):
    """The entries are checked, then signed by one UPDATE that checks again: an entry
    withdrawn or moved to another supervisor in between leaves every entry unsigned."""
    supervisor, candidate, _ = people
    first = logged(candidate, supervisor)
    second = logged(candidate, supervisor, minutes=30)
    if "supervisor_id" in meanwhile:
        meanwhile = {"supervisor_id": supervisor_for_a_year().id}
    check = services.sign_refusal

    def changed_meanwhile(signer, entry, periods):
        if entry.id == second.id:
            db.session.execute(
                sa.update(HoursEntry)
                .where(HoursEntry.id == second.id)
                .values(meanwhile)
                .execution_options(synchronize_session=False)
            )
        return check(signer, entry, periods)

    monkeypatch.setattr(services, "sign_refusal", changed_meanwhile)
    error = refused(sign_entries, supervisor, [first.id, second.id], attested=True)
    assert error.problems == [
        (None, "Some entries changed while you were signing. Reload and try again.")
    ]
    assert statuses(first, second) == ["submitted", "submitted"]
    assert events("hours.signed") == []


def test_who_may_see_an_entry(people):
    supervisor, candidate, other = people
    director, admin = make_director(), make_person(Role.ADMIN)
    draft = logged(candidate, supervisor, submit=False)
    submitted = logged(candidate, supervisor, minutes=30)
    for viewer in (candidate, director, admin):
        assert can_view_entry(viewer, draft) and can_view_entry(viewer, submitted)
    assert can_view_entry(supervisor, submitted)
    assert not can_view_entry(supervisor, draft)  # the supervisor never sees a draft
    for stranger in (other, supervisor_for_a_year()):
        assert not can_view_entry(stranger, draft)
        assert not can_view_entry(stranger, submitted)


def test_active_categories_leave_out_the_retired_in_the_programmes_order(app):
    categories = list(db.session.scalars(sa.select(HoursCategory).order_by(HoursCategory.id)))
    assert len(categories) >= 3
    first, retired, *rest = categories
    retired.retired = True
    first.position = max(c.position for c in categories) + 1  # moved to the end
    db.session.flush()
    assert active_categories() == sorted([*rest, first], key=lambda c: c.position)
    assert active_categories()[-1] is first
    assert retired not in active_categories()
