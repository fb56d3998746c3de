"""The directory's primary-supervisor filter picked by name: it offers the chosen
supervisor and the ones a search finds, never a list of everyone, and the lookup the page
calls as one types."""

from __future__ import annotations

import re

import pytest

from airm_training.extensions import db
from airm_training.people.queries import PICK_LIMIT, people_matching
from tests.factories import login, make_candidate, make_director, make_person, make_supervisor


def options(html: str, select_id: str) -> list[tuple[str, str, bool]]:
    """(value, text, selected) of each option of the select ``select_id``."""
    body = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    found = []
    for attributes, text in re.findall(r"<option([^>]*)>([^<]*)</option>", body):
        value = re.search(r'value="([^"]*)"', attributes).group(1)
        found.append((value, text.strip(), re.search(r"\bselected\b", attributes) is not None))
    return found


@pytest.fixture
def director_client(client):
    director = make_director(full_name="Dana Director")
    login(client, director)
    return client


def test_the_lookup_finds_people_by_name_or_email_a_few_at_a_time(director_client):
    for n in range(PICK_LIMIT + 5):
        make_person(full_name=f"Quill Person {n:02d}")
    someone = make_person(full_name="Someone Else", email="quill-mail@example.org")
    found = director_client.get("/people/lookup.json?q=QUILL").get_json()
    names = [person["name"] for person in found["people"]]
    assert len(names) == PICK_LIMIT == found["limit"]
    assert names == sorted(names)  # by name: "Quill …" before "Someone Else"
    other = director_client.get("/people/lookup.json?q=quill-mail").get_json()["people"]
    assert other == [{"id": someone.id, "name": "Someone Else"}]
    assert director_client.get("/people/lookup.json?q=").get_json()["people"] == []


def test_the_lookup_reads_wildcards_as_text(director_client):
    make_person(full_name="Percent 100% Person")
    make_person(full_name="Plain Person")
    assert [name for _id, name in people_matching("0%")] == ["Percent 100% Person"]
    found = director_client.get("/people/lookup.json", query_string={"q": "_"}).get_json()
    assert found["people"] == []


def test_the_supervisor_lookup_lists_primary_supervisors_only(director_client):
    director = make_director(full_name="Zed Boss")
    supervisor = make_supervisor(director=director)
    supervisor.full_name = "Zed Supervisor"
    candidate = make_candidate(director=director)
    candidate.full_name = "Zed Candidate"
    candidate.primary_supervisor_id = supervisor.id
    db.session.commit()
    everyone = director_client.get("/people/lookup.json?q=zed").get_json()["people"]
    assert {p["name"] for p in everyone} == {"Zed Boss", "Zed Supervisor", "Zed Candidate"}
    only = director_client.get("/people/lookup.json?q=zed&supervisors=1").get_json()["people"]
    assert only == [{"id": supervisor.id, "name": "Zed Supervisor"}]


def test_the_lookup_is_for_directors(client):
    candidate = make_candidate()
    login(client, candidate)
    assert client.get("/people/lookup.json?q=a").status_code == 403


def test_the_directory_offers_the_searched_supervisors(director_client):
    director = make_director()
    supervisors = []
    for name in ("Sam Alpha", "Sam Beta"):
        supervisor = make_supervisor(director=director)
        supervisor.full_name = name
        candidate = make_candidate(director=director)
        candidate.primary_supervisor_id = supervisor.id
        supervisors.append(supervisor)
    make_person(full_name="Sam Nobody's Supervisor")
    db.session.commit()
    plain = options(director_client.get("/people/").get_data(as_text=True), "supervisor")
    assert [value for value, _text, _selected in plain] == ["None", "0"]
    html = director_client.get("/people/?supervisor_search=sam").get_data(as_text=True)
    offered = options(html, "supervisor")[2:]
    assert offered == [(str(s.id), s.full_name, False) for s in supervisors]
    alpha = director_client.get("/people/?supervisor_search=alpha").get_data(as_text=True)
    assert options(alpha, "supervisor")[2] == (str(supervisors[0].id), "Sam Alpha", True)
    rows = re.findall(r"<tr>.*?</tr>", alpha, re.S)
    assert sum("Sam Alpha" in row for row in rows) == 1  # the one candidate supervised by Sam Alpha
