"""The rules an hours entry must satisfy, as plain functions of plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from airm_training.privacy import detect, labels_of
from airm_training.programme.models import HoursCategory

MAX_MINUTES = 720
MAX_MINUTES_PER_DAY = 16 * 60
MAX_NOTE_LENGTH = 1000
MAX_GROUP_SIZE = 100

Problem = tuple[str | None, str]


@dataclass
class EntryInput:
    """What a person typed (or a CSV row said), already parsed into Python values."""

    session_date: date
    minutes: int
    category_code: str
    supervisor_id: int | None = None
    stages: list[str] = field(default_factory=list)
    modalities: list[str] = field(default_factory=list)
    group_size: int | None = None
    note: str = ""


@dataclass(frozen=True)
class EntryContext:
    """Facts from the database that the rules need, loaded by the caller."""

    person_id: int
    today: date
    category: HoursCategory | None
    supervisor_held_on_session_date: bool
    supervisor_held_today: bool
    other_minutes_that_day: int
    stage_codes: frozenset[str]
    modality_names: frozenset[str]
    oldest_session: date | None = None  # sessions before this day are refused


def entry_problems(data: EntryInput, ctx: EntryContext, *, submitting: bool) -> list[Problem]:
    """Every broken rule, each with the field it concerns and a message for the person."""
    problems: list[Problem] = []
    if data.session_date > ctx.today:
        problems.append(("session_date", "The session date cannot be in the future."))
    elif ctx.oldest_session is not None and data.session_date < ctx.oldest_session:
        problems.append(
            (
                "session_date",
                f"Sessions before {ctx.oldest_session.isoformat()} are too old to be logged: "
                "the programme accepts sessions from the last "
                f"{_months_text(ctx.today, ctx.oldest_session)}.",
            )
        )
    if not 1 <= data.minutes <= MAX_MINUTES:
        problems.append(("minutes", "A session lasts between 1 minute and 12 hours."))
    elif ctx.other_minutes_that_day + data.minutes > MAX_MINUTES_PER_DAY:
        logged = ctx.other_minutes_that_day / 60
        problems.append(
            (
                "minutes",
                f"That would make more than 16 hours on {data.session_date}: "
                f"{logged:g} h are already logged that day.",
            )
        )
    category = ctx.category
    if category is None or category.retired:
        problems.append(("category", "Choose a category."))
    problems += _supervisor_problems(data, ctx, submitting=submitting)
    if category is not None and category.is_group:
        if data.group_size is None:
            problems.append(("group_size", "Enter how many clinicians took part in the group."))
        elif not 2 <= data.group_size <= MAX_GROUP_SIZE:
            problems.append(("group_size", f"A group has 2 to {MAX_GROUP_SIZE} participants."))
    elif data.group_size is not None:
        problems.append(("group_size", "Group size applies only to group categories."))
    unknown_stages = set(data.stages) - ctx.stage_codes
    if unknown_stages:
        problems.append(("stages", f"Unknown AIRM stage: {', '.join(sorted(unknown_stages))}."))
    unknown_modalities = set(data.modalities) - ctx.modality_names
    if unknown_modalities:
        problems.append(
            ("modalities", f"Unknown modality: {', '.join(sorted(unknown_modalities))}.")
        )
    if len(data.note) > MAX_NOTE_LENGTH:
        problems.append(("note", f"Keep the note under {MAX_NOTE_LENGTH} characters."))
    return problems


def _months_text(day: date, oldest: date) -> str:
    months = (day.year - oldest.year) * 12 + day.month - oldest.month
    return f"{months} months" if months != 1 else "month"


def _supervisor_problems(data: EntryInput, ctx: EntryContext, *, submitting: bool) -> list[Problem]:
    category = ctx.category
    if data.supervisor_id is None:
        if submitting or (category is not None and category.requires_supervisor):
            return [("supervisor", "Choose the supervisor who will sign this entry.")]
        return []
    if data.supervisor_id == ctx.person_id:
        return [("supervisor", "You cannot be your own supervisor.")]
    if category is not None and category.requires_supervisor:
        if not ctx.supervisor_held_on_session_date:
            return [
                (
                    "supervisor",
                    "This supervisor did not hold a current AIRT-S on the session date: "
                    "consultation counts only with a current AIRT-S.",
                )
            ]
    elif not ctx.supervisor_held_today:
        return [("supervisor", "This person does not hold a current AIRT-S and cannot sign.")]
    return []


def is_late(session_date: date, submitted_on: date, window_days: int) -> bool:
    return (submitted_on - session_date).days > window_days


# --- client-identifying information ------------------------------------------------------
def identifier_warnings(text: str) -> list[str]:
    """Kinds of client-identifying information the text seems to contain."""
    return labels_of(detect(text))
