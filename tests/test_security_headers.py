"""Security headers on every page; signed-in pages are never cached."""

from tests.factories import login, make_candidate


def test_public_pages_carry_the_security_headers(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_signed_in_pages_are_not_stored(client):
    login(client, make_candidate())
    assert client.get("/candidate").headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_scripts(client):
    login(client, make_candidate())
    page = client.get("/candidate").get_data(as_text=True)
    for tag in page.split("<script")[1:]:
        assert tag.lstrip().startswith("src="), tag[:80]
