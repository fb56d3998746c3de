"""The rules of continuing education as pure functions: verified credits by subject area
inside the cycle's bounds, what does not count and why, the audit sample's size (rounded
up, at least one) and its reproducible draw."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from airm_training.continuing.policy import policy_from
from airm_training.continuing.rules import CeFact, count_credits, draw_sample, sample_size
from airm_training.programme.labels import requirement_label

START, END = date(2026, 1, 10), date(2026, 6, 30)


def fact(record_id, day, minutes, subject="airm", status="verified"):
    return CeFact(record_id, day, minutes, subject, status)


def test_verified_credits_are_summed_by_subject_area():
    facts = [
        fact(1, date(2026, 2, 1), 180),
        fact(2, date(2026, 3, 1), 90, "ethics"),
        fact(3, date(2026, 4, 1), 45),
    ]
    every = count_credits(facts, subject_area=None, start=START, end=END)
    airm = count_credits(facts, subject_area="airm", start=START, end=END)
    ethics = count_credits(facts, subject_area="ethics", start=START, end=END)
    assert (every.minutes, every.record_ids) == (315, [1, 2, 3])
    assert (airm.minutes, airm.record_ids) == (225, [1, 3])
    assert (ethics.minutes, ethics.record_ids) == (90, [2])


def test_the_cycle_bounds_are_inclusive_and_what_is_outside_is_named():
    facts = [
        fact(1, START, 60),  # the first day of the cycle counts
        fact(2, END, 60),  # so does the day of evaluation
        fact(3, date(2026, 1, 9), 120),  # the day before the cycle does not
    ]
    count = count_credits(facts, subject_area=None, start=START, end=END)
    assert count.minutes == 120 and count.record_ids == [1, 2]
    assert count.outside_minutes == 120
    assert count.not_counted() == "2 h outside the renewal cycle"
    assert count_credits(facts, subject_area=None, start=None, end=END).minutes == 240


def test_unverified_records_do_not_count():
    facts = [
        fact(1, date(2026, 2, 1), 150, status="pending"),
        fact(2, date(2026, 2, 2), 300, status="rejected"),
        fact(3, date(2026, 2, 3), 60),
    ]
    count = count_credits(facts, subject_area=None, start=START, end=END)
    assert count.minutes == 60 and count.record_ids == [3]
    assert count.pending_minutes == 150
    assert count.not_counted() == "2 h 30 waiting for verification"  # rejected: not mentioned


@pytest.mark.parametrize(
    ("population", "share", "expected"),
    [
        (0, "0.25", 0),  # nothing to sample
        (1, "0.25", 1),  # at least one
        (3, "0.1", 1),  # 0.3 rounds up
        (4, "0.25", 1),  # exactly one
        (5, "0.25", 2),  # 1.25 rounds up
        (30, "0.1", 3),  # exactly 3: no floating-point 3.0000000000000004 rounding to 4
        (10, "1", 10),  # everything
        (2, "0", 1),  # a zero share still samples one
    ],
)
def test_the_sample_size_is_the_share_rounded_up_and_at_least_one(population, share, expected):
    assert sample_size(population, Fraction(share)) == expected


def test_the_draw_is_reproducible_from_its_seed_whatever_the_order():
    ids = list(range(1, 41))
    first = draw_sample(ids, Fraction("0.25"), "seed-a")
    assert len(first) == 10 and set(first) <= set(ids)
    assert draw_sample(reversed(ids), Fraction("0.25"), "seed-a") == first
    others = {tuple(draw_sample(ids, Fraction("0.25"), f"seed-{n}")) for n in range(8)}
    assert len(others) > 1  # another seed draws another sample


def test_the_policy_reads_the_programme_section():
    policy = policy_from(
        {"audit_share": 0.2, "subject_areas": [{"code": "ethics", "name": "Ethics"}]}
    )
    assert policy.share == Fraction(1, 5)
    assert policy.subject_names() == {"ethics": "Ethics"}


def test_the_label_is_derived_from_the_parameters():
    subjects = {"ethics": "Ethics and professional practice"}
    assert (
        requirement_label({"kind": "ce_credits", "minimum_hours": 12, "within": "cycle"}, {})
        == "Verified continuing education in the cycle: 12 hours"
    )
    assert (
        requirement_label(
            {
                "kind": "ce_credits",
                "subject_area": "ethics",
                "minimum_minutes": 90,
                "within": "cycle",
            },
            {},
            subjects,
        )
        == "Verified continuing education in Ethics and professional practice in the cycle: "
        "1.5 hours"
    )
    assert (
        requirement_label({"kind": "ce_credits", "minimum_hours": 1, "within_months": 24}, {})
        == "Verified continuing education: 1 hour (in the last 24 months)"
    )
