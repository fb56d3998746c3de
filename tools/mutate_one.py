"""Mutation testing of one module against its own tests: ``python tools/mutate_one.py
airm_training/hours/rules.py tests/test_hours_rules.py``. The project's files are copied
to a scratch directory whose ``[tool.mutmut]`` names only that module and those tests,
mutmut runs there one mutant at a time, and the score is printed (killed / mutants that
some test reaches). ``--only PATTERN...`` after the tests runs only the mutants whose
names match (fnmatch, e.g. ``'*x_sign_entries__*'``); the score then counts those."""

from __future__ import annotations

import json
import re
import shutil
import subprocess  # nosec B404: runs git and mutmut with fixed arguments
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = Path(sys.executable).with_name("mutmut")


def _split(args: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    at = args.index("--only")
    return args[:at], args[at + 1 :]


def _scratch_copy(module: str, tests: list[str]) -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="airm-mutation-"))
    listing = ["git", "ls-files", "-co", "--exclude-standard"]
    files = subprocess.run(  # noqa: S603  # nosec B603 B607
        listing,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for name in files:
        target = scratch / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target)
    config = (scratch / "pyproject.toml").read_text()
    config = re.sub(
        r"only_mutate = \[.*?\]", f"only_mutate = {json.dumps([module])}", config, flags=re.S
    )
    config = re.sub(
        r"pytest_add_cli_args_test_selection = \[.*?\]",
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
        config,
        flags=re.S,
    )
    (scratch / "pyproject.toml").write_text(config)
    return scratch


def main(module: str, *args: str) -> int:
    tests, only = (args, ()) if "--only" not in args else _split(args)
    scratch = _scratch_copy(module, list(tests))
    run = [MUTMUT, "run", "--max-children", "1", *only]
    subprocess.run(run, cwd=scratch, check=False)  # noqa: S603  # nosec B603
    results = subprocess.run(  # noqa: S603  # nosec B603
        [MUTMUT, "results", "--all", "true"], cwd=scratch, capture_output=True, text=True
    ).stdout
    statuses = [line.rsplit(": ", 1)[-1].strip() for line in results.splitlines() if ": " in line]
    killed = statuses.count("killed") + statuses.count("timeout")
    unrun = statuses.count("no tests") + statuses.count("skipped") + statuses.count("not checked")
    reached = len(statuses) - unrun
    for line in results.splitlines():
        if line.strip().endswith(("survived", "no tests")):
            print(line.strip())
    print(
        f"{module}: {killed} of {reached} mutants killed ({100 * killed / max(reached, 1):.1f} %), "
        f"{statuses.count('no tests')} reached by no test; results in {scratch}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
