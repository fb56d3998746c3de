"""The installed wheel in production: gunicorn with 4 workers on PostgreSQL, rate limits
in Redis, the shipped nginx site in front with TLS; driven over HTTPS through nginx."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import shlex
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from airm_training.demo import DEMO_PASSWORD, DEMO_PEOPLE
from tests_stack import web
from tests_stack.conftest import (
    CHECKOUT,
    GUNICORN_PORT,
    NGINX_PORT,
    REDIS_PORT,
    Server,
    airm,
    airm_env,
    run,
)

DATABASE_URL = os.environ.get("AIRM_STACK_DATABASE_URL")
PG_CTL = os.environ.get("AIRM_STACK_PG_CTL")
BASE = f"https://127.0.0.1:{NGINX_PORT}"
WORKERS = 4
DIRECTOR = DEMO_PEOPLE[0].email
LINK = re.compile(r"https?://[^\s\"'<>]+/auth/reset/[^\s\"'<>]+")

pytestmark = pytest.mark.skipif(
    not (DATABASE_URL and PG_CTL),
    reason="set AIRM_STACK_DATABASE_URL and AIRM_STACK_PG_CTL (.ci/run does)",
)


def _empty_database(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"]
    )  # fmt: skip
    return cert, key


def site_for_test(cert: Path, key: Path) -> str:
    """The shipped site with the edits an operator makes (name, certificate, upstream),
    on the test's port: its HTTPS server block; the HTTP one only redirects."""
    shipped = (CHECKOUT / "deploy" / "nginx" / "airm.conf").read_text()
    upstream = re.search(r"upstream airm_app \{.*?\n\}", shipped, re.S).group(0)
    https = next(
        block for block in re.findall(r"\nserver \{.*?\n\}", shipped, re.S) if "443" in block
    )
    https = (
        https.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{NGINX_PORT} ssl http2;")
        .replace("listen [::]:443 ssl http2;\n", "")
        .replace("/etc/letsencrypt/live/training.example.org/fullchain.pem", str(cert))
        .replace("/etc/letsencrypt/live/training.example.org/privkey.pem", str(key))
        .replace("server_name training.example.org;", "server_name 127.0.0.1;")
    )
    upstream = upstream.replace("127.0.0.1:8000", f"127.0.0.1:{GUNICORN_PORT}")
    assert "127.0.0.1:8000" not in upstream and "listen 443" not in https
    return f"{upstream}\n{https}\n"


def nginx_config(folder: Path, site: Path) -> str:
    """A main nginx.conf of the test's own (pid, logs, temp folders), including the site."""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""worker_processes 2;
pid {folder / "nginx.pid"};
error_log {folder / "nginx-error.log"};
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {folder / "nginx-access.log"};
{temp}
    include {site};
}}
"""


@pytest.fixture(scope="module")
def stack(venv, workdir):
    folder = workdir / "stack"
    (folder / "mail").mkdir(parents=True)
    _empty_database(DATABASE_URL)
    env = airm_env(
        venv,
        AIRM_ENV="production",
        SECRET_KEY="stack-" + "k" * 48,
        DATABASE_URL=DATABASE_URL,
        AIRM_INSTANCE_PATH=str(folder / "instance"),
        AIRM_PUBLIC_BASE_URL=BASE,
        TRUSTED_HOSTS="127.0.0.1",
        AIRM_TRUSTED_PROXIES="1",
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{REDIS_PORT}/0",
        AIRM_BIND=f"127.0.0.1:{GUNICORN_PORT}",
        WEB_CONCURRENCY=str(WORKERS),
        # The demo's directors would otherwise be sent to set up a second factor first.
        AIRM_REQUIRE_TWO_FACTOR="false",
        MAIL_BACKEND="file",
        MAIL_FILE_PATH=str(folder / "mail"),
    )
    airm(venv, env, "db", "upgrade", cwd=workdir)
    airm(venv, env, "load-programme", cwd=workdir)
    airm(venv, env, "seed-demo", "--force", cwd=workdir)

    cert, key = _certificate(folder)
    site = folder / "airm-site.conf"
    site.write_text(site_for_test(cert, key))
    conf = folder / "nginx.conf"
    conf.write_text(nginx_config(folder, site))
    run(["nginx", "-t", "-c", str(conf)])

    commands = {
        "redis": (
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", ""],
            {"PATH": "/usr/bin:/bin"},
        ),
        "gunicorn": (
            [str(venv / "bin" / "gunicorn"), "-c", str(CHECKOUT / "deploy/gunicorn.conf.py")],
            env,
        ),
        "nginx": (["nginx", "-c", str(conf), "-g", "daemon off;"], {"PATH": "/usr/sbin:/bin"}),
        # The mail worker, as deploy/systemd/airm-mail.service runs it.
        "mail": (
            [str(venv / "bin" / "airm"), "send-mail", "--loop"],
            {**env, "AIRM_MAIL_POLL_SECONDS": "1"},
        ),
    }
    servers: list[Server] = []
    try:
        for name, (command, server_env) in commands.items():
            log = folder / f"{name}.log"
            servers.append(Server(command, env=server_env, cwd=folder, log=log))
        servers[1].wait_until_answering(f"http://127.0.0.1:{GUNICORN_PORT}/healthz")
        servers[2].wait_until_answering(f"{BASE}/healthz", verify=str(cert))
        yield {"cert": str(cert), "folder": folder, "log": folder / "gunicorn.log"}
    finally:
        for server in reversed(servers):
            server.stop()


def _client(stack, source: str = "127.0.0.1"):
    return web.client(BASE, source=source, verify=stack["cert"])


def _log_lines(stack) -> list[str]:
    return [line for line in stack["log"].read_text().splitlines() if line.strip()]


def _access_lines(stack) -> dict[str, dict]:
    """The app's access lines by request id."""
    lines = (json.loads(line) for line in _log_lines(stack))
    return {
        line["request_id"]: line for line in lines if line.get("logger") == "airm_training.access"
    }


