"""The benchmark suite: ``make bench``. Every figure is a ratio to a floor measured in
the same run (the machine may be shared, so absolute times are noisy).

    .venv/bin/python -m bench.run [--scales 1 10] [--databases sqlite postgresql]
                                  [--repeat 11] [--skip-throughput]

Databases are built once per schema and cached (``bench/dataset.py``). PostgreSQL is
read from ``AIRM_BENCH_POSTGRES_URL`` (default: the local ``airm_perf`` database); it is
skipped, and the results say so, when it cannot be reached. Writes ``bench/RESULTS.md``
and ``bench/results.json``."""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import os
import platform
import shutil
import statistics
import subprocess  # nosec B404 - gunicorn and wrk, fixed arguments
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from airm_training.core.clock import today
from airm_training.extensions import db
from bench import dataset
from bench.benchapp import FLOOR_PATH, make_app

HERE = Path(__file__).resolve().parent
CACHE = Path(os.environ.get("AIRM_BENCH_CACHE", "/tmp/airm-bench"))  # noqa: S108  # nosec B108
DEFAULT_PG = "postgresql+psycopg://airm:airm@127.0.0.1:5432/airm_perf"
PASSWORD = "airm-demo-password"  # noqa: S105  # nosec B105 - the published demo password
DIRECTOR = "connie.zollner@btrc.example"
PORT = int(os.environ.get("AIRM_BENCH_PORT", "8700"))

# (label, who signs in, path); {code} is a certificate's verification code.
PAGES = (
    ("candidate dashboard", dataset.BENCH_CANDIDATE, "/candidate"),
    ("my hours", dataset.BENCH_CANDIDATE, "/hours/"),
    ("sign-off queue", dataset.BENCH_SUPERVISOR, "/hours/queue"),
    ("my supervisees", dataset.BENCH_SUPERVISOR, "/hours/supervisees"),
    ("audit trail page 1", DIRECTOR, "/audit/"),
    ("people directory", DIRECTOR, "/people/"),
    ("board queue", DIRECTOR, "/board"),
    ("director overview", DIRECTOR, "/director"),
    ("reports", DIRECTOR, "/reports/"),
    ("verification", None, "/verify/{code}"),
)
PAGE_MEDIAN_TARGET = 4.0
PAGE_P95_TARGET = 8.0
GROWTH_TARGET = 1.5
REPORTS_SECONDS = 1.0
# The export's rows with the same joins, written by csv.writer with nothing else.
BARE_EXPORT = (
    "SELECT e.session_date, e.minutes, c.code, s.email, e.stages, e.modalities,"
    " e.group_size, e.note, e.status, e.late, e.submitted_at, g.full_name, e.signed_at,"
    " e.return_reason, e.amends_id, e.id FROM hours_entry e"
    " JOIN hours_category c ON c.id = e.category_id"
    " LEFT JOIN person s ON s.id = e.supervisor_id LEFT JOIN person g ON g.id = e.signed_by_id"
    " WHERE e.person_id = :p ORDER BY e.session_date DESC, e.id DESC"
)


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str
    met: bool | None  # None: informational
    detail: dict = field(default_factory=dict)


