"""Hours actions: log, edit, submit, withdraw, delete, amend, sign and return.

Each function enforces every rule, writes its audit event and flushes; the caller
(a request or a command) commits once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from flask import current_app

from airm_training.access.supervision import held_on, supervision_periods
from airm_training.audit.services import record_event
from airm_training.core.clock import add_months, today, utcnow
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.hours.models import (
    COUNTED_FOR_DAY,
    HoursAction,
    HoursEntry,
    HoursStatus,
)
from airm_training.hours.notices import notify_hours_returned, notify_hours_submitted
from airm_training.hours.rules import EntryContext, EntryInput, entry_problems, is_late
from airm_training.hours.workflow import (
    NOT_CURRENT,
    TRANSITIONS,
    can_amend,
    can_delete,
    can_edit,
    can_return,
    can_submit,
    can_withdraw,
    moves,
    sign_refusal,
)
from airm_training.people.models import Person, Role
from airm_training.programme.models import HoursCategory, ModuleStage
from airm_training.programme.services import current_version, taxonomy

ATTESTATION = (
    "I attest that these hours were logged with me, that I supervised or consulted on "
    "them as described, and that to the best of my knowledge each entry is accurate."
)


# --- permissions ---------------------------------------------------------------------
def can_view_entry(viewer: Person, entry: HoursEntry) -> bool:
    """The clinician and directors see every entry; the supervisor it was logged with
    sees it once submitted, never as a draft."""
    if viewer.id == entry.person_id or viewer.has_role(Role.DIRECTOR, Role.ADMIN):
        return True
    return viewer.id == entry.supervisor_id and entry.state is not HoursStatus.DRAFT


# --- reference data ------------------------------------------------------------------
def active_categories() -> list[HoursCategory]:
    return list(
        db.session.scalars(
            sa.select(HoursCategory)
            .where(HoursCategory.retired.is_(False))
            .order_by(HoursCategory.position)
        )
    )


def stage_codes() -> frozenset[str]:
    return frozenset(
        s.value for s in ModuleStage if s not in (ModuleStage.FOUNDATIONS, ModuleStage.SUPERVISION)
    )


def oldest_session(day: date) -> date | None:
    """The earliest session date that may be logged on ``day`` (the programme's
    ``[hours_policy] oldest_session_months``), or None without a limit."""
    version = current_version()
    policy = version.definition.get("hours_policy", {}) if version else {}
    months = policy.get("oldest_session_months")
    return add_months(day, -int(months)) if months else None


def minutes_by_day(person_id: int, days: Iterable[date], *, exclude_ids: Iterable[int] = ()):
    """Minutes already logged by the person on each of ``days`` (one query)."""
    days = set(days)
    if not days:
        return {}
    statement = (
        sa.select(HoursEntry.session_date, sa.func.sum(HoursEntry.minutes))
        .where(
            HoursEntry.person_id == person_id,
            HoursEntry.session_date.in_(days),
            HoursEntry.status.in_([s.value for s in COUNTED_FOR_DAY]),
        )
        .group_by(HoursEntry.session_date)
    )
    excluded = [i for i in exclude_ids if i is not None]
    if excluded:
        statement = statement.where(HoursEntry.id.not_in(excluded))
    return {day: int(total) for day, total in db.session.execute(statement)}


def _context(person: Person, data: EntryInput, *, exclude_ids: Iterable[int]) -> EntryContext:
    category = db.session.scalar(
        sa.select(HoursCategory).where(HoursCategory.code == data.category_code)
    )
    periods = (
        supervision_periods({data.supervisor_id}).get(data.supervisor_id, [])
        if data.supervisor_id
        else []
    )
    day = today()
    return EntryContext(
        person_id=person.id,
        today=day,
        category=category,
        supervisor_held_on_session_date=held_on(periods, data.session_date),
        supervisor_held_today=held_on(periods, day),
        other_minutes_that_day=minutes_by_day(
            person.id, [data.session_date], exclude_ids=exclude_ids
        ).get(data.session_date, 0),
        stage_codes=stage_codes(),
        modality_names=taxonomy().modalities,
        oldest_session=oldest_session(day),
    )


def check_entry(
    person: Person, data: EntryInput, *, submitting: bool, exclude_ids=()
) -> EntryContext:
    """Raise DomainError listing every rule ``data`` breaks; change nothing."""
    ctx = _context(person, data, exclude_ids=exclude_ids)
    problems = entry_problems(data, ctx, submitting=submitting)
    if problems:
        raise DomainError(*problems)
    return ctx


def _apply(entry: HoursEntry, data: EntryInput, category: HoursCategory) -> None:
    entry.session_date = data.session_date
    entry.minutes = data.minutes
    entry.category_id = category.id
    entry.category = category
    entry.supervisor_id = data.supervisor_id
    entry.stages = sorted(set(data.stages))
    entry.modalities = sorted(set(data.modalities))
    entry.group_size = data.group_size
    entry.note = data.note.strip()


def _move(entry: HoursEntry, action: HoursAction) -> HoursStatus:
    """Move ``entry`` along its transition table (refused when the table has no row)."""
    moves(entry, action).enforce()
    new_state = TRANSITIONS[(entry.state, action)]
    entry.status = new_state.value
    return new_state


def _mark_submitted(entry: HoursEntry) -> None:
    entry.submitted_at = utcnow()
    entry.late = is_late(entry.session_date, today(), current_app.config["LATE_ENTRY_DAYS"])


def identical_entries(person: Person, data: EntryInput) -> list[HoursEntry]:
    """The person's live entries with the same date, category, minutes and supervisor
    (a form posted twice, e.g. with the back button)."""
    return list(
        db.session.scalars(
            sa.select(HoursEntry)
            .join(HoursCategory, HoursCategory.id == HoursEntry.category_id)
            .where(
                HoursEntry.person_id == person.id,
                HoursEntry.session_date == data.session_date,
                HoursCategory.code == data.category_code,
                HoursEntry.minutes == data.minutes,
                HoursEntry.supervisor_id.is_(None)
                if data.supervisor_id is None
                else HoursEntry.supervisor_id == data.supervisor_id,
                HoursEntry.status != HoursStatus.SUPERSEDED.value,
            )
            .order_by(HoursEntry.id)
        )
    )


# --- the clinician's actions ---------------------------------------------------------------
def log_entry(
    person: Person, data: EntryInput, *, submit: bool, duplicate_confirmed: bool = False
) -> HoursEntry:
    """Create an entry, as a draft or submitted for sign-off at once. An entry identical
    to one already logged needs ``duplicate_confirmed``."""
    ctx = check_entry(person, data, submitting=submit)
    same = identical_entries(person, data)
    if same and not duplicate_confirmed:
        raise DomainError.on(
            "confirm_duplicate",
            f"You already logged an identical entry (entry {same[0].id}: "
            f"{data.session_date.isoformat()}, {ctx.category.name}, {data.minutes} min, the "
            "same supervisor). Tick the box to log a second session all the same.",
        )
    entry = HoursEntry(person_id=person.id, status=HoursStatus.DRAFT.value)
    _apply(entry, data, ctx.category)
    if submit:
        _move(entry, HoursAction.SUBMIT)
        _mark_submitted(entry)
    db.session.add(entry)
    db.session.flush()
    record_event(
        "hours.submitted" if submit else "hours.drafted",
        "hours_entry",
        entry.id,
        actor_id=person.id,
        after=entry.to_audit(),
    )
    if submit:
        notify_hours_submitted(person, [entry.supervisor_id], entry_id=entry.id)
    return entry


def edit_entry(entry: HoursEntry, person: Person, data: EntryInput, *, submit: bool) -> None:
    """Change a draft or returned entry (and optionally submit it)."""
    can_edit(person, entry).enforce()
    ctx = _check_revision(entry, person, data, submitting=submit)
    before = entry.to_audit()
    was_returned = entry.state is HoursStatus.RETURNED
    _apply(entry, data, ctx.category)
    if submit:
        _move(entry, HoursAction.SUBMIT)
        _mark_submitted(entry)
    db.session.flush()
    action = "hours.edited"
    if submit:
        action = "hours.resubmitted" if was_returned else "hours.submitted"
    record_event(
        action,
        "hours_entry",
        entry.id,
        actor_id=person.id,
        before=before,
        after=entry.to_audit(),
    )
    if submit:
        notify_hours_submitted(person, [entry.supervisor_id], entry_id=entry.id)


def _check_revision(entry: HoursEntry, person: Person, data: EntryInput, *, submitting: bool):
    """Rules for changing an existing entry. An amendment keeps its original's signer,
    and the original's time does not count against its own replacement."""
    if entry.amends_id is None:
        return check_entry(person, data, submitting=submitting, exclude_ids=[entry.id])
    original = db.session.get(HoursEntry, entry.amends_id)
    if data.supervisor_id != original.signed_by_id:
        raise DomainError.on(
            "supervisor", "An amendment is signed by the supervisor who signed the original."
        )
    return check_entry(person, data, submitting=submitting, exclude_ids=[entry.id, original.id])


