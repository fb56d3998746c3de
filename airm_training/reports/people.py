"""Reports about people: who holds which level, how far candidates are with their next
level, who is close, who has gone quiet. Candidates' progress is counted and listed by
the database from the kept standing summary (``progression.summary``); those without a
valid row are evaluated together and merged in. The number of queries does not depend on
the number of people."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from functools import cached_property

import sqlalchemy as sa

from airm_training.core.clock import local_date, local_day_start
from airm_training.credentials.holders import people_at_each_level
from airm_training.credentials.models import Enrolment
from airm_training.extensions import db
from airm_training.people.models import Person
from airm_training.progression.activity import last_activity
from airm_training.progression.engine import next_levels
from airm_training.progression.models import OPEN_STATUSES, Application
from airm_training.progression.summary import (
    Progress,
    enrolled_without_credential,
    kept_closest,
    live_progress,
    progress_counts,
    quiet_people,
    without_valid_row,
)
from airm_training.reports.tables import PER_PAGE, Report, paged

# (lowest percent, label): a candidate falls in the last bucket whose lowest they reach.
PROGRESS_BUCKETS = ((0, "0-24 %"), (25, "25-49 %"), (50, "50-74 %"), (75, "75-99 %"))
ALL_MET = "100 % (ready to apply)"
NEAR_COMPLETION_PERCENT = 75
DEFAULT_STALLED_DAYS = 60


def percent_met(met: int, total: int) -> int:
    """The share of a level's evidence requirements met, in whole per cent."""
    return 100 * met // total if total else 100


def bucket(met: int, total: int) -> str:
    if met == total:
        return ALL_MET
    return [label for lowest, label in PROGRESS_BUCKETS if percent_met(met, total) >= lowest][-1]


class PeopleReports:
    """The people reports of one day. Candidates' progress is counted and listed by the
    database from the kept summaries; those without a valid row are evaluated once, live,
    and added."""

    def __init__(self, day: date, stalled_days: int = DEFAULT_STALLED_DAYS):
        self.day = day
        self.stalled_days = stalled_days

    @cached_property
    def _enrolled(self) -> sa.Select:
        """The active enrolled people (their ids)."""
        return (
            sa.select(Person.id)
            .join(Enrolment, Enrolment.person_id == Person.id)
            .where(Person.active.is_(True))
        )

    @cached_property
    def _unkept(self) -> list[int]:
        """The active enrolled people without a valid kept row: they are read live."""
        return without_valid_row(self._enrolled, self.day)

    @cached_property
    def _live(self) -> dict[int, Progress]:
        """Progress of the candidates without a valid kept row, evaluated now."""
        return live_progress(self._unkept, self._enrolled, self.day)

    def levels(self) -> Report:
        """People by the highest level they hold today (and enrolled people holding none)."""
        levels = people_at_each_level(self.day)
        enrolled_without = enrolled_without_credential(self.day, self._unkept)
        rows = [(level.code, level.name, level.people) for level in levels]
        rows.append(("—", "Enrolled, no current credential", enrolled_without))
        return Report("levels", "People at each level", ("Level", "Name", "People"), rows)

    def progress(self) -> Report:
        """How many candidates have met what share of their next level's requirements."""
        labels = [label for _lowest, label in PROGRESS_BUCKETS] + [ALL_MET]
        counts: Counter[tuple[str, str]] = Counter()
        for (code, met, total), people in progress_counts(self.day).items():
            counts[(code, bucket(met, total))] += people
        for progress in self._live.values():
            counts[(progress.level_code, bucket(progress.met, progress.total))] += 1
        level_codes = sorted({code for code, _label in counts})
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
        per_page = per_page or PER_PAGE
        live = [
            (person_id, progress)
            for person_id, progress in self._live.items()
            if percent_met(progress.met, progress.total) >= NEAR_COMPLETION_PERCENT
        ]
        ids = [person_id for person_id, _progress in live]
        names = (
            dict(
                db.session.execute(
                    sa.select(Person.id, Person.full_name).where(Person.id.in_(ids))
                ).all()
            )
            if ids
            else {}
        )
        # The kept rows up to the end of the page asked for (a page past the end shows
        # the last one, which those rows cover too), with how many there are in all.
        wanted = None if page is None else max(page, 1) * per_page
        kept_count, kept = kept_closest(self.day, NEAR_COMPLETION_PERCENT, wanted)
        total = kept_count + len(live)
        if page is None:
            start, limit = 0, None
        else:
            pages = max(1, -(-total // per_page))
            page = min(max(page, 1), pages)
            start = (page - 1) * per_page
            limit = start + per_page
        near = sorted(
            [*kept, *((person_id, names[person_id], progress) for person_id, progress in live)],
            key=lambda c: (-percent_met(c[2].met, c[2].total), c[1], c[0]),
        )[start:limit]
        rows = [
            (
                name,
                progress.level_code,
                progress.met,
                progress.total,
                percent_met(progress.met, progress.total),
                "; ".join(progress.missing) or "—",
            )
            for _person_id, name, progress in near
        ]
        paging = {} if page is None else {"page": page, "pages": pages}
        return Report(
            "near-completion",
            f"Candidates who have met {NEAR_COMPLETION_PERCENT} % or more of their next level",
            ("Candidate", "Next level", "Met", "Of", "Percent", "Still missing"),
            rows=rows,
            total=total,
            **paging,
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
