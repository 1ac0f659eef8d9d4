# Seedbed: `make demo` to try it, `make test` to test it.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
DEMO_ENV := DJANGO_SETTINGS_MODULE=config.settings.dev MFA_DEMO_BYPASS_CODE=$${MFA_DEMO_BYPASS_CODE-123456}
PYTEST_ARGS ?=

.PHONY: help venv install install-test assets demo serve test test-fast lint format bench graphs clean

help:
	@echo "make demo    install, load the demo borough and serve http://127.0.0.1:8000"
	@echo "make test    install what the tests need and run the whole suite"
	@echo "make lint    ruff, migrations check and deploy checks"
	@echo "make bench   run the benchmarks (needs PostgreSQL and Redis)"

$(VENV)/.created:
	@python=$$(scripts/find-python.sh) || exit 1; \
	echo "Using $$python ($$($$python --version))"; \
	$$python -m venv $(VENV)
	@$(PIP) install --quiet --upgrade pip
	@touch $@

venv: $(VENV)/.created

$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.created pyproject.toml
	$(PIP) install --quiet -e ".[test,dev]"
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static_build/.built: node_modules/.installed scripts/build-assets.mjs $(wildcard assets/scss/*.scss) $(wildcard assets/js/*.mjs)
	node scripts/build-assets.mjs
	@touch $@

assets: static_build/.built

demo: install assets
	$(DEMO_ENV) $(PY) manage.py migrate --no-input
	$(DEMO_ENV) $(PY) manage.py seed_demo
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

serve: install assets
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: install-test assets
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

test-fast: install-test assets
	$(PY) -m pytest -n auto -m "not browser" $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install-test assets
	$(PY) benchmarks/run.py
	$(PY) benchmarks/bench_export_360giving.py
	$(PY) benchmarks/bench_grants.py

graphs: install-test
	$(PY) manage.py graph_transitions outcomes > docs/transitions-outcomes.dot
	$(PY) manage.py graph_transitions grants > docs/transitions-grants.dot

clean:
	rm -rf $(VENV) node_modules static_build staticfiles db.sqlite3
