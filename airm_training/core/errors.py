"""Domain errors raised by services and shown by views next to the offending field."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken. ``problems`` are ``(field, reason)`` pairs; field may be None."""

    def __init__(self, *problems: tuple[str | None, str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(reason for _, reason in self.problems))

    @classmethod
    def on(cls, field: str | None, reason: str) -> DomainError:
        return cls((field, reason))