class Counter:
    """SQL statements sent on an engine while active."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _hit(self, *_args):
        self.count += 1

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._hit)
        return self

    def __exit__(self, *_exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._hit)


def signed_in(app, email: str | None):
    client = app.test_client()
    if email:
        response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, (email, response.status_code)
    return client


CPU: list[float] = []  # this process's CPU seconds of each timed request


def timed_get(client, path: str) -> float:
    """Wall seconds of one request (its CPU seconds are appended to ``CPU``)."""
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    CPU.append(time.process_time() - cpu)
    assert response.status_code == 200, (path, response.status_code)
    return elapsed


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def steady_state(clients: dict, code: str) -> None:
    """Every page served once, then what that left (compiled statements and templates,
    the app's caches: about 250,000 objects at s1) moved out of the collector's reach,
    as in a worker that has served each page before. Otherwise a full collection over
    them (about 150 ms, seen with ``gc.callbacks``) lands in one of a page's samples and
    is its p95, whichever page it falls on."""
    for _name, who, template in PAGES:
        clients[who].get(template.format(code=code))
    gc.collect()
    gc.freeze()


def measure_pages(app, label: str, repeat: int) -> dict[str, dict]:
    """Each page timed ``repeat`` times, each time right after the floor, with the same
    client; the first request of each is a warm-up."""
    with app.app_context():
        code = db.session.scalar(sa.text("SELECT verification_code FROM certificate LIMIT 1"))
        engine = db.engine
    clients = {who: signed_in(app, who) for _label, who, _path in PAGES}
    steady_state(clients, code)
    results = {}
    for name, who, template in PAGES:
        path = template.format(code=code)
        client = clients[who]
        slow = name == "reports"
        times, floors = [], []
        timed_get(client, FLOOR_PATH)
        with Counter(engine) as counter:
            first = timed_get(client, path)
        cpu = []
        for _ in range(max(3, repeat // 3) if slow and first > 2 else repeat):
            floors.append(timed_get(client, FLOOR_PATH))
            times.append(timed_get(client, path))
            cpu.append(CPU[-1])
        floor = statistics.median(floors)
        results[name] = {
            "path": path,
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": p95(times) * 1000,
            "floor_ms": floor * 1000,
            "ratio": statistics.median(times) / floor,
            "p95_ratio": p95(times) / floor,
            "queries": counter.count,
            # CPU of this process (with SQLite, the database's work too): less
            # sensitive to a loaded machine than wall time.
            "cpu_median_ms": statistics.median(cpu) * 1000,
        }
        row = results[name]
        print(
            f"  {label:<14} {name:<20} {row['median_ms']:8.1f} ms  p95 {row['p95_ms']:8.1f}"
            f"  x{row['ratio']:5.1f} (p95 x{row['p95_ratio']:5.1f})  {row['queries']:3d} q"
            f"  CPU {row['cpu_median_ms']:7.1f} ms",
            flush=True,
        )
    gc.unfreeze()  # the next database's app starts from a full collector
    return results


def page_figures(pages: dict[str, dict[str, dict]]) -> list[Figure]:
    figures = []
    for run, results in pages.items():
        for name, row in results.items():
            if name == "reports":
                seconds = row["median_ms"] / 1000
                target = REPORTS_SECONDS if run.endswith("s10") else None
                figures.append(
                    Figure(
                        f"{run} reports",
                        round(seconds, 3),
                        "s",
                        f"≤ {REPORTS_SECONDS:g} s at s10" if target else "informational",
                        seconds <= target if target else None,
                        row,
                    )
                )
                continue
            met = row["ratio"] <= PAGE_MEDIAN_TARGET and row["p95_ratio"] <= PAGE_P95_TARGET
            figures.append(
                Figure(
                    f"{run} {name}",
                    round(row["ratio"], 2),
                    "x floor (median)",
                    f"median ≤ {PAGE_MEDIAN_TARGET:g}x, p95 ≤ {PAGE_P95_TARGET:g}x",
                    met,
                    row,
                )
            )
    for run in pages:
        if not run.endswith("s10"):
            continue
        small = pages.get(run[: -len("s10")] + "s1")
        if not small:
            continue
        for name, row in pages[run].items():
            growth = row["ratio"] / small[name]["ratio"]
            same = row["queries"] == small[name]["queries"]
            figures.append(
                Figure(
                    f"{run[: -len(' s10')]} {name} growth s1→s10",
                    round(growth, 2),
                    "x (ratio s10 / ratio s1)",
                    f"≤ {GROWTH_TARGET:g}x with equal query counts",
                    growth <= GROWTH_TARGET and same,
                    {"queries_s1": small[name]["queries"], "queries_s10": row["queries"]},
                )
            )
    return figures


def throughput(url: str, label: str) -> list[Figure]:
    """Requests per second of floor, dashboard and verification under gunicorn with two
    workers, loaded by wrk; the dashboard's and verification's as shares of the floor's."""
    if not shutil.which("wrk"):
        return [Figure(f"{label} throughput", 0, "", "wrk installed", False, {"error": "no wrk"})]
    env = {**os.environ, "AIRM_BENCH_DATABASE_URL": url}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603  # nosec B603
        [
            str(gunicorn),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            "bench.benchapp:app",
        ],
        cwd=HERE.parent,
        env=env,
    )
    base = f"http://127.0.0.1:{PORT}"
    try:
        _wait_for(base + FLOOR_PATH)
        cookie = _login_cookie(base, dataset.BENCH_CANDIDATE)
        with _engine(url) as connection:
            code = connection.scalar(sa.text("SELECT verification_code FROM certificate LIMIT 1"))
        rates = {
            "floor": _wrk(base + FLOOR_PATH, cookie),
            "dashboard": _wrk(base + "/candidate", cookie),
            "verification": _wrk(f"{base}/verify/{code}", None),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"  {label:<14} throughput req/s: {rates}", flush=True)
    return [
        Figure(f"{label} throughput floor", round(rates["floor"], 1), "req/s", "—", None),
        Figure(
            f"{label} throughput dashboard",
            round(rates["dashboard"] / rates["floor"], 3),
            "share of floor req/s",
            "≥ 0.30",
            rates["dashboard"] / rates["floor"] >= 0.30,
            {"req_s": rates["dashboard"]},
        ),
        Figure(
            f"{label} throughput verification",
            round(rates["verification"] / rates["floor"], 3),
            "share of floor req/s",
            "informational",
            None,
            {"req_s": rates["verification"]},
        ),
    ]


