"""A deterministic database at a centre's scale, built with bulk inserts.

Scale 1 is about 540 people (the demo's, 40 supervisors and 500 candidates), some
150,000 hours entries in every state and 75,000 audit events; scale 10 is ten times
that. The same scale always gives the same rows (a seeded generator; dates relative to
today). Built databases are cached under ``AIRM_BENCH_CACHE`` (default
``/tmp/airm-bench``), keyed by a hash of the schema's sources and this file."""

from __future__ import annotations

import hashlib
import random
import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from airm_training.assessments.models import QuizAttempt
from airm_training.audit.models import AuditEvent
from airm_training.core.clock import today, utcnow
from airm_training.credentials.models import CredentialAward, Enrolment
from airm_training.curriculum.models import ModuleCompletion
from airm_training.demo import DEMO_PASSWORD, seed_demo
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.people.models import Licence, Person, RoleAssignment
from airm_training.programme.models import CredentialLevel, HoursCategory, Module
from airm_training.programme.services import current_version
from airm_training.progression.models import Application, ApplicationStatus
from airm_training.progression.services import new_certificate
from bench.derived_migrations import DERIVED_MIGRATIONS

ROOT = Path(__file__).resolve().parent.parent
SUPERVISORS_PER_SCALE = 40
CANDIDATES_PER_SCALE = 500
ENTRIES_PER_CANDIDATE = 300  # on average
EVENTS_PER_CANDIDATE = 150
BATCH = 20_000
EXPORT_SIZES = (10_000, 100_000)
TRANSCRIPT_ENTRIES = 2_000
BENCH_CANDIDATE = "candidate000000@bench.example"
BENCH_SUPERVISOR = "supervisor000000@bench.example"
# (status, weight) of the hours entries
STATES = (
    (HoursStatus.SIGNED, 75),
    (HoursStatus.SUBMITTED, 8),
    (HoursStatus.DRAFT, 5),
    (HoursStatus.RETURNED, 4),
    (HoursStatus.SUPERSEDED, 8),
)
ACTIONS = (
    "hours.create",
    "hours.submit",
    "hours.sign",
    "hours.return",
    "person.login",
    "module.complete",
    "licence.verify",
)


def schema_key() -> str:
    """A short hash of everything that decides the database's content: the generator,
    the demo, the programme and the migrations that make tables. Migrations that only
    add indexes or derived data (``DERIVED_MIGRATIONS``) are left out: they are applied
    to a copy of the cached database by ``upgrade``, so changing them rebuilds nothing."""
    digest = hashlib.sha256()
    sources = [
        path
        for path in sorted((ROOT / "migrations" / "versions").glob("*.py"))
        if path.stem not in DERIVED_MIGRATIONS
    ]
    sources += [ROOT / "airm_training" / "demo.py", ROOT / "airm_training" / "demo_activity.py"]
    sources += [Path(__file__), ROOT / "airm_training" / "programme" / "airm.toml"]
    for path in sources:
        digest.update(path.read_bytes())
    digest.update(today().isoformat().encode())  # dates are relative to today
    return digest.hexdigest()[:12]


def upgrade_to_head() -> bool:
    """Apply the migrations the database does not have yet; whether there were any."""
    from flask_migrate import upgrade

    def revision() -> str | None:
        try:
            return db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
        except sa.exc.DatabaseError:
            return None
        finally:
            db.session.remove()

    before = revision()
    upgrade(directory=str(ROOT / "migrations"))
    return revision() != before


def _insert(table, rows: list[dict]) -> list[int]:
    """Insert ``rows`` in batches; return their ids in order."""
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        result = db.session.execute(
            sa.insert(table).returning(table.id, sort_by_parameter_order=True), chunk
        )
        ids.extend(result.scalars())
    return ids


def _insert_plain(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(table), rows[start : start + BATCH])


