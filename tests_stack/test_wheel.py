"""The wheel runs by itself: installed into a fresh venv outside the checkout, its ``airm``
command migrates, loads the programme and the demo, gunicorn serves it, and every page of
every demo login renders."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from airm_training.demo import DEMO_PASSWORD, DEMO_PEOPLE
from tests_stack import web
from tests_stack.conftest import CHECKOUT, GUNICORN_PORT, Server, airm, airm_env, run

BASE = f"http://127.0.0.1:{GUNICORN_PORT}"


@pytest.fixture(scope="module")
def site(venv, workdir):
    """The installed app, development configuration, SQLite in its instance folder."""
    instance = workdir / "instance-wheel"
    env = airm_env(
        venv,
        AIRM_ENV="development",
        AIRM_INSTANCE_PATH=str(instance),
        AIRM_BIND=f"127.0.0.1:{GUNICORN_PORT}",
        WEB_CONCURRENCY="2",
        AIRM_LOGIN_RATE_LIMIT="100 per minute",
        AIRM_LOG_FORMAT="json",
    )
    outputs = {
        "upgrade": airm(venv, env, "db", "upgrade", cwd=workdir),
        "load": airm(venv, env, "load-programme", cwd=workdir),
        "seed": airm(venv, env, "seed-demo", cwd=workdir),
    }
    server = Server(
        [str(venv / "bin" / "gunicorn"), "-c", str(CHECKOUT / "deploy" / "gunicorn.conf.py")],
        env=env,
        cwd=workdir,
        log=workdir / "gunicorn-wheel.log",
    )
    try:
        server.wait_until_answering(f"{BASE}/healthz")
        yield {"env": env, "instance": instance, "outputs": outputs, "server": server}
    finally:
        server.stop()


def test_the_wheel_installs_the_package_only_with_all_its_files(venv, workdir):
    code = (
        "import importlib.util, json, airm_training; from pathlib import Path;"
        "p = Path(airm_training.__file__).parent;"
        "print(json.dumps({'package': str(p),"
        " 'config': importlib.util.find_spec('config') is not None,"
        " 'wsgi': importlib.util.find_spec('wsgi') is not None,"
        " 'files': {name: len(list(p.glob(name))) for name in ("
        "'templates/**/*.html', 'templates/**/*.txt', 'static/*', 'programme/content/*.md',"
        "'assessments/question_bank.toml', 'migrations/versions/*.py', 'migrations/env.py')}}))"
    )
    result = run([str(venv / "bin" / "python"), "-c", code], cwd=workdir, env=airm_env(venv))
    found = json.loads(result.stdout)
    assert Path(found["package"]).is_relative_to(venv)
    assert not found["config"] and not found["wsgi"], "no top-level config or wsgi module"
    checkout_counts = {
        "templates/**/*.html": len(list((CHECKOUT / "templates").glob("**/*.html"))),
        "migrations/versions/*.py": len(list((CHECKOUT / "migrations").glob("versions/*.py"))),
        "programme/content/*.md": len(
            list((CHECKOUT / "airm_training/programme/content").glob("*.md"))
        ),
    }
    for pattern, count in checkout_counts.items():
        assert found["files"][pattern] == count, pattern
    assert all(found["files"].values()), found["files"]


def test_migrate_load_and_seed_report_what_they_did(site):
    outputs = site["outputs"]
    assert "Loaded" in outputs["load"] and "quizzes from the question bank" in outputs["load"]
    assert f"{len(DEMO_PEOPLE)} people created" in outputs["seed"]
    assert (site["instance"] / "airm.sqlite3").is_file(), "the database is in the instance folder"


def test_two_workers_on_memory_storage_are_warned_about_at_start(site):
    assert "2 workers keep their rate-limit counters in memory" in site["server"].log.read_text()


def test_the_installed_site_is_ready(site):
    session = web.client(BASE)
    response = session.get(f"{BASE}/readyz", timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"


@pytest.mark.parametrize("person", DEMO_PEOPLE, ids=lambda person: person.email.split("@")[0])
def test_every_page_of_every_demo_login_renders(site, person):
    session = web.client(BASE)
    signed_in = web.sign_in(session, person.email, DEMO_PASSWORD)
    assert signed_in.status_code == 302, signed_in.text[:500]
    pages = web.crawl(session)
    failed = {path: status for path, status in pages.items() if status != 200}
    assert not failed, f"{person.email}: {failed}"
    assert len(pages) >= 5, pages
    print(f"{person.email}: {len(pages)} pages rendered")


def test_a_bad_setting_stops_the_installed_command_with_one_line(venv, workdir):
    env = airm_env(venv, AIRM_ENV="production", AIRM_IDLE_MINUTES="30m")
    result = subprocess.run(
        [str(venv / "bin" / "airm"), "routes"],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Invalid configuration: AIRM_IDLE_MINUTES='30m' is not accepted: accepted: a whole number"
    ]
