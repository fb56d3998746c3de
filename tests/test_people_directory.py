"""The directory's filters and a person's page: licences flagged, credentials, progress,
supervisor and recent activity; constant query counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from airm_training.core.clock import today
from airm_training.credentials.models import CredentialAward
from airm_training.credentials.services import award_credential
from airm_training.extensions import db
from airm_training.people.directory import directory_rows
from airm_training.people.models import Person, Role
from airm_training.people.services import add_licence, deactivate_person, verify_licence
from airm_training.people.supervision import assign_supervisor
from airm_training.programme.services import current_version
from tests.factories import login, make_candidate, make_director, make_person, make_supervisor
from tests.query_count import count_queries

LONG_AGO = 3 * 365  # days: an AIRT-S (24 months) awarded this long ago has expired


def listed_ids(response) -> set[int]:
    """Ids of the people in the directory table's rows."""
    html = response.get_data(as_text=True)
    match = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return {int(i) for i in re.findall(r'href="/people/(\d+)"', match.group(1))} if match else set()


@pytest.fixture
def cast(client):
    """A small centre, signed in as its director."""
    director = make_director(full_name="Dora Director")
    people = {
        "director": director,
        "candidate": make_candidate(director=director),
        "supervised": make_candidate(director=director),
        "supervisor": make_supervisor(director=director),
        "lapsed": make_supervisor(director=director, awarded_on=today() - timedelta(LONG_AGO)),
        "renewed": make_supervisor(director=director, awarded_on=today() - timedelta(LONG_AGO)),
        "gone": make_candidate(director=director),
        "board": make_person(Role.CO_CREATOR),
    }
    award_credential(people["renewed"], "AIRT-S", actor_id=director.id, version=current_version())
    assign_supervisor(director, people["supervised"], people["supervisor"])
    deactivate_person(director, people["gone"], "Left the centre")
    db.session.commit()
    login(client, director)
    return people


def ids(cast, *names) -> set[int]:
    return {cast[name].id for name in names}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("role=candidate", ("candidate", "supervised", "gone")),
        ("role=director", ("director",)),
        ("role=co-creator", ("board",)),
        ("credential=AIRT-S:current", ("supervisor", "renewed")),
        ("credential=AIRT-S:expired", ("lapsed",)),
        ("credential=AIRT-C:current", ("candidate", "supervised", "gone")),
        ("credential=AIRT-C:expired", ()),
        ("status=deactivated", ("gone",)),
        ("role=candidate&status=active", ("candidate", "supervised")),
        ("supervisor={supervisor}", ("supervised",)),
        ("role=candidate&supervisor=0", ("candidate", "gone")),
        ("role=co-creator&credential=AIRT-S:current", ()),
    ],
)
def test_directory_filters(client, cast, query, expected):
    response = client.get("/people/?" + query.format(supervisor=cast["supervisor"].id))

    assert response.status_code == 200
    assert listed_ids(response) == ids(cast, *expected)
    if not expected:
        assert "No one found" in response.get_data(as_text=True)


def test_status_active_lists_everyone_but_the_deactivated(client, cast):
    everyone = ids(cast, *cast)
    assert listed_ids(client.get("/people/?status=active")) == everyone - ids(cast, "gone")
    assert listed_ids(client.get("/people/")) == everyone


def test_search_combines_with_filters(client, cast):
    response = client.get("/people/", query_string={"q": "dora", "role": "director"})
    assert listed_ids(response) == ids(cast, "director")
    assert listed_ids(client.get("/people/", query_string={"q": "dora", "role": "candidate"})) == (
        set()
    )


def test_unknown_filter_values_are_ignored(client, cast):
    response = client.get("/people/?role=wizard&credential=nonsense&status=maybe")
    assert response.status_code == 200
    assert listed_ids(response) == ids(cast, *cast)


def test_rows_show_credentials_and_supervisor(client, cast):
    html = client.get("/people/?role=candidate").get_data(as_text=True)
    assert "AIRT-C · current" in html
    assert cast["supervisor"].full_name in html
    lapsed = client.get("/people/?credential=AIRT-S:expired").get_data(as_text=True)
    assert "AIRT-S · expired" in lapsed


