"""What the continuing-education feature tells people: a director's review of a record
(its holder). Texts carry the date and the credits only, never titles or reasons."""

from __future__ import annotations

from airm_training.continuing.models import CeRecord, CeStatus
from airm_training.core.durations import duration_label
from airm_training.notifications.links import Link
from airm_training.notifications.models import NotificationKind
from airm_training.notifications.services import send


def notify_ce_reviewed(record: CeRecord) -> None:
    """Tell the holder that their record was verified (its credits count) or not."""
    credits = duration_label(record.minutes)
    what = f"continuing education of {record.completed_on.isoformat()} ({credits})"
    outcome = (
        "was verified; its credits count"
        if record.state is CeStatus.VERIFIED
        else "was not verified; open it to see why"
    )
    send(
        NotificationKind.CE_REVIEWED,
        [record.person_id],
        f"Your {what} {outcome}.",
        Link("ce_record", record.id),
        actor_id=record.reviewed_by_id,
    )
