"""The hours entry's workflow: its transition table and one ``can_<action>(person, entry)``
per action. The services enforce these verdicts; the entry page shows an action's form
only when its verdict allows it."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from airm_training.access.signed_in import person_is_supervisor
from airm_training.access.supervision import held_on, supervision_periods
from airm_training.core.clock import today
from airm_training.core.workflow import ALLOWED, Verdict, next_state, refused
from airm_training.extensions import db
from airm_training.hours.models import HoursAction, HoursEntry, HoursStatus
from airm_training.people.models import Person

TRANSITIONS: dict[tuple[HoursStatus, HoursAction], HoursStatus] = {
    (HoursStatus.DRAFT, HoursAction.SUBMIT): HoursStatus.SUBMITTED,
    (HoursStatus.RETURNED, HoursAction.SUBMIT): HoursStatus.SUBMITTED,
    (HoursStatus.SUBMITTED, HoursAction.WITHDRAW): HoursStatus.DRAFT,
    (HoursStatus.SUBMITTED, HoursAction.SIGN): HoursStatus.SIGNED,
    (HoursStatus.SUBMITTED, HoursAction.RETURN): HoursStatus.RETURNED,
    (HoursStatus.SIGNED, HoursAction.SUPERSEDE): HoursStatus.SUPERSEDED,
}
# Drafts and returned entries are changed in place (edited, deleted); they are the states
# from which SUBMIT leads on without a supervisor.
EDITABLE = frozenset({HoursStatus.DRAFT, HoursStatus.RETURNED})
NOT_OWNER = "Only the clinician who logged this entry can change it."


def moves(entry: HoursEntry, action: HoursAction) -> Verdict:
    """Whether the table has a row for ``action`` from the entry's state."""
    if next_state(TRANSITIONS, entry.state, action) is None:
        return refused(
            f"An entry that is “{entry.state.label.lower()}” cannot be {action.value}ed."
        )
    return ALLOWED


def _owner(person: Person, entry: HoursEntry) -> Verdict:
    return ALLOWED if entry.person_id == person.id else refused(NOT_OWNER)


# --- the clinician --------------------------------------------------------------------------
def can_submit(person: Person, entry: HoursEntry) -> Verdict:
    return _owner(person, entry) and moves(entry, HoursAction.SUBMIT)


def can_withdraw(person: Person, entry: HoursEntry) -> Verdict:
    return _owner(person, entry) and moves(entry, HoursAction.WITHDRAW)


def can_edit(person: Person, entry: HoursEntry) -> Verdict:
    if not _owner(person, entry):
        return _owner(person, entry)
    if entry.state not in EDITABLE:
        return refused(
            "Only drafts and returned entries can be edited. Withdraw a submitted entry "
            "first; a signed entry is corrected by an amendment."
        )
    return ALLOWED


def can_delete(person: Person, entry: HoursEntry) -> Verdict:
    if not _owner(person, entry):
        return _owner(person, entry)
    if entry.state not in EDITABLE:
        return refused("Only drafts and returned entries can be deleted.")
    return ALLOWED


def pending_amendment(original: HoursEntry) -> HoursEntry | None:
    """The amendment of ``original`` not yet signed, if any."""
    return db.session.scalar(
        sa.select(HoursEntry).where(
            HoursEntry.amends_id == original.id,
            HoursEntry.status.in_([s.value for s in EDITABLE | {HoursStatus.SUBMITTED}]),
        )
    )


def can_amend(person: Person, entry: HoursEntry) -> Verdict:
    """A signed entry is corrected by an amendment, one at a time."""
    if not _owner(person, entry):
        return _owner(person, entry)
    if entry.state is not HoursStatus.SIGNED:
        return refused("Only a signed entry is corrected by an amendment.")
    if pending_amendment(entry) is not None:
        return refused("An amendment of this entry is already waiting for sign-off.")
    return ALLOWED


# --- the supervisor -------------------------------------------------------------------------
def sign_refusal(
    supervisor: Person, entry: HoursEntry, periods: list[tuple[date, date | None]]
) -> str | None:
    """Why ``supervisor`` (whose supervision ``periods`` are given) may not sign ``entry``."""
    if entry.person_id == supervisor.id:
        return "you cannot sign your own hours."
    if entry.supervisor_id != supervisor.id:
        return "it was not logged with you."
    if not moves(entry, HoursAction.SIGN):
        return f"it is {entry.state.label.lower()}, not waiting for sign-off."
    if entry.category.requires_supervisor and not held_on(periods, entry.session_date):
        return "your AIRT-S was not current on the session date."
    if entry.amends is not None and entry.amends.signed_by_id != supervisor.id:
        return "an amendment is signed by the supervisor who signed the original."
    return None


NOT_CURRENT = "Your AIRT-S is not current: you cannot sign hours until it is renewed."


def can_sign(supervisor: Person, entry: HoursEntry) -> Verdict:
    periods = supervision_periods({supervisor.id})[supervisor.id]
    if not held_on(periods, today()):
        return refused(NOT_CURRENT)
    reason = sign_refusal(supervisor, entry, periods)
    return refused(f"Entry {entry.id}: {reason}") if reason else ALLOWED


def can_return(supervisor: Person, entry: HoursEntry) -> Verdict:
    if entry.supervisor_id != supervisor.id or entry.person_id == supervisor.id:
        return refused("Only the supervisor this entry was logged with can return it.")
    if not person_is_supervisor(supervisor):
        return refused("Your AIRT-S is not current: you cannot return hours until it is renewed.")
    return moves(entry, HoursAction.RETURN)
