"""What the hours feature tells people: entries submitted for sign-off, an entry
returned. Called by the hours services in the same transaction."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from airm_training.hours.models import HoursEntry
from airm_training.notifications.links import Link
from airm_training.notifications.models import NotificationKind
from airm_training.notifications.services import send
from airm_training.people.models import Person


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def notify_hours_submitted(
    person: Person, supervisor_ids: Iterable[int | None], *, entry_id: int | None = None
) -> None:
    """Entries submitted in one action: one notification per supervisor, with the count.
    A single entry links to itself, a batch to the sign-off queue of that clinician."""
    counts = Counter(sid for sid in supervisor_ids if sid is not None)
    for supervisor_id, count in counts.items():
        entries = _plural(count, "hours entry", "hours entries")
        single = bool(entry_id) and count == 1
        send(
            NotificationKind.HOURS_SUBMITTED,
            [supervisor_id],
            f"{person.full_name} submitted {entries} for your sign-off.",
            Link("hours_entry", entry_id) if single else Link("hours_queue", person.id),
            actor_id=person.id,
        )


def notify_hours_returned(entry: HoursEntry) -> None:
    send(
        NotificationKind.HOURS_RETURNED,
        [entry.person_id],
        f"Your hours entry of {entry.session_date.isoformat()} ({entry.duration_label}) was "
        "returned to you. Open it to see what needs to change.",
        Link("hours_entry", entry.id),
        actor_id=entry.supervisor_id,
    )
