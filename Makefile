# The commands people type. Each creates the environment (.venv) first when it is missing.
#   make demo    regenerate course/, grade a simulated class with the nbgrader workflow, print it
#   make test    the whole test suite (fast mode), as CI runs it
#   make course  clean notebooks and regenerate course/ from solutions/ (contributors)
#   make lint    ruff
#   make bench   the benchmarks in benchmarks/

PYTHON ?= python3
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
# nbgrader shells out to alembic: the environment's bin/ must be on PATH.
export PATH := $(BIN):$(PATH)
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: demo test course lint bench

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed, found " + sys.version)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[course,test]'
	@touch $@

demo: $(VENV)/.installed
	$(BIN)/python -m tools.demo

test: $(VENV)/.installed
	$(BIN)/ruff check .
	DL4_FAST=1 $(BIN)/python -m pytest -n 2 --durations=10 tests --nbval-lax --nbval-current-env solutions $(PYTEST_ARGS)

course: $(VENV)/.installed
	$(BIN)/python -m tools.course

lint: $(VENV)/.installed
	$(BIN)/ruff check .

bench: $(VENV)/.installed
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done
