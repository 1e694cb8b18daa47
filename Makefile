# Quick start: `make demo` and `make test`. Everything else is a helper for those two.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-slow test-all lint format bench install clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Stamp files keep repeat runs fast; they are redone whenever pyproject.toml changes.
$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,dev]'
	touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed-base

# `make demo PORT=8080` serves on another port; the data stays in .amends between runs.
demo: $(VENV)/.installed-base
	$(BIN)/amends demo $(if $(PORT),--port $(PORT))

# `make test` is the everyday suite, one process per core. `make test-slow` runs the tests
# marked `slow` (real servers, browsers, killed processes, thousands of rows): first those
# marked `alone`, which time responses, with the machine to themselves (after a parallel
# run, PostgreSQL is still dropping its hundreds of test databases), then the rest in
# parallel. `make test-all` is both, as CI runs them (exit 5: a run selected none).
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n auto -m "not slow and not alone" $(PYTEST_ARGS) || [ $$? -eq 5 ]

test-slow: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m alone $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/python -m pytest -n auto --dist worksteal -m "slow and not alone" $(PYTEST_ARGS) || [ $$? -eq 5 ]

test-all: test-slow test

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src
	$(BIN)/lint-imports

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(VENV)/.installed-test
	@set -e; for f in bench/*.py; do echo "== $$f" >&2; $(BIN)/python $$f; done

# Every page in every interface language, as PNGs in screenshots/ (not committed).
screenshots: $(VENV)/.installed-test
	$(BIN)/python scripts/screenshots.py screenshots

clean:
	rm -rf $(VENV) .amends .pytest_cache .mypy_cache .ruff_cache
