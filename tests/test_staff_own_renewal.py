"""A director or co-creator is sent to their own home page, not the candidate's: when
their own AIRT-S is due for renewal, in grace or lapsed, that page shows the way."""

from datetime import timedelta

import pytest

from airm_training.core.clock import today
from airm_training.extensions import db
from airm_training.people.models import Role
from airm_training.people.services import grant_role
from airm_training.progression.renewal import renewal_standing
from tests.ce_helpers import verified_ce
from tests.factories import login
from tests.test_renewal import holder_expiring_in, signed_hours

GRACE_DAYS = 90  # the programme file's grace_days for AIRT-S


def staff_holder(role: Role, expires_in_days: int):
    """A person holding AIRT-S that ends in ``expires_in_days`` (negative: ended), who
    is also ``role``: their home is that role's page, not the candidate's."""
    person, director, supervisor, _certificate = holder_expiring_in(expires_in_days)
    grant_role(person, role, actor_id=director.id)
    db.session.commit()
    return person, director, supervisor


def home_of(app, person) -> tuple[str, str]:
    client = app.test_client()
    login(client, person)
    response = client.get("/home", follow_redirects=True)
    return response.request.path, response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "home"), [(Role.DIRECTOR, "/director"), (Role.CO_CREATOR, "/board")]
)
def test_in_grace_a_staff_member_sees_their_renewal_on_their_home(app, role, home):
    person, director, supervisor = staff_holder(role, -10)
    verified_ce(person, director, 12, days_ago=30)
    signed_hours(person, supervisor, "individual-consultation", 4, days_ago=20)
    assert renewal_standing(person).in_grace
    path, page = home_of(app, person)
    assert path == home
    assert "Renewal of AIRT-S" in page
    assert "Expired — in grace" in page
    assert "Request renewal</button>" in page
    client = app.test_client()
    login(client, person)
    response = client.submit("/progression/renewal", form_path=home)
    assert "/progression/applications/" in response.headers["Location"]


def test_a_director_sees_the_renewal_once_its_window_opens_not_before(app):
    inside, *_ = staff_holder(Role.DIRECTOR, 60)
    path, page = home_of(app, inside)
    assert path == "/director" and "Renewal of AIRT-S" in page
    assert "Expired — in grace" not in page
    before, *_ = staff_holder(Role.DIRECTOR, 200)
    _path, page = home_of(app, before)
    assert "Renewal of AIRT-S" not in page


def test_a_director_whose_airt_s_lapsed_sees_the_way_back(app):
    person, *_ = staff_holder(Role.DIRECTOR, -(GRACE_DAYS + 5))
    path, page = home_of(app, person)
    assert path == "/director"
    assert "Reinstatement of AIRT-S" in page
    assert "Renewal of AIRT-S" not in page


def test_a_director_without_an_airt_s_sees_no_panel(app):
    person, director, _supervisor = staff_holder(Role.DIRECTOR, 60)
    _path, page = home_of(app, director)
    assert "Renewal of" not in page and "Reinstatement of" not in page
    assert today() + timedelta(days=60) == renewal_standing(person).award.expires_on