def build(scale: int) -> dict[str, int]:
    """Migrate an empty database, load the programme and the demo, then add ``scale``
    times the bulk people and their records. Returns the row counts."""
    from airm_training.programme.loader import load_programme_file

    upgrade_to_head()
    load_programme_file()
    db.session.commit()
    seed_demo()
    db.session.commit()
    rng = random.Random(1000 + scale)
    now = utcnow()
    day0 = today()
    version = current_version()
    director = db.session.scalar(
        sa.select(Person.id).where(Person.email == "connie.zollner@btrc.example")
    )
    level = dict(db.session.execute(sa.select(CredentialLevel.code, CredentialLevel.id)).all())
    categories = list(db.session.scalars(sa.select(HoursCategory.id).order_by(HoursCategory.id)))
    modules = list(db.session.scalars(sa.select(Module.id).order_by(Module.id)))

    def person(n: int, kind: str) -> dict:
        # The first of each kind signs in for the benchmark, so is always active.
        return {
            "email": f"{kind}{n:06d}@bench.example",
            "full_name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {kind[0].upper()}{n:05d}",
            "post_nominals": "LMHC",
            "job_title": "Clinician",
            "password_hash": None,
            "active": n == 0 or rng.random() > 0.03,
            "session_version": 1,
            "created_at": now,
        }

    supervisors = _insert(
        Person, [person(n, "supervisor") for n in range(SUPERVISORS_PER_SCALE * scale)]
    )
    candidates = _insert(
        Person, [person(n, "candidate") for n in range(CANDIDATES_PER_SCALE * scale)]
    )
    everyone = supervisors + candidates
    _insert_plain(
        RoleAssignment,
        [{"person_id": i, "role": "candidate", "granted_at": now} for i in everyone],
    )
    _insert_plain(
        Licence,
        [
            {
                "person_id": i,
                "licence_type": "LMHC",
                "number": f"B-{i}",
                "jurisdiction": "Washington",
                "expires_on": day0 + timedelta(days=rng.randint(-60, 700)),
                "verified_at": now if rng.random() > 0.1 else None,
                "created_at": now,
            }
            for i in everyone
        ],
    )
    enrolled_on = {i: day0 - timedelta(days=rng.randint(30, 1100)) for i in everyone}
    awards = []
    for n, i in enumerate(supervisors):
        awarded = day0 - timedelta(days=rng.randint(30, 600))
        enrolled_on[i] = awarded - timedelta(days=rng.randint(380, 420))
        status = "revoked" if n and rng.random() < 0.05 else "active"
        awards.append(
            _award(i, level["AIRT-S"], version.id, awarded, awarded + timedelta(days=730), status)
        )
    _insert_plain(
        Enrolment,
        [
            {
                "person_id": i,
                "programme_version_id": version.id,
                "enrolled_on": enrolled_on[i],
                "created_at": now,
            }
            for i in everyone
        ],
    )
    for i in everyone:
        awards.append(_award(i, level["AIRT-C"], version.id, enrolled_on[i], None, "active"))
    _insert_plain(CredentialAward, awards)
    _certificate(supervisors[0], director)
    # Candidates with a primary supervisor (in bulk: one UPDATE per supervisor).
    mine: dict[int, list[int]] = {}
    for i in candidates:
        mine.setdefault(rng.choice(supervisors), []).append(i)
    for supervisor, group in mine.items():
        db.session.execute(
            sa.update(Person)
            .where(Person.id.in_(group))
            .values(primary_supervisor_id=supervisor)
            .execution_options(synchronize_session=False)
        )
    supervisor_of = {i: s for s, group in mine.items() for i in group}
    # Each candidate also consults a second supervisor, who signs some of their hours.
    consultant_of = {i: rng.choice(supervisors) for i in candidates}
    _insert_plain(
        ModuleCompletion,
        [
            {
                "person_id": i,
                "module_id": m,
                "completed_on": min(day0, enrolled_on[i] + timedelta(days=10 * k + 5)),
                "method": "self-paced",
                "recorded_by_id": i,
                "recorded_at": now,
            }
            for i in candidates
            for k, m in enumerate(modules[: rng.randint(0, len(modules))])
        ],
    )
    _hours(rng, candidates, supervisor_of, consultant_of, categories, enrolled_on, now)
    _exporters(rng, supervisors, categories, now)
    _bench_passwords([candidates[0], supervisors[0]])
    _applications(rng, candidates, supervisor_of, level["AIRT-S"], version.id, now)
    _audit(rng, everyone, now)
    db.session.commit()
    return counts()


def _award(person_id, level_id, version_id, awarded_on, expires_on, status) -> dict:
    return {
        "person_id": person_id,
        "level_id": level_id,
        "programme_version_id": version_id,
        "awarded_on": awarded_on,
        "expires_on": expires_on,
        "status": status,
        "created_at": datetime.combine(awarded_on, datetime.min.time()),
    }


def _certificate(holder_id: int, director_id: int) -> None:
    """A certificate for the first supervisor's AIRT-S (the verification page's)."""
    award = db.session.scalar(
        sa.select(CredentialAward)
        .join(CredentialLevel, CredentialLevel.id == CredentialAward.level_id)
        .where(CredentialAward.person_id == holder_id, CredentialLevel.code == "AIRT-S")
    )
    new_certificate(
        db.session.get(Person, holder_id),
        award,
        db.session.get(Person, director_id),
        ["Dr. Connie Zollner", "Elizabeth Abbruzza"],
        application_id=None,
    )