class _engine:
    def __init__(self, url: str):
        self.engine = sa.create_engine(url)

    def __enter__(self):
        self.connection = self.engine.connect()
        return self.connection

    def __exit__(self, *_exc):
        self.connection.close()
        self.engine.dispose()


def _wait_for(url: str) -> None:
    for _ in range(150):
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310  # nosec B310
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer at {url}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


def _login_cookie(base: str, email: str) -> str:
    opener = urllib.request.build_opener(_NoRedirect)
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD}).encode()
    try:
        opener.open(base + "/auth/login", data=body, timeout=30)  # nosec B310
    except urllib.error.HTTPError as redirect:
        cookie = redirect.headers.get("Set-Cookie", "")
        return cookie.split(";", 1)[0]
    raise RuntimeError("sign-in did not redirect")


def _wrk(url: str, cookie: str | None, seconds: int = 8) -> float:
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(  # noqa: S603  # nosec B603
        command, capture_output=True, text=True, check=True
    ).stdout
    for line in output.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split(":")[1])
    raise RuntimeError(output)


def documents(app, label: str) -> list[Figure]:
    """Certificate and transcript PDFs against a bare reportlab page of the same text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    with app.app_context():
        certificate = db.session.scalar(sa.text("SELECT id FROM certificate LIMIT 1"))
        holder = db.session.scalar(
            sa.text("SELECT id FROM person WHERE email = :e"),
            {"e": f"export{dataset.TRANSCRIPT_ENTRIES}@bench.example"},
        )
    client = signed_in(app, DIRECTOR)

    def bare(lines: int) -> bytes:
        out = io.BytesIO()
        page = canvas.Canvas(out, pagesize=A4)
        for n in range(lines):
            if n and n % 50 == 0:
                page.showPage()
            page.drawString(40, 800 - 15 * (n % 50), f"Line {n} of a bare reportlab document")
        page.save()
        return out.getvalue()

    def best(call, times=5) -> tuple[float, object]:
        results = []
        for _ in range(times):
            started = time.perf_counter()
            value = call()
            results.append((time.perf_counter() - started, value))
        return min(results, key=lambda item: item[0])

    def bare_certificate() -> bytes:
        """A page of the certificate's kind: a dozen lines and a QR code."""
        from reportlab.graphics import renderPDF
        from reportlab.graphics.barcode.qr import QrCodeWidget
        from reportlab.graphics.shapes import Drawing

        out = io.BytesIO()
        page = canvas.Canvas(out, pagesize=A4)
        for n in range(12):
            page.drawString(60, 760 - 30 * n, f"Line {n} of a bare certificate page")
        widget = QrCodeWidget("https://example.org/verify/abcdefghijklmnop")
        drawing = Drawing(120, 120)
        drawing.add(widget)
        renderPDF.draw(drawing, page, 400, 80)
        page.save()
        return out.getvalue()

    cert_s, _ = best(lambda: client.get(f"/progression/certificates/{certificate}.pdf"))
    bare_s, _ = best(bare_certificate)
    floor_s, _ = best(lambda: client.get(FLOOR_PATH))
    transcript_path = f"/progression/people/{holder}/transcript.pdf"
    transcript_s, response = best(lambda: client.get(transcript_path), 3)
    size = len(response.data)
    bare_t, _ = best(lambda: bare(2000), 3)
    print(
        f"  {label:<14} certificate {cert_s * 1000:.0f} ms (bare {bare_s * 1000:.0f} ms), "
        f"transcript {transcript_s * 1000:.0f} ms {size} bytes",
        flush=True,
    )
    return [
        Figure(
            f"{label} certificate PDF",
            round((cert_s - floor_s) / bare_s, 2),
            "x a bare reportlab page with a QR code",
            "informational (issue: 1.2x seen)",
            None,
            {"ms": cert_s * 1000, "bare_ms": bare_s * 1000},
        ),
        Figure(
            f"{label} transcript PDF size",
            size,
            "bytes",
            "< 1,000,000",
            size < 1_000_000,
            {"ms": transcript_s * 1000, "bare_2000_lines_ms": bare_t * 1000},
        ),
    ]


