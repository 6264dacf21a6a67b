# `make demo` and `make test` each do all their set-up: a fresh machine needs Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalled whenever the package's metadata changes.
$(INSTALLED): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[dev]'
	touch $@

demo: $(INSTALLED)
	$(BIN)/python -m example_project.demo

test: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run cognito_auth
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .

bench: $(INSTALLED)
	$(BIN)/python benchmarks/login.py

clean:
	rm -rf $(VENV) .demo test-artifacts