def _hours(rng, candidates, supervisor_of, consultant_of, categories, enrolled_on, now):
    states = [s for s, _w in STATES]
    weights = [w for _s, w in STATES]
    rows = []
    day0 = today()
    for i in candidates:
        if len(rows) >= BATCH:
            _insert_plain(HoursEntry, rows)
            rows = []
        span = (day0 - enrolled_on[i]).days
        for _ in range(rng.randint(0, 2 * ENTRIES_PER_CANDIDATE)):
            status = rng.choices(states, weights)[0]
            signer = supervisor_of[i] if rng.random() < 0.85 else consultant_of[i]
            signed = status in (HoursStatus.SIGNED, HoursStatus.SUPERSEDED)
            rows.append(
                {
                    "person_id": i,
                    "session_date": day0 - timedelta(days=rng.randint(0, span)),
                    "minutes": rng.choice((30, 45, 60, 60, 90, 120)),
                    "category_id": rng.choice(categories),
                    "supervisor_id": signer,
                    "stages": [],
                    "modalities": [],
                    "note": "",
                    "status": status.value,
                    "late": False,
                    "submitted_at": None if status is HoursStatus.DRAFT else now,
                    "signed_by_id": signer if signed else None,
                    "signed_at": now if signed else None,
                    "created_at": now - timedelta(minutes=rng.randint(0, 60 * 24 * 365)),
                    "updated_at": now,
                }
            )
    _insert_plain(HoursEntry, rows)


def _exporters(rng, supervisors, categories, now) -> None:
    """People with 2,000, 10,000 and 100,000 signed entries: the transcript's and the
    exports' (their signer is not the supervisor whose pages are timed)."""
    day0 = today()
    for count in (TRANSCRIPT_ENTRIES, *EXPORT_SIZES):
        (person_id,) = _insert(Person, [_exporter(count, now)])
        db.session.execute(
            sa.insert(RoleAssignment), [{"person_id": person_id, "role": "candidate"}]
        )
        signer = supervisors[-1]
        rows = [
            {
                "person_id": person_id,
                "session_date": day0 - timedelta(days=n % 2000),
                "minutes": 60,
                "category_id": categories[n % len(categories)],
                "supervisor_id": signer,
                "stages": ["attachment-awareness"],
                "modalities": [],
                "note": f"Session {n}",
                "status": "signed",
                "late": False,
                "submitted_at": now,
                "signed_by_id": signer,
                "signed_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(count)
        ]
        _insert_plain(HoursEntry, rows)


def _exporter(count: int, now) -> dict:
    return {
        "email": f"export{count}@bench.example",
        "full_name": f"Export {count}",
        "post_nominals": "",
        "job_title": "",
        "password_hash": None,
        "active": True,
        "session_version": 1,
        "created_at": now,
    }


def _bench_passwords(ids: list[int]) -> None:
    """The accounts the benchmark signs in as get the demo's password."""
    hashed = generate_password_hash(DEMO_PASSWORD, method="pbkdf2:sha256:1000")
    emails = [f"export{count}@bench.example" for count in (TRANSCRIPT_ENTRIES, *EXPORT_SIZES)]
    db.session.execute(
        sa.update(Person)
        .where(sa.or_(Person.id.in_(ids), Person.email.in_(emails)))
        .values(password_hash=hashed)
        .execution_options(synchronize_session=False)
    )


def _applications(rng, candidates, supervisor_of, level_id, version_id, now) -> None:
    rows = []
    for i in rng.sample(candidates, len(candidates) // 20):
        status = rng.choice((ApplicationStatus.SUBMITTED, ApplicationStatus.ENDORSED))
        rows.append(
            {
                "kind": "attain",
                "person_id": i,
                "level_id": level_id,
                "programme_version_id": version_id,
                "endorser_id": supervisor_of[i],
                "status": status.value,
                "open_key": f"{i}:{level_id}",
                "statement": "",
                "snapshot": {},
                "submitted_at": now - timedelta(days=rng.randint(0, 90)),
            }
        )
    _insert_plain(Application, rows)


def _audit(rng, people, now) -> None:
    last = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    rows = []
    for n in range(EVENTS_PER_CANDIDATE * len(people)):
        if len(rows) >= BATCH:
            _insert_plain(AuditEvent, rows)
            rows = []
        who = rng.choice(people)
        rows.append(
            {
                "id": last + n + 1,  # ids are assigned by the chain, as record_event does
                "occurred_at": now - timedelta(seconds=rng.randint(0, 3 * 365 * 86400)),
                "actor_id": who,
                "action": rng.choice(ACTIONS),
                "object_type": "person",
                "object_id": str(rng.choice(people)),
                "before": None,
                "after": {"n": n},
                "prev_hash": "0" * 64,
                "hash": hashlib.sha256(f"bench-{last + n}".encode()).hexdigest(),
            }
        )
    _insert_plain(AuditEvent, rows)


def counts() -> dict[str, int]:
    tables = {
        "people": Person,
        "hours_entries": HoursEntry,
        "audit_events": AuditEvent,
        "applications": Application,
        "quiz_attempts": QuizAttempt,
    }
    found = {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for name, model in tables.items()
    }
    db.session.rollback()
    return found


def fill_tally() -> float:
    """Compute the kept hours tally when the database has none (a database built before
    the tally existed, or upgraded now); the seconds it took (0 when it was there)."""
    from airm_training.progression import tally
    from airm_training.progression.models import HoursTally

    if db.session.scalar(sa.select(HoursTally.person_id).limit(1)) is not None:
        db.session.rollback()
        return 0.0
    started = time.perf_counter()
    tally.rebuild(db.session)
    db.session.commit()
    return time.perf_counter() - started


def analyse() -> None:
    """Refresh the planner's statistics, as autovacuum would after a bulk load."""
    db.session.remove()
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # VACUUM also sets the visibility map, so index-only scans read no table pages.
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                sa.text("VACUUM ANALYZE")
            )
        else:
            connection.execute(sa.text("ANALYZE"))
            connection.commit()


def cached_sqlite(cache: Path, scale: int, make_app) -> tuple[Path, bool]:
    """The path of a built SQLite database of ``scale`` (built when missing); whether it
    was built now."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"sqlite-s{scale}-{schema_key()}.sqlite3"
    if path.exists():
        return path, False
    partial = path.with_suffix(".building")
    partial.unlink(missing_ok=True)
    app = make_app(f"sqlite:///{partial}")
    with app.app_context():
        build(scale)
        analyse()
        db.engine.dispose()
    shutil.move(partial, path)
    return path, True


def pg_schema_ready(url: str, schema: str) -> bool:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = connection.scalar(
            sa.text(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = :s AND table_name = 'bench_built'"
            ),
            {"s": schema},
        )
    engine.dispose()
    return bool(found)


def ensure_database(url: str) -> None:
    """Create ``url``'s database when the server has none of that name (its role needs
    CREATEDB, as the CI's ``airm`` role has)."""
    target = sa.engine.make_url(url)
    maintenance = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with maintenance.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            )
            if not exists:
                quoted = connection.dialect.identifier_preparer.quote(target.database)
                connection.execute(sa.text(f"CREATE DATABASE {quoted}"))
    finally:
        maintenance.dispose()


