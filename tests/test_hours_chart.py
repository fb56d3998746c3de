"""The home page's chart data: signed minutes per month and category over twelve months,
every category listed in its order, read in one query."""

from __future__ import annotations

import sqlalchemy as sa

from airm_training.core.clock import add_months, today
from airm_training.extensions import db
from airm_training.programme.models import HoursCategory
from airm_training.progression.charts import monthly_signed_hours
from tests.factories import make_candidate, make_director, make_supervisor
from tests.query_count import count_statements
from tests.test_performance import _entry


def test_signed_minutes_by_month_and_category_in_one_query(app):
    director = make_director()
    candidate, supervisor = make_candidate(director=director), make_supervisor(director=director)
    this_month = today().replace(day=1)
    for days_ago, status in ((0, "signed"), (0, "signed"), (0, "submitted"), (400, "signed")):
        _entry(candidate, supervisor, days_ago, status=status)
    _entry(candidate, supervisor, (today() - add_months(this_month, -1)).days)  # last month
    db.session.commit()
    person_id = candidate.id
    db.session.scalar(sa.select(1))  # the transaction is open: only the chart's query counts

    found = {}
    assert count_statements(lambda: found.update(data=monthly_signed_hours(person_id))) == 1
    data = found["data"]
    codes = list(
        db.session.execute(
            sa.select(HoursCategory.code, HoursCategory.name).order_by(HoursCategory.position)
        )
    )
    assert data.categories == [tuple(row) for row in codes]
    assert data.months[-1] == this_month and len(data.months) == 12
    assert data.minutes == {
        (this_month, "individual-consultation"): 120,  # the submitted entry is not counted
        (add_months(this_month, -1), "individual-consultation"): 60,
    }
    assert data.total(this_month) == 120


def test_someone_without_hours_has_every_category_and_no_minutes(app):
    data = monthly_signed_hours(make_candidate().id)
    assert len(data.categories) == db.session.scalar(
        sa.select(sa.func.count()).select_from(HoursCategory)
    )
    assert data.minutes == {}
    assert data.months[0] == add_months(today().replace(day=1), -11)
