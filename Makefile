# pulumi-backups: `make demo` shows it working, `make test` proves it.
# Every target creates the virtual environment (.venv) and installs the project into it first.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
STATE ?= .state/sandbox.db
ARGS ?=
PYTEST_ARGS ?=

.PHONY: help venv install test check sandbox demo bench schema engine

help:
	@echo "make demo     sandbox + preview + up + outputs + destroy (the pulumi CLI, else the test driver)"
	@echo "make test     the test suite; its engine tier runs the real pulumi CLI (make engine)"
	@echo "make engine   the pulumi CLI and language hosts, built from their Go modules (cached);"
	@echo "              a pulumi on PATH is used instead; prints the folder that holds them"
	@echo "make check    ruff (lint + format) and mypy"
	@echo "make sandbox  the local API sandbox in the foreground, state in STATE=$(STATE);"
	@echo "              options in ARGS, e.g. make sandbox ARGS='--port 0 --task-seconds 0'"
	@echo "              (every option: .venv/bin/python -m pulumi_backups.sandbox --help)"
	@echo "make bench    every benchmark in bench/, one table of figures"
	@echo "make schema   rewrite schema.json, the provider plugin's package schema"
	@echo "make install  the virtual environment with the project and its dev tools"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

venv: $(PY)

install: $(INSTALLED)

# The engine first (its build can outlast a test's timeout); without one, the engine tier
# says why and is skipped (PULUMI_BACKUPS_REQUIRE_ENGINE=1: fails).
test: $(INSTALLED)
	PULUMI_BACKUPS_ENGINE="$$(bash engine/build.sh || true)" $(PY) -m pytest -q -n auto $(PYTEST_ARGS)

engine:
	@bash engine/build.sh

check: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

sandbox: $(INSTALLED)
	@mkdir -p .state
	$(PY) -m pulumi_backups.sandbox --state $(STATE) $(ARGS)

demo:
	bash scripts/demo.sh

bench: $(INSTALLED)
	$(PY) bench/run_all.py

# Through a temporary file: a failing run leaves schema.json as it was.
schema: $(INSTALLED)
	$(PY) -m pulumi_backups.plugin.schema > schema.json.tmp
	mv schema.json.tmp schema.json
