"""The hours export is streamed: its rows are read a partition at a time while the body
is written, after the view has returned, in the request's own transaction. Checked on a
database of its own, committed for real, where a request's session ends with it (the
other tests' sessions share one rolled-back connection, which outlives every request)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.core.clock import today, utcnow
from airm_training.extensions import db
from airm_training.hours import csv_io
from airm_training.hours.models import HoursEntry
from airm_training.programme.models import HoursCategory
from tests.committed import _transaction, committed_app, signed_in_client  # noqa: F401 - _transaction: these tests commit
from tests.factories import make_candidate, make_director, make_supervisor


@pytest.fixture(scope="module")
def export_app(database_url, tmp_path_factory):
    yield from committed_app(database_url, tmp_path_factory.mktemp("export"), "export")


def test_a_long_export_is_read_after_the_view_in_its_own_transaction(export_app, monkeypatch):
    monkeypatch.setattr(csv_io, "EXPORT_CHUNK", 3)  # seven partitions
    with export_app.app_context():
        director = make_director()
        candidate = make_candidate(director=director)
        supervisor = make_supervisor(director=director)
        category = db.session.scalar(
            sa.select(HoursCategory.id).where(HoursCategory.code == "individual-consultation")
        )
        for days_ago in range(1, 21):
            db.session.add(
                HoursEntry(
                    person_id=candidate.id,
                    session_date=today() - timedelta(days=days_ago),
                    minutes=30 + days_ago,
                    category_id=category,
                    supervisor_id=supervisor.id,
                    status="signed",
                    submitted_at=utcnow(),
                    signed_by_id=supervisor.id,
                    signed_at=utcnow(),
                )
            )
        db.session.commit()
        signer = supervisor.full_name
        client = signed_in_client(export_app, candidate.email)
        db.session.remove()
    response = client.get("/hours/export.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [int(row["duration_minutes"]) for row in rows] == [30 + n for n in range(1, 21)]
    assert {row["signed_by"] for row in rows} == {signer}
