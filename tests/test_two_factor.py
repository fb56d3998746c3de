"""Two-factor sign-in: set-up with a QR code, the code step after the password, recovery
codes, no replay of a used code, throttling and audit of wrong codes, turning it off,
and the obligation for directors, administrators and co-creators."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

import pyotp
import pytest
import sqlalchemy as sa

from airm_training.audit.models import AuditEvent
from airm_training.auth import two_factor
from airm_training.auth.models import RecoveryCode, TotpCredential
from airm_training.core.errors import DomainError
from airm_training.extensions import db
from airm_training.people.models import Role
from airm_training.settings import flask_config
from tests import test_sessions
from tests.conftest import TEST_PASSWORD, csrf_token_in
from tests.factories import login, make_candidate, make_director, make_person
from tests.test_auth import audit_events, is_signed_in, location_path, reload
from tests.test_sessions import copy_of_session

move_clock = test_sessions.move_clock  # the same fixture: the app's clock, moved by the test


@pytest.fixture
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", True)


def code_at(secret: str, moment, step: int = 0) -> str:
    """The app's code ``step`` time steps after ``moment`` (naive UTC)."""
    return pyotp.TOTP(secret).at(moment.replace(tzinfo=UTC), counter_offset=step)


def enrol(client, move_clock) -> tuple[str, list[str]]:
    """Set up two-factor sign-in through the pages; the secret and the recovery codes."""
    page = client.get("/auth/security/two-factor/setup").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    response = client.submit(
        "/auth/security/two-factor/setup", {"code": code_at(secret, move_clock.now())}
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", response.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def enter_code(client, code: str):
    return client.submit("/auth/two-factor", {"code": code})


def sign_out(client):
    """Sign out with the CSRF token of a page open to the person (even mid-set-up)."""
    for path in ("/auth/security/password", "/auth/security/two-factor/setup"):
        page = client.get(path)
        if page.status_code == 200:
            token = csrf_token_in(page.get_data(as_text=True))
            return client.post("/auth/logout", data={"csrf_token": token})
    raise AssertionError("no page with a form is open to this person")


# --- set-up -----------------------------------------------------------------------------------
def test_the_setup_page_draws_the_qr_code_inline_and_shows_the_key(client):
    person = make_director()
    login(client, person)

    response = client.get("/auth/security/two-factor/setup")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<svg width="' in html
    assert "data:" not in html
    credential = db.session.scalar(
        sa.select(TotpCredential).where(TotpCredential.person_id == person.id)
    )
    assert credential.secret in html
    assert credential.confirmed_at is None
    again = client.get("/auth/security/two-factor/setup").get_data(as_text=True)
    assert credential.secret in again, "the key stays the same until it is confirmed"


def test_the_provisioning_link_names_the_account_and_the_issuer(app):
    person = make_director(email="dr.who@example.org")
    credential = two_factor.begin_enrolment(person)
    uri = two_factor.provisioning_uri(person, credential)
    assert uri.startswith("otpauth://totp/")
    assert f"secret={credential.secret}" in uri
    assert "dr.who%40example.org" in uri
    assert "issuer=AIRM%20BTRC" in uri


def test_a_first_code_turns_it_on_shows_ten_codes_once_and_ends_other_sessions(
    app, client, move_clock
):
    person = make_director()
    login(client, person)
    other_device = copy_of_session(app, client)

    _secret, codes = enrol(client, move_clock)

    assert two_factor.is_enrolled(reload(person))
    assert len(audit_events("auth.two_factor_enabled", person)) == 1
    assert is_signed_in(client)
    assert not is_signed_in(other_device)
    stored = set(
        db.session.scalars(
            sa.select(RecoveryCode.code_hash).where(RecoveryCode.person_id == person.id)
        )
    )
    assert len(stored) == 10
    assert not stored & {code.replace("-", "") for code in codes}, "codes are stored hashed"
    security = client.get("/auth/security").get_data(as_text=True)
    assert "Recovery codes left: <strong>10</strong>" in security
    assert not any(code in security for code in codes)


def test_a_wrong_first_code_changes_nothing_and_is_audited(client, move_clock):
    person = make_director()
    login(client, person)
    client.get("/auth/security/two-factor/setup")

    response = client.submit("/auth/security/two-factor/setup", {"code": "000000"})

    assert response.status_code == 200
    assert "That code is not right" in response.get_data(as_text=True)
    assert not two_factor.is_enrolled(reload(person))
    (failure,) = audit_events("auth.two_factor_failed", person)
    assert failure.after == {"purpose": "enrol"}


def test_setup_needs_the_csrf_token(client):
    person = make_director()
    login(client, person)
    client.get("/auth/security/two-factor/setup")
    response = client.post("/auth/security/two-factor/setup", data={"code": "123456"})
    assert response.status_code == 400


# --- signing in with a second factor ------------------------------------------------------------
def test_the_password_alone_does_not_sign_in_an_enrolled_person(client, move_clock):
    person = make_director()
    login(client, person)
    secret, _codes = enrol(client, move_clock)
    sign_out(client)

    response = client.submit(
        "/auth/login?next=/people/",
        {"email": person.email, "password": TEST_PASSWORD},
        form_path="/auth/login",
    )

    assert response.status_code == 302
    assert location_path(response) == "/auth/two-factor"
    assert not is_signed_in(client)
    move_clock(seconds=30)
    signed_in = enter_code(client, code_at(secret, move_clock.now()))
    assert signed_in.status_code == 302
    assert location_path(signed_in) == "/people/", "where the person was going"
    assert client.get("/director").status_code == 200
    last = audit_events("auth.login", person)[-1]
    assert last.after == {"second_factor": "totp"}


def test_a_used_code_cannot_be_replayed(client, move_clock):
    person = make_director()
    login(client, person)
    secret, _codes = enrol(client, move_clock)
    sign_out(client)
    login(client, person)

    # The code that confirmed the set-up is of the current time step: already used.
    response = enter_code(client, code_at(secret, move_clock.now()))

    assert response.status_code == 200
    assert "That code has already been used" in response.get_data(as_text=True)
    assert "That code is not right" not in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_a_code_is_refused_after_a_later_one_was_used(move_clock):
    person = make_director()
    credential = two_factor.begin_enrolment(person)
    now = move_clock.now()
    two_factor.confirm_enrolment(person, code_at(credential.secret, now))
    assert (
        two_factor.verify_second_factor(
            person, code_at(credential.secret, now, step=1), purpose="sign-in"
        )
        == "totp"
    )
    for older in (0, 1, -1):
        with pytest.raises(DomainError, match="already been used"):
            two_factor.verify_second_factor(
                person, code_at(credential.secret, now, step=older), purpose="sign-in"
            )
    move_clock(seconds=60)
    assert (
        two_factor.verify_second_factor(
            person, code_at(credential.secret, move_clock.now()), purpose="sign-in"
        )
        == "totp"
    )


def test_codes_more_than_one_step_away_are_refused(move_clock):
    person = make_director()
    credential = two_factor.begin_enrolment(person)
    now = move_clock.now()
    for step in (-2, 2):
        with pytest.raises(DomainError):
            two_factor.confirm_enrolment(person, code_at(credential.secret, now, step=step))


def test_a_recovery_code_signs_in_once(client, move_clock):
    person = make_director()
    login(client, person)
    _secret, codes = enrol(client, move_clock)
    sign_out(client)

    login(client, person)
    response = enter_code(client, codes[3].upper())

    assert response.status_code == 302
    assert is_signed_in(client)
    (used,) = audit_events("auth.recovery_code_used", person)
    assert used.after == {"remaining": 9}
    sign_out(client)
    login(client, person)
    again = enter_code(client, codes[3])
    assert again.status_code == 200
    assert "That code has already been used" in again.get_data(as_text=True)
    assert not is_signed_in(client)


def test_a_wrong_code_is_refused_and_audited_without_the_code(client, move_clock):
    person = make_director()
    login(client, person)
    secret, codes = enrol(client, move_clock)
    sign_out(client)
    login(client, person)

    response = enter_code(client, "123456")

    assert response.status_code == 200
    assert not is_signed_in(client)
    (failure,) = audit_events("auth.two_factor_failed", person)
    assert failure.after == {"purpose": "sign-in"}
    db.session.expire_all()
    everything = " ".join(
        f"{event.before} {event.after}" for event in db.session.scalars(sa.select(AuditEvent))
    )
    assert secret not in everything
    assert not any(code in everything or code.replace("-", "") in everything for code in codes)


def test_the_code_step_is_throttled_per_client(client, move_clock):
    person = make_director()
    login(client, person)
    enrol(client, move_clock)
    sign_out(client)
    login(client, person)
    token = client.form_token("/auth/two-factor")
    for _ in range(10):
        client.post("/auth/two-factor", data={"code": "000000", "csrf_token": token})

    response = client.post("/auth/two-factor", data={"code": "000000", "csrf_token": token})

    assert response.status_code == 429


def test_ten_wrong_codes_lock_the_person_out_for_a_quarter_of_an_hour(move_clock):
    person = make_director()
    credential = two_factor.begin_enrolment(person)
    two_factor.confirm_enrolment(person, code_at(credential.secret, move_clock.now()))
    for _ in range(two_factor.MAX_FAILURES):
        with pytest.raises(DomainError, match="not right"):
            two_factor.verify_second_factor(person, "000000", purpose="sign-in")

    right = code_at(credential.secret, move_clock.now(), step=1)
    with pytest.raises(DomainError, match="Too many wrong codes"):
        two_factor.verify_second_factor(person, right, purpose="sign-in")

    move_clock(minutes=16)
    right = code_at(credential.secret, move_clock.now())
    assert two_factor.verify_second_factor(person, right, purpose="sign-in") == "totp"


def test_the_code_step_needs_a_recent_password_step(client, move_clock):
    person = make_director()
    login(client, person)
    secret, _codes = enrol(client, move_clock)
    sign_out(client)

    straight = client.get("/auth/two-factor")
    assert location_path(straight) == "/auth/login"

    login(client, person)
    token = client.form_token("/auth/two-factor")
    move_clock(minutes=6)
    late = client.post(
        "/auth/two-factor", data={"code": code_at(secret, move_clock.now()), "csrf_token": token}
    )
    assert late.status_code == 302
    assert location_path(late) == "/auth/login"
    assert not is_signed_in(client)


def test_the_code_step_needs_the_csrf_token(client, move_clock):
    person = make_director()
    login(client, person)
    secret, _codes = enrol(client, move_clock)
    sign_out(client)
    login(client, person)
    response = client.post("/auth/two-factor", data={"code": code_at(secret, move_clock.now(), 1)})
    assert response.status_code == 400
    assert not is_signed_in(client)


# --- turning it off, new recovery codes -----------------------------------------------------------
def disable(client, password: str, code: str):
    return client.submit("/auth/security/two-factor/disable", {"password": password, "code": code})


def test_turning_it_off_needs_the_password_and_a_code(client, move_clock):
    person = make_candidate()
    login(client, person)
    secret, _codes = enrol(client, move_clock)
    next_code = code_at(secret, move_clock.now(), step=1)

    wrong_password = disable(client, "not my password at all", next_code)
    assert "That is not your current password." in wrong_password.get_data(as_text=True)
    wrong_code = disable(client, TEST_PASSWORD, "999999")
    assert "That code is not right" in wrong_code.get_data(as_text=True)
    assert two_factor.is_enrolled(reload(person))

    response = disable(client, TEST_PASSWORD, next_code)

    assert response.status_code == 302
    assert not two_factor.is_enrolled(reload(person))
    assert (
        db.session.scalar(
            sa.select(sa.func.count(RecoveryCode.id)).where(RecoveryCode.person_id == person.id)
        )
        == 0
    )
    assert len(audit_events("auth.two_factor_disabled", person)) == 1
    assert is_signed_in(client)
    sign_out(client)
    assert location_path(login(client, person)) == "/home"


def test_turning_it_off_needs_the_csrf_token(client, move_clock):
    person = make_candidate()
    login(client, person)
    secret, _codes = enrol(client, move_clock)
    response = client.post(
        "/auth/security/two-factor/disable",
        data={"password": TEST_PASSWORD, "code": code_at(secret, move_clock.now(), 1)},
    )
    assert response.status_code == 400
    assert two_factor.is_enrolled(reload(person))


def test_new_recovery_codes_replace_the_old_ones(client, move_clock):
    person = make_candidate()
    login(client, person)
    _secret, old_codes = enrol(client, move_clock)

    refused = client.submit("/auth/security/recovery-codes", {"password": "wrong password x"})
    assert "That is not your current password." in refused.get_data(as_text=True)

    response = client.submit("/auth/security/recovery-codes", {"password": TEST_PASSWORD})

    new_codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", response.get_data(as_text=True))
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    assert len(audit_events("auth.recovery_codes_regenerated", person)) == 1
    with pytest.raises(DomainError):
        two_factor.verify_second_factor(reload(person), old_codes[0], purpose="sign-in")
    assert two_factor.verify_second_factor(reload(person), new_codes[0], purpose="sign-in") == (
        "recovery"
    )


def test_the_pages_for_an_enrolled_person_send_others_to_the_security_page(client):
    login(client, make_candidate())
    for path in ("/auth/security/two-factor/disable", "/auth/security/recovery-codes"):
        response = client.get(path)
        assert location_path(response) == "/auth/security"


def test_an_administrator_resets_a_lost_second_factor_from_the_command_line(
    app, client, move_clock
):
    person = make_director()
    login(client, person)
    enrol(client, move_clock)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["airm", "reset-two-factor", "--email", person.email.upper()])

    assert result.exit_code == 0, result.output
    assert "is reset" in result.output
    assert not two_factor.is_enrolled(reload(person))
    assert len(audit_events("auth.two_factor_reset", person)) == 1
    assert not is_signed_in(client), "the reset ends every session"
    assert location_path(login(client, person)) == "/home"
    again = runner.invoke(args=["airm", "reset-two-factor", "--email", person.email])
    assert again.exit_code == 1
    assert "no two-factor sign-in to reset" in again.output
    unknown = runner.invoke(args=["airm", "reset-two-factor", "--email", "nobody@example.org"])
    assert unknown.exit_code == 1


