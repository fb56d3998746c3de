"""What keeps the busy pages fast at a centre's scale: the indexes the standing, report
and queue queries use (proved by the database's own EXPLAIN, on SQLite and PostgreSQL),
a streamed export, and query counts that do not grow with the data."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.audit.services import record_event
from airm_training.core.clock import today, utcnow
from airm_training.extensions import db
from airm_training.hours import csv_io
from airm_training.hours.models import HoursEntry
from airm_training.hours.queries import HoursFilter
from airm_training.people.models import RoleAssignment
from airm_training.programme.models import CredentialLevel, HoursCategory
from airm_training.programme.services import current_version
from airm_training.progression.models import Application, HoursTally, Vote
from airm_training.progression.services import approval_quorums
from tests.bulk import bulk_candidates
from tests.factories import login, make_candidate, make_director, make_supervisor
from tests.query_count import count_queries


def _entry(person, signer, days_ago: int, status: str = "signed", note: str = "") -> None:
    category = db.session.scalar(
        sa.select(HoursCategory.id).where(HoursCategory.code == "individual-consultation")
    )
    signed = status == "signed"
    db.session.add(
        HoursEntry(
            person_id=person.id,
            session_date=today() - timedelta(days=days_ago),
            minutes=60,
            category_id=category,
            supervisor_id=signer.id,
            note=note,
            status=status,
            submitted_at=utcnow(),
            signed_by_id=signer.id if signed else None,
            signed_at=utcnow() if signed else None,
        )
    )


def _statements_of(fn, needle: str) -> list[tuple[str, object]]:
    """The statements (with their parameters) that ``fn`` sends and that mention
    ``needle``."""
    seen: list[tuple[str, object]] = []
    engine = db.engines[None].engine

    def listener(_conn, _cursor, statement, parameters, *_args):
        if needle in statement:
            seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return seen


def _plan(statement: str, parameters) -> str:
    """The database's plan for ``statement``. PostgreSQL is told to avoid sequential
    scans and sorts, as it would on large tables: the test databases are too small for
    the planner to prefer an index otherwise (and which it prefers changes once their
    statistics are gathered in the middle of a run), and the question is whether one
    applies."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        return "\n".join(row[0] for row in rows)
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return "\n".join(str(row[-1]) for row in rows)


@pytest.fixture
def reports_page(client):
    """The reports page as a director sees it, with candidates who have signed hours."""
    director = make_director()
    bulk_candidates(3, signer_id=make_supervisor(director=director).id, prefix="perf")
    db.session.commit()
    login(client, director)
    return lambda: client.get("/reports/")


def test_standing_hours_are_read_from_the_kept_tally(reports_page):
    statements = _statements_of(reports_page, "FROM hours_tally")
    assert len(statements) == 1  # every hours requirement of everyone, in one query
    assert not _statements_of(reports_page, "GROUP BY hours_entry.person_id")
    statement, parameters = statements[0]
    plan = _plan(statement, parameters)
    if db.session.connection().dialect.name == "postgresql":
        assert "Seq Scan on hours_tally" not in plan, plan
    else:
        assert "pk_hours_tally" in plan or "sqlite_autoindex_hours_tally" in plan, plan


def test_standing_hours_without_a_tally_are_read_from_the_standing_index(reports_page):
    """As before ``airm rebuild-standing`` ran: the figures are read from the entries."""
    db.session.execute(sa.delete(HoursTally))
    db.session.commit()
    statements = _statements_of(reports_page, "GROUP BY hours_entry.person_id")
    standing = [s for s in statements if "hours_entry.person_id IN" in s[0]]
    assert len(standing) >= 5  # one per hours requirement of AIRT-S
    for statement, parameters in standing:
        plan = _plan(statement, parameters)
        if db.session.connection().dialect.name == "postgresql":
            # Which index PostgreSQL picks depends on the statistics the suite has left
            # behind; the question is that hours are never read by scanning the table.
            assert "Seq Scan on hours_entry" not in plan, plan
            assert "on hours_entry" in plan, plan
        else:
            assert "ix_hours_entry_standing" in plan, statement