def exports(app, label: str) -> list[Figure]:
    """The hours export route against a bare select + csv.writer of the same rows."""
    figures = []
    with app.app_context():
        engine = db.engine
    for count in dataset.EXPORT_SIZES:
        email = f"export{count}@bench.example"
        client = signed_in(app, email)
        with app.app_context():
            person_id = db.session.scalar(
                sa.text("SELECT id FROM person WHERE email = :e"), {"e": email}
            )

        def bare(person_id=person_id) -> int:
            out = io.StringIO()
            writer = csv.writer(out)
            with engine.connect() as connection:
                rows = connection.execute(
                    sa.text(BARE_EXPORT),
                    {"p": person_id},
                )
                writer.writerow(rows.keys())
                writer.writerows(rows)
            return len(out.getvalue())

        route, plain = [], []
        for _ in range(3):
            started = time.perf_counter()
            response = client.get("/hours/export.csv")
            body = response.data
            route.append(time.perf_counter() - started)
            started = time.perf_counter()
            bare()
            plain.append(time.perf_counter() - started)
        lines = body.count(b"\n") - 1
        ratio = min(route) / min(plain)
        print(
            f"  {label:<14} export {count}: {min(route) * 1000:.0f} ms, bare "
            f"{min(plain) * 1000:.0f} ms, x{ratio:.2f} ({lines} rows)",
            flush=True,
        )
        figures.append(
            Figure(
                f"{label} export {count:,} rows",
                round(ratio, 2),
                "x bare select + csv.writer",
                "≤ 1.5x",
                ratio <= 1.5 and lines == count,
                {"ms": min(route) * 1000, "bare_ms": min(plain) * 1000, "rows": lines},
            )
        )
    return figures