def submit_entry(entry: HoursEntry, person: Person) -> None:
    can_submit(person, entry).enforce()
    _check_revision(entry, person, _input_of(entry), submitting=True)
    before = entry.status
    _move(entry, HoursAction.SUBMIT)
    _mark_submitted(entry)
    db.session.flush()
    record_event(
        "hours.submitted",
        "hours_entry",
        entry.id,
        actor_id=person.id,
        before={"status": before},
        after={"status": entry.status, "late": entry.late},
    )
    notify_hours_submitted(person, [entry.supervisor_id], entry_id=entry.id)


def withdraw_entry(entry: HoursEntry, person: Person) -> None:
    """Take a submitted entry back to draft (before the supervisor acts on it)."""
    can_withdraw(person, entry).enforce()
    _move(entry, HoursAction.WITHDRAW)
    entry.submitted_at = None
    db.session.flush()
    record_event(
        "hours.withdrawn",
        "hours_entry",
        entry.id,
        actor_id=person.id,
        before={"status": HoursStatus.SUBMITTED.value},
        after={"status": entry.status},
    )


def delete_entry(entry: HoursEntry, person: Person) -> None:
    can_delete(person, entry).enforce()
    record_event(
        "hours.deleted", "hours_entry", entry.id, actor_id=person.id, before=entry.to_audit()
    )
    db.session.delete(entry)
    db.session.flush()


