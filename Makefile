# Everyday commands. Each target creates .venv/ on first use and reinstalls when
# pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --disable-pip-version-check -q

.PHONY: demo test lint typecheck pytest docs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip

# The demo is the command line's: it stores into SQLite and writes an HTML report.
$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	$(PIP) -e '.[cli]'
	@touch $@

# Tests need the dev and docs extras, and the example plugin package the tests load.
$(VENV)/.test-installed: pyproject.toml tests/plugins/acme_rules/pyproject.toml | $(BIN)/python
	$(PIP) -e '.[dev,docs,sql,crypto]' -e tests/plugins/acme_rules
	@touch $@

demo: $(VENV)/.demo-installed
	$(BIN)/python -m recordkit demo

lint: $(VENV)/.test-installed
	$(BIN)/ruff check src tests benchmarks scripts

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy --strict src tests

# The Spark tests start a JVM: CI (CI=true) runs them, a developer's run leaves them out
# (run them with `make pytest CI=true` or `pytest -m spark`).
pytest: $(VENV)/.test-installed
	$(BIN)/python -m pytest -q $(if $(filter true,$(CI)),,-m "not spark")

docs: $(VENV)/.test-installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -q

test: lint typecheck pytest docs

# Benchmarks need the bench extra (Splink, recordlinkage); QUICK=1 runs the small versions.
# The last one, DuckDB on 10,000,000 contacts, takes the better part of an hour.
# ydata-profiling, the quality benchmark's peer, pins its own NumPy: it lives in a venv of
# its own, handed to benchmarks/quality.py as RECORDKIT_BENCH_YDATA_PYTHON.
YDATA := .venv-ydata/bin/python
$(YDATA):
	$(PYTHON) -m venv .venv-ydata
	$(YDATA) -m pip install --disable-pip-version-check -q ydata-profiling

bench: export RECORDKIT_BENCH_YDATA_PYTHON = $(abspath $(YDATA))
bench: $(VENV)/.test-installed $(YDATA)
	$(PIP) -e '.[bench]'
	@set -e; for b in benchmarks/[a-z]*.py; do \
	  echo "== $$b"; $(BIN)/python $$b $(if $(QUICK),--quick,); done
	@echo "== benchmarks/scale.py --only duckdb-10m"
	$(BIN)/python benchmarks/scale.py --only duckdb-10m $(if $(QUICK),--quick,)

clean:
	rm -rf $(VENV) .venv-ydata site .pytest_cache .mypy_cache .ruff_cache .hypothesis
