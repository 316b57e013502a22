# The commands people type. Each creates the environment (.venv) first when it is missing.
#   make demo    regenerate course/, grade a simulated class with the nbgrader workflow, print it
#   make test    the whole test suite (fast mode), as CI runs it
#   make work    students: copy course/ into work/ (your copy; never overwritten), once
#   make lab     students: JupyterLab with nbgrader's extension, opened on work/
#   make course  clean notebooks and regenerate course/ from solutions/ (contributors)
#   make test-colab  every solution notebook in a second venv with Colab's package versions
#   make test-browser  a student's session in JupyterLab, in headless Chromium (CI runs both)
#   make lint    ruff
#   make bench   the benchmarks in benchmarks/
#   make private-release DEST=... URL=...  instructors grading for credit: the students' package
#                without reference answers, and notebooks that install it from URL (README)
#   make quoted-numbers  re-run units 2-5 and 8 at full size (minutes) and check the numbers their text quotes

PYTHON ?= python3
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
# nbgrader shells out to alembic: the environment's bin/ must be on PATH.
export PATH := $(BIN):$(PATH)
export TF_CPP_MIN_LOG_LEVEL ?= 3

# The exact versions the course is tested with (pyproject.toml gives the ranges it works with).
CONSTRAINTS ?= constraints/tested.txt
COLAB_VENV ?= .venv-colab
COLAB_BIN := $(abspath $(COLAB_VENV))/bin

.PHONY: demo test course lint bench work lab test-colab test-browser quoted-numbers private-release

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed, found " + sys.version)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[course,test]'
	@touch $@

# Colab's runtime (constraints/colab.txt) on this machine's Python: what students get on Colab.
$(COLAB_VENV)/.installed: pyproject.toml constraints/colab.txt
	$(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_BIN)/python -m pip install --quiet --upgrade pip
	$(COLAB_BIN)/python -m pip install --quiet -c constraints/colab.txt -e '.[test]' \
		$$(sed -n 's/^\([a-z]*\)==.*/\1/p' constraints/colab.txt)
	@touch $@

demo: $(VENV)/.installed
	$(BIN)/python -m tools.demo

test: $(VENV)/.installed
	$(BIN)/ruff check .
	DL4_FAST=1 $(BIN)/python -m pytest -n 2 --durations=10 tests --ignore=tests/browser --nbval-lax --nbval-current-env solutions $(PYTEST_ARGS)

# JupyterLab in headless Chromium (Debian's `chromium`); screenshots in build/browser/.
test-browser: $(VENV)/.installed
	DL4_FAST=1 $(BIN)/python -m pytest -n 0 --durations=5 tests/browser $(PYTEST_ARGS)

course: $(VENV)/.installed
	$(BIN)/python -m tools.course

private-release: $(VENV)/.installed
	$(if $(and $(DEST),$(URL)),,$(error give DEST=<new folder> URL=<where students install the wheel from>))
	$(BIN)/python -m tools.private $(DEST) --package-url $(URL)

work: $(VENV)/.installed
	$(BIN)/python -m tools.course --work

# JupyterLab refuses to start as root (containers, cloud VMs) unless told --allow-root.
LAB_AS_ROOT = $(if $(filter 0,$(shell id -u)),--allow-root)
lab: work
	$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/work \
		$(LAB_AS_ROOT) $(LAB_ARGS)

test-colab: $(COLAB_VENV)/.installed
	DL4_FAST=1 DL4_CONSTRAINTS=constraints/colab.txt $(COLAB_BIN)/python -m pytest -n 2 \
		--durations=5 --nbval-lax --nbval-current-env \
		solutions tests/test_colab.py $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .

bench: $(VENV)/.installed
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

quoted-numbers: $(VENV)/.installed
	$(BIN)/python -m tools.quoted_numbers full-check