def csv_import(app, label: str) -> list[Figure]:
    """10,000 rows imported by a candidate, then rolled back (the cache stays clean)."""
    from airm_training.hours.csv_io import import_csv
    from airm_training.people.services import find_by_email

    header = "session_date,duration_minutes,category,supervisor_email,stages,modalities"
    with app.app_context():
        supervisor = db.session.scalar(
            sa.text("SELECT email FROM person WHERE email = :e"), {"e": DIRECTOR}
        )
        rows = [
            f"{today() - timedelta(days=780 + i % 300)},20,didactic,{supervisor},,"
            for i in range(10_000)
        ]
        person = find_by_email(dataset.BENCH_CANDIDATE)
        started = time.perf_counter()
        import_csv(person, "\n".join([header, *rows]).encode(), filename="bench.csv")
        db.session.flush()
        seconds = time.perf_counter() - started
        db.session.rollback()
    print(f"  {label:<14} CSV import 10,000 rows: {seconds:.2f} s", flush=True)
    return [
        Figure(f"{label} CSV import 10,000 rows", round(seconds, 2), "s", "≤ 3 s", seconds <= 3)
    ]


def evaluate_all(app, label: str) -> list[Figure]:
    from airm_training.credentials.models import Enrolment
    from airm_training.people.models import Person
    from airm_training.progression.engine import evaluate_many

    with app.app_context():
        enrolled = (
            sa.select(Person.id)
            .join(Enrolment, Enrolment.person_id == Person.id)
            .where(Person.active.is_(True))
        )
        started, cpu = time.perf_counter(), time.process_time()
        standings = evaluate_many(enrolled, as_of=today())
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"  {label:<14} evaluate_many {len(standings)} people: {seconds:.2f} s (CPU {cpu:.2f} s)",
        flush=True,
    )
    return [
        Figure(
            f"{label} evaluate_many",
            round(seconds, 2),
            "s",
            "≤ 2 s",
            seconds <= 2,
            {"people": len(standings), "cpu_seconds": round(cpu, 2)},
        )
    ]


def databases(names: list[str], scales: dict[str, list[int]]):
    """(label, URL, built now, row counts, whether it is the database's largest scale)
    of each database asked for."""
    for name in names:
        for scale in scales[name]:
            largest = scale == max(scales[name])
            started = time.perf_counter()
            if name == "sqlite":
                cached, built = dataset.cached_sqlite(CACHE, scale, make_app)
                working = CACHE / f"working-s{scale}.sqlite3"  # a copy the run may change
                shutil.copyfile(cached, working)
                url = f"sqlite:///{working}"
            else:
                base = os.environ.get("AIRM_BENCH_POSTGRES_URL", DEFAULT_PG)
                try:
                    url, built = dataset.cached_postgresql(base, scale, make_app)
                except (sa.exc.OperationalError, sa.exc.ProgrammingError) as error:
                    print(f"PostgreSQL unavailable, skipped: {error}", flush=True)
                    yield f"postgresql s{scale}", None, False, {"error": str(error)[:200]}, largest
                    continue
            app = make_app(url)
            with app.app_context():
                upgraded = dataset.upgrade_to_head()
                tally_seconds = dataset.fill_tally()
                summary_seconds = fill_summaries()
                if upgraded or tally_seconds or summary_seconds:
                    dataset.analyse()
                rows = dataset.counts()
            rows["tally_seconds"] = round(tally_seconds, 1)
            rows["summary_seconds"] = round(summary_seconds, 1)
            seconds = time.perf_counter() - started
            with app.app_context():
                db.engine.dispose()
            rows["build_seconds" if built else "load_seconds"] = round(seconds, 1)
            print(f"{name} s{scale}: {rows}", flush=True)
            yield f"{name} s{scale}", url, built, rows, largest


