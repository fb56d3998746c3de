"""The create-user command, session lifetime and the error pages."""

import sqlalchemy as sa

from airm_training.auth.passwords import password_matches
from airm_training.extensions import db
from airm_training.people.models import Person, Role
from tests.factories import login, make_person


def test_create_user_makes_an_account_that_can_sign_in(app, client):
    result = app.test_cli_runner().invoke(
        args=[
            "airm",
            "create-user",
            "--email",
            "Boot@Example.org",
            "--name",
            "Boot Strap",
            "--role",
            "admin",
        ],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created boot@example.org with roles: admin" in result.output
    db.session.expire_all()
    person = db.session.scalar(sa.select(Person).where(Person.email == "boot@example.org"))
    assert person.roles == {Role.ADMIN}
    assert password_matches(person, "a long enough password")
    response = login(client, person, "a long enough password")
    assert response.headers["Location"].endswith("/home")


def test_create_user_refuses_a_short_password_and_a_taken_email(app):
    runner = app.test_cli_runner()
    short = runner.invoke(
        args=["airm", "create-user", "--email", "x@example.org", "--name", "X"],
        input="short\nshort\n",
    )
    assert short.exit_code == 1
    assert "at least 12 characters" in short.stderr
    taken = make_person()
    again = runner.invoke(
        args=["airm", "create-user", "--email", taken.email.upper(), "--name", "Y"],
        input="a long enough password\na long enough password\n",
    )
    assert again.exit_code == 1
    assert "already has an account" in again.stderr
    db.session.expire_all()
    assert db.session.scalar(sa.select(Person).where(Person.email == "x@example.org")) is None


def test_sessions_expire_after_the_configured_lifetime(app, client):
    login(client, make_person(Role.DIRECTOR))
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.expires is not None


def test_server_error_page_shows_no_traceback(app, client, monkeypatch):
    def explode():
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("airm_training.main.routes.director_overview", explode)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    login(client, make_person(Role.DIRECTOR))
    response = client.get("/director")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "Traceback" not in page
    assert "secret internal detail" not in page


def test_not_found_page_is_friendly(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
