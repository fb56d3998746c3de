"""The kept holders at each level (``credentials.holders``): read instead of every award
in force while they hold, deleted by the transaction that changes what they rest on,
and never a figure different from the live count."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.cli import rebuild_standing_command
from airm_training.core.clock import today
from airm_training.credentials import holders
from airm_training.credentials.models import AwardStatus, CredentialAward, HolderCount
from airm_training.credentials.services import award_credential
from airm_training.extensions import db
from airm_training.programme.services import current_version
from tests.factories import login, make_candidate, make_director, make_person, make_supervisor
from tests.query_count import count_statements


def counts() -> dict[str, int]:
    return {level.code: level.people for level in holders.people_at_each_level(today())}


def kept_rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(HolderCount))


@pytest.fixture
def kept():
    """Two supervisors, a candidate holding AIRT-C, and today's counts kept."""
    director = make_director()
    first, second = make_supervisor(director=director), make_supervisor(director=director)
    candidate = make_candidate(director=director)
    award_credential(candidate, "AIRT-C", actor_id=director.id, version=current_version())
    db.session.commit()
    holders.refresh(db.session, today())
    db.session.commit()
    return {"director": director, "supervisors": (first, second), "candidate": candidate}


def refuse_live(monkeypatch) -> None:
    def refuse(_day):
        raise AssertionError("counted live")

    monkeypatch.setattr(holders, "live_counts", refuse)


def test_the_kept_counts_are_read_and_equal_the_live_ones(kept, monkeypatch):
    live = holders.live_counts(today())
    assert kept_rows() == 2  # every level of the ladder, none included
    refuse_live(monkeypatch)
    assert counts() == {"AIRT-C": 1, "AIRT-S": 2}
    assert {i: n for i, n in live.items() if n} == {
        level.level_id: level.people
        for level in holders.people_at_each_level(today())
        if level.people
    }


def test_the_ladder_and_its_kept_counts_are_one_statement(kept, monkeypatch):
    refuse_live(monkeypatch)
    counts()  # the test's transaction opens (a statement of its own)
    assert count_statements(counts) == 1


def test_an_award_deletes_them_as_it_commits_and_the_new_holder_is_counted(kept):
    candidate, director = kept["candidate"], kept["director"]
    award_credential(candidate, "AIRT-S", actor_id=director.id, version=current_version())
    # Before the commit, this transaction reads the live count (its award included).
    assert counts() == {"AIRT-C": 0, "AIRT-S": 3}
    db.session.commit()
    assert kept_rows() == 0
    assert counts() == {"AIRT-C": 0, "AIRT-S": 3}


def test_a_person_made_inactive_deletes_them(kept):
    kept["supervisors"][0].active = False
    db.session.commit()
    assert kept_rows() == 0
    assert counts() == {"AIRT-C": 1, "AIRT-S": 1}


def test_a_revocation_by_statement_deletes_them(kept):
    db.session.execute(
        sa.update(CredentialAward)
        .where(CredentialAward.person_id == kept["candidate"].id)
        .values(status=AwardStatus.REVOKED)
    )
    db.session.commit()
    assert kept_rows() == 0
    assert counts() == {"AIRT-C": 0, "AIRT-S": 2}


def test_other_changes_keep_them(kept, monkeypatch):
    kept["candidate"].full_name = "Someone Renamed"
    make_person()  # a new person holds nothing
    db.session.commit()
    assert kept_rows() == 2
    refuse_live(monkeypatch)
    assert counts() == {"AIRT-C": 1, "AIRT-S": 2}


def test_counts_kept_for_another_day_are_not_read(kept):
    db.session.execute(sa.update(HolderCount).values(as_of=today() - timedelta(days=1), people=9))
    db.session.commit()
    assert counts() == {"AIRT-C": 1, "AIRT-S": 2}


def test_the_command_keeps_them_and_its_check_finds_a_wrong_one(app, kept):
    runner = app.test_cli_runner()
    assert runner.invoke(rebuild_standing_command, ["--check"]).exit_code == 0
    db.session.execute(sa.update(HolderCount).values(people=HolderCount.people + 5))
    db.session.commit()
    checked = runner.invoke(rebuild_standing_command, ["--check"])
    assert checked.exit_code == 1
    assert "holders of level" in checked.output and "differ" in checked.output
    nightly = runner.invoke(rebuild_standing_command, ["--summaries"])
    assert nightly.exit_code == 0, nightly.output
    assert "2 holder counts" in nightly.output
    assert runner.invoke(rebuild_standing_command, ["--check"]).exit_code == 0
    assert counts() == {"AIRT-C": 1, "AIRT-S": 2}


def holders_tile(client, code: str) -> str:
    page = client.get("/director").get_data(as_text=True)
    tile = re.search(rf"At {code} now <span.*?</dt><dd[^>]*>(\d+)</dd>", page, re.S)
    assert tile, f"no {code} figure on the director's home"
    return tile.group(1)


def test_the_director_s_home_reads_the_kept_counts(client, kept):
    login(client, kept["director"])
    assert holders_tile(client, "AIRT-S") == "2"
    db.session.execute(sa.update(HolderCount).values(people=7))
    db.session.commit()
    assert holders_tile(client, "AIRT-S") == "7"
    award_credential(
        kept["candidate"], "AIRT-S", actor_id=kept["director"].id, version=current_version()
    )
    db.session.commit()
    assert holders_tile(client, "AIRT-S") == "3" and holders_tile(client, "AIRT-C") == "0"
