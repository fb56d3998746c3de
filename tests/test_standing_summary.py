"""The kept standing summary: written from an evaluation, deleted in the transaction that
changes anything it rests on, valid for its day only, read by the reports instead of
evaluating everyone, and always equal to an evaluation when it is read."""

# ruff: noqa: F811 - the fixtures imported from test_engine are redefined as arguments

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.sql.util import find_tables

import airm_training.progression.engine as engine
from airm_training.assessments.models import QuizAttempt
from airm_training.cli import rebuild_standing_command
from airm_training.core.changes import marked_evidence
from airm_training.core.clock import today
from airm_training.credentials.models import AwardStatus, CredentialAward, Enrolment
from airm_training.credentials.services import award_credential
from airm_training.extensions import db
from airm_training.hours.models import HoursStatus
from airm_training.hours.services import sign_entries
from airm_training.people.models import Licence, Person
from airm_training.programme.models import Requirement
from airm_training.programme.services import current_version
from airm_training.progression import summary, tally
from airm_training.progression.engine import evaluate_many
from airm_training.progression.facts import Scope, gather
from airm_training.progression.models import StandingGap, StandingSummary
from airm_training.progression.summary import Progress, progress_of
from tests.ce_helpers import recorded_ce
from tests.documents_helpers import uploaded
from tests.factories import login, make_candidate
from tests.test_engine import (  # noqa: F401 - fixtures used as arguments
    complete_modules,
    director,
    evaluated,
    graded_case,
    insert_hours,
    months_ago,
    supervisor,
    take_quiz,
)


def everyone() -> sa.Select:
    return sa.select(Enrolment.person_id)


def live(person_ids) -> dict[int, Progress]:
    return {p: Progress.of(s) for p, s in evaluate_many(list(person_ids)).items()}


def rebuilt() -> int:
    written = summary.rebuild(db.session, today())
    db.session.commit()
    return written


def row(person) -> StandingSummary | None:
    db.session.expire_all()
    return db.session.get(StandingSummary, person.id)


def no_rule_applied(monkeypatch) -> None:
    def refused(*_args, **_kwargs):
        raise AssertionError("a rule was applied: the kept summary was not read")

    monkeypatch.setattr(engine, "apply_rule", refused)


@pytest.fixture
def people(director, supervisor):
    """Three candidates a year in, one with hours and modules, one with nothing, and a
    holder of every level (who has nothing to reach)."""
    busy = make_candidate(director=director, enrolled_on=months_ago(13))
    insert_hours(busy, "direct-clinical", 3, 60, signer=supervisor)
    complete_modules(busy, director, ("AIRM-101",))
    idle = make_candidate(director=director, enrolled_on=months_ago(13))
    top = make_candidate(director=director, enrolled_on=months_ago(13))
    award_credential(top, "AIRT-S", actor_id=director.id, version=current_version())
    db.session.commit()
    return {"busy": busy, "idle": idle, "top": top}


def test_the_rebuild_keeps_what_an_evaluation_says(people, supervisor, monkeypatch):
    ids = [p.id for p in people.values()]
    expected = live(ids)
    assert people["top"].id not in expected
    assert rebuilt() >= 3
    assert row(people["top"]).programme_level_id is None
    assert row(people["busy"]).met == expected[people["busy"].id].met
    no_rule_applied(monkeypatch)
    assert progress_of(ids, everyone(), today()) == expected


def test_the_check_finds_nothing_after_a_rebuild_and_a_tampered_row(people):
    rebuilt()
    assert summary.differences(db.session, today()) == []
    db.session.execute(
        sa.update(StandingSummary)
        .where(StandingSummary.person_id == people["idle"].id)
        .values(met=99)
    )
    db.session.commit()
    assert summary.differences(db.session, today()) == [people["idle"].id]


def _sign(people, supervisor, director):
    ids = insert_hours(
        people["busy"], "direct-clinical", 2, 60, signer=supervisor, status=HoursStatus.SUBMITTED
    )
    rebuilt()
    sign_entries(supervisor, ids, attested=True)


def _licence(people, supervisor, director):
    licence = db.session.scalar(sa.select(Licence).where(Licence.person_id == people["busy"].id))
    licence.expires_on = today() - timedelta(days=1)


def _ce(people, supervisor, director):
    recorded_ce(people["busy"])


def _document(people, supervisor, director):
    uploaded(people["busy"])


def _award(people, supervisor, director):
    award_credential(people["busy"], "AIRT-S", actor_id=director.id, version=current_version())