def cached_postgresql(url: str, scale: int, make_app) -> tuple[str, bool]:
    """A schema of ``url``'s database holding ``scale`` (built when missing, the
    database too); returns the URL that selects it and whether it was built now."""
    ensure_database(url)
    schema = f"bench_s{scale}_{schema_key()}"
    separator = "&" if "?" in url else "?"
    scoped = f"{url}{separator}options=-csearch_path%3D{schema}"
    if pg_schema_ready(url, schema):
        return scoped, False
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        # Older bench schemas of this scale are dropped: one cached copy per scale.
        old = connection.scalars(
            sa.text(
                "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE :p"
            ),
            {"p": f"bench_s{scale}_%"},
        ).all()
        for name in old:
            connection.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    app = make_app(scoped)
    with app.app_context():
        build(scale)
        analyse()
        db.session.execute(sa.text("CREATE TABLE bench_built (id integer)"))
        db.session.commit()
        db.engine.dispose()
    return scoped, True


FIRST = [
    "Alex",
    "Sam",
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Jamie",
    "Avery",
    "Quinn",
    "Robin",
    "Drew",
    "Cameron",
    "Kendall",
    "Rowan",
    "Sage",
    "Emery",
    "Hayden",
    "Parker",
    "Reese",
]
LAST = [
    "Nguyen",
    "Smith",
    "Garcia",
    "Okafor",
    "Kowalski",
    "Haddad",
    "Silva",
    "Novak",
    "Tanaka",
    "Murphy",
    "Rossi",
    "Jensen",
    "Dubois",
    "Petrov",
    "Moreau",
    "Costa",
    "Fischer",
    "Larsen",
    "Horvat",
    "Walsh",
]
