"""The production stack, built as an operator would: the wheel built from this checkout,
installed into a fresh virtual environment outside it, configured only by environment
variables, served by gunicorn with ``deploy/gunicorn.conf.py`` and, for the stack tests,
behind the shipped nginx site with TLS, on PostgreSQL and Redis.

``.ci/run`` installs nginx and redis-server and creates the PostgreSQL cluster and
database (``AIRM_STACK_DATABASE_URL``; ``AIRM_STACK_PG_CTL`` stops and starts it). Ports:
nginx 8480, gunicorn 8481, Redis 6391."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

CHECKOUT = Path(__file__).resolve().parent.parent
GUNICORN_PORT = 8481
NGINX_PORT = 8480
REDIS_PORT = 6391


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.stack)


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run ``command``; fail the test with its output if it fails."""
    result = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    """A folder outside the checkout for the wheel, the venv, the data and the logs."""
    path = Path(tempfile.mkdtemp(prefix="airm-stack-"))
    assert CHECKOUT not in path.parents
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def venv(workdir) -> Path:
    """A fresh venv with the wheel (and its ``redis`` extra) installed from ``dist``.
    (``AIRM_STACK_VENV`` names a venv made by an earlier run to reuse while writing these
    tests; CI never sets it.)"""
    if os.environ.get("AIRM_STACK_VENV"):
        return Path(os.environ["AIRM_STACK_VENV"])
    dist = workdir / "dist"
    run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(CHECKOUT)])
    (wheel,) = dist.glob("airm_training-*.whl")
    venv = workdir / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    run([str(venv / "bin" / "pip"), "install", "--quiet", f"{wheel}[redis]"], cwd=workdir)
    return venv


class Server:
    """A process started for the tests, with its standard error in a file."""

    def __init__(self, command: list[str], *, env: dict, cwd: Path, log: Path) -> None:
        self.log = log
        self._file = log.open("w")
        self.process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=self._file, stderr=subprocess.STDOUT
        )

    def wait_until_answering(self, url: str, *, verify: bool | str = True, seconds: int = 60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited {self.process.returncode}:\n{self.log.read_text()}")
            try:
                requests.get(url, timeout=2, verify=verify)
                return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.3)
        pytest.fail(f"{url} did not answer within {seconds} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._file.close()


def airm_env(venv: Path, **values: str) -> dict[str, str]:
    """The environment of the installed app: PATH to the venv, nothing from the checkout."""
    base = {key: os.environ[key] for key in ("HOME", "LANG", "TZ") if key in os.environ}
    return {**base, "PATH": f"{venv / 'bin'}:/usr/sbin:/usr/bin:/sbin:/bin", **values}


def airm(venv: Path, env: dict, *args: str, cwd: Path) -> str:
    """The installed ``airm`` command; its output."""
    return run([str(venv / "bin" / "airm"), *args], env=env, cwd=cwd).stdout
