"""Reports about people: who holds which level, how far candidates are with their next
level, who is close, who has gone quiet. Candidates' progress is read from the kept
standing summary (``progression.summary``), those without a row evaluated together: the
number of queries does not depend on the number of people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

import sqlalchemy as sa

from airm_training.core.clock import local_date, local_day_start
from airm_training.credentials.holders import people_at_each_level
from airm_training.credentials.models import CredentialAward, Enrolment
from airm_training.credentials.services import current_award_clause
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.progression.activity import last_activity
from airm_training.progression.engine import next_levels
from airm_training.progression.models import OPEN_STATUSES, Application
from airm_training.progression.summary import progress_of, quiet_people
from airm_training.reports.tables import Report, paged

# (lowest percent, label): a candidate falls in the last bucket whose lowest they reach.
PROGRESS_BUCKETS = ((0, "0-24 %"), (25, "25-49 %"), (50, "50-74 %"), (75, "75-99 %"))
ALL_MET = "100 % (ready to apply)"
NEAR_COMPLETION_PERCENT = 75
DEFAULT_STALLED_DAYS = 60
PER_PAGE = 50  # rows of a list shown on a page; the CSV has them all


@dataclass(frozen=True)
class CandidateProgress:
    person_id: int
    name: str
    level_code: str
    enrolled_on: date
    met: int  # evidence requirements met
    total: int  # evidence requirements of the next level
    missing: tuple[str, ...]  # labels of the requirements not met

    @property
    def percent(self) -> int:
        return 100 * self.met // self.total if self.total else 100

    @property
    def bucket(self) -> str:
        if self.met == self.total:
            return ALL_MET
        return [label for lowest, label in PROGRESS_BUCKETS if self.percent >= lowest][-1]


class PeopleReports:
    """The people reports of one day; candidates are evaluated once and shared."""

    def __init__(self, day: date, stalled_days: int = DEFAULT_STALLED_DAYS):
        self.day = day
        self.stalled_days = stalled_days

    @cached_property
    def candidates(self) -> list[CandidateProgress]:
        """Active enrolled people with a level still to reach, by name."""
        enrolled = (
            sa.select(Person.id)
            .join(Enrolment, Enrolment.person_id == Person.id)
            .where(Person.active.is_(True))
        )
        people = db.session.execute(
            enrolled.add_columns(Person.full_name, Enrolment.enrolled_on).order_by(
                Person.full_name, Person.id
            )
        ).all()
        kept = progress_of([person_id for person_id, _name, _on in people], enrolled, self.day)
        return [
            CandidateProgress(
                person_id=person_id,
                name=name,
                level_code=progress.level_code,
                enrolled_on=enrolled_on,
                met=progress.met,
                total=progress.total,
                missing=progress.missing,
            )
            for person_id, name, enrolled_on in people
            if (progress := kept.get(person_id)) is not None
        ]

    def levels(self) -> Report:
        """People by the highest level they hold today (and enrolled people holding none)."""
        levels = people_at_each_level(self.day)
        enrolled_without = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Enrolment)
            .join(Person, Person.id == Enrolment.person_id)
            .where(
                Person.active.is_(True),
                ~sa.exists().where(
                    CredentialAward.person_id == Enrolment.person_id,
                    current_award_clause(self.day),
                ),
            )
        )
        rows = [(level.code, level.name, level.people) for level in levels]
        rows.append(("—", "Enrolled, no current credential", enrolled_without))
        return Report("levels", "People at each level", ("Level", "Name", "People"), rows)

    def progress(self) -> Report:
        """How many candidates have met what share of their next level's requirements."""
        labels = [label for _lowest, label in PROGRESS_BUCKETS] + [ALL_MET]
        counts: dict[tuple[str, str], int] = {}
        for candidate in self.candidates:
            key = (candidate.level_code, candidate.bucket)
            counts[key] = counts.get(key, 0) + 1
        level_codes = sorted({c.level_code for c in self.candidates})
        rows = [
            (code, label, counts.get((code, label), 0)) for code in level_codes for label in labels
        ]
        return Report(
            "progress",
            "Candidates by the share of their next level's requirements met",
            ("Next level", "Requirements met", "Candidates"),
            rows,
        )

    def near_completion(self, page: int | None = 1, per_page: int | None = None) -> Report:
        """Candidates who have met most of their next level, closest first (every one
        when ``page`` is None)."""
        near = sorted(
            (c for c in self.candidates if c.percent >= NEAR_COMPLETION_PERCENT),
            key=lambda c: (-c.percent, c.name, c.person_id),
        )
        rows = [
            (c.name, c.level_code, c.met, c.total, c.percent, "; ".join(c.missing) or "—")
            for c in near
        ]
        return Report(
            "near-completion",
            f"Candidates who have met {NEAR_COMPLETION_PERCENT} % or more of their next level",
            ("Candidate", "Next level", "Met", "Of", "Percent", "Still missing"),
            **paged(rows, page, per_page or PER_PAGE),
        )

    def _quiet(self) -> dict[int, tuple[datetime | None, str]]:
        """{person id: (last activity, next level's code)} of the stalled candidates:
        without an open application and with no hours logged, module completed, quiz
        started or case presentation submitted in the last ``stalled_days`` days."""
        cutoff = self.day - timedelta(days=self.stalled_days)
        since = local_day_start(cutoff)
        eligible = (
            sa.select(Enrolment.person_id)
            .join(Person, Person.id == Enrolment.person_id)
            .where(
                Person.active.is_(True),
                Enrolment.enrolled_on < cutoff,
                ~sa.exists().where(
                    Application.person_id == Enrolment.person_id,
                    Application.status.in_([s.value for s in OPEN_STATUSES]),
                ),
            )
        )
        # Read from the kept summaries; those without one are read live: their last
        # activity, and for the quiet among them their next level (no rule is applied).
        quiet, unknown = quiet_people(eligible, self.day, since)
        if unknown:
            last = last_activity(sa.select(Person.id).where(Person.id.in_(unknown)))
            silent = [p for p in unknown if p not in last or last[p] < since]
            quiet.update(
                (person_id, (last.get(person_id), rules.level.code))
                for person_id, rules in next_levels(silent).items()
            )
        return quiet

    def stalled_count(self) -> int:
        """How many candidates ``stalled`` lists."""
        return len(self._quiet())

    def stalled(self, page: int | None = 1, per_page: int | None = None) -> Report:
        """The stalled candidates (``_quiet``), the longest quiet first (counted from their
        enrolment when they have done nothing)."""
        quiet = self._quiet()
        people = db.session.execute(
            sa.select(Person.id, Person.full_name, Enrolment.enrolled_on)
            .join(Enrolment, Enrolment.person_id == Person.id)
            .where(Person.id.in_(quiet))
        )
        stalled = []
        for person_id, name, enrolled_on in people:
            moment, code = quiet[person_id]
            active_on = local_date(moment) if moment else None
            reference = max(d for d in (active_on, enrolled_on) if d is not None)
            stalled.append(
                (name, person_id, code, enrolled_on, active_on, (self.day - reference).days)
            )
        stalled.sort(key=lambda item: (-item[5], item[0], item[1]))
        rows = [
            (name, code, enrolled_on.isoformat(), on.isoformat() if on else "never", days)
            for name, _person_id, code, enrolled_on, on, days in stalled
        ]
        return Report(
            "stalled",
            f"Candidates with no activity in the last {self.stalled_days} days",
            ("Candidate", "Next level", "Enrolled", "Last activity", "Days quiet"),
            **paged(rows, page, per_page or PER_PAGE),
        )