def test_last_activity_reads_an_index_per_person(reports_page):
    (statement, parameters), *_ = _statements_of(reports_page, "max(hours_entry.created_at)")
    assert "ix_hours_entry_person_created" in _plan(statement, parameters)


def test_pending_sign_offs_are_read_from_the_kept_backlog(reports_page):
    """The reports group the kept backlog by supervisor, not every waiting entry."""
    assert _statements_of(reports_page, "sum(signoff_backlog.entries)")
    assert not _statements_of(reports_page, "GROUP BY hours_entry.supervisor_id")


def test_export_is_streamed_in_chunks_newest_first(client, monkeypatch):
    director = make_director()
    candidate, supervisor = make_candidate(director=director), make_supervisor(director=director)
    for days_ago in (5, 1, 3, 4, 2):
        _entry(candidate, supervisor, days_ago, note=f"=cmd|{days_ago}")
    _entry(candidate, supervisor, 6, status="submitted")
    db.session.commit()
    monkeypatch.setattr(csv_io, "EXPORT_CHUNK", 2)
    login(client, candidate)
    response = client.get("/hours/export.csv")  # read in three partitions, after the view
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    days = [(today() - timedelta(days=n)).isoformat() for n in (1, 2, 3, 4, 5, 6)]
    assert [row["session_date"] for row in rows] == days
    assert rows[0]["note"] == "'=cmd|1"  # a spreadsheet does not run it
    assert rows[0]["signed_by"] == supervisor.full_name
    assert rows[0]["supervisor_email"] == supervisor.email
    assert rows[0]["category"] == "individual-consultation"
    assert rows[-1]["status"] == "submitted" and rows[-1]["signed_at"] == ""
    signed = client.get("/hours/export.csv?status=signed").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(signed)))) == 5


def test_export_fetches_its_rows_a_partition_at_a_time(app, monkeypatch):
    """The queries run when the first chunk is read, the rows' with ``yield_per`` (a
    server-side cursor on PostgreSQL), and a chunk is written per partition."""
    director = make_director()
    candidate, supervisor = make_candidate(director=director), make_supervisor(director=director)
    for days_ago in range(1, 6):
        _entry(candidate, supervisor, days_ago)
    db.session.commit()
    monkeypatch.setattr(csv_io, "EXPORT_CHUNK", 2)
    options = []

    def record(_connection, _cursor, statement, _parameters, context, _many):
        if "FROM hours_entry" in statement:
            options.append(context.execution_options.get("yield_per"))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        with app.test_request_context():
            chunks = csv_io.export_csv(csv_io.export_query(candidate.id, HoursFilter()))
            assert options == []  # nothing read before the body is
            first = next(chunks)
            rest = list(chunks)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert options == [2]  # the rows, a partition at a time (their people named by id)
    assert first.count("\r\n") == 3  # the header and the first two rows
    assert [chunk.count("\r\n") for chunk in rest] == [2, 1, 0]


def test_export_queries_do_not_grow_with_the_rows_and_keep_the_labels(client, monkeypatch):
    director = make_director()
    candidate, supervisor = make_candidate(director=director), make_supervisor(director=director)
    _entry(candidate, supervisor, 1)
    _entry(candidate, supervisor, 2, status="submitted")
    db.session.commit()
    monkeypatch.setattr(csv_io, "EXPORT_CHUNK", 3)
    login(client, candidate)

    def export():
        response = client.get("/hours/export.csv")
        response.get_data()  # the streamed body is written while counting
        return response

    before = count_queries(export)
    for days_ago in range(3, 43):
        _entry(candidate, supervisor, days_ago, status="signed" if days_ago % 2 else "returned")
    db.session.commit()
    assert count_queries(export) == before
    rows = list(csv.DictReader(io.StringIO(export().get_data(as_text=True))))
    assert len(rows) == 42
    labels = {(row["status"], row["status_label"]) for row in rows}
    assert labels == {
        ("signed", "Signed"),
        ("submitted", "Waiting for sign-off"),
        ("returned", "Returned"),
    }
    assert {row["category_name"] for row in rows} == {"Individual consultation"}
    signed = [row for row in rows if row["status"] == "signed"]
    assert {row["signed_by_email"] for row in signed} == {supervisor.email}


