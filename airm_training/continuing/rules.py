"""The rules of continuing education as pure functions over plain values: which records
count toward a credits requirement (and why the others do not), and the audit sample's
size and members."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from airm_training.core.durations import duration_label

MAX_MINUTES = 200 * 60  # one course's credits at most (a sanity bound on typing errors)


@dataclass(frozen=True)
class CeFact:
    """A record as the rules see it."""

    record_id: int
    completed_on: date
    minutes: int
    subject_area: str
    status: str  # pending, verified or rejected


@dataclass
class CeCount:
    minutes: int = 0
    record_ids: list[int] = field(default_factory=list)
    pending_minutes: int = 0  # in the cycle and subject, waiting for a director
    outside_minutes: int = 0  # verified, in the subject, but outside the cycle

    def not_counted(self) -> str:
        """Why the records on file that do not count do not, in words ("" when none)."""
        reasons = []
        if self.pending_minutes:
            reasons.append(f"{duration_label(self.pending_minutes)} waiting for verification")
        if self.outside_minutes:
            reasons.append(f"{duration_label(self.outside_minutes)} outside the renewal cycle")
        return "; ".join(reasons)


def count_credits(
    facts: Iterable[CeFact],
    *,
    subject_area: str | None,
    start: date | None,
    end: date,
) -> CeCount:
    """Verified credits completed from ``start`` (no bound when None) to ``end``, in
    ``subject_area`` when given. Rejected records never count and are not mentioned."""
    count = CeCount()
    for fact in sorted(facts, key=lambda f: (f.completed_on, f.record_id)):
        if subject_area and fact.subject_area != subject_area:
            continue
        inside = fact.completed_on <= end and (start is None or fact.completed_on >= start)
        if fact.status == "verified" and inside:
            count.minutes += fact.minutes
            count.record_ids.append(fact.record_id)
        elif fact.status == "verified":
            count.outside_minutes += fact.minutes
        elif fact.status == "pending" and inside:
            count.pending_minutes += fact.minutes
    return count


def sample_size(population: int, share: Fraction) -> int:
    """How many of ``population`` records an audit looks at: ``share`` of them rounded
    up, at least one, never more than there are (0 of none)."""
    if population <= 0:
        return 0
    return min(population, max(1, math.ceil(population * share)))


def draw_sample(record_ids: Iterable[int], share: Fraction, seed: str) -> list[int]:
    """The records sampled with ``seed``: each id is ranked by a hash of the seed and the
    id, and the lowest ranks are taken, so the same seed and records give the same sample
    whatever order they are read in."""
    ids = sorted(set(record_ids))
    ranked = sorted(ids, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())
    return sorted(ranked[: sample_size(len(ids), share)])
