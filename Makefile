# Two commands: `make run` serves the demo, `make test` runs the whole suite.
# `make bench` (never part of `make test`) measures pages against a floor: bench/RESULTS.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
export FLASK_APP := airm_training:create_app()

.PHONY: run test bench lint format clean mutation mutation-one

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml setup.py
	$(BIN)/python -m pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	touch $(STAMP)

run: $(STAMP)
	mkdir -p instance
	$(BIN)/airm db upgrade
	$(BIN)/airm load-programme
	$(BIN)/airm seed-demo
	$(BIN)/airm rebuild-standing
	$(BIN)/airm run --host 127.0.0.1 --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/bandit -c pyproject.toml -r airm_training -q
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# BENCH_ARGS: e.g. --scales 1 --databases sqlite (see bench/run.py).
bench: $(STAMP)
	command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/bandit -c pyproject.toml -r airm_training -q
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Mutation testing of the engine, the hours rules and services against their own tests
# (configured in pyproject.toml's [tool.mutmut]); slow, so not part of `make test`.
mutation: $(STAMP)
	rm -rf mutants
	$(BIN)/mutmut run --max-children 1
	$(BIN)/mutmut results

# One module against its own tests only, one mutant at a time, with its score, e.g.
#   make mutation-one MODULE=airm_training/hours/rules.py TESTS=tests/test_hours_rules.py
# ONLY="'*x_sign_entries__*'" runs only the mutants whose names match.
mutation-one: $(STAMP)
	$(BIN)/python tools/mutate_one.py $(MODULE) $(TESTS) $(if $(ONLY),--only $(ONLY))

clean:
	rm -rf $(VENV) instance/*.sqlite3*
