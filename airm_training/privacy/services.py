"""Recording that a person confirmed flagged text identifies no client."""

from __future__ import annotations

from airm_training.audit.services import record_event
from airm_training.privacy.scan import TextFindings


def record_confirmation(
    parts: list[TextFindings], object_type: str, object_id: int | str, *, actor_id: int
) -> None:
    """Audit the confirmation of ``parts`` (kinds and spans, never the text); no-op when
    nothing was flagged."""
    if parts:
        record_event(
            "privacy.confirmed",
            object_type,
            object_id,
            actor_id=actor_id,
            after={"texts": [part.to_audit() for part in parts]},
        )


def confirm_form(form, object_type: str, object_id: int | str, *, actor_id: int) -> None:
    """The audit of a ``PrivacyChecked`` form's confirmation, after its record is saved."""
    record_confirmation(getattr(form, "privacy", []), object_type, object_id, actor_id=actor_id)
