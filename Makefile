# pulumi-backups: `make demo` shows it working, `make test` proves it.
# Every target creates the virtual environment (.venv) and installs the project into it first.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
SANDBOX_ARGS ?= --state .state/sandbox.db

.PHONY: help venv install test check sandbox demo bench

help:
	@echo "make demo     sandbox + preview + up + outputs + destroy (needs the pulumi CLI)"
	@echo "make test     the test suite (no pulumi CLI needed)"
	@echo "make check    ruff (lint + format) and mypy"
	@echo "make sandbox  the local API sandbox in the foreground (SANDBOX_ARGS=$(SANDBOX_ARGS))"
	@echo "make bench    every benchmark in bench/, one table of figures"
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
	$(PY) -m pytest -q

check: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

sandbox: $(INSTALLED)
	@mkdir -p .state
	$(PY) -m pulumi_backups.sandbox $(SANDBOX_ARGS)

demo:
	bash scripts/demo.sh

bench: $(INSTALLED)
	$(PY) bench/run_all.py
