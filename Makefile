# Saldo — the README's two commands (`make run`, `make test`) set everything up from nothing.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export QT_QPA_PLATFORM ?=

.PHONY: run test lint typecheck pytest bench bundle stress venv dev-venv system-deps clean

venv:
	@scripts/bootstrap.sh

dev-venv:
	@scripts/bootstrap.sh "[dev]"

system-deps:
	@scripts/system-deps.sh

run: venv
	$(PY) -m desktop_app $(ARGS)

lint: dev-venv
	$(VENV)/bin/ruff check desktop_app saldo_sandbox tests bench packaging
	$(VENV)/bin/ruff format --check desktop_app saldo_sandbox tests bench packaging

typecheck: dev-venv
	$(VENV)/bin/mypy

pytest: dev-venv system-deps
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest $(PYTEST_ARGS)

test: dev-venv system-deps lint typecheck pytest

bench: dev-venv
	QT_QPA_PLATFORM=offscreen $(PY) -m bench $(BENCH_ARGS)

# 200 SIGKILL trials of a running sync instead of the suite's 20
stress: dev-venv system-deps
	SALDO_CRASH_TRIALS=200 QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest tests/sync/test_faults_and_crashes.py -k sigkill

bundle: dev-venv
	$(PY) packaging/build.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis bench-results.json test-artifacts dist build
