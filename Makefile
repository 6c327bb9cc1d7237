# pulumi-backups: `make demo` shows it working, `make test` proves it.
# Every target creates the virtual environment (.venv) and installs the project into it first.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
STATE ?= .state/sandbox.db
ARGS ?=

.PHONY: help venv install test check sandbox demo bench schema

help:
	@echo "make demo     sandbox + preview + up + outputs + destroy (the pulumi CLI, else the test driver)"
	@echo "make test     the test suite (no pulumi CLI needed)"
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

test: $(INSTALLED)
	$(PY) -m pytest -q -n auto

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
