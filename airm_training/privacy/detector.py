"""The detector: every rule over the text, overlapping spans resolved, findings in order."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from airm_training.privacy import patterns, people
from airm_training.privacy.findings import Finding
from airm_training.privacy.people import Registry, Span

MAX_TEXT = 200_000  # longer texts (a PDF's) are scanned in their first part only

Rule = Callable[[str, Registry], Iterable[Span]]


def _plain(rule: Callable[[str], Iterable[Span]]) -> Rule:
    return lambda text, _registry: rule(text)


# In order of precedence: where two findings overlap, the one of the earlier rule is kept.
RULES: dict[str, Rule] = {
    "email": _plain(patterns.emails),
    "handle": _plain(patterns.handles),
    "ip_address": _plain(patterns.ip_addresses),
    "ssn": _plain(patterns.social_security_numbers),
    "date_of_birth": _plain(patterns.dates_of_birth),
    "phone": _plain(patterns.phones),
    "record_number": _plain(patterns.record_numbers),
    "address": people.addresses,
    "id_number": _plain(patterns.document_numbers),
    "relative_name": people.client_names,
    "honorific_name": people.honorific_names,
    "known_name": people.known_names,
    "initials": people.initials,
    "age": people.ages,
    "employer_school": people.employers_and_schools,
    "place": people.places,
}
NO_REGISTRY = Registry()


def detect(text: str | None, registry: Registry = NO_REGISTRY) -> list[Finding]:
    """Spans of ``text`` that look like they identify a client, ordered by position."""
    if not text or not text.strip():
        return []
    text = text[:MAX_TEXT]
    kept: list[Finding] = []
    for rule in RULES.values():
        found = sorted(set(rule(text, registry)), key=lambda span: (span[0], span[0] - span[1]))
        for start, end, kind in found:
            if end > start and not any(start < k.end and k.start < end for k in kept):
                kept.append(Finding(start, end, kind))
    return sorted(kept)