# --- required for some roles ----------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.ADMIN, Role.CO_CREATOR])
def test_a_required_person_must_set_it_up_before_anything_else(client, required, role):
    person = make_person(role)

    response = login(client, person)

    assert location_path(response) == "/auth/security/two-factor/setup"
    for path in ("/home", "/director", "/board", "/people/", "/auth/security", "/curriculum/"):
        blocked = client.get(path)
        assert blocked.status_code == 302, path
        assert location_path(blocked) == "/auth/security/two-factor/setup", path
    assert client.get("/auth/security/two-factor/setup").status_code == 200
    assert location_path(sign_out(client)) == "/auth/login"


def test_a_required_director_who_set_it_up_opens_everything(client, required, move_clock):
    person = make_director()
    login(client, person)
    enrol(client, move_clock)
    assert client.get("/director").status_code == 200


def test_candidates_are_not_obliged(client, required):
    person = make_candidate()
    assert location_path(login(client, person)) == "/home"
    assert client.get("/candidate").status_code == 200


def test_a_required_person_cannot_turn_it_off(client, required, move_clock):
    person = make_director()
    login(client, person)
    secret, _codes = enrol(client, move_clock)
    assert "cannot be turned off" in client.get("/auth/security").get_data(as_text=True)

    with pytest.raises(DomainError, match="requires two-factor"):
        two_factor.disable_two_factor(
            reload(person), password=TEST_PASSWORD, code=code_at(secret, move_clock.now(), 1)
        )
    assert two_factor.is_enrolled(reload(person))