def fill_summaries() -> float:
    """Keep today's standing summaries and holders at each level, as the nightly ``airm
    rebuild-standing --summaries`` does, when the database has none for today; the
    seconds it took."""
    from airm_training.credentials import holders
    from airm_training.credentials.models import HolderCount
    from airm_training.progression import summary
    from airm_training.progression.models import StandingSummary

    day = today()
    started = time.perf_counter()
    kept = sa.select(StandingSummary.person_id).where(StandingSummary.as_of == day).limit(1)
    if db.session.scalar(kept) is None:
        summary.rebuild(db.session, day)
    counted = sa.select(HolderCount.level_id).where(HolderCount.as_of == day).limit(1)
    if db.session.scalar(counted) is None:
        holders.refresh(db.session, day)
    db.session.commit()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument(
        "--postgresql-scales", type=int, nargs="+", help="PostgreSQL's scales (default: --scales)"
    )
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--output", type=Path, default=HERE)
    args = parser.parse_args()
    started, load_at_start = time.perf_counter(), os.getloadavg()
    pages: dict[str, dict] = {}
    figures: list[Figure] = []
    sizes = {}
    scales = {"sqlite": args.scales, "postgresql": args.postgresql_scales or args.scales}
    for label, url, _built, rows, largest in databases(args.databases, scales):
        sizes[label] = rows
        if url is None:
            figures.append(Figure(f"{label} skipped", 0, "", "database reachable", False, rows))
            continue
        app = make_app(url)
        pages[label] = measure_pages(app, label, args.repeat)
        if largest:
            figures += evaluate_all(app, label)
            figures += exports(app, label)
            figures += csv_import(app, label)
            figures += documents(app, label)
            if not args.skip_throughput:
                figures += throughput(url, label)
        with app.app_context():
            db.engine.dispose()
    figures = page_figures(pages) + figures
    report = {
        "machine": {
            "host": platform.node(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_start": load_at_start,
            "load_average": os.getloadavg(),
        },
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "databases": sizes,
        "figures": [asdict(f) for f in figures],
    }
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "results.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    (args.output / "RESULTS.md").write_text(markdown(report, pages))
    print(table(figures))


def table(figures: list[Figure]) -> str:
    lines = [f"{'figure':<58} {'value':>12}  {'target':<40} met"]
    for f in figures:
        met = "—" if f.met is None else ("yes" if f.met else "NO")
        lines.append(f"{f.name:<58} {f.value:>12g}  {f.target:<40} {met}")
    return "\n".join(lines)


def markdown(report: dict, pages: dict[str, dict]) -> str:
    out = [
        "# Benchmark results",
        "",
        f"Written by `make bench` on {report['date']} in {report['seconds']} s.",
        f"Machine: {report['machine']['platform']}, {report['machine']['cpus']} CPUs, "
        "load average at the start "
        f"{', '.join(f'{x:.1f}' for x in report['machine']['load_average_at_start'])}"
        f" and the end {', '.join(f'{x:.1f}' for x in report['machine']['load_average'])}, "
        f"Python {report['machine']['python']}.",
        "",
        "Times are ratios to the floor route (one primary-key lookup and a one-line "
        "template in the same app) measured interleaved in the same run.",
        "",
        "## Databases",
        "",
        "| database | rows |",
        "|---|---|",
    ]
    for label, rows in report["databases"].items():
        described = ", ".join(
            f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in rows.items()
        )
        out.append(f"| {label} | {described} |")
    out += [
        "",
        "## Pages",
        "",
        "| run | page | median ms | p95 ms | x floor | p95 x floor | queries | CPU ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run, results in pages.items():
        for name, r in results.items():
            out.append(
                f"| {run} | {name} | {r['median_ms']:.1f} | {r['p95_ms']:.1f} | "
                f"{r['ratio']:.1f} | {r['p95_ratio']:.1f} | {r['queries']} |"
                f" {r['cpu_median_ms']:.1f} |"
            )
    out += [
        "",
        "## Every figure and its target",
        "",
        "| figure | value | unit | target | met |",
        "|---|---|---|---|---|",
    ]
    for f in report["figures"]:
        met = "—" if f["met"] is None else ("yes" if f["met"] else "**no**")
        out.append(f"| {f['name']} | {f['value']:g} | {f['unit']} | {f['target']} | {met} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
