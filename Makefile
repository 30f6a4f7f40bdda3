# The two commands of the README:
#   make run   installs everything, loads the demo pilots into the embedded SQLite store, starts the app
#   make test  installs everything (Python packages, Debian's postgresql and chromium) and runs every test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test install install-test install-bench system-deps demo lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'

install-bench: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench]'

# The demo's invented data, public development key and public passwords: demo mode only.
demo: install
	LIVINGLAB_ENVIRONMENT=demo $(BIN)/livinglab demo

run: demo
	LIVINGLAB_ENVIRONMENT=demo $(BIN)/livinglab app --port $(PORT)

# Debian's PostgreSQL server and Chromium, for the tests that use the real things.
system-deps:
	@bash scripts/system-deps.sh

test: system-deps install-test
	bash scripts/test.sh

lint: install-test
	$(BIN)/ruff check livinglab tests benchmarks

# The city-scale benchmark: ratios to an Arrow ingest, bare SQL and DuckDB (README, Performance).
bench: system-deps install-bench
	$(BIN)/python benchmarks/bench_scale.py --json

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache livinglab.db livinglab.db-wal livinglab.db-shm