def test_without_the_flag_nobody_is_obliged(client):
    person = make_director()
    assert not two_factor.is_required_for(person)
    assert location_path(login(client, person)) == "/home"


def test_the_obligation_is_on_in_production_and_off_in_development_by_default(monkeypatch):
    monkeypatch.delenv("AIRM_REQUIRE_TWO_FACTOR", raising=False)
    key = {"SECRET_KEY": "k" * 40}
    assert flask_config("production", **key)["TWO_FACTOR_REQUIRED"] is True
    assert flask_config("development")["TWO_FACTOR_REQUIRED"] is False
    assert flask_config("testing")["TWO_FACTOR_REQUIRED"] is False

    monkeypatch.setenv("AIRM_REQUIRE_TWO_FACTOR", "0")
    assert flask_config("production", **key)["TWO_FACTOR_REQUIRED"] is False

    monkeypatch.setenv("AIRM_REQUIRE_TWO_FACTOR", "1")
    monkeypatch.setenv("AIRM_IDLE_MINUTES", "12")
    assert flask_config("development")["TWO_FACTOR_REQUIRED"] is True
    assert flask_config("testing")["TWO_FACTOR_REQUIRED"] is False
    assert flask_config("development")["SESSION_IDLE_TIMEOUT"] == timedelta(minutes=12)


