"""A reference oracle for the requirement engine. Random histories (enrolments, hours
entries in every state and on any date, supervisors whose AIRT-S lapses, is renewed or
revoked, programme versions with their own numbers) are written straight into the
tables; the engine's standing of each person is compared with a deliberately simple
reference written from DOMAIN.md alone: plain Python over the raw rows, sharing no code
with the engine. Any disagreement is a bug in one of them.

Runs ``ORACLE_EXAMPLES`` examples (200 by default, also in CI)."""

from __future__ import annotations

import calendar
import copy
import os
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import count

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from airm_training.core.clock import today, utcnow
from airm_training.credentials.models import CredentialAward, Enrolment
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry
from airm_training.people.models import Role
from airm_training.programme.loader import DEFAULT_PROGRAMME_FILE, load_programme
from airm_training.programme.models import CredentialLevel, HoursCategory
from airm_training.progression import summary, tally
from airm_training.progression.engine import evaluate_many
from airm_training.progression.summary import Progress
from tests.factories import make_person
from tests.hostile import example_savepoint

ORACLE_EXAMPLES = int(os.environ.get("ORACLE_EXAMPLES", "200"))
CATEGORIES = (
    "direct-clinical",
    "individual-consultation",
    "group-consultation",
    "didactic",
    "consultation-of-consultation",
    "continuing-education",
)
STATUSES = ("draft", "submitted", "returned", "signed", "superseded")
_versions = count(100)


# --- the reference, from DOMAIN.md alone -----------------------------------------------------
def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier, on the month's last day when it has fewer days."""
    year, month = day.year, day.month - months
    while month < 1:
        month += 12
        year -= 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_after(day: date, months: int) -> date:
    year, month = day.year, day.month + months
    while month > 12:
        month -= 12
        year += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class Row:
    person: int
    day: date
    minutes: int
    category: str
    status: str
    signer: int | None


@dataclass
class AwardRow:
    person: int
    level: str
    start: date
    end: date | None
    status: str


def reference_hours(req: dict, person: int, enrolled_on: date, rows, awards, as_of: date):
    """(minutes counted, sessions counted) for one hours requirement, as DOMAIN.md says:
    signed-off hours in the categories; with a signer holding the level on the session
    date; within N months; from the enrolment date (or N months before it)."""
    earliest = months_before(enrolled_on, req.get("counts_months_before_enrolment", 0))
    minutes = sessions = 0
    for row in rows:
        if row.person != person or row.status != "signed" or row.category not in req["categories"]:
            continue
        if row.day > as_of or row.day < earliest:
            continue
        if req.get("within_months") and row.day < months_before(as_of, req["within_months"]):
            continue
        level = req.get("signed_by_level")
        if level and not any(
            a.person == row.signer
            and a.level == level
            and a.status == "active"
            and a.start <= row.day
            and (a.end is None or row.day <= a.end)
            for a in awards
        ):
            continue
        minutes += row.minutes
        sessions += 1
    return minutes, sessions


# --- random histories ---------------------------------------------------------------------
hours_requirement_changes = st.fixed_dictionaries(
    {
        "minimum_hours": st.sampled_from([0, 0.5, 1, 2, 5, 10, 40]),
        "counts_months_before_enrolment": st.sampled_from([0, 1, 2, 6]),
        "within_months": st.sampled_from([0, 1, 6, 24]),
        "min_sessions": st.sampled_from([0, 1, 2, 4]),
    }
)
award_periods = st.lists(
    st.tuples(
        st.integers(0, 1500),  # started this many days ago
        st.integers(1, 800),  # lasting this many days
        st.sampled_from(["active", "active", "active", "revoked"]),
    ),
    min_size=0,
    max_size=3,
)
entries = st.lists(
    st.tuples(
        st.integers(0, 2),  # which candidate
        st.integers(0, 1300),  # days ago
        st.integers(1, 720),
        st.sampled_from(CATEGORIES),
        st.sampled_from(STATUSES),
        st.integers(0, 2),  # which supervisor signed
    ),
    max_size=30,
)
histories = st.fixed_dictionaries(
    {
        "changes": st.lists(hours_requirement_changes, min_size=5, max_size=5),
        "enrolled_days_ago": st.lists(st.integers(0, 900), min_size=3, max_size=3),
        "supervisor_awards": st.lists(award_periods, min_size=3, max_size=3),
        "entries": entries,
    }
)


@pytest.fixture
def cast(app):
    candidates = [make_person(Role.CANDIDATE) for _ in range(3)]
    supervisors = [make_person() for _ in range(3)]
    document = tomllib.loads(DEFAULT_PROGRAMME_FILE.read_text(encoding="utf-8"))
    return [p.id for p in candidates], [p.id for p in supervisors], document


