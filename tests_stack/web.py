"""An HTTP client as a person with a browser would be: from a chosen loopback address,
signing in through the real form, following every link of the pages it is shown."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class _FromAddress(HTTPAdapter):
    """Connections leave from ``address`` (any of 127.0.0.0/8 on Linux): another client."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


def client(base: str, *, source: str = "127.0.0.1", verify: bool | str = True) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # neither the environment's CA bundle nor its proxies
    session.verify = verify
    # A browser sends the page a form is on; over HTTPS the app's CSRF check wants it.
    session.headers["Referer"] = f"{base}/"
    session.mount(base, _FromAddress(source))
    session.base = base  # type: ignore[attr-defined]
    return session


def csrf_token(session: requests.Session, path: str, **kwargs) -> str:
    page = session.get(session.base + path, timeout=30, **kwargs)  # type: ignore[attr-defined]
    match = CSRF.search(page.text)
    assert match, f"no CSRF token on {path} ({page.status_code})"
    return match.group(1)


def sign_in(session: requests.Session, email: str, password: str, **kwargs) -> requests.Response:
    token = csrf_token(session, "/auth/login", **kwargs)
    return session.post(
        session.base + "/auth/login",  # type: ignore[attr-defined]
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
        **kwargs,
    )


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _shape(target: str) -> str:
    """What a link is an instance of: ids as ``<n>``, query values left out, so that one
    page of each kind is opened (one person's page, not all of them)."""
    parts = urlsplit(target)
    keys = ",".join(sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    return re.sub(r"/\d+(?=/|$)", "/<n>", parts.path) + (f"?{keys}" if keys else "")


def crawl(session: requests.Session, start: str = "/home", limit: int = 300) -> dict[str, int]:
    """One page of each kind reachable by links from ``start``: path → final status.
    A page that ends on the sign-in form (the session was lost) counts as 401."""
    base = session.base  # type: ignore[attr-defined]
    origin = urlsplit(base).netloc
    seen: dict[str, int] = {}
    shapes = {_shape(start)}
    queue = [start]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        response = session.get(base + path, timeout=60)
        lost = urlsplit(response.url).path == "/auth/login" and path != "/auth/login"
        seen[path] = 401 if lost else response.status_code
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.text)
        for href in parser.hrefs:
            url = urldefrag(urljoin(response.url, href)).url
            parts = urlsplit(url)
            if parts.scheme not in {"http", "https"} or parts.netloc != origin:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if _shape(target) not in shapes:
                shapes.add(_shape(target))
                queue.append(target)
    return seen