def test_the_site_is_ready_through_nginx_over_tls(stack):
    response = _client(stack).get(f"{BASE}/readyz", timeout=10)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "schema": "ok", "templates": "ok", "programme": "ok"},
    }
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"]), "nginx's id"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_sign_in_limit_holds_across_workers_and_is_per_client(stack):
    attacker = _client(stack, "127.0.0.2")
    token = web.csrf_token(attacker, "/auth/login")
    start = threading.Barrier(11)

    def guess(n: int):
        # Eleven guesses at once, each on its own connection: no one worker can take
        # them all in turn, so the count is only right if the workers share it.
        session = _client(stack, "127.0.0.2")
        session.cookies.update(attacker.cookies)
        start.wait(timeout=30)
        return session.post(
            f"{BASE}/auth/login",
            data={"email": DIRECTOR, "password": f"guess number {n}", "csrf_token": token},
            headers={"Connection": "close"},
            allow_redirects=False,
            timeout=30,
        )

    with ThreadPoolExecutor(max_workers=11) as pool:
        responses = list(pool.map(guess, range(11)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 10 + [429], statuses

    time.sleep(0.5)  # the access lines of the last requests
    access = _access_lines(stack)
    pids = {access[response.headers["X-Request-ID"]]["pid"] for response in responses}
    clients = {access[response.headers["X-Request-ID"]]["client"] for response in responses}
    print(f"11 sign-in attempts answered by {len(pids)} of {WORKERS} workers: {sorted(pids)}")
    assert len(pids) >= 2, "one worker answered everything: the test shows nothing"
    assert clients == {"127.0.0.2"}, "the app sees the client, not nginx"

    # An address the attacker sends itself changes nothing: nginx appends the real one.
    forged = attacker.post(
        f"{BASE}/auth/login",
        data={"email": DIRECTOR, "password": "one more", "csrf_token": token},
        headers={"X-Forwarded-For": "198.51.100.23"},
        allow_redirects=False,
        timeout=30,
    )
    assert forged.status_code == 429

    # Another client, behind the same nginx, signs in.
    colleague = _client(stack, "127.0.0.3")
    signed_in = web.sign_in(colleague, DIRECTOR, DEMO_PASSWORD)
    assert signed_in.status_code == 302, signed_in.text[:300]
    assert colleague.get(f"{BASE}/home", timeout=30).status_code == 200


def _mail_files(stack) -> list[Path]:
    return sorted((stack["folder"] / "mail").iterdir())


def _bodies(path: Path) -> str:
    """The decoded text of the messages in one file of the file mail backend (each message
    is followed by a line of 79 dashes)."""
    messages = path.read_bytes().split(b"\n" + b"-" * 79 + b"\n")
    parsed = [email.message_from_bytes(raw, policy=email.policy.default) for raw in messages]
    return "\n".join(
        message.get_body(("plain",)).get_content() for message in parsed if message.keys()
    )


def _outbox_drained(seconds: float = 60) -> None:
    """Wait until the mail worker has handled every queued message."""
    engine = sa.create_engine(DATABASE_URL)
    deadline = time.monotonic() + seconds
    try:
        while True:
            with engine.connect() as connection:
                waiting = connection.execute(
                    sa.text("SELECT count(*) FROM outbox_message WHERE status = 'pending'")
                ).scalar_one()
            assert waiting == 0 or time.monotonic() < deadline, f"{waiting} e-mails still queued"
            if waiting == 0:
                return
            time.sleep(0.5)
    finally:
        engine.dispose()


def _reset_links(stack, before: list[Path], seconds: float = 30) -> list[str]:
    """The reset links in the mail the worker writes after ``before`` (other queued mail
    may come first), waiting up to ``seconds`` for its next rounds."""
    deadline = time.monotonic() + seconds
    while True:
        new = [path for path in _mail_files(stack) if path not in before]
        links = LINK.findall("".join(_bodies(path) for path in new))
        if links or time.monotonic() > deadline:
            return links
        time.sleep(0.5)


def test_a_forged_host_gets_no_reset_link_pointing_elsewhere(stack):
    person = _client(stack, "127.0.0.4")
    token = web.csrf_token(person, "/auth/reset")
    _outbox_drained()  # what earlier tests queued is out of the way
    before = _mail_files(stack)
    for headers in ({"Host": "evil.example"}, {"Host": f"evil.example:{NGINX_PORT}"}):
        refused = person.post(
            f"{BASE}/auth/reset",
            data={"email": DIRECTOR, "csrf_token": token},
            headers=headers,
            allow_redirects=False,
            timeout=30,
        )
        assert refused.status_code == 400
    assert _reset_links(stack, before, seconds=3) == [], "no reset mail for another host"

    # A forged X-Forwarded-Host is replaced by nginx; the link is on the public address.
    sent = person.post(
        f"{BASE}/auth/reset",
        data={"email": DIRECTOR, "csrf_token": token},
        headers={"X-Forwarded-Host": "evil.example"},
        allow_redirects=False,
        timeout=30,
    )
    assert sent.status_code == 302
    links = _reset_links(stack, before)
    assert links and all(link.startswith(f"{BASE}/auth/reset/") for link in links), links


def _readyz(stack) -> tuple[int, dict]:
    response = _client(stack).get(f"{BASE}/readyz", timeout=30)
    return response.status_code, response.json()


def test_readyz_is_not_ready_while_postgresql_is_stopped_and_ready_after(stack):
    pg_ctl = shlex.split(PG_CTL)
    subprocess.run([*pg_ctl, "stop", "-m", "fast"], check=True, timeout=60)
    stopped_at = time.monotonic()
    try:
        status, body = _readyz(stack)
        healthz = _client(stack).get(f"{BASE}/healthz", timeout=30).status_code
    finally:
        subprocess.run([*pg_ctl, "start"], check=True, timeout=60)
        down_for = time.monotonic() - stopped_at
    assert (status, body["checks"]["database"]) == (503, "unavailable"), body
    assert healthz == 200, "the process is alive"

    started = time.monotonic()
    while True:
        status, body = _readyz(stack)
        if status == 200 or time.monotonic() - started > 30:
            break
        time.sleep(0.5)
    again = time.monotonic() - started
    print(f"PostgreSQL stopped {down_for:.1f} s; ready again {again:.1f} s after its start")
    assert status == 200, body


@pytest.mark.parametrize("person", DEMO_PEOPLE[:3], ids=lambda p: p.email.split("@")[0])
def test_demo_logins_render_their_pages_through_the_stack(stack, person):
    session = _client(stack, "127.0.0.5")
    assert web.sign_in(session, person.email, DEMO_PASSWORD).status_code == 302
    pages = web.crawl(session, limit=60)
    failed = {path: status for path, status in pages.items() if status != 200}
    assert not failed, failed
    print(f"{person.email}: {len(pages)} pages through nginx")


def test_the_logs_are_json_lines_with_request_ids_and_no_secrets(stack):
    lines = _log_lines(stack)
    parsed = [json.loads(line) for line in lines]  # every line is JSON
    access = [line for line in parsed if line.get("logger") == "airm_training.access"]
    in_requests = [line for line in parsed if line.get("logger", "").startswith("airm_training")]
    assert access and all(re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) for line in access)
    assert all(line["request_id"] for line in in_requests)
    events = {line.get("event") for line in parsed}
    assert {"sign_in_refused", "rate_limited"} <= events
    text = "\n".join(lines)
    for secret in (DEMO_PASSWORD, "guess number", "one more"):
        assert secret not in text
    assert "/auth/reset/" not in text.replace("/auth/reset/<token>", "")
    print(f"{len(lines)} log lines, all JSON; {len(access)} access lines with request ids")
