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
QUICK_MARKERS := not slow and not notebook and not lab and not browser and not hostsim and not final and not labimage and not devcontainer and not hub and not book
# The web edition: its own venv (Sphinx + MyST-NB). BOOK_MODE=auto replays the chapters that have a recording
# (notebooks/recordings/chNN.*, no engine needed) and runs the others on the engine; replay or live forces one.
BOOK_VENV := .venv-book
BOOK_STAMP := $(BOOK_VENV)/.installed
BOOK_MODE ?= auto
BOOK_UNRECORDED := $(foreach nb,$(wildcard notebooks/[0-9][0-9]_*.ipynb),\
  $(if $(wildcard notebooks/recordings/ch$(word 1,$(subst _, ,$(notdir $(nb))))*),,$(nb)))
BOOK_ENGINE := $(if $(filter live,$(BOOK_MODE)),prepare,$(if $(filter auto,$(BOOK_MODE)),$(if $(strip $(BOOK_UNRECORDED)),prepare)))

.PHONY: lab test test-quick venv engine system test-deps prepare doctor cleanup clean-test-cache bench clean-venv stop update lab-image classroom classroom-deps classroom-down book book-venv record

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

# The course lab image (classroom/lab/Dockerfile) for Codespaces and the classroom hub; prints dkc/lab:<content hash>.
lab-image: prepare
	@$(BIN)/python -m dockhelpers.labimage

# The classroom hub (classroom/, docs/teacher-guide.md): JupyterHub, DockerSpawner and the idle culler into the
# venv, configurable-http-proxy into classroom/node_modules (npm ci, never global), the students' lab image,
# then the hub on HUB_ADDRESS (127.0.0.1 unless the teacher chooses, e.g. 0.0.0.0 for the classroom's network).
ROSTER ?= classroom/roster.txt
HUB_ADDRESS ?= 127.0.0.1
CLASSROOM_STAMP := $(VENV)/.classroom-installed

$(CLASSROOM_STAMP): classroom/requirements.txt classroom/package.json classroom/package-lock.json $(STAMP)
	$(BIN)/pip install -q --disable-pip-version-check -r classroom/requirements.txt
	cd classroom && npm ci --no-audit --no-fund --omit=dev
	touch $(CLASSROOM_STAMP)

classroom-deps: $(CLASSROOM_STAMP)

classroom: prepare classroom-deps
	@test -f "$(ROSTER)" || { echo "[classroom] 명단 파일이 없습니다: $(ROSTER) (예: cp classroom/roster.example.txt $(ROSTER))"; exit 2; }
	@$(BIN)/python -m dockhelpers classroom up --roster "$(ROSTER)" --address "$(HUB_ADDRESS)"

classroom-down: venv
	@$(BIN)/python -m dockhelpers classroom down

doctor: venv
	@$(BIN)/python -m dockhelpers doctor

# scripts/start-lab.sh starts the course endpoint (as the learner) and gives the lab DOCKER_HOST=unix://<its socket>.
lab: system prepare
	@$(BIN)/python -m dockhelpers doctor || echo "[lab] 점검 결과의 '확인 필요' 항목을 보세요 / see the items to check above"
	@bash scripts/start-lab.sh $(LAB_PORT)

# Two workers by default, one per core (tests/parallel.py gives each its own names and ports); TEST_WORKERS=0
# runs everything in one process.
TEST_WORKERS ?= 2
XDIST := $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadgroup)

test: system test-deps prepare classroom-deps
	$(BIN)/python -m pytest -v -rs --durations=25 $(XDIST) $(PYTEST_ARGS)

# The inner loop (about 2 minutes on two workers): unit tests and engine basics; run the full `make test` before pushing.
test-quick: venv engine
	$(BIN)/python -m pytest -q $(XDIST) -m "$(QUICK_MARKERS)" $(PYTEST_ARGS)

# Stop what the course started (the lab, its registry mirror, a dockerd or docker.service it started).
stop: venv
	@$(BIN)/python -m dockhelpers endpoint stop
	@$(BIN)/python -m dockhelpers engine stop

# Bring in a new course version without losing the learner's work in work/; says which chapters changed.
update: venv
	@bash scripts/update-course.sh

cleanup: venv
	@$(BIN)/python -m dockhelpers cleanup --yes

# The chapters' build cache that `make test` keeps between runs (tests/buildcache.py); the next run builds anew.
clean-test-cache: venv
	@DOCKHELPERS_PREFIX=$${DOCKHELPERS_PREFIX:-dkc}-buildcache $(BIN)/python -m dockhelpers cleanup --yes

# One table of figures against their references, written to docs/benchmarks.md (+ .png). BENCH=quick: fewer
# repeats, no cold notebook runs (for development). Every benchmarks/*.py with a rows() function is included.
bench: prepare classroom-deps
	@PYTHONPATH="$(CURDIR)" BENCH="$(BENCH)" $(BIN)/python benchmarks/run.py

$(BOOK_STAMP): requirements-book.txt
	test -x $(BOOK_VENV)/bin/python || $(PY) -m venv $(BOOK_VENV)
	$(BOOK_VENV)/bin/pip install -q --disable-pip-version-check -r requirements-book.txt
	touch $(BOOK_STAMP)

book-venv: $(BOOK_STAMP)

# The web edition in build/book/ (index.html): 1. execute the chapters into build/book-src/ (only those whose
# notebook or recording changed; the engine is prepared only when a chapter runs live), 2. static widget snapshots + pages into build/book-site/, 3. Sphinx (warnings: build/book-warnings.log).
book: venv book-venv $(BOOK_ENGINE)
	@PYTHONPATH="$(CURDIR)" $(BIN)/python scripts/book_execute.py --mode $(BOOK_MODE)
	@$(BOOK_VENV)/bin/python scripts/book_assemble.py
	@start=$$(date +%s); rm -rf build/book; \
	  $(BOOK_VENV)/bin/sphinx-build -q -b html -w build/book-warnings.log build/book-site build/book && \
	  rm -f build/book/_static/*webpack-macros.html && \
	  echo "[book] render: $$(( $$(date +%s) - start )) s, $$(find build/book -name '*.html' | wc -l) HTML pages -> build/book/index.html"

# Run every chapter notebook on the real engine (CHAPTERS="1 2" for some) and write notebooks/recordings/chNN.jsonl
# for the Binder replay (DOCKHELPERS_MODE=replay). Run it again whenever a notebook's code cells change.
record: prepare
	@PYTHONPATH="$(CURDIR)" $(BIN)/python scripts/record.py $(CHAPTERS)
