"""Each role lands on its own home page after signing in."""

import pytest

from airm_training.people.models import Role
from tests.factories import login, make_candidate, make_person, make_supervisor


@pytest.mark.parametrize(
    ("roles", "home", "heading"),
    [
        ((Role.DIRECTOR,), "/director", "What waits for the programme"),
        ((Role.ADMIN,), "/director", "What waits for the programme"),
        ((Role.CO_CREATOR,), "/board", "Co-creators' board"),
    ],
)
def test_staff_land_on_their_home(client, roles, home, heading):
    person = make_person(*roles)
    response = login(client, person)
    assert response.status_code == 302
    page = client.get(response.headers["Location"], follow_redirects=True)
    assert page.request.path == home
    assert heading in page.get_data(as_text=True)


def test_candidate_lands_on_progress(client):
    candidate = make_candidate()
    page = client.get(login(client, candidate).headers["Location"], follow_redirects=True)
    assert page.request.path == "/candidate"
    assert "Enrolled on" in page.get_data(as_text=True)


def test_supervisor_lands_on_supervision(client):
    supervisor = make_supervisor()
    page = client.get(login(client, supervisor).headers["Location"], follow_redirects=True)
    assert page.request.path == "/supervision"