def test_export_of_someone_without_entries_is_the_header(client):
    candidate = make_candidate()
    login(client, candidate)
    text = client.get("/hours/export.csv").get_data(as_text=True)
    assert text.splitlines() == [",".join(csv_io.EXPORT_COLUMNS)]


def test_queue_queries_do_not_grow_with_the_supervisees_records(client):
    director = make_director()
    supervisor = make_supervisor(director=director)
    candidate = make_candidate(director=director)
    _entry(candidate, supervisor, 1, status="submitted")
    db.session.commit()
    login(client, supervisor)
    before = count_queries(lambda: client.get("/hours/queue"))
    for days_ago in range(2, 40):
        _entry(candidate, supervisor, days_ago, status="signed")
    other = make_candidate(director=director)
    _entry(other, supervisor, 1, status="submitted")
    db.session.commit()
    page = client.get("/hours/queue").get_data(as_text=True)
    assert other.full_name in page and candidate.full_name in page
    assert count_queries(lambda: client.get("/hours/queue")) == before


def _waiting_applications(people: list[int], *, days_back: int = 60) -> list[Application]:
    """An endorsed application for each person, waiting for the board, oldest first."""
    level = db.session.scalar(sa.select(CredentialLevel.id).where(CredentialLevel.code == "AIRT-S"))
    version = current_version().id
    applications = [
        Application(
            person_id=person_id,
            level_id=level,
            programme_version_id=version,
            status="endorsed",
            open_key=f"{person_id}:{level}",
            snapshot={},
            submitted_at=utcnow() - timedelta(days=days_back - n),
        )
        for n, person_id in enumerate(people)
    ]
    db.session.add_all(applications)
    db.session.flush()
    return applications


def test_board_queue_is_paginated_oldest_first(client):
    board = make_director()
    db.session.add(RoleAssignment(person_id=board.id, role="co-creator"))
    people = bulk_candidates(30, signer_id=board.id, prefix="apply", hours_each=0)
    applications = _waiting_applications(people)
    db.session.add(Vote(application_id=applications[0].id, member_id=board.id, approve=True))
    db.session.commit()
    login(client, board)
    first = client.get("/board").get_data(as_text=True)
    second = client.get("/board?page=2").get_data(as_text=True)
    shown = [a for a in applications if f'/applications/{a.id}"' in first]
    assert shown == applications[:25]  # 25 a page, oldest first
    assert "You voted: approve" in first and first.count("Waiting for your vote") == 24
    later = [a for a in applications if f'/applications/{a.id}"' in second]
    assert later == applications[25:]
    assert "page=2" in first


def test_the_board_list_takes_its_total_from_the_figures_it_lists(client):
    """The pages of the board list are counted by the tile it is the list of (the one
    statement that counts the board's figures), not by a count of their own; the list
    waiting for the reader's vote holds one fewer when the reader has voted on one."""
    board = make_director()
    db.session.add(RoleAssignment(person_id=board.id, role="co-creator"))
    people = bulk_candidates(26, signer_id=board.id, prefix="apply", hours_each=0)
    applications = _waiting_applications(people)
    db.session.add(Vote(application_id=applications[0].id, member_id=board.id, approve=True))
    db.session.commit()
    login(client, board)
    everything = client.get("/board").get_data(as_text=True)
    assert "page=2" in everything  # 26 at the board: two pages
    waiting = client.get("/board?waiting=you").get_data(as_text=True)
    assert "page=2" not in waiting  # 25 wait for this member's vote: one page
    statements = [" ".join(s.split()) for s, _ in _statements_of(lambda: client.get("/board"), "")]
    assert any("count(application.id) FILTER" in s for s in statements)  # the figures
    recounted = [s for s in statements if "count(*) AS count_1 FROM (SELECT application.id" in s]
    assert not recounted, recounted