def request_amendment(original: HoursEntry, person: Person, data: EntryInput) -> HoursEntry:
    """Propose a correction to a signed entry; its signer must sign the amendment."""
    can_amend(person, original).enforce()
    if data.supervisor_id != original.signed_by_id:
        raise DomainError.on(
            "supervisor", "An amendment is signed by the supervisor who signed the original."
        )
    ctx = check_entry(person, data, submitting=True, exclude_ids=[original.id])
    amendment = HoursEntry(
        person_id=person.id, status=HoursStatus.DRAFT.value, amends_id=original.id
    )
    _apply(amendment, data, ctx.category)
    _move(amendment, HoursAction.SUBMIT)
    _mark_submitted(amendment)
    db.session.add(amendment)
    db.session.flush()
    record_event(
        "hours.amendment_requested",
        "hours_entry",
        amendment.id,
        actor_id=person.id,
        before=original.to_audit(),
        after=amendment.to_audit(),
    )
    notify_hours_submitted(person, [amendment.supervisor_id], entry_id=amendment.id)
    return amendment


def _input_of(entry: HoursEntry) -> EntryInput:
    return EntryInput(
        session_date=entry.session_date,
        minutes=entry.minutes,
        category_code=entry.category.code,
        supervisor_id=entry.supervisor_id,
        stages=list(entry.stages or []),
        modalities=list(entry.modalities or []),
        group_size=entry.group_size,
        note=entry.note,
    )


