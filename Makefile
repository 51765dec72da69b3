# The two commands a newcomer needs are `make run` and `make test`; both install what they need first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# The days `make test-dates` runs the tests marked `dated` on (see tests/calendar_days.py).
TEST_DATES ?= $(shell $(PYTHON) -m tests.calendar_days)

.PHONY: setup run test test-dates test-documents-s3 lint security audit-dependencies migrations-check deploy-check restore-drill clean

setup: $(VENV)/.installed node_modules/.installed static/build/.built

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/build/.built: node_modules/.installed $(wildcard frontend/*)
	npm run build
	touch $@

run: setup
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py seed_demo
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(PY) -m pytest

# The document tests again, against an S3-compatible object store (a moto server on loopback).
test-documents-s3: setup
	ops/test-documents-on-object-store

# The tests that depend on today's date, once as if today were each of TEST_DATES. `make -j2` runs
# two days at once: each has its own PostgreSQL test database (when DATABASE_URL is set) and the
# in-process cache and tasks instead of a shared Redis.
test-dates: $(addprefix test-on-,$(TEST_DATES))

test-on-%: setup
	TEST_TODAY=$* REDIS_URL= $(if $(DATABASE_URL),DATABASE_URL=$(DATABASE_URL)_on_$(subst -,_,$*)) \
		$(PY) -m pytest -q -m dated

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DEBUG=true $(PY) -m mypy .
	$(VENV)/bin/lint-imports --no-cache

# Static security analysis: no findings, or a `# nosec <test>` beside the line with its reason.
security: setup
	$(PY) -m bandit -q -r mappa agencies notifications cases referrals meetings transfers reviews documents reporting reminders auditing governance partners federation devtools -x '*/migrations/*'

# Known vulnerabilities in the installed packages (needs the PyPI vulnerability API).
audit-dependencies: setup
	$(PY) -m pip_audit --strict --skip-editable --progress-spinner off

migrations-check: setup
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

deploy-check: setup
	env $$(grep -v '^#' .env.example | xargs) $(PY) manage.py check --deploy --fail-level WARNING

# Back up DATABASE_URL, restore it into a new database, verify the audit chain and compare the copy.
restore-drill: setup
	ops/restore-drill

clean:
	rm -rf $(VENV) node_modules static/build var