def test_the_board_reads_the_quorums_of_its_page_in_one_query(client):
    board = make_director()
    db.session.add(RoleAssignment(person_id=board.id, role="co-creator"))
    people = bulk_candidates(4, signer_id=board.id, prefix="levels", hours_each=0)
    applications = _waiting_applications(people)
    candidate_level = db.session.scalar(
        sa.select(CredentialLevel.id).where(CredentialLevel.code == "AIRT-C")
    )
    for application in applications[:2]:  # two levels on the page
        application.level_id = candidate_level
        application.open_key = f"{application.person_id}:{candidate_level}"
    db.session.commit()
    login(client, board)
    page: list = []
    reads = _statements_of(lambda: page.append(client.get("/board")), "requirement.params")
    assert page[0].status_code == 200
    assert len(reads) == 1
    html = page[0].get_data(as_text=True)
    for quorum in set(approval_quorums(applications).values()):
        assert f"0 of {quorum} approvals needed" in html


def test_dashboard_queries_do_not_grow_with_the_candidates_records(client):
    director = make_director()
    candidate, supervisor = make_candidate(director=director), make_supervisor(director=director)
    _entry(candidate, supervisor, 1)
    _entry(candidate, supervisor, 2, status="submitted")
    db.session.commit()
    login(client, candidate)
    before = count_queries(lambda: client.get("/candidate"))
    for days_ago in range(3, 80):
        _entry(
            candidate,
            supervisor,
            days_ago,
            status=("signed", "submitted", "returned")[days_ago % 3],
        )
    db.session.commit()
    assert count_queries(lambda: client.get("/candidate")) == before


# The demo candidate's home: the person with their roles, the next level (3), the facts
# sent together (1), the hours chart, the applications, the next steps (1), the awards for
# the awards list and the renewal and reinstatement panels (1), the enrolment, the
# supervisor, the certificates, the unread notices and the supervisor menu check.
DASHBOARD_SELECTS = 12


def test_the_dashboard_reads_what_it_shows_in_few_queries(client):
    from airm_training.demo import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo

    seed_demo()
    db.session.commit()
    client.submit(
        "/auth/login",
        {"email": f"aubrey.holden@{DEMO_DOMAIN}", "password": DEMO_PASSWORD},
        form_path="/auth/login",
    )
    page = client.get("/candidate")
    assert page.status_code == 200 and "Aubrey" in page.get_data(as_text=True)
    selects = _statements_of(lambda: client.get("/candidate"), "SELECT")
    awards = [s for s, _ in selects if s.lstrip().startswith("SELECT credential_award.id")]
    assert len(selects) <= DASHBOARD_SELECTS, "\n\n".join(s for s, _ in selects)
    assert len(awards) == 1


def test_board_and_overview_queries_do_not_grow_with_the_applications(client):
    board = make_director()
    db.session.add(RoleAssignment(person_id=board.id, role="co-creator"))
    _waiting_applications(bulk_candidates(2, signer_id=board.id, prefix="few", hours_each=1))
    db.session.commit()
    login(client, board)
    before = {
        path: count_queries(lambda path=path: client.get(path)) for path in ("/board", "/director")
    }
    many = bulk_candidates(60, signer_id=board.id, prefix="many", hours_each=2)
    _waiting_applications(many, days_back=120)
    db.session.commit()
    after = {
        path: count_queries(lambda path=path: client.get(path)) for path in ("/board", "/director")
    }
    assert after == before
    assert "page=2" in client.get("/board").get_data(as_text=True)  # 62 waiting: two pages


