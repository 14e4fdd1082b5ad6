# 邻里工作台 — the two commands of the README, and a few helpers.
#
#   make run    install if needed, migrate, seed demo data, start Redis + worker + web
#   make test   install if needed, make sure Chromium is there, run the whole test suite
#
# Only the system's Python 3.11 is needed; everything else goes into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=
# pytest-xdist workers: one per core by default; PYTEST_WORKERS=0 runs in this process.
PYTEST_WORKERS ?= auto

.DEFAULT_GOAL := help
.PHONY: help install run test lint bench clean-instance

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

install:  ## create .venv, install the project (skipped when pyproject.toml is unchanged), compile translations
	@$(PYTHON) scripts/bootstrap.py

run: install  ## start everything on http://127.0.0.1:5000 (Ctrl-C stops it all)
	@$(BIN)/python scripts/run.py

test: install  ## run the whole test suite (browser tests need Debian's chromium; installed when root)
	@bash scripts/ensure_chromium.sh
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --durations=20 $(PYTEST_ARGS)

lint:  ## ruff over the whole tree, then no package import cycle and no private name reached across packages
	$(BIN)/ruff check .
	$(BIN)/python scripts/deps.py

bench: install  ## page timings; seed the database first (see README, "Benchmarks")
	$(BIN)/python bench/pages.py

clean-instance:  ## delete the local SQLite database, dev secret and Redis/run files
	rm -rf instance/