# --- signing out in every state of the set-up -------------------------------------------------
def sign_out_from(client, html: str):
    return client.post("/auth/logout", data={"csrf_token": csrf_token_in(html)})


def test_sign_out_works_from_the_recovery_codes_page_just_after_turning_it_on(client, move_clock):
    login(client, make_director())
    page = client.get("/auth/security/two-factor/setup").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    codes_page = client.submit(
        "/auth/security/two-factor/setup", {"code": code_at(secret, move_clock.now())}
    ).get_data(as_text=True)
    assert "recovery" in codes_page.lower()

    response = sign_out_from(client, codes_page)

    assert response.status_code == 302
    assert location_path(response) == "/auth/login"
    assert not is_signed_in(client)


@pytest.mark.parametrize(
    "state", ["not started", "secret shown", "wrong code", "codes regenerated", "required"]
)
def test_sign_out_works_in_every_state_of_the_set_up(client, move_clock, monkeypatch, state):
    person = make_director()
    if state == "required":
        monkeypatch.setitem(client.application.config, "TWO_FACTOR_REQUIRED", True)
    login(client, person)
    page = client.get("/auth/security").get_data(as_text=True)
    if state != "not started":
        page = client.get("/auth/security/two-factor/setup").get_data(as_text=True)
    if state == "wrong code":
        page = client.submit("/auth/security/two-factor/setup", {"code": "000000"}).get_data(
            as_text=True
        )
    if state == "codes regenerated":
        enrol(client, move_clock)
        page = client.submit("/auth/security/recovery-codes", {"password": TEST_PASSWORD}).get_data(
            as_text=True
        )
        assert "New recovery codes" in page

    response = sign_out_from(client, page)

    assert response.status_code == 302
    assert not is_signed_in(client)


def test_sign_out_works_from_every_page_a_director_opens(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")
    person = make_director()
    paths = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    )
    checked = 0
    for path in paths:
        client = app.test_client()
        login(client, person)
        page = client.get(path)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        html = page.get_data(as_text=True)
        if 'action="/auth/logout"' not in html:
            continue
        response = client.post("/auth/logout", data={"csrf_token": csrf_token_in(html)})
        assert response.status_code == 302, path
        assert not is_signed_in(client), path
        checked += 1
    assert checked >= 20