def test_audit_trail_reads_its_page_its_count_and_its_choices_through_indexes(client):
    """Page 1 of the trail reads the newest events through the primary key, counts at most
    ``COUNT_CAP + 1`` of them, and lists the actions and object types with one index probe
    per value (a loose index scan), so it costs the same at 81,000 events or 810,000."""
    director = make_director()
    for n in range(5):
        record_event("bulk.made", "bulk", n, actor_id=director.id)
    db.session.commit()
    login(client, director)
    statements = _statements_of(lambda: client.get("/audit/"), "FROM audit_event")
    postgresql = db.session.connection().dialect.name == "postgresql"
    page = [s for s in statements if "ORDER BY audit_event.id DESC" in s[0]]
    counts = [s for s in statements if s[0].startswith("SELECT count(*)")]
    choices = [s for s in statements if s[0].startswith("WITH RECURSIVE")]
    assert len(page) == len(counts) == 1 and len(choices) == 2, statements
    assert len(statements) == 4, statements  # nothing else reads the events
    for statement, parameters in statements:
        assert "LIMIT" in statement or statement.startswith("WITH RECURSIVE"), statement
        plan = _plan(statement, parameters)
        assert "Seq Scan on audit_event" not in plan, plan
    page_plan = _plan(*page[0])
    if postgresql:
        assert "Index Scan Backward using pk_audit_event" in page_plan, page_plan
    else:
        assert "TEMP B-TREE" not in page_plan, page_plan  # read in key order, no sort
    for (statement, parameters), index in zip(
        choices, ("ix_audit_event_action", "ix_audit_event_object"), strict=True
    ):
        plan = _plan(statement, parameters)
        if postgresql:
            assert "Recursive Union" in plan and f"Index Only Scan using {index}" in plan, plan
        else:
            assert f"SEARCH audit_event USING COVERING INDEX {index} (" in plan, plan


def test_the_audit_trail_page_reads_rows_not_event_objects(client, monkeypatch):
    """A page of the trail reads its events as plain rows with the actor's name (no
    event or actor objects are built for 50 rows shown once), and the statement naming
    each event's subject is built once for the kinds of object on the page."""
    from airm_training.audit.models import AuditEvent
    from airm_training.reports import audit_view

    director, candidate = make_director(), make_candidate()
    for n in range(3):
        record_event("bulk.made", "person", candidate.id, actor_id=director.id, after={"n": n})
    db.session.commit()
    login(client, director)
    built = []
    real = audit_view._subjects_select
    monkeypatch.setattr(
        audit_view, "_subjects_select", lambda kinds: built.append(kinds) or real(kinds)
    )
    loaded = []

    def on_load(target, _context):
        loaded.append(target.id)

    sa.event.listen(AuditEvent, "load", on_load)
    try:
        pages = [client.get("/audit/?action=bulk.made").get_data(as_text=True) for _ in range(2)]
    finally:
        sa.event.remove(AuditEvent, "load", on_load)
    assert loaded == []
    assert len(built) <= 1  # none when an earlier test built it for the same kinds
    assert all(page.count(f">{candidate.full_name}</a>") == 3 for page in pages)


def test_the_quiet_of_the_day_are_found_through_the_summary_index(reports_page):
    """The stalled candidates (reports, the director's tile) come from the day's kept
    rows with nothing done since the cut-off, found by ``ix_standing_summary_quiet``,
    not by reading every row."""
    from airm_training.progression import summary

    # Many active people beside the few quiet ones, as at a real centre: with a handful
    # of rows, PostgreSQL's planner reads the day's rows through another index on the
    # day and filters them. Their statistics are gathered here, so that the plan rests
    # on these rows and not on whatever an earlier test left when autovacuum ran.
    bulk_candidates(400, signer_id=make_supervisor().id, prefix="busy", hours_each=1)
    summary.rebuild(db.session, today())
    db.session.commit()
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE standing_summary")
    statements = [
        s
        for s in _statements_of(reports_page, "FROM standing_summary")
        if "standing_summary.last_active_at <" in s[0]
    ]
    assert statements
    for statement, parameters in statements:
        assert "ix_standing_summary_quiet" in _plan(statement, parameters), statement


def test_the_overview_counts_unverified_licences_from_an_index(client):
    """The director's overview counts the licences awaiting verification through
    ``ix_licence_verified_at`` instead of reading every licence. (Active people are
    counted from the table: an index on the flag would lead SQLite, without statistics,
    to start the joins on active people from it.)"""
    director = make_director()
    login(client, director)
    overview = lambda: client.get("/director")  # noqa: E731
    counts = _statements_of(overview, "count(*)")
    needle = "FROM licence WHERE licence.verified_at IS NULL"
    statements = [(s, p) for s, p in counts if needle in " ".join(s.split())]
    assert len(statements) == 1
    assert "ix_licence_verified_at" in _plan(*statements[0]), statements[0]