def build(history: dict, candidates: list[int], supervisors: list[int], document: dict):
    """Write the history; return what the reference needs."""
    day = today()
    document = copy.deepcopy(document)
    number = next(_versions)
    document["programme"]["version"] = number
    level = next(lv for lv in document["levels"] if lv["code"] == "AIRT-S")
    hours_requirements = [r for r in level["requirements"] if r["kind"] == "hours"]
    for req, change in zip(hours_requirements, history["changes"], strict=True):
        for key, value in change.items():
            if value:
                req[key] = value
            else:
                req.pop(key, None)
        req.setdefault("minimum_hours", 0)
    version = load_programme(
        document, checksum=f"{number:064d}", base=DEFAULT_PROGRAMME_FILE.parent, actor_id=None
    ).version
    levels = dict(db.session.execute(sa.select(CredentialLevel.code, CredentialLevel.id)).all())
    categories = dict(db.session.execute(sa.select(HoursCategory.code, HoursCategory.id)).all())
    awards: list[AwardRow] = []
    enrolled: dict[int, date] = {}
    for person, days_ago in zip(candidates, history["enrolled_days_ago"], strict=True):
        enrolled[person] = day - timedelta(days=days_ago)
        db.session.add(
            Enrolment(
                person_id=person, programme_version_id=version.id, enrolled_on=enrolled[person]
            )
        )
        awards.append(AwardRow(person, "AIRT-C", enrolled[person], None, "active"))
    for person, periods in zip(supervisors, history["supervisor_awards"], strict=True):
        for days_ago, length, status in periods:
            start = day - timedelta(days=days_ago)
            awards.append(AwardRow(person, "AIRT-S", start, start + timedelta(days=length), status))
    db.session.add_all(
        CredentialAward(
            person_id=a.person,
            level_id=levels[a.level],
            programme_version_id=version.id,
            awarded_on=a.start,
            expires_on=a.end,
            status=a.status,
        )
        for a in awards
    )
    rows = [
        Row(candidates[who], day - timedelta(days=ago), minutes, category, status, supervisors[by])
        for who, ago, minutes, category, status, by in history["entries"]
    ]
    now = utcnow()
    db.session.add_all(
        HoursEntry(
            person_id=r.person,
            session_date=r.day,
            minutes=r.minutes,
            category_id=categories[r.category],
            supervisor_id=r.signer,
            stages=[],
            modalities=[],
            note="",
            status=r.status,
            signed_by_id=r.signer if r.status in ("signed", "superseded") else None,
            signed_at=now if r.status in ("signed", "superseded") else None,
        )
        for r in rows
    )
    db.session.flush()
    return version, hours_requirements, enrolled, rows, awards


def check(history: dict, cast) -> None:
    candidates, supervisors, document = cast
    version, hours_requirements, enrolled, rows, awards = build(
        history, candidates, supervisors, document
    )
    as_of = today()
    live = evaluate_many(candidates)  # the people are marked: read from the entries
    tally.settle(db.session)  # as a commit would: their figures are kept
    standings = evaluate_many(candidates)  # read from the kept tally
    assert standings == live
    assert set(standings) == set(candidates)  # a newcomer's next level is AIRT-S
    for person in candidates:
        standing = standings[person]
        assert standing.level_code == "AIRT-S"
        assert standing.programme_version_id == version.id
        hours = [r for r in standing.results if r.kind == "hours"]
        assert len(hours) == len(hours_requirements)
        for result, req in zip(hours, hours_requirements, strict=True):
            minutes, sessions = reference_hours(req, person, enrolled[person], rows, awards, as_of)
            target = round(req["minimum_hours"] * 60)
            expected_met = minutes >= target and sessions >= req.get("min_sessions", 0)
            assert (round(result.current * 60), result.met) == (minutes, expected_met), (
                result.label,
                req,
            )
        (held,) = [r for r in standing.results if r.kind == "credential_held"]
        assert held.met == (months_after(enrolled[person], 12) <= as_of)
    later_changes_keep_the_summaries_right(candidates, supervisors, as_of)


def later_changes_keep_the_summaries_right(candidates, supervisors, as_of) -> None:
    """Keep everyone's standing summary, then change what it rests on as a later day's
    work would (the first supervisor's credentials revoked, the first entry returned),
    settle as a commit does: every row still kept equals a fresh evaluation."""
    summary.rebuild(db.session, as_of)
    db.session.execute(
        sa.update(CredentialAward)
        .where(CredentialAward.person_id == supervisors[0])
        .values(status="revoked")
    )
    first = db.session.scalar(
        sa.select(HoursEntry).where(HoursEntry.person_id.in_(candidates)).order_by(HoursEntry.id)
    )
    if first is not None:
        first.status = "returned"
    tally.settle(db.session)
    assert summary.differences(db.session, as_of) == []
    everyone = sa.select(Enrolment.person_id).where(Enrolment.person_id.in_(candidates))
    kept = summary.progress_of(candidates, everyone, as_of)
    assert kept == {p: Progress.of(s) for p, s in evaluate_many(candidates).items()}


@settings(max_examples=ORACLE_EXAMPLES, deadline=None, derandomize=bool(os.environ.get("CI")))
@given(history=histories)
def test_the_engine_agrees_with_the_reference(app, cast, history):
    with example_savepoint(app):
        check(history, cast)


def test_a_newcomer_enrolled_today_has_nothing_counted_yet(app, cast):
    """Regression seed: an entry signed on the enrolment day counts, the day before not."""
    history = {
        "changes": [{"minimum_hours": 1}] * 5,
        "enrolled_days_ago": [0, 10, 400],
        "supervisor_awards": [[(500, 800, "active")], [], [(30, 10, "revoked")]],
        "entries": [
            (0, 0, 60, "didactic", "signed", 0),
            (0, 1, 60, "didactic", "signed", 0),
            (1, 10, 30, "individual-consultation", "signed", 0),
            (1, 11, 30, "individual-consultation", "signed", 0),
            (2, 25, 45, "consultation-of-consultation", "signed", 2),
        ],
    }
    with example_savepoint(app):
        check(history, cast)