def test_pagination_keeps_the_filters(client):
    director = make_director()
    for n in range(30):
        make_person(Role.CANDIDATE, full_name=f"Filtered {n:02d}", password=None)
    make_person(Role.CO_CREATOR, full_name="Filtered Board", password=None)
    login(client, director)

    first = client.get("/people/?role=candidate&q=filtered")
    html = first.get_data(as_text=True)
    assert "30 people matching" in html
    assert len(listed_ids(first)) == 25
    next_link = re.search(r'href="([^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "role=candidate" in next_link
    assert "q=filtered" in next_link
    second = client.get(next_link)
    assert len(listed_ids(second)) == 5
    assert listed_ids(first).isdisjoint(listed_ids(second))


def _add_people(director: Person, supervisor: Person, start: int, count: int) -> None:
    """A mix of candidates (some supervised), AIRT-C holders and deactivated people; the
    first ten already hold every combination the page shows."""
    version = current_version()
    for n in range(start, start + count):
        person = make_person(Role.CANDIDATE, full_name=f"Crowd {n:03d}", password=None)
        if n % 3 == 0:
            award_credential(person, "AIRT-C", actor_id=director.id, version=version)
        if n % 2 == 0:
            assign_supervisor(director, person, supervisor)
        if n % 5 == 0:
            person.active = False
    db.session.commit()


@pytest.mark.parametrize("query", ["", "?role=candidate&credential=AIRT-C:current&status=active"])
def test_directory_query_count_does_not_grow(app, query):
    director = make_director()
    supervisor = make_supervisor(director=director)
    _add_people(director, supervisor, 1, 10)
    client = app.test_client()
    login(client, director)

    small = count_queries(lambda: client.get("/people/" + query))
    _add_people(director, supervisor, 11, 190)
    large = count_queries(lambda: client.get("/people/" + query))

    assert large == small


# --- a person's page -----------------------------------------------------------------------
def _licence(person: Person, director: Person, number: str, days: int) -> None:
    licence = add_licence(
        person,
        licence_type="LPC",
        number=number,
        jurisdiction="Oregon",
        expires_on=today() + timedelta(days=max(days, 0)),
        actor_id=director.id,
    )
    verify_licence(licence, verifier=director)
    licence.expires_on = today() + timedelta(days=days)  # an expired one, as time passes
    db.session.commit()


def test_licences_expiring_soon_or_expired_are_flagged_in_words(client):
    director = make_director()
    candidate = make_candidate(director=director)  # its licence expires in a year
    _licence(candidate, director, "SOON-90", 90)
    _licence(candidate, director, "LATER-91", 91)
    _licence(candidate, director, "GONE", -1)
    login(client, director)

    html = client.get(f"/people/{candidate.id}").get_data(as_text=True)
    rows = {
        number: re.search(rf"<td>{number}</td>.*?</tr>", html, re.S).group(0)
        for number in ("SOON-90", "LATER-91", "GONE", f"MH-{candidate.id:05d}")
    }
    assert "Expires in 90 days" in rows["SOON-90"]
    assert "Expire" not in rows["LATER-91"]
    assert "Expired" in rows["GONE"]
    assert "Expire" not in rows[f"MH-{candidate.id:05d}"]


def test_person_page_shows_credentials_enrolment_supervisor_and_progress(client):
    director = make_director()
    candidate = make_candidate(director=director, enrolled_on=today() - timedelta(days=400))
    supervisor = make_supervisor(director=director)
    assign_supervisor(director, candidate, supervisor)
    db.session.commit()
    login(client, director)

    html = client.get(f"/people/{candidate.id}").get_data(as_text=True)

    assert f"Since {today() - timedelta(days=400)}" in html
    assert current_version().label in html
    assert "Primary supervisor" in html
    assert supervisor.display_name in html
    assert "AIRT-C" in html
    # licence on file and AIRT-C held 12 months: 2 of the 11 evidence requirements
    assert "Toward AIRT-S: 2 of 11 requirements met" in html
    assert f'href="/people/{candidate.id}/progress"' in html
    progress = client.get(f"/people/{candidate.id}/progress").get_data(as_text=True)
    assert "A verified, unexpired licence on file" in progress
    assert "2 of 11 requirements met" in progress


def test_recent_activity_lists_the_latest_events_for_directors(client):
    director = make_director()
    candidate = make_candidate(director=director)
    login(client, director)

    html = client.get(f"/people/{candidate.id}").get_data(as_text=True)

    assert "Recent activity" in html
    assert "person.enrolled" in html
    assert "person.created" in html
    assert f"/audit/?person={candidate.id}" in html


def test_a_person_sees_their_own_page_without_the_director_tools(client):
    candidate = make_candidate()
    login(client, candidate)

    html = client.get(f"/people/{candidate.id}").get_data(as_text=True)

    assert "1 of 11 requirements met" in html
    assert 'href="/candidate"' in html
    for hidden in ("Recent activity", "Save roles", "Deactivate account", "History"):
        assert hidden not in html
    assert client.get(f"/people/{candidate.id}/progress").status_code == 403


def test_a_candidate_cannot_open_someone_elses_page_or_progress(client):
    candidate, other = make_candidate(), make_candidate()
    login(client, candidate)
    assert client.get(f"/people/{other.id}").status_code == 403
    assert client.get(f"/people/{other.id}/progress").status_code == 403


def test_progress_of_someone_not_enrolled(client):
    login(client, make_director())
    person = make_person(Role.CANDIDATE)
    html = client.get(f"/people/{person.id}/progress").get_data(as_text=True)
    assert "Not enrolled yet." in html
    assert db.session.scalar(sa.select(Person.id).where(Person.id == person.id))


def test_person_page_query_count_does_not_grow(app):
    director = make_director()
    candidate = make_candidate(director=director)
    assign_supervisor(director, candidate, make_supervisor(director=director))
    db.session.commit()
    client = app.test_client()
    login(client, director)

    def add_licences(start: int, count: int) -> None:
        for n in range(start, start + count):
            add_licence(
                candidate,
                licence_type="LPC",
                number=f"N-{n}",
                jurisdiction="Oregon",
                expires_on=today() + timedelta(days=n),
                actor_id=director.id,
            )
        db.session.commit()

    add_licences(1, 2)
    small = count_queries(lambda: client.get(f"/people/{candidate.id}"))
    add_licences(3, 40)
    large = count_queries(lambda: client.get(f"/people/{candidate.id}"))
    assert large == small


def test_a_supervisor_whose_airt_s_lapsed_is_flagged_on_the_page(client):
    director = make_director()
    candidate = make_candidate(director=director)
    supervisor = make_supervisor(director=director)
    assign_supervisor(director, candidate, supervisor)
    db.session.commit()
    login(client, director)
    assert "No longer holds a current AIRT-S" not in client.get(f"/people/{candidate.id}").get_data(
        as_text=True
    )

    db.session.execute(
        sa.update(CredentialAward)
        .where(CredentialAward.person_id == supervisor.id)
        .values(expires_on=today() - timedelta(days=1))
    )
    db.session.commit()

    html = client.get(f"/people/{candidate.id}").get_data(as_text=True)
    assert supervisor.display_name in html
    assert "No longer holds a current AIRT-S" in html


def test_a_long_search_is_cut_to_a_hundred_characters(client, cast):
    response = client.get("/people/", query_string={"q": "dora" + "x" * 200})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'value="dora{"x" * 96}"' in html
    assert "x" * 97 not in html


def test_directory_rows_name_roles_supervisor_status_and_credentials_in_order(app):
    director = make_director()
    supervisor = make_supervisor(director=director)
    invited = make_person(Role.CANDIDATE, full_name="Ines Invited", password=None)
    both = make_person(Role.CO_CREATOR, Role.CANDIDATE, full_name="Bo Both")
    gone = make_person(Role.CANDIDATE, full_name="Gil Gone", active=False)
    award_credential(both, "AIRT-C", actor_id=director.id, version=current_version())
    assign_supervisor(director, both, supervisor)
    db.session.commit()

    rows = directory_rows([gone.id, both.id, invited.id, 999_999], today())

    assert [row.full_name for row in rows] == ["Gil Gone", "Bo Both", "Ines Invited"]
    assert [row.status for row in rows] == ["Deactivated", "Active", "Invited"]
    assert rows[1].roles == "Candidate, Co creator"
    assert rows[1].supervisor == supervisor.full_name and rows[0].supervisor is None
    assert rows[1].credentials == [("AIRT-C", "current")] and rows[2].credentials == []
    assert directory_rows([], today()) == []
