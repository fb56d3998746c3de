"""Hours services at their edges, found by mutation testing of ``hours/services.py``: a
signed row with no signer on record (an import bug, a manual fix) still never yields an
amendment without a supervisor, and the duplicate warning names the oldest identical entry."""

import pytest
import sqlalchemy as sa

from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.hours.services import (
    edit_entry,
    identical_entries,
    log_entry,
    request_amendment,
    submit_entry,
    withdraw_entry,
)
from tests.factories import make_candidate, make_director
from tests.test_hours_services import (
    entry_input,
    logged,
    refused,
    reload,
    signed,
    statuses,
    supervisor_for_a_year,
    yesterday,
)

NO_SUPERVISOR = [("supervisor", "Choose the supervisor who will sign this entry.")]


@pytest.fixture
def people(app):
    """A supervisor current for a year and a candidate."""
    return supervisor_for_a_year(), make_candidate(director=make_director())


def signed_without_a_signer(candidate, supervisor) -> HoursEntry:
    """A signed didactic entry whose signer is not on record."""
    entry = signed(candidate, supervisor, category_code="didactic")
    db.session.execute(
        sa.update(HoursEntry).where(HoursEntry.id == entry.id).values(signed_by_id=None)
    )
    db.session.commit()
    entry = reload(entry)
    assert (entry.status, entry.signed_by_id) == ("signed", None)
    return entry


def amendments_of(original: HoursEntry) -> list[int]:
    return list(
        db.session.scalars(sa.select(HoursEntry.id).where(HoursEntry.amends_id == original.id))
    )


def test_an_amendment_of_a_row_without_a_signer_still_needs_a_supervisor(people):
    """The amendment goes for sign-off at once, so it needs a supervisor even in a
    category whose drafts may leave one out."""
    supervisor, candidate = people
    original = signed_without_a_signer(candidate, supervisor)
    data = entry_input(None, category_code="didactic", minutes=90)
    error = refused(request_amendment, original, candidate, data)
    assert error.problems == NO_SUPERVISOR
    assert amendments_of(original) == []
    assert statuses(original) == ["signed"]


def test_an_amendment_cannot_be_resubmitted_without_a_supervisor(people):
    """An amendment taken back to draft, whose original has lost its signer, is checked as
    a submission when it is submitted again, by editing or by submitting."""
    supervisor, candidate = people
    original = signed(candidate, supervisor, category_code="didactic")
    amendment = request_amendment(
        original, candidate, entry_input(supervisor, category_code="didactic", minutes=90)
    )
    db.session.commit()
    withdraw_entry(amendment, candidate)
    db.session.commit()
    db.session.execute(
        sa.update(HoursEntry).where(HoursEntry.id == original.id).values(signed_by_id=None)
    )
    db.session.execute(
        sa.update(HoursEntry).where(HoursEntry.id == amendment.id).values(supervisor_id=None)
    )
    db.session.commit()
    amendment = reload(amendment)
    data = entry_input(None, category_code="didactic", minutes=90)

    error = refused(edit_entry, amendment, candidate, data, submit=True)
    assert error.problems == NO_SUPERVISOR
    error = refused(submit_entry, reload(amendment), candidate)
    assert error.problems == NO_SUPERVISOR
    assert statuses(amendment) == ["draft"]
    # As a draft the same change is accepted: only the submission needs the supervisor.
    edit_entry(reload(amendment), candidate, data, submit=False)
    db.session.commit()
    assert (reload(amendment).minutes, reload(amendment).status) == (90, HoursStatus.DRAFT)


def test_identical_entries_come_oldest_first_whatever_their_state(people):
    supervisor, candidate = people
    first = signed(candidate, supervisor)
    second = logged(candidate, supervisor, submit=False)  # an identical draft, logged later
    data = entry_input(supervisor)
    assert [e.id for e in identical_entries(candidate, data)] == [first.id, second.id]
    error = refused(log_entry, candidate, data, submit=True)
    ((field, reason),) = error.problems
    assert field == "confirm_duplicate"
    assert reason.startswith(
        f"You already logged an identical entry (entry {first.id}: {yesterday().isoformat()},"
    )
