"""Keeping a session alive and returning to the form after it ended: "Stay signed in"
renews the idle timer; a form sent after the timeout leads to the sign-in page and then
back to the page it was sent from."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.factories import login, make_candidate, make_director
from tests.test_sessions import move_clock  # noqa: F401


def keep(client, token: str | None):
    headers = {"X-CSRFToken": token} if token else {}
    return client.post("/auth/session/keep", headers=headers)


def test_stay_signed_in_renews_the_idle_timer(client, move_clock):  # noqa: F811
    login(client, make_director())
    token = client.form_token("/auth/security")
    move_clock(minutes=25)
    assert keep(client, token).status_code == 204
    move_clock(minutes=25)  # 50 minutes after the last page, 25 after "stay signed in"
    assert client.get("/director").status_code == 200


def test_stay_signed_in_needs_the_csrf_token_and_a_live_session(client, move_clock):  # noqa: F811
    login(client, make_director())
    token = client.form_token("/auth/security")
    assert keep(client, None).status_code == 400
    move_clock(minutes=31)
    response = keep(client, token)
    assert response.status_code == 302 and urlsplit(response.location).path == "/auth/login"


def test_a_form_sent_after_the_timeout_returns_to_its_page_after_sign_in(client, move_clock):  # noqa: F811
    candidate = make_candidate()
    login(client, candidate)
    token = client.form_token("/hours/new")
    move_clock(minutes=31)
    response = client.post(
        "/hours/new",
        data={"csrf_token": token, "note": "typed before the timeout"},
        headers={"Referer": "http://localhost/hours/new"},
    )
    target = urlsplit(response.location)
    assert (target.path, parse_qs(target.query)["next"]) == ("/auth/login", ["/hours/new"])


def test_a_referrer_from_another_site_is_not_followed(client, move_clock):  # noqa: F811
    login(client, make_candidate())
    token = client.form_token("/hours/new")
    move_clock(minutes=31)
    response = client.post(
        "/hours/new", data={"csrf_token": token}, headers={"Referer": "https://evil.example/x"}
    )
    # The origin check refuses a form sent from another site before the expired session
    # could send anyone back there.
    assert response.status_code == 403
    assert response.location is None and "evil.example" not in response.get_data(as_text=True)