def _signer_revoked(people, supervisor, director):
    for award in db.session.scalars(
        sa.select(CredentialAward).where(CredentialAward.person_id == supervisor.id)
    ):
        award.status = AwardStatus.REVOKED.value


def _enrolment(people, supervisor, director):
    db.session.execute(
        sa.update(Enrolment)
        .where(Enrolment.person_id == people["busy"].id)
        .values(enrolled_on=today() - timedelta(days=10))
    )


def _quiz_bulk(people, supervisor, director):
    take_quiz(people["busy"], "AIRM-101-Q")
    rebuilt()
    db.session.execute(
        sa.update(QuizAttempt)
        .where(QuizAttempt.person_id == people["busy"].id)
        .values(passed=False)
    )


CHANGES = {
    "hours signed": _sign,
    "modules": lambda people, _s, director: complete_modules(
        people["busy"], director, ("AIRM-102",)
    ),
    "a quiz": lambda people, _s, _d: take_quiz(people["busy"], "AIRM-101-Q"),
    "a quiz, by a bulk update": _quiz_bulk,
    "a case graded": lambda people, supervisor, _d: graded_case(people["busy"], supervisor, "pass"),
    "an evaluation": lambda people, supervisor, _d: evaluated(people["busy"], supervisor, 3),
    "a licence": _licence,
    "continuing education": _ce,
    "a document": _document,
    "a credential awarded": _award,
    "the enrolment date": _enrolment,
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_of_evidence_forgets_that_persons_row_only(
    change, people, supervisor, director, monkeypatch
):
    rebuilt()
    CHANGES[change](people, supervisor, director)
    db.session.commit()
    assert row(people["busy"]) is None
    assert row(people["idle"]) is not None
    ids = [p.id for p in people.values()]
    assert progress_of(ids, everyone(), today()) == live(ids)


def test_a_signer_whose_credential_changes_forgets_those_they_signed_for(
    people, supervisor, director
):
    rebuilt()
    _signer_revoked(people, supervisor, director)
    db.session.commit()
    assert row(people["busy"]) is None  # consultation they signed may no longer count
    assert row(people["idle"]) is not None
    ids = [p.id for p in people.values()]
    assert progress_of(ids, everyone(), today()) == live(ids)


def test_a_change_to_the_programme_forgets_everyone(people):
    rebuilt()
    requirement = db.session.scalar(sa.select(Requirement).limit(1))
    requirement.label = requirement.label + " (reworded)"
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StandingSummary)) == 0


def test_a_rolled_back_change_forgets_nothing(people, director):
    rebuilt()
    db.session.execute(
        sa.update(Enrolment)
        .where(Enrolment.person_id == people["busy"].id)
        .values(enrolled_on=today())
    )
    licence = db.session.scalar(sa.select(Licence).where(Licence.person_id == people["idle"].id))
    licence.expires_on = today() - timedelta(days=1)
    db.session.flush()
    assert people["idle"].id in marked_evidence(db.session)
    db.session.rollback()
    assert not marked_evidence(db.session)
    assert row(people["busy"]) is not None and row(people["idle"]) is not None


def test_people_changed_in_the_transaction_are_evaluated_live(people, monkeypatch):
    rebuilt()
    licence = db.session.scalar(sa.select(Licence).where(Licence.person_id == people["busy"].id))
    licence.expires_on = today() - timedelta(days=1)
    db.session.flush()
    evaluated_people: list[list[int]] = []
    real = summary.evaluate_many

    def recording(people_, *args, **kwargs):
        evaluated_people.append(list(people_))
        return real(people_, *args, **kwargs)

    monkeypatch.setattr(summary, "evaluate_many", recording)
    ids = [p.id for p in people.values()]
    found = progress_of(ids, everyone(), today())
    assert evaluated_people == [[people["busy"].id]]
    assert "A verified, unexpired licence on file" in found[people["busy"].id].missing
    db.session.rollback()


def test_rows_of_another_day_are_not_read(people, monkeypatch):
    rebuilt()
    db.session.execute(sa.update(StandingSummary).values(as_of=today() - timedelta(days=1)))
    db.session.commit()
    ids = [p.id for p in people.values()]
    expected = live(ids)
    calls: list[int] = []
    real = engine.apply_rule

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "apply_rule", counting)
    assert progress_of(ids, everyone(), today()) == expected
    assert calls  # evaluated again, not read from yesterday's rows
    assert summary.differences(db.session, today()) == []  # other days are not "wrong"


