"""The director's reports, each checked against a small population whose figures are
worked out by hand; the CSV of each; who may see them; constant queries as people grow."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import current_app

import airm_training.progression.engine as engine
import airm_training.reports.people as people_reports
from airm_training.core.clock import add_months, today
from airm_training.credentials.models import CredentialAward, Enrolment
from airm_training.credentials.services import award_credential
from airm_training.extensions import db
from airm_training.hours.models import HoursEntry, HoursStatus
from airm_training.main.overview import director_overview
from airm_training.people.models import Licence, Person, Role
from airm_training.programme.models import CredentialLevel
from airm_training.programme.services import current_version
from airm_training.progression import summary
from airm_training.progression.models import Application, Certificate
from airm_training.reports import queues
from airm_training.reports.people import ALL_MET, PeopleReports
from tests.bulk import bulk_candidates
from tests.factories import login, make_candidate, make_director, make_person
from tests.test_engine import bare_application as open_application
from tests.test_engine import (
    complete_modules,
    count_statements,
    evaluated,
    graded_case,
    insert_hours,
    long_standing_supervisor,
    months_ago,
    pass_quizzes,
    qualified_candidate,
)
from tests.test_performance import _statements_of

DIRECT = "Direct clinical: 50 hours"


@pytest.fixture
def director(app) -> Person:
    return make_director(full_name="Dana Director")


@pytest.fixture
def supervisor(director) -> Person:
    person = long_standing_supervisor(director)
    person.full_name = "Sam Supervisor"
    db.session.commit()
    return person


def named(person: Person, name: str) -> Person:
    person.full_name = name
    db.session.commit()
    return person


def candidate(director: Person, name: str, *, days_ago: int = 0, months: int = 0) -> Person:
    enrolled_on = months_ago(months) if months else today() - timedelta(days=days_ago)
    return named(make_candidate(director=director, enrolled_on=enrolled_on), name)


def rows_of(report) -> list[tuple]:
    return [tuple(row) for row in report.rows]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


# --- people at each level -----------------------------------------------------------------
def test_people_are_counted_at_the_highest_level_they_hold_today(director, supervisor):
    candidate(director, "Cara One")
    candidate(director, "Cara Two")
    promoted = candidate(director, "Pat Promoted", months=14)
    award_credential(promoted, "AIRT-S", actor_id=director.id, version=current_version())
    revoked = candidate(director, "Rae Revoked")
    db.session.execute(
        sa.update(CredentialAward)
        .where(CredentialAward.person_id == revoked.id)
        .values(status="revoked")
    )
    gone = candidate(director, "Ina Inactive")
    gone.active = False
    db.session.commit()

    report = PeopleReports(today()).levels()
    # AIRT-C: the two Caras; AIRT-S: the supervisor and Pat (who also holds AIRT-C);
    # Rae is enrolled without a current credential; Ina is inactive; Dana holds nothing.
    assert rows_of(report) == [
        ("AIRT-C", "AIRM-Trained Candidate", 2),
        ("AIRT-S", "AIRM-Trained Supervisor", 2),
        ("—", "Enrolled, no current credential", 1),
    ]
    # the director's overview counts the same people the same way
    overview = director_overview().holders_by_level
    assert overview == [row for row in rows_of(report) if row[0] != "—"]


def test_the_overview_and_the_reports_page_show_the_same_holders(client, director, supervisor):
    holder = make_candidate(director=director)
    award_credential(holder, "AIRT-S", actor_id=director.id, version=current_version())
    inactive = make_candidate(director=director)
    inactive.active = False
    db.session.commit()
    login(client, director)
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    reports = client.get("/reports/").get_data(as_text=True)

    def card(code: str) -> str:
        text = home[home.index(f"At {code} now") :]
        return text[text.index('fs-4 mb-0">') + 11 :].split("<")[0]

    people = {row[0]: row[2] for row in rows_of(PeopleReports(today()).levels())}
    assert (card("AIRT-C"), card("AIRT-S")) == (str(people["AIRT-C"]), str(people["AIRT-S"]))
    assert people["AIRT-S"] == 2  # the supervisor and the holder, who also holds AIRT-C
    for code, name in (("AIRT-C", "AIRM-Trained Candidate"), ("AIRT-S", "AIRM-Trained Supervisor")):
        row = f'<td>{code}</td><td>{name}</td><td class="text-end">{people[code]}</td></tr>'
        assert row in reports


# --- progress, near completion ------------------------------------------------------------
@pytest.fixture
def ladder(director, supervisor):
    """Six candidates who have met 1, 2, 4, 6, 10 and 11 of the 11 evidence requirements."""
    candidate(director, "Fay Fresh")  # licence only: 1 of 11 = 9 %
    candidate(director, "Hal Held", months=13)  # licence, AIRT-C held 12 months: 2 = 18 %
    studied = candidate(director, "Sue Studied", months=13)
    complete_modules(studied, director)
    pass_quizzes(studied)  # + modules + quizzes: 4 = 36 %
    assessed = candidate(director, "Ada Assessed", months=13)
    complete_modules(assessed, director)
    pass_quizzes(assessed)
    graded_case(assessed, supervisor, "pass", "One")
    graded_case(assessed, supervisor, "pass", "Two")
    evaluated(assessed, supervisor, 3)  # + cases + evaluation: 6 = 54 %
    almost, hours = qualified_candidate(supervisor=supervisor, director=director)
    named(almost, "Al Almost")
    db.session.execute(
        sa.update(HoursEntry)
        .where(HoursEntry.id == hours["direct-clinical"][0])
        .values(status=HoursStatus.SUBMITTED.value)
    )  # one session short of 50 h of direct clinical work: 10 = 90 %
    db.session.commit()
    ready, _ = qualified_candidate(supervisor=supervisor, director=director)
    named(ready, "Rita Ready")  # 11 = 100 %
    return {"almost": almost, "ready": ready}


def next_levels_today() -> dict[int, str]:
    """{person id: next level's code} of the active enrolled people with a level to reach."""
    enrolled = (
        sa.select(Person.id).join(Enrolment, Enrolment.person_id == Person.id).where(Person.active)
    )
    ids = list(db.session.scalars(enrolled))
    found = summary.progress_of(ids, enrolled, today())
    return {person_id: progress.level_code for person_id, progress in found.items()}


def test_candidates_are_bucketed_by_the_share_of_requirements_met(ladder):
    report = PeopleReports(today()).progress()
    assert rows_of(report) == [
        ("AIRT-S", "0-24 %", 2),
        ("AIRT-S", "25-49 %", 1),
        ("AIRT-S", "50-74 %", 1),
        ("AIRT-S", "75-99 %", 1),
        ("AIRT-S", ALL_MET, 1),
    ]


def test_candidates_near_completion_are_listed_closest_first(ladder):
    report = PeopleReports(today()).near_completion()
    assert rows_of(report) == [
        ("Rita Ready", "AIRT-S", 11, 11, 100, "—"),
        ("Al Almost", "AIRT-S", 10, 11, 90, DIRECT),
    ]
    assert report.total == 2


def test_progress_and_near_completion_from_kept_summaries_equal_the_live_ones(
    ladder, supervisor, monkeypatch
):
    """Counted and listed by the database from the kept rows, the reports are the ones
    evaluated live, also when some candidates have no valid row (changed since, or never
    kept): those are evaluated and merged in, in the same order and pages."""
    people = PeopleReports(today())
    live = (rows_of(people.progress()), rows_of(people.near_completion(page=None)))
    summary.rebuild(db.session, today())
    db.session.commit()
    evaluated: list[object] = []
    real = people_reports.live_progress

    def recording(ids, population, day):
        evaluated.extend(ids)
        return real(ids, population, day)

    monkeypatch.setattr(people_reports, "live_progress", recording)
    kept = PeopleReports(today())
    assert (rows_of(kept.progress()), rows_of(kept.near_completion(page=None))) == live
    assert evaluated == []  # every row held: nobody was evaluated
    pages = [rows_of(kept.near_completion(n, per_page=1)) for n in (1, 2)]
    assert pages == [[live[1][0]], [live[1][1]]]
    # Without Rita's row (forgotten, as when her record changes) she is evaluated, the
    # rest kept.
    summary.forget(db.session, [ladder["ready"].id])
    db.session.commit()
    mixed = PeopleReports(today())
    assert (rows_of(mixed.progress()), rows_of(mixed.near_completion(page=None))) == live
    assert evaluated == [ladder["ready"].id]
    pages = [rows_of(mixed.near_completion(n, per_page=1)) for n in (1, 2)]
    assert pages == [[live[1][0]], [live[1][1]]]
    assert mixed.near_completion(2, per_page=1).total == 2


def test_the_near_completion_list_comes_in_pages_but_whole_in_the_csv(ladder):
    people = PeopleReports(today())
    first, second = people.near_completion(per_page=1), people.near_completion(2, per_page=1)
    assert [row[0] for row in first.rows] == ["Rita Ready"]
    assert [row[0] for row in second.rows] == ["Al Almost"]
    assert (first.total, first.pages, second.page) == (2, 2, 2)
    assert people.near_completion(9, per_page=1).page == 2  # past the end: the last page
    assert len(people.near_completion(page=None).rows) == 2


def test_the_stalled_list_pages_on_the_page(client, director, monkeypatch):
    monkeypatch.setattr("airm_training.reports.people.PER_PAGE", 1)
    for name in ("Ann Quiet", "Ben Quiet"):
        candidate(director, name, days_ago=100)
    login(client, director)
    first = client.get("/reports/?days=30").get_data(as_text=True)
    assert "Ann Quiet" in first and "Ben Quiet" not in first
    assert "Page 1 of 2" in first
    assert "stalled_page=2" in first
    second = client.get("/reports/?days=30&stalled_page=2").get_data(as_text=True)
    assert "Ben Quiet" in second and "Ann Quiet" not in second
    assert "days=30" in second  # the other settings are kept in the page links
    rows = csv_rows(client.get("/reports/stalled.csv?days=30"))
    assert [row[0] for row in rows[1:]] == ["Ann Quiet", "Ben Quiet"]


def test_the_expiring_and_sign_off_lists_page_on_the_page(
    client, director, supervisor, monkeypatch
):
    monkeypatch.setattr("airm_training.reports.queues.PER_PAGE", 1)
    for days, name in ((5, "Ann Soon"), (6, "Ben Later")):
        person = candidate(director, name)
        person.licences[0].expires_on = today() + timedelta(days=days)
        insert_hours(
            person,
            "individual-consultation",
            1,
            60,
            signer=supervisor,
            status=HoursStatus.SUBMITTED,
        )
    other = named(long_standing_supervisor(director), "Oli Other")
    insert_hours(
        person, "individual-consultation", 1, 60, signer=other, status=HoursStatus.SUBMITTED
    )
    db.session.commit()
    login(client, director)
    first = client.get("/reports/").get_data(as_text=True)
    expiring = first[first.index('id="expiring"') :]
    assert "Ann Soon" in expiring and "Ben Later" not in expiring
    assert "expiring_page=2" in expiring and "signoffs_page=2" in first
    for page in (2, 9):  # a page past the end shows the last one
        second = client.get(f"/reports/?expiring_page={page}").get_data(as_text=True)
        expiring = second[second.index('id="expiring"') :]
        assert "Ben Later" in expiring and "Ann Soon" not in expiring
    statements = _statements_of(lambda: client.get("/reports/?expiring_page=2"), "UNION ALL")
    paged = [s for s, _parameters in statements if "licence.licence_type" in s]
    assert len(paged) == 1 and "LIMIT" in paged[0]  # one page, read by the database
    signoffs = client.get("/reports/?signoffs_page=2").get_data(as_text=True)
    assert "Page 2 of 2 (2 in all" in signoffs[signoffs.index('id="sign-offs"') :]
    rows = csv_rows(client.get("/reports/expiring.csv"))
    assert [row[2] for row in rows[1:]][:2] == ["Ann Soon", "Ben Later"]


# --- stalled ------------------------------------------------------------------------------
def logged_days_ago(person: Person, signer: Person, days: int) -> None:
    (entry_id,) = insert_hours(person, "didactic", 1, 60, signer=signer, first_day_ago=days)
    db.session.execute(
        sa.update(HoursEntry)
        .where(HoursEntry.id == entry_id)
        .values(created_at=local_noon(today() - timedelta(days=days)))
    )
    db.session.commit()


def local_noon(day: date) -> datetime:
    """Noon of ``day`` in the centre's time zone, stored as naive UTC."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return datetime.combine(day, time(12), zone).astimezone(UTC).replace(tzinfo=None)


@pytest.fixture
def quiet(director, supervisor):
    never = candidate(director, "Nell Never", days_ago=100)
    long_ago = candidate(director, "Lou Longago", days_ago=100)
    logged_days_ago(long_ago, supervisor, 61)
    boundary = candidate(director, "Bo Boundary", days_ago=100)
    logged_days_ago(boundary, supervisor, 60)
    candidate(director, "Nia New", days_ago=10)
    busy = candidate(director, "Bea Busy", days_ago=100)
    complete_modules(busy, director, ("AIRM-101",))  # recorded now
    waiting = candidate(director, "Wes Waiting", days_ago=100)
    open_application(waiting, supervisor)
    return {"never": never, "long_ago": long_ago}


def test_stalled_candidates_have_no_activity_in_the_days_asked_for(quiet):
    report = PeopleReports(today(), stalled_days=60).stalled()
    # Bo's last activity is exactly 60 days ago: within the 60 days, not stalled.
    assert rows_of(report) == [
        ("Nell Never", "AIRT-S", (today() - timedelta(days=100)).isoformat(), "never", 100),
        (
            "Lou Longago",
            "AIRT-S",
            (today() - timedelta(days=100)).isoformat(),
            (today() - timedelta(days=61)).isoformat(),
            61,
        ),
    ]
    assert [row[0] for row in PeopleReports(today(), stalled_days=59).stalled().rows] == [
        "Nell Never",
        "Lou Longago",
        "Bo Boundary",
    ]
    assert [row[0] for row in PeopleReports(today(), stalled_days=90).stalled().rows] == [
        "Nell Never"
    ]
    # The director's tile counts the same candidates.
    assert [PeopleReports(today(), stalled_days=d).stalled_count() for d in (59, 60, 90)] == [
        3,
        2,
        1,
    ]


def test_the_stalled_list_applies_no_rule(quiet, director, monkeypatch):
    """The list (and the director's count) needs the quiet people's next level only: no
    standing is built, and the rows are those of the quiet among every candidate."""
    top = candidate(director, "Tia Top", days_ago=100)  # quiet, but holds every level
    for code in ("AIRT-C", "AIRT-S"):
        award_credential(top, code, actor_id=director.id, version=current_version())
    db.session.commit()
    expected = next_levels_today()
    quiet_ids = {quiet["never"].id, quiet["long_ago"].id}
    assert set(expected) >= quiet_ids
    assert top.id not in expected

    def refused(*_args, **_kwargs):
        raise AssertionError("the stalled list applied a rule")

    monkeypatch.setattr(engine, "apply_rule", refused)
    rows = rows_of(PeopleReports(today(), stalled_days=60).stalled(page=None))
    assert [row[0] for row in rows] == ["Nell Never", "Lou Longago"]
    assert [row[1] for row in rows] == [expected[quiet["never"].id]] * 2


def test_the_stalled_list_from_kept_summaries_equals_the_live_one(quiet, supervisor):
    """Read from the nightly summaries (last activity and next level kept), the list is
    the one read live; someone who logs hours afterwards leaves it at once."""
    live = rows_of(PeopleReports(today(), stalled_days=60).stalled(page=None))
    summary.rebuild(db.session, today())
    db.session.commit()
    kept = PeopleReports(today(), stalled_days=60)
    assert rows_of(kept.stalled(page=None)) == live
    assert [row[0] for row in live] == ["Nell Never", "Lou Longago"]
    assert rows_of(PeopleReports(today(), stalled_days=90).stalled(page=None)) == [
        row for row in live if row[0] == "Nell Never"
    ]
    insert_hours(quiet["never"], "didactic", 1, 60, signer=supervisor)
    after = rows_of(PeopleReports(today(), stalled_days=60).stalled(page=None))
    assert [row[0] for row in after] == ["Lou Longago"]


def test_the_stalled_list_reads_no_activity_of_people_with_a_kept_summary(quiet, monkeypatch):
    summary.rebuild(db.session, today())
    db.session.commit()
    asked: list[object] = []
    real = people_reports.last_activity

    def recording(people):
        asked.append(people)
        return real(people)

    monkeypatch.setattr(people_reports, "last_activity", recording)
    assert PeopleReports(today(), stalled_days=60).stalled(page=None).total == 2
    assert asked == []


def test_the_page_takes_the_number_of_days_from_its_form(client, director, quiet):
    login(client, director)
    page = client.get("/reports/?days=90").get_data(as_text=True)
    assert "no activity in the last 90 days" in page
    assert "Nell Never" in page
    assert "Lou Longago" not in page
    assert 'value="90"' in page
    rows = csv_rows(client.get("/reports/stalled.csv?days=90"))
    assert [row[0] for row in rows] == ["Candidate", "Nell Never"]


@pytest.mark.parametrize("days", ["0", "abc", "4000", "-5"])
def test_a_bad_number_of_days_is_explained_and_the_default_used(client, director, quiet, days):
    login(client, director)
    page = client.get(f"/reports/?days={days}").get_data(as_text=True)
    assert "showing the default" in page
    assert "no activity in the last 60 days" in page
    assert 'class="invalid-feedback"' in page


# --- sign-offs waiting --------------------------------------------------------------------
def test_pending_sign_offs_by_supervisor_with_the_age_of_the_oldest(director, supervisor):
    other = named(long_standing_supervisor(director), "Oli Other")
    person = candidate(director, "Cara Candidate")
    waiting = insert_hours(
        person, "individual-consultation", 3, 60, signer=supervisor, status=HoursStatus.SUBMITTED
    )
    for entry_id, days in zip(waiting, (10, 5, 1), strict=True):
        db.session.execute(
            sa.update(HoursEntry)
            .where(HoursEntry.id == entry_id)
            .values(submitted_at=local_noon(today() - timedelta(days=days)))
        )
    (for_other,) = insert_hours(
        person, "individual-consultation", 1, 90, signer=other, status=HoursStatus.SUBMITTED
    )
    db.session.execute(
        sa.update(HoursEntry)
        .where(HoursEntry.id == for_other)
        .values(submitted_at=local_noon(today() - timedelta(days=2)))
    )
    insert_hours(person, "individual-consultation", 4, 60, signer=supervisor)  # signed
    insert_hours(
        person, "individual-consultation", 2, 60, signer=other, status=HoursStatus.RETURNED
    )
    db.session.commit()

    assert rows_of(queues.pending_signoffs(today())) == [
        ("Sam Supervisor", 3, 3.0, (today() - timedelta(days=10)).isoformat(), 10),
        ("Oli Other", 1, 1.5, (today() - timedelta(days=2)).isoformat(), 2),
    ]


# --- applications waiting -----------------------------------------------------------------
def application(person: Person, status: str, days_ago: int, *, kind="attain", endorser=None):
    level = db.session.scalar(sa.select(CredentialLevel).where(CredentialLevel.code == "AIRT-S"))
    row = Application(
        kind=kind,
        person_id=person.id,
        level_id=level.id,
        programme_version_id=current_version().id,
        endorser_id=endorser.id if endorser else None,
        status=status,
        open_key=None,
        statement="",
        snapshot={},
        submitted_at=local_noon(today() - timedelta(days=days_ago)),
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_applications_waiting_for_each_step(director, supervisor):
    application(candidate(director, "Ed Endorse"), "submitted", 3, endorser=supervisor)
    application(candidate(director, "Vi Votes"), "endorsed", 8, endorser=supervisor)
    application(candidate(director, "Ian Issue"), "approved", 12, endorser=supervisor)
    application(supervisor, "submitted", 1, kind="renew")
    application(candidate(director, "Done Already"), "issued", 40, endorser=supervisor)
    application(candidate(director, "Rex Rejected"), "rejected", 20, endorser=supervisor)

    report = queues.waiting_applications(today())
    day = today()
    assert rows_of(report) == [
        (
            "issuing",
            "Ian Issue",
            "AIRT-S",
            (day - timedelta(days=12)).isoformat(),
            12,
            "Sam Supervisor",
        ),
        (
            "board votes",
            "Vi Votes",
            "AIRT-S",
            (day - timedelta(days=8)).isoformat(),
            8,
            "Sam Supervisor",
        ),
        (
            "endorsement",
            "Ed Endorse",
            "AIRT-S",
            (day - timedelta(days=3)).isoformat(),
            3,
            "Sam Supervisor",
        ),
        (
            "issuing",
            "Sam Supervisor",
            "AIRT-S renewal",
            (day - timedelta(days=1)).isoformat(),
            1,
            "—",
        ),
    ]
    assert queues.applications_by_step() == [
        ("endorsement", 1),
        ("board votes", 1),
        ("issuing", 2),
    ]


def test_waiting_applications_are_paged_by_the_database(director, supervisor, monkeypatch):
    monkeypatch.setattr("airm_training.reports.queues.PER_PAGE", 1)
    day = today()
    empty = queues.waiting_applications(day, 1)
    assert (empty.rows, empty.total, empty.page, empty.pages) == ([], 0, 1, 1)
    application(candidate(director, "Ed Endorse"), "submitted", 3, endorser=supervisor)
    application(candidate(director, "Vi Votes"), "endorsed", 8, endorser=supervisor)
    application(candidate(director, "Ian Issue"), "approved", 12, endorser=supervisor)
    application(supervisor, "endorsed", 1, kind="renew")  # a renewal waits for no vote
    application(candidate(director, "Done Already"), "issued", 40, endorser=supervisor)

    pages = [queues.waiting_applications(day, page) for page in (1, 2, 3)]
    assert [[row[1] for row in page.rows] for page in pages] == [
        ["Ian Issue"],
        ["Vi Votes"],
        ["Ed Endorse"],
    ]
    assert {(page.total, page.pages) for page in pages} == {(3, 3)}
    past_the_end = queues.waiting_applications(day, 9)
    assert (past_the_end.page, past_the_end.rows) == (3, pages[2].rows)
    whole = queues.waiting_applications(day)
    assert whole.rows == [row for page in pages for row in page.rows] and whole.total == 3
    assert queues.applications_by_step() == [
        ("endorsement", 1),
        ("board votes", 1),
        ("issuing", 1),
    ]


def test_the_sign_off_backlog_is_paged_by_the_database(director, supervisor, monkeypatch):
    monkeypatch.setattr("airm_training.reports.queues.PER_PAGE", 1)
    person = candidate(director, "Pat Person")
    other = named(long_standing_supervisor(director), "Oli Other")
    for signer in (supervisor, other):
        insert_hours(
            person, "individual-consultation", 1, 60, signer=signer, status=HoursStatus.SUBMITTED
        )
    db.session.commit()
    first, second = (queues.pending_signoffs(today(), page) for page in (1, 2))
    assert {first.rows[0][0], second.rows[0][0]} == {"Sam Supervisor", "Oli Other"}
    assert (first.total, first.pages, second.page) == (2, 2, 2)
    assert queues.pending_signoffs(today(), 5).rows == second.rows
    assert len(queues.pending_signoffs(today()).rows) == 2


# --- expiring -----------------------------------------------------------------------------
def test_credentials_and_licences_expiring_in_the_next_90_days(director, supervisor):
    day = today()
    soon = candidate(director, "Sol Soon")
    award = db.session.scalar(
        sa.select(CredentialAward).where(CredentialAward.person_id == soon.id)
    )
    award.expires_on = day + timedelta(days=30)
    soon.licences[0].expires_on = day  # still valid today: counted, 0 days left
    late = candidate(director, "Lee Later")
    award = db.session.scalar(
        sa.select(CredentialAward).where(CredentialAward.person_id == late.id)
    )
    award.expires_on = day + timedelta(days=91)
    late.licences[0].expires_on = day + timedelta(days=90)
    gone = candidate(director, "Rev Revoked")
    award = db.session.scalar(
        sa.select(CredentialAward).where(CredentialAward.person_id == gone.id)
    )
    award.expires_on, award.status = day + timedelta(days=10), "revoked"
    gone.licences[0].expires_on = day - timedelta(days=1)  # already expired
    away = candidate(director, "Ivy Inactive")
    away.licences[0].expires_on = day + timedelta(days=5)
    away.active = False
    unverified = candidate(director, "Una Unverified")
    db.session.add(
        Licence(
            person_id=unverified.id,
            licence_type="LPC",
            number="LPC-1",
            jurisdiction="Oregon",
            expires_on=day + timedelta(days=45),
        )
    )
    db.session.commit()

    assert rows_of(queues.expiring(day)) == [
        (day.isoformat(), 0, "Sol Soon", "LMHC licence (Washington)"),
        ((day + timedelta(days=30)).isoformat(), 30, "Sol Soon", "AIRT-C credential"),
        (
            (day + timedelta(days=45)).isoformat(),
            45,
            "Una Unverified",
            "LPC licence (Oregon), not verified",
        ),
        ((day + timedelta(days=90)).isoformat(), 90, "Lee Later", "LMHC licence (Washington)"),
    ]
    # The director's tile counts the same rows in one statement.
    assert (
        db.session.scalar(sa.select(queues.expiring_count_column(*queues.expiry_window(day)))) == 4
    )
    assert (
        db.session.scalar(
            sa.select(queues.expiring_count_column(*queues.expiry_window(day, within_days=29)))
        )
        == 1
    )


# --- certificates per month ---------------------------------------------------------------
def certificate(holder: Person, issued_on, status: str = "valid") -> None:
    level = db.session.scalar(sa.select(CredentialLevel).where(CredentialLevel.code == "AIRT-S"))
    award = CredentialAward(
        person_id=holder.id,
        level_id=level.id,
        programme_version_id=current_version().id,
        awarded_on=issued_on,
        status="active",
    )
    db.session.add(award)
    db.session.flush()
    db.session.add(
        Certificate(
            verification_code=f"code-{award.id}",
            award_id=award.id,
            holder_id=holder.id,
            holder_name=holder.full_name,
            level_code="AIRT-S",
            level_name="AIRM-Trained Supervisor",
            organisation="BTRC",
            issued_on=issued_on,
            issuer_name="Dana Director",
            status=status,
        )
    )
    db.session.commit()


def test_certificates_issued_per_month_over_the_last_twelve_months(director):
    day = today()
    this_month = day.replace(day=1)
    first_month = add_months(this_month, -11)
    holder = make_person(Role.CANDIDATE)
    for issued_on, status in (
        (day, "valid"),
        (this_month, "revoked"),  # issued this month, revoked since: still issued then
        (add_months(this_month, -1), "valid"),
        (first_month, "valid"),
        (first_month - timedelta(days=1), "valid"),  # thirteen months back: not shown
    ):
        certificate(holder, issued_on, status)

    report = queues.certificates_per_month(day)
    expected = [0] * 12
    expected[0], expected[10], expected[11] = 1, 1, 2
    assert rows_of(report) == [
        (f"{add_months(first_month, n):%Y-%m}", expected[n]) for n in range(12)
    ]


# --- the page, the CSVs, who may see them -------------------------------------------------
def test_the_page_shows_every_report_with_charts_and_their_figures(client, director, ladder):
    login(client, director)
    response = client.get("/reports/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for title in (
        "People at each level",
        "Candidates by the share of their next level&#39;s requirements met",
        "Candidates who have met 75 % or more of their next level",
        "Candidates with no activity in the last 60 days",
        "Hours waiting for sign-off, by supervisor",
        "Applications waiting",
        "Credentials and licences expiring in the next 90 days",
        "Certificates issued per month, last 12 months",
    ):
        assert title in page
    assert page.count('role="img"') == 3  # levels, progress, certificates
    assert page.count("<table") >= 6  # each chart's figures are also in a table
    assert "<script>" not in page and "onclick" not in page
    assert "Rita Ready" in page and "Al Almost" in page
    for key in (
        "levels",
        "progress",
        "near-completion",
        "stalled",
        "sign-offs",
        "applications",
        "expiring",
        "certificates",
    ):
        assert f"/reports/{key}.csv" in page


def test_each_csv_holds_its_report(client, director, ladder):
    login(client, director)
    assert csv_rows(client.get("/reports/progress.csv")) == [
        ["Next level", "Requirements met", "Candidates"],
        ["AIRT-S", "0-24 %", "2"],
        ["AIRT-S", "25-49 %", "1"],
        ["AIRT-S", "50-74 %", "1"],
        ["AIRT-S", "75-99 %", "1"],
        ["AIRT-S", ALL_MET, "1"],
    ]
    near = csv_rows(client.get("/reports/near-completion.csv"))
    assert near[0] == ["Candidate", "Next level", "Met", "Of", "Percent", "Still missing"]
    assert near[1:] == [
        ["Rita Ready", "AIRT-S", "11", "11", "100", "—"],
        ["Al Almost", "AIRT-S", "10", "11", "90", DIRECT],
    ]
    response = client.get("/reports/levels.csv")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="airm-levels-{today()}.csv"'
    )
    for key in ("stalled", "sign-offs", "applications", "expiring", "certificates"):
        assert len(csv_rows(client.get(f"/reports/{key}.csv"))) >= 1


def test_a_name_that_looks_like_a_formula_is_neutralised_in_the_csv(client, director):
    candidate(director, "=HYPERLINK(1)", days_ago=100)
    login(client, director)
    rows = csv_rows(client.get("/reports/stalled.csv"))
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_an_unknown_report_is_not_found(client, director):
    login(client, director)
    assert client.get("/reports/salaries.csv").status_code == 404


@pytest.mark.parametrize("path", ["/reports/", "/reports/levels.csv", "/reports/stalled.csv"])
def test_only_directors_see_reports(client, director, supervisor, path):
    for person in (make_candidate(director=director), supervisor, make_person(Role.CO_CREATOR)):
        login(client, person)
        assert client.get(path).status_code == 403
        client.post("/auth/logout", data={"csrf_token": client.form_token("/curriculum/")})
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert "/auth/login" in anonymous.headers["Location"]


def test_the_overview_links_to_the_reports(client, director):
    login(client, director)
    assert 'href="/reports/"' in client.get("/director").get_data(as_text=True)


# --- constant queries ---------------------------------------------------------------------
def counted(client, path: str) -> int:
    def get():
        response = client.get(path)
        assert response.status_code == 200, path

    get()  # warm: the first request after a commit opens the test's savepoint
    return count_statements(get)


@pytest.mark.parametrize(
    "path",
    [
        "/reports/",
        "/reports/levels.csv",
        "/reports/progress.csv",
        "/reports/near-completion.csv",
        "/reports/stalled.csv",
        "/reports/sign-offs.csv",
        "/reports/applications.csv",
        "/reports/expiring.csv",
        "/reports/certificates.csv",
    ],
)
def test_query_count_is_the_same_for_10_and_1000_people(client, director, supervisor, path):
    login(client, director)
    bulk_candidates(10, signer_id=supervisor.id, prefix="ten")
    few = counted(client, path)
    bulk_candidates(990, signer_id=supervisor.id, prefix="more")
    many = counted(client, path)
    assert many == few
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) >= 1000


@pytest.mark.parametrize("path", ["/reports/", "/reports/near-completion.csv"])
def test_query_count_with_kept_summaries_is_the_same_for_10_and_300_people(
    client, director, supervisor, path
):
    """Read from the kept standing summary (as after the nightly refresh), the pages read
    a fixed number of statements too, and fewer than evaluating everyone."""
    login(client, director)
    bulk_candidates(10, signer_id=supervisor.id, prefix="ten")
    live = counted(client, path)
    summary.rebuild(db.session, today())
    db.session.commit()
    few = counted(client, path)
    bulk_candidates(290, signer_id=supervisor.id, prefix="more")
    summary.rebuild(db.session, today())
    db.session.commit()
    assert counted(client, path) == few < live
