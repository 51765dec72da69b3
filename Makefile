# The two commands a newcomer needs are `make run` and `make test`; both install what they need first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint security audit-dependencies migrations-check deploy-check restore-drill clean

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

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DEBUG=true $(PY) -m mypy .

# Static security analysis: no findings, or a `# nosec <test>` beside the line with its reason.
security: setup
	$(PY) -m bandit -q -r mappa agencies cases referrals meetings -x '*/migrations/*'

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
