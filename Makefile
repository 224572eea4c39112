# Two commands do all set-up on a fresh machine with Python 3.11:
#   make demo   central store + one edge node with seeded data, embedded defaults
#   make test   the test suite
# Both create (or reuse) the project's own virtual environment in .venv.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint fleet bench bench-server clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required; set PYTHON=...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/edge-gateway demo

fleet: $(STAMP)
	$(BIN)/edge-gateway fleet

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile

bench: $(STAMP)
	$(BIN)/python -m pytest tests/benchmarks --benchmark-enable --benchmark-only

# Needs wrk (Debian: apt-get install wrk); pins servers to CPU 0 and load to CPU 1.
bench-server: $(STAMP)
	$(BIN)/python -m loadtests.server_bench --seconds 10

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .benchmarks
