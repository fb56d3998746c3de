"""The demo data, the production settings check and ``/healthz``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from airm_training import create_app
from airm_training.access.supervision import is_supervisor
from airm_training.audit.models import AuditEvent
from airm_training.core.clock import today
from airm_training.credentials.models import CredentialAward, Enrolment
from airm_training.credentials.services import awards_of, enrolment_of
from airm_training.demo import DEMO_PASSWORD, DEMO_PEOPLE, seed_demo
from airm_training.extensions import db
from airm_training.people.models import Licence, Person, Role
from airm_training.people.services import find_by_email
from airm_training.progression.engine import next_level
from airm_training.progression.models import ApplicationStatus
from airm_training.progression.reinstatement import lapse_of, reinstatement_standing
from airm_training.progression.renewal import renewal_standing
from airm_training.progression.services import open_application
from airm_training.reports.work import board_query
from airm_training.settings import DEFAULT_SECRET_KEY

DOMAIN = "btrc.example"


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _counts() -> dict[str, int]:
    return {
        model.__name__: _count(model)
        for model in (Person, AuditEvent, CredentialAward, Licence, Enrolment)
    }


def _person(first_name: str, last_name: str) -> Person:
    person = find_by_email(f"{first_name}.{last_name}@{DOMAIN}".lower())
    assert person is not None, f"{first_name} {last_name} is not in the demo"
    return person


@pytest.fixture
def demo():
    created = seed_demo()
    db.session.commit()
    return created


# --- demo data ----------------------------------------------------------------------------
def test_seed_demo_creates_everyone_then_nothing(demo):
    assert demo == len(DEMO_PEOPLE) == 10
    before = _counts()
    assert before["Person"] >= 9
    assert seed_demo() == 0
    db.session.commit()
    assert _counts() == before


def test_seed_demo_command_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["airm", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "10 people created" in first.output
    before = _counts()
    second = runner.invoke(args=["airm", "seed-demo"])
    assert second.exit_code == 0, second.output
    assert "already present" in second.output
    assert _counts() == before


@pytest.mark.parametrize(
    ("first", "last", "full_name", "roles"),
    [
        ("Elizabeth", "Abbruzza", "Elizabeth Abbruzza", {Role.CO_CREATOR, Role.DIRECTOR}),
        (
            "Connie",
            "Zollner",
            "Dr. Connie Zollner",
            {Role.CO_CREATOR, Role.DIRECTOR, Role.ADMIN},
        ),
        ("Jessica", "Lamar", "Dr. Jessica Lamar", {Role.CO_CREATOR, Role.DIRECTOR}),
        ("Aubrey", "Holden", "Aubrey Holden", {Role.CANDIDATE}),
    ],
)
def test_named_clinicians_and_their_roles(demo, first, last, full_name, roles):
    person = _person(first, last)
    assert person.full_name == full_name
    assert person.roles == roles
    assert person.active
    assert any(licence.is_valid_on() for licence in person.licences)


@pytest.mark.parametrize("name", ["Elizabeth Abbruzza", "Connie Zollner", "Jessica Lamar"])
def test_co_creators_are_supervisors(demo, name):
    person = _person(*name.split())
    assert is_supervisor(person)
    assert [award.level.code for award in awards_of(person)] == ["AIRT-S"]


def test_aubrey_holden_is_an_enrolled_candidate_not_a_supervisor(demo):
    aubrey = _person("Aubrey", "Holden")
    assert enrolment_of(aubrey) is not None
    assert [award.level.code for award in awards_of(aubrey)] == ["AIRT-C"]
    assert not is_supervisor(aubrey)


def test_daniel_okafor_is_a_supervisor(demo):
    assert is_supervisor(_person("Daniel", "Okafor"))


def test_hannah_price_is_not_a_supervisor_her_airt_s_expired(demo):
    hannah = _person("Hannah", "Price")
    airt_s = [award for award in awards_of(hannah) if award.level.code == "AIRT-S"]
    assert len(airt_s) == 1
    assert airt_s[0].expires_on is not None
    assert airt_s[0].expires_on < today()
    assert not airt_s[0].is_current_on(today())
    assert not is_supervisor(hannah)


def test_hannah_is_in_grace_her_way_back_is_a_late_renewal_not_a_new_application(demo):
    hannah = _person("Hannah", "Price")
    renewal = renewal_standing(hannah)
    assert renewal is not None and renewal.in_grace
    assert lapse_of(hannah) is None
    assert next_level(hannah) is None  # not "toward AIRT-S, 0 of 7 modules"


def test_rosa_delgado_has_lapsed_and_asked_the_board_to_reinstate_her(demo):
    rosa = _person("Rosa", "Delgado")
    assert not is_supervisor(rosa)
    assert renewal_standing(rosa) is None  # past grace: no late renewal
    assert next_level(rosa) is None
    reinstatement = reinstatement_standing(rosa)
    assert reinstatement is not None
    assert reinstatement.lapse.lapsed_on < today()
    assert reinstatement.evidence_met
    # ... and her request waits for the board, so the board's home is not empty
    application = open_application(rosa.id)
    assert application.is_reinstatement and application.state is ApplicationStatus.SUBMITTED
    assert list(db.session.scalars(board_query())) == [application.id]


def test_priya_raman_is_not_enrolled(demo):
    priya = _person("Priya", "Raman")
    assert enrolment_of(priya) is None
    assert awards_of(priya) == []
    assert [licence.is_verified for licence in priya.licences] == [False]


# Where each demo person lands after signing in (the README's table).
DEMO_HOMES = {
    "connie.zollner@btrc.example": "/director",
    "elizabeth.abbruzza@btrc.example": "/director",
    "jessica.lamar@btrc.example": "/director",
    "aubrey.holden@btrc.example": "/candidate",
    "priya.raman@btrc.example": "/candidate",
    "marcus.bell@btrc.example": "/candidate",
    "sofia.alvarez@btrc.example": "/candidate",
    "daniel.okafor@btrc.example": "/supervision",
    "hannah.price@btrc.example": "/candidate",
    "rosa.delgado@btrc.example": "/candidate",
}


def test_the_login_table_covers_every_demo_person():
    assert set(DEMO_HOMES) == {spec.email for spec in DEMO_PEOPLE}


@pytest.mark.parametrize(("email", "home"), DEMO_HOMES.items())
def test_every_demo_person_signs_in_and_lands_home(demo, client, email, home):
    response = client.submit(
        "/auth/login", {"email": email, "password": DEMO_PASSWORD}, form_path="/auth/login"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"], follow_redirects=True)
    assert page.status_code == 200
    assert page.request.path == home


def test_demo_password_is_required(demo, client):
    response = client.submit(
        "/auth/login",
        {"email": f"aubrey.holden@{DOMAIN}", "password": "not-the-demo-password"},
        form_path="/auth/login",
    )
    assert response.status_code == 200
    assert "do not match" in response.get_data(as_text=True)


# --- production settings --------------------------------------------------------------------
def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_refuses_the_development_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", DEFAULT_SECRET_KEY)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


@pytest.mark.parametrize("key", ["", "short", "x" * 31])
def test_production_refuses_a_short_secret_key(key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SECRET_KEY=key)


def test_production_starts_with_a_real_key_and_sends_secure_cookies(monkeypatch, database_url):
    key = "k" * 48
    monkeypatch.setenv("SECRET_KEY", key)
    production = create_app("production", SQLALCHEMY_DATABASE_URI=database_url)
    try:
        assert production.config["SECRET_KEY"] == key
        assert production.config["SESSION_COOKIE_SECURE"] is True
        assert production.config["REMEMBER_COOKIE_SECURE"] is True

        response = production.test_client().get("/auth/login", base_url="https://localhost")
        assert response.status_code == 200
        cookies = response.headers.getlist("Set-Cookie")
        assert cookies, "the login page sets a session cookie (CSRF token)"
        for cookie in cookies:
            assert "Secure" in cookie
            assert "HttpOnly" in cookie
    finally:
        with production.app_context():
            db.engine.dispose()


def test_a_32_character_key_is_enough():
    assert create_app("production", SECRET_KEY="y" * 32).config["ENV_NAME"] == "production"


def test_seed_demo_command_refuses_in_production(tmp_path):
    untouched = tmp_path / "production.sqlite3"
    production = create_app(
        "production", SECRET_KEY="x" * 40, SQLALCHEMY_DATABASE_URI=f"sqlite:///{untouched}"
    )
    with production.app_context():
        result = production.test_cli_runner().invoke(args=["airm", "seed-demo"])
        db.engine.dispose()
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Refusing to load demo data in production" in result.stderr
    assert not untouched.exists(), "the command touched the database"


# --- health ---------------------------------------------------------------------------------
def test_healthz_needs_no_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok"}
