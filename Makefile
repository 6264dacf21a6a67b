# `make demo` and `make test` each do all their set-up: a fresh machine needs Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# axe-core, which the browser tests inject into each page (package.json, package-lock.json).
NODE_INSTALLED := node_modules/.package-lock.json

.PHONY: demo stack test test-stack test-matrix test-django42 lint bench load faults clean system-deps

# Debian packages the tests use: chromium (browser tests, driven by Playwright), npm (installs
# axe-core for them) and openssl (an independent SECRET_HASH computation). Installed when
# missing, as root or with sudo.
SYSTEM_PACKAGES := chromium npm openssl

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalled whenever the package's metadata changes.
$(INSTALLED): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[dev]'
	touch $@

# Exactly the versions package-lock.json names; again whenever it changes.
$(NODE_INSTALLED): package.json package-lock.json | system-deps
	npm ci --no-audit --no-fund
	touch $@

demo: $(INSTALLED)
	$(BIN)/python -m example_project.demo

# The example project as production runs it: gunicorn, 4 workers, PostgreSQL and Redis on
# loopback, a strict emulator; http://127.0.0.1:8000/ until Ctrl-C, which stops it all.
stack: $(INSTALLED)
	$(BIN)/python -m example_project.stack

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do command -v $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo=sudo; \
	  else echo "Please install:$$missing (apt-get install$$missing)"; exit 1; fi; \
	  $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

test: $(INSTALLED) system-deps $(NODE_INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/mypy cognito_auth
	$(BIN)/python manage.py makemigrations --check --dry-run cognito_auth
	$(BIN)/pytest

# Only the tests that need PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379); `make test`
# runs them too, and skips them with the reason when a server does not answer. Asked for by
# name, they fail instead, saying how to start the missing server.
# The stack's browser journeys (tests/browser/test_stack_journeys.py) need chromium and axe-core.
test-stack: $(INSTALLED) system-deps $(NODE_INSTALLED)
	$(BIN)/python -m example_project.stack --check
	$(BIN)/pytest -m stack -rs

# The suite on every supported Django (noxfile.py: 4.2 and 5.2 LTS), a venv each under .nox/.
# One of them: make test-matrix NOX_SESSIONS=django42
NOX_SESSIONS ?= django42 django52
test-matrix: $(INSTALLED) system-deps $(NODE_INSTALLED)
	$(BIN)/nox -s $(NOX_SESSIONS)

# The oldest Django this app supports (4.2 LTS).
test-django42:
	$(MAKE) test-matrix NOX_SESSIONS=django42

lint: $(INSTALLED)
	$(BIN)/ruff check .

bench: $(INSTALLED)
	$(BIN)/python benchmarks/login.py

# The gunicorn stack (PostgreSQL, Redis, emulator) under a bounded mix of sign-ins, page views,
# password resets and API calls; figures in the README. LOAD_ARGS="--seconds 60 --concurrency 16".
load: $(INSTALLED)
	$(BIN)/python -m example_project.stack --check
	$(BIN)/python benchmarks/load.py $(LOAD_ARGS)

# Each fault injected while that load runs (a private redis-server; the run's own database).
faults: $(INSTALLED)
	$(BIN)/python benchmarks/faults.py $(FAULTS_ARGS)

clean:
	rm -rf $(VENV) .venv-django42 .nox .demo test-artifacts node_modules
