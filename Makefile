# Two commands for learners and CI:
#   make lab   - environment + engine + base image, then JupyterLab on 127.0.0.1
#   make test  - the same set-up, then the whole test suite (what .ci/run runs)
#   make test-quick - the inner loop for developers: unit + engine basics, a few minutes
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LAB_PORT ?= 8888
PYTEST_ARGS ?=
# The inner loop: unit tests and the engine basics (no notebooks, no Swarm lab, no browser, no host simulations).
QUICK_MARKERS := not notebook and not lab and not browser and not hostsim and not final

.PHONY: lab test test-quick venv engine system prepare doctor cleanup bench clean-venv

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	if git rev-parse --git-dir >/dev/null 2>&1; then $(BIN)/nbstripout --install && \
	  git config filter.nbstripout.clean '"$(CURDIR)/$(BIN)/python" -m nbstripout --keep-id'; fi
	touch $(STAMP)

venv: $(STAMP)

# System packages (fonts for Korean plots, Chromium for the browser tests) when root on Debian/Ubuntu.
system:
	@bash scripts/system-packages.sh

engine: venv
	@bash scripts/ensure-engine.sh

prepare: engine
	@$(BIN)/python -m dockhelpers prepare

doctor: venv
	@$(BIN)/python -m dockhelpers doctor

lab: system prepare
	@$(BIN)/python -m dockhelpers doctor || echo "[lab] 점검 결과의 '확인 필요' 항목을 보세요 / see the items to check above"
	@bash scripts/start-lab.sh $(LAB_PORT)

test: system prepare
	$(BIN)/python -m pytest -v -rs --durations=25 $(PYTEST_ARGS)

test-quick: prepare
	$(BIN)/python -m pytest -q -rs --durations=10 -m "$(QUICK_MARKERS)" $(PYTEST_ARGS)

cleanup: venv
	@$(BIN)/python -m dockhelpers cleanup --yes

bench: prepare
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done
