# Two commands for learners and CI:
#   make lab   - environment + engine + base image, then JupyterLab on 127.0.0.1
#   make test  - the same set-up, then the whole test suite (what .ci/run runs)
# And for learners: make stop (stop what the course started), make update (a new course version, work kept).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LAB_PORT ?= 8888
PYTEST_ARGS ?=
# The inner loop: unit tests and the engine basics (no notebooks, no Swarm lab, no browser, no host simulations).
QUICK_MARKERS := not notebook and not lab and not browser and not hostsim and not final

.PHONY: lab test test-quick venv engine system test-deps prepare doctor cleanup bench clean-venv stop update record

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	if git rev-parse --git-dir >/dev/null 2>&1; then $(BIN)/nbstripout --install && \
	  git config filter.nbstripout.clean '"$(CURDIR)/$(BIN)/python" -m nbstripout --keep-id'; fi
	touch $(STAMP)

venv: $(STAMP)

# System packages the lab needs (the Korean font for plots) when root on Debian/Ubuntu.
system:
	@bash scripts/system-packages.sh

# What only the tests need (Chromium for the browser tests). NOTE for the lead: make `test` depend on it.
test-deps:
	@bash scripts/system-packages.sh test

engine: venv
	@bash scripts/ensure-engine.sh

prepare: engine
	@$(BIN)/python -m dockhelpers prepare --base-only

doctor: venv
	@$(BIN)/python -m dockhelpers doctor

# scripts/start-lab.sh starts the course endpoint (as the learner) and gives the lab DOCKER_HOST=unix://<its socket>.
lab: system prepare
	@$(BIN)/python -m dockhelpers doctor || echo "[lab] 점검 결과의 '확인 필요' 항목을 보세요 / see the items to check above"
	@bash scripts/start-lab.sh $(LAB_PORT)

test: system test-deps prepare
	$(BIN)/python -m pytest -v -rs --durations=25 $(PYTEST_ARGS)

# The inner loop (about 3 minutes): unit tests and engine basics; run the full `make test` before pushing.
test-quick: venv engine
	$(BIN)/python -m pytest -q -m "$(QUICK_MARKERS)" $(PYTEST_ARGS)

# Stop what the course started (the lab, its registry mirror, a dockerd or docker.service it started).
stop: venv
	@$(BIN)/python -m dockhelpers endpoint stop
	@$(BIN)/python -m dockhelpers engine stop

# Bring in a new course version without losing the learner's work in work/; says which chapters changed.
update: venv
	@bash scripts/update-course.sh

cleanup: venv
	@$(BIN)/python -m dockhelpers cleanup --yes

# One table of figures against their references, written to docs/benchmarks.md (+ .png). BENCH=quick: fewer
# repeats, no cold notebook runs (for development). Every benchmarks/*.py with a rows() function is included.
bench: prepare
	@PYTHONPATH="$(CURDIR)" BENCH="$(BENCH)" $(BIN)/python benchmarks/run.py


# Run every chapter notebook on the real engine (CHAPTERS="1 2" for some) and write notebooks/recordings/chNN.jsonl
# for the Binder replay (DOCKHELPERS_MODE=replay). Run it again whenever a notebook's code cells change.
record: prepare
	@PYTHONPATH="$(CURDIR)" $(BIN)/python scripts/record.py $(CHAPTERS)
