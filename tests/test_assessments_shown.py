"""The assessments overview narrowed to what waits for the candidate: ``?show=revise``
lists only the case presentations returned for a new version, ``?show=started`` only
the quizzes begun and not submitted."""

from __future__ import annotations

import re

import pytest

from tests.factories import login, make_candidate, make_director, make_supervisor
from tests.query_count import count_queries
from tests.test_cases_and_evaluations import graded, submitted_case
from tests.test_quizzes import QUIZ, started


@pytest.fixture
def waiting(client):
    """A candidate with one case to revise, one waiting for its grade and one quiz begun."""
    director = make_director()
    supervisor = make_supervisor(director=director)
    candidate = make_candidate(director=director)
    to_revise = submitted_case(candidate, supervisor, title="Needs another version")
    graded(supervisor, to_revise, "revise")
    submitted_case(candidate, supervisor, title="Waiting for its grade")
    started(candidate, QUIZ)
    login(client, candidate)
    return candidate


def test_everything_is_listed_without_a_filter(client, waiting):
    html = client.get("/assessments/").get_data(as_text=True)
    assert "Needs another version" in html and "Waiting for its grade" in html
    assert 'id="quizzes-heading"' in html and 'id="evaluations-heading"' in html
    assert "Showing only" not in html


def test_show_revise_lists_only_the_cases_to_revise(client, waiting):
    html = client.get("/assessments/?show=revise").get_data(as_text=True)
    assert "Showing only the case presentations to revise." in html
    assert "Needs another version" in html
    assert "Waiting for its grade" not in html
    assert 'id="quizzes-heading"' not in html and 'id="evaluations-heading"' not in html
    assert 'href="/assessments/">Show all your assessments' in html


def test_show_started_lists_only_the_quizzes_begun(client, waiting):
    html = client.get("/assessments/?show=started").get_data(as_text=True)
    assert "Showing only the quizzes started, not submitted." in html
    assert len(re.findall(r"<tr data-queue-item>", html)) == 1
    assert ">Continue</a>" in html
    assert html.count("pass mark") == 1  # the other quizzes are left out
    assert 'id="cases-heading"' not in html and 'id="evaluations-heading"' not in html


def test_nothing_waiting_says_so(client):
    login(client, make_candidate())
    assert "Nothing to revise" in client.get("/assessments/?show=revise").get_data(as_text=True)
    started_page = client.get("/assessments/?show=started").get_data(as_text=True)
    assert "No quiz started and not submitted." in started_page


@pytest.mark.parametrize("value", ["everything", "", "REVISE", "revise\x00"])
def test_an_unknown_filter_shows_everything(client, waiting, value):
    response = client.get("/assessments/", query_string={"show": value})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        html = response.get_data(as_text=True)
        assert "Showing only" not in html and "Waiting for its grade" in html


def test_only_candidates_open_it(client):
    login(client, make_supervisor(director=make_director()))
    assert client.get("/assessments/?show=revise").status_code == 403


@pytest.mark.parametrize("show", ["revise", "started"])
def test_query_count_does_not_grow_with_the_cases(client, waiting, show):
    path = f"/assessments/?show={show}"
    small = count_queries(lambda: client.get(path))
    supervisor = make_supervisor(director=make_director())
    for n in range(4):
        graded(supervisor, submitted_case(waiting, supervisor, title=f"Case {n}"), "revise")
    assert count_queries(lambda: client.get(path)) == small
