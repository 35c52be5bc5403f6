# Bridgework — the two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format check bench install migrate seed clean e2e loadtest

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py migrate --no-input

seed: migrate
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py seed_demo

## The app with demo data on embedded defaults (SQLite, filesystem broker): web + worker + beat.
run: seed
	@echo ""
	@echo "  Bridgework is starting on http://127.0.0.1:8000  (Ctrl-C stops web, worker and beat)"
	@echo "  Sign in with any login above; clients can also use the portal at /portal/sign-in/"
	@echo ""
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) scripts/devserver.py

## The whole test suite (SQLite by default; DATABASE_URL/REDIS_URL switch to PostgreSQL/Redis).
test: install
	$(PY) -m pytest -n $${PYTEST_WORKERS:-auto} --dist loadfile -q $(PYTEST_ARGS)

e2e: install
	$(PY) -m pytest tests/e2e -q $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

## Locust against a production-like stack on this machine (loadtest/run.sh): USERS, SECONDS.
loadtest: install
	USERS=$${USERS:-50} LOADTEST_SECONDS=$${SECONDS:-300} PY=$(PY) bash loadtest/run.sh

clean:
	rm -rf var/ .pytest_cache