def test_my_supervisees_reads_who_and_their_totals_off_indexes(client):
    """Who submitted to the supervisor is read off ``ix_hours_entry_supervisor_person``
    alone, and their totals are summed in the order of ``ix_hours_entry_standing``
    (no sort of every entry first)."""
    director = make_director()
    supervisor = make_supervisor(director=director)
    candidate = make_candidate(director=director)
    for days_ago in range(1, 6):
        _entry(candidate, supervisor, days_ago, status="submitted" if days_ago % 2 else "signed")
    db.session.commit()
    login(client, supervisor)
    page = lambda: client.get("/hours/supervisees")  # noqa: E731
    (who,) = _statements_of(page, "SELECT DISTINCT hours_entry.person_id")
    (totals,) = _statements_of(page, "GROUP BY hours_entry.person_id")
    if db.session.connection().dialect.name == "postgresql":
        for statement in (who, totals):
            assert "Seq Scan on hours_entry" not in _plan(*statement), statement
    else:
        assert "COVERING INDEX ix_hours_entry_supervisor_person" in _plan(*who), who
        plan = _plan(*totals)
        assert "ix_hours_entry_standing" in plan, plan
        assert "TEMP B-TREE FOR GROUP BY" not in plan, plan
    assert candidate.full_name in page().get_data(as_text=True)


def test_my_hours_reads_no_roles_of_the_supervisors_it_names(client):
    """The list and its supervisor filter show names: the roles of the people named are
    not loaded (they were, in two extra statements per page)."""
    director = make_director()
    candidate = make_candidate(director=director)
    for days_ago in range(1, 4):
        signer = make_supervisor(director=director)
        _entry(candidate, signer, days_ago)
    db.session.commit()
    login(client, candidate)
    name = signer.full_name
    db.session.expunge_all()  # as in a worker: nobody is loaded before the request
    page = lambda: client.get("/hours/")  # noqa: E731
    statements = [" ".join(s.split()) for s, _ in _statements_of(page, "FROM role_assignment")]
    assert not [s for s in statements if "FROM role_assignment WHERE" in s], statements
    assert name in page().get_data(as_text=True)


DIRECTOR_HOME_SELECTS = 7


def test_the_directors_home_reads_its_queue_and_overview_together(client):
    """The sign-off backlog, the applications by step, documents, continuing education,
    expiries, the overview's counts and the ladder with its holders are one statement;
    the stalled candidates' kept rows and the people without one another: seven
    selects in all with the sign-in, the navigation and the renewal panel (twelve when
    each was read alone)."""
    from airm_training.credentials import holders
    from airm_training.demo import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo
    from airm_training.progression import summary

    seed_demo()
    db.session.commit()
    client.submit(
        "/auth/login",
        {"email": f"connie.zollner@{DEMO_DOMAIN}", "password": DEMO_PASSWORD},
        form_path="/auth/login",
    )
    summary.rebuild(db.session, today())  # as the nightly command leaves them
    holders.refresh(db.session, today())
    db.session.commit()
    page = client.get("/director")
    assert page.status_code == 200 and "waiting for sign-off" in page.get_data(as_text=True)
    selects = [s for s, _ in _statements_of(lambda: client.get("/director"), "SELECT")]
    assert len(selects) <= DIRECTOR_HOME_SELECTS, "\n\n".join(selects)
    (together,) = [s for s in selects if "signoff_backlog" in s]
    for table in ("application", "supporting_document", "licence", "holder_count"):
        assert f"FROM {table}" in together, table


def test_a_directory_page_is_read_in_the_order_of_the_name_index(client):
    """A page of the directory reads its people off ``ix_person_name`` (name, then id)
    instead of sorting everyone for every page."""
    director = make_director()
    for _ in range(3):
        make_candidate(director=director)
    db.session.commit()
    login(client, director)
    ordered = _statements_of(lambda: client.get("/people/"), "ORDER BY person.full_name")
    (page,) = [s for s in ordered if "LIMIT" in s[0]]
    plan = _plan(*page)
    assert "ix_person_name" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