def test_every_table_an_evaluation_reads_is_watched(people):
    """A new kind of evidence must be kept by the summary's marks (or the programme's):
    the tables the facts are read from are all known to it."""
    seen: set[str] = set()

    def collect(state):
        # Tables only: the reads sent together come from an anonymous subquery.
        found = find_tables(state.statement, include_joins=True)
        for column in state.statement.selected_columns if state.is_select else ():
            found += find_tables(column, check_columns=True)
        seen.update(t.name for t in found if isinstance(t, sa.Table))

    ids = [p.id for p in people.values()]
    rules_of = engine.next_levels(ids)
    rules_by_person = {
        person_id: tuple(
            engine.Rule(r.id, engine.RequirementKind(r.kind), r.label, r.params)
            for r in rules.requirements
        )
        for person_id, rules in rules_of.items()
    }
    sa.event.listen(db.session, "do_orm_execute", collect)
    try:
        gather(rules_by_person, Scope(today()), {}, ids)
        gather(rules_by_person, Scope(today()), {}, everyone())
    finally:
        sa.event.remove(db.session, "do_orm_execute", collect)
    watched = (
        set(tally._WATCHED)
        | set(summary._OWNED_TABLES)
        | set(summary._PROGRAMME_TABLES)
        | {"case_version", "hours_tally"}
    )
    assert seen, "the facts were read"
    assert seen - watched == set()


def test_the_command_rebuilds_the_summaries_and_checks_them(app, people):
    runner = app.test_cli_runner()
    done = runner.invoke(rebuild_standing_command, [])
    assert done.exit_code == 0, done.output
    assert f"standings and 2 holder counts for {today().isoformat()}" in done.output
    assert row(people["busy"]).as_of == today()
    db.session.execute(sa.update(StandingSummary).values(total=0))
    db.session.commit()
    checked = runner.invoke(rebuild_standing_command, ["--check", "--summaries"])
    assert checked.exit_code == 1
    assert f"standing of person {people['busy'].id}" in checked.output
    nightly = runner.invoke(rebuild_standing_command, ["--summaries"])
    assert nightly.exit_code == 0, nightly.output
    assert "kept hours figures" not in nightly.output
    assert runner.invoke(rebuild_standing_command, ["--check"]).exit_code == 0


def test_the_reports_page_reads_the_summary(client, people, director, monkeypatch):
    rebuilt()
    no_rule_applied(monkeypatch)
    login(client, director)
    page = client.get("/reports/")
    assert page.status_code == 200
    assert "Candidates by the share" in page.get_data(as_text=True)
    assert tally.differences(db.session) == []


def _without_a_row_of(day) -> set[int]:
    """Everyone without a row for ``day``, by comparing every person with the rows."""
    kept = sa.select(StandingSummary.person_id).where(
        StandingSummary.person_id == Person.id, StandingSummary.as_of == day
    )
    return set(db.session.scalars(sa.select(Person.id).where(~sa.exists(kept))))


def test_those_without_a_row_are_the_gaps_and_equal_a_comparison_of_everyone(
    people, director, supervisor
):
    day = today()
    assert summary._without_row(day) == _without_a_row_of(day)  # nothing kept: everyone
    rebuilt()
    staff = {director.id, supervisor.id}  # not enrolled: no row, a gap from the rebuild
    assert summary._without_row(day) == _without_a_row_of(day) == staff
    insert_hours(people["idle"], "direct-clinical", 1, 60, signer=supervisor)
    newcomer = make_candidate(director=director, enrolled_on=months_ago(1))
    db.session.commit()
    gaps = staff | {people["idle"].id, newcomer.id}
    assert summary._without_row(day) == _without_a_row_of(day) == gaps
    assert set(db.session.scalars(sa.select(StandingGap.person_id))) == gaps
    # A row of another day is not kept for this one; without any row of it, nobody is.
    db.session.execute(
        sa.update(StandingSummary)
        .where(StandingSummary.person_id == people["busy"].id)
        .values(as_of=day - timedelta(days=1))
    )
    assert summary._without_row(day) == _without_a_row_of(day) == gaps | {people["busy"].id}
    db.session.execute(sa.update(StandingSummary).values(as_of=day - timedelta(days=1)))
    assert summary._without_row(day) == _without_a_row_of(day)
    db.session.rollback()
    rebuilt()  # the rebuild keeps everyone enrolled again, and only the staff are gaps
    assert set(db.session.scalars(sa.select(StandingGap.person_id))) == staff


