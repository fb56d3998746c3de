"""Time the director's reports page and its CSV downloads as the number of people grows;
print a table of figures.

    .venv/bin/python bench/bench_reports.py [--people 100 1000 5000] [--repeat 5]

Uses a fresh SQLite database in a temporary folder (set DATABASE_URL to use another).
The demo data is loaded first; the extra candidates are inserted in bulk, each enrolled
with a verified licence, a module completed and three signed hours entries."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_pages import build_app, measure

from airm_training.extensions import db
from airm_training.people.services import find_by_email
from tests.bulk import bulk_candidates

PAGES = (
    "/reports/",
    "/reports/progress.csv",
    "/reports/near-completion.csv",
    "/reports/stalled.csv",
    "/reports/levels.csv",
    "/reports/sign-offs.csv",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(folder)
        with app.app_context():
            engine = db.engine
            signer_id = find_by_email("connie.zollner@btrc.example").id
        client = app.test_client()
        client.post(
            "/auth/login",
            data={"email": "connie.zollner@btrc.example", "password": "airm-demo-password"},
        )
        print(f"{'people':>7} | {'page':<30} | {'median ms':>9} | {'SQL queries':>11}")
        print("-" * 68)
        total = 0
        for target in args.people:
            with app.app_context():
                bulk_candidates(target - total, signer_id=signer_id, prefix=f"bench{target}-")
            total = target
            for path in PAGES:
                ms, queries = measure(engine, client, path, args.repeat)
                print(f"{target:>7} | {path:<30} | {ms:>9.1f} | {queries:>11}")


if __name__ == "__main__":
    main()