# --- the supervisor's actions --------------------------------------------------------------
MAX_SIGN_AT_ONCE = 500  # entries in one sign-off; more is refused with a message


def sign_entries(supervisor: Person, entry_ids: list[int], *, attested: bool) -> int:
    """Sign submitted entries logged with ``supervisor``; all of them or none."""
    if not attested:
        raise DomainError.on("attest", "Confirm the attestation to sign.")
    ids = sorted(set(entry_ids))
    if not ids:
        raise DomainError.on(None, "Choose at least one entry to sign.")
    if len(ids) > MAX_SIGN_AT_ONCE:
        raise DomainError.on(
            None,
            f"Sign at most {MAX_SIGN_AT_ONCE} entries at a time ({len(ids)} were chosen); "
            "nothing was signed.",
        )
    entries = list(
        db.session.scalars(
            sa.select(HoursEntry).where(HoursEntry.id.in_(ids)).with_for_update(of=HoursEntry)
        )
    )
    periods = supervision_periods({supervisor.id})[supervisor.id]
    if not held_on(periods, today()):
        raise DomainError.on(None, NOT_CURRENT)
    problems = []
    if len(entries) != len(ids):
        problems.append((None, "Some of these entries no longer exist."))
    for entry in entries:
        reason = sign_refusal(supervisor, entry, periods)
        if reason:
            problems.append((None, f"Entry {entry.id}: {reason}"))
    if problems:
        raise DomainError(*problems)
    now = utcnow()
    changed = db.session.execute(
        sa.update(HoursEntry)
        .where(
            HoursEntry.id.in_(ids),
            HoursEntry.status == HoursStatus.SUBMITTED.value,
            HoursEntry.supervisor_id == supervisor.id,
        )
        .values(
            status=TRANSITIONS[(HoursStatus.SUBMITTED, HoursAction.SIGN)].value,
            signed_by_id=supervisor.id,
            signed_at=now,
            attestation=ATTESTATION,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != len(ids):  # someone withdrew or signed meanwhile
        raise DomainError.on(
            None, "Some entries changed while you were signing. Reload and try again."
        )
    for entry in entries:
        if entry.amends_id is not None:
            _supersede(entry.amends_id, supervisor)
        record_event(
            "hours.signed",
            "hours_entry",
            entry.id,
            actor_id=supervisor.id,
            before={"status": HoursStatus.SUBMITTED.value},
            after={"status": HoursStatus.SIGNED.value, "attestation": ATTESTATION},
        )
    db.session.expire_all()
    return len(ids)


def _supersede(original_id: int, supervisor: Person) -> None:
    original = db.session.get(HoursEntry, original_id)
    _move(original, HoursAction.SUPERSEDE)
    db.session.flush()
    record_event(
        "hours.superseded",
        "hours_entry",
        original.id,
        actor_id=supervisor.id,
        before={"status": HoursStatus.SIGNED.value},
        after={"status": original.status},
    )


def return_entry(entry: HoursEntry, supervisor: Person, reason: str) -> None:
    """Send a submitted entry back to its clinician with a reason."""
    reason = reason.strip()
    if not reason:
        raise DomainError.on("reason", "Say what needs to change, so it can be fixed.")
    if len(reason) > 1000:
        raise DomainError.on("reason", "Keep the reason under 1000 characters.")
    can_return(supervisor, entry).enforce()
    _move(entry, HoursAction.RETURN)
    entry.returned_at = utcnow()
    entry.return_reason = reason
    db.session.flush()
    record_event(
        "hours.returned",
        "hours_entry",
        entry.id,
        actor_id=supervisor.id,
        before={"status": HoursStatus.SUBMITTED.value},
        after={"status": entry.status, "reason": reason},
    )
    notify_hours_returned(entry)