def test_a_programme_change_forgets_every_row_and_every_gap(people):
    rebuilt()
    summary.forget(db.session, [summary.EVERYONE])
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StandingGap)) == 0
    assert summary._without_row(today()) == _without_a_row_of(today())


def _distribution(person_ids) -> dict[tuple[str, int, int], int]:
    counts: dict[tuple[str, int, int], int] = {}
    for progress in live(person_ids).values():
        key = (progress.level_code, progress.met, progress.total)
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_the_distribution_counts_the_kept_rows_of_active_people_only(people, monkeypatch):
    rebuilt()
    everyone_counted = _distribution([p.id for p in people.values()])
    busy_only = _distribution([people["busy"].id])
    assert busy_only != everyone_counted
    no_rule_applied(monkeypatch)
    assert summary.progress_counts(today()) == everyone_counted
    people["idle"].active = False  # their row stays (it rests on no evidence of theirs)
    db.session.commit()
    assert row(people["idle"]) is not None
    assert summary.progress_counts(today()) == busy_only


def test_the_distribution_leaves_out_rows_changed_in_this_transaction(people, supervisor):
    rebuilt()
    insert_hours(people["busy"], "direct-clinical", 1, 60, signer=supervisor)
    counted = summary.progress_counts(today())
    assert counted == _distribution([people["idle"].id])  # the busy one is read live
    db.session.rollback()


def _closest_ids() -> tuple[int, set[int]]:
    count, found = summary.kept_closest(today(), 0, None)  # 0 %: every kept row with a level
    return count, {person_id for person_id, _name, _progress in found}


def test_those_near_completion_are_kept_rows_of_active_people_unchanged_now(people, supervisor):
    rebuilt()
    both = {people["busy"].id, people["idle"].id}
    assert _closest_ids() == (2, both)
    people["idle"].active = False  # their row stays (it rests on no evidence of theirs)
    db.session.commit()
    assert row(people["idle"]) is not None
    assert _closest_ids() == (1, {people["busy"].id})
    insert_hours(people["busy"], "direct-clinical", 1, 60, signer=supervisor)
    assert _closest_ids() == (0, set())  # the busy one is read live
    db.session.rollback()


def _without_credential_counted_live() -> int:
    """Active enrolled people holding no credential in force, from every award."""
    holding = sa.exists().where(
        CredentialAward.person_id == Enrolment.person_id,
        CredentialAward.status == AwardStatus.ACTIVE,
        CredentialAward.awarded_on <= today(),
        sa.or_(CredentialAward.expires_on.is_(None), CredentialAward.expires_on >= today()),
    )
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Enrolment)
        .join(Person, Person.id == Enrolment.person_id)
        .where(Person.active.is_(True), ~holding)
    )


def _without_credential() -> int:
    unkept = summary.without_valid_row(
        sa.select(Person.id)
        .join(Enrolment, Enrolment.person_id == Person.id)
        .where(Person.active.is_(True)),
        today(),
    )
    return summary.enrolled_without_credential(today(), unkept)


def test_the_enrolled_without_a_credential_are_read_from_the_kept_rows(people, director):
    holding_none = [people["busy"].id, people["idle"].id]
    db.session.execute(
        sa.delete(CredentialAward).where(CredentialAward.person_id.in_(holding_none))
    )
    db.session.commit()
    rebuilt()
    assert row(people["top"]).holds_credential and not row(people["idle"]).holds_credential
    counted = _without_credential_counted_live()
    assert counted >= 2 and _without_credential() == counted
    people["busy"].active = False  # their row stays; an inactive person is not counted
    db.session.commit()
    assert row(people["busy"]) is not None
    assert _without_credential() == counted - 1 == _without_credential_counted_live()
    award_credential(people["idle"], "AIRT-C", actor_id=director.id, version=current_version())
    assert _without_credential() == counted - 2  # changed in this transaction: read live
    db.session.commit()
    assert row(people["idle"]) is None  # forgotten: counted from the awards
    assert _without_credential() == counted - 2 == _without_credential_counted_live()


def test_the_check_finds_a_kept_row_wrong_about_holding_a_credential(people):
    rebuilt()
    db.session.execute(
        sa.update(StandingSummary)
        .where(StandingSummary.person_id == people["top"].id)
        .values(holds_credential=False)
    )
    db.session.commit()
    assert summary.differences(db.session, today()) == [people["top"].id]
