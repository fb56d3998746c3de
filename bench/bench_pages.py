"""Time the busiest pages and the CSV import as data grows; print a table of figures.

    .venv/bin/python bench/bench_pages.py [--entries 1000 10000] [--repeat 20]

Uses a fresh SQLite database in a temporary folder (set DATABASE_URL to use another)."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from airm_training import create_app
from airm_training.core.clock import today, utcnow
from airm_training.demo import seed_demo
from airm_training.extensions import db
from airm_training.hours.csv_io import import_csv
from airm_training.hours.models import HoursEntry
from airm_training.people.services import find_by_email
from airm_training.programme.models import HoursCategory

PAGES = ("/candidate", "/hours/", "/hours/queue", "/hours/supervisees", "/hours/export.csv")


def build_app(folder: str):
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=url,
        WTF_CSRF_ENABLED=False,
        MAIL_BACKEND="locmem",
        LOGIN_RATE_LIMIT="10000 per minute",
        PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",  # noqa: S106 - cheap hashing for a bench
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_demo()
        db.session.commit()
    return app


def add_entries(app, count: int) -> None:
    with app.app_context():
        person = find_by_email("aubrey.holden@btrc.example")
        supervisor = find_by_email("connie.zollner@btrc.example")
        category = db.session.scalar(
            sa.select(HoursCategory.id).where(HoursCategory.code == "direct-clinical")
        )
        now = utcnow()
        rows = [
            {
                "person_id": person.id,
                "session_date": today() - timedelta(days=1 + i % 700),
                "minutes": 30,
                "category_id": category,
                "supervisor_id": supervisor.id,
                "stages": [],
                "modalities": [],
                "note": "",
                "status": "signed" if i % 2 else "submitted",
                "signed_by_id": supervisor.id if i % 2 else None,
                "signed_at": now if i % 2 else None,
                "late": False,
                "submitted_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(count)
        ]
        db.session.execute(sa.insert(HoursEntry), rows)
        db.session.commit()


def measure(engine, client, path: str, repeat: int) -> tuple[float, int]:
    statements = []

    def count(*_args):
        statements.append(1)

    timings = []
    for n in range(repeat):
        if n == 0:
            sa.event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - started)
        if n == 0:
            sa.event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(timings) * 1000, len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(folder)
        with app.app_context():
            engine = db.engine
        print(f"{'hours entries':>13} | {'page':<20} | {'median ms':>9} | {'SQL queries':>11}")
        print("-" * 64)
        total = 0
        for target in args.entries:
            add_entries(app, target - total)
            total = target
            # Requests run outside any app context of ours, each in its own, as in production.
            for who, pages in (
                ("aubrey.holden", (*PAGES[:2], PAGES[4])),
                ("connie.zollner", PAGES[2:4]),
            ):
                client = app.test_client()
                client.post(
                    "/auth/login",
                    data={"email": f"{who}@btrc.example", "password": "airm-demo-password"},
                )
                for path in pages:
                    ms, queries = measure(engine, client, path, args.repeat)
                    print(f"{target:>13} | {path:<20} | {ms:>9.1f} | {queries:>11}")
        header = "session_date,duration_minutes,category,supervisor_email,stages,modalities"
        rows = [
            f"{today() - timedelta(days=800 + i % 300)},20,didactic,connie.zollner@btrc.example,,"
            for i in range(10_000)
        ]
        with app.app_context():
            person = find_by_email("marcus.bell@btrc.example")
            started = time.perf_counter()
            import_csv(person, "\n".join([header, *rows]).encode(), filename="bench.csv")
            db.session.commit()
            print(f"\nCSV import of 10,000 rows: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
