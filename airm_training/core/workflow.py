"""The mechanism of a workflow: a transition table ``{(state, action): new_state}`` and
the verdict of a ``can_<action>(person, obj)`` function.

A ``Verdict`` is true when the action is allowed; when it is not, it carries the reason
shown to the person. Templates test it (``{% if can_sign(current_user, entry) %}``);
services ``enforce()`` it, which raises the reason as a ``DomainError``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from airm_training.core.errors import DomainError

State = TypeVar("State")
Action = TypeVar("Action")


@dataclass(frozen=True)
class Verdict:
    reason: str | None = None

    def __bool__(self) -> bool:
        return self.reason is None

    def enforce(self) -> None:
        """Raise the reason as a ``DomainError`` when the action is not allowed."""
        if self.reason is not None:
            raise DomainError.on(None, self.reason)


ALLOWED = Verdict()


def refused(reason: str) -> Verdict:
    return Verdict(reason)


def next_state(
    transitions: Mapping[tuple[State, Action], State], state: State, action: Action
) -> State | None:
    """The state ``action`` leads to from ``state``, or None when the table has no row."""
    return transitions.get((state, action))
