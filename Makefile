# One task runner. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEV := DJANGO_DEBUG=1
# Tests run with DEBUG off, as production does; the key is for the test process only.
TEST_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-test-only-secret-key} ALLOWED_HOSTS=testserver,127.0.0.1,localhost

.PHONY: install lock audit run serve secret-key-set reset-demo seed-scale test lint bench load messages a11y-results

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Every package, direct and indirect, at the version and with the hashes in requirements.lock; pip
# refuses a file whose hash differs. The project itself is not installed: it runs from its checkout
# (pyproject.toml lists no package), so only its dependencies are.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

install: $(VENV)/.installed

# Rewrites requirements.lock from pyproject.toml (dependencies and the dev and prod extras), keeping
# the locked versions that still fit; `make lock LOCK_ARGS=--upgrade` takes the newest that fit.
lock: install
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --extra prod --universal --python-version 3.11 \
		--generate-hashes --custom-compile-command "make lock" --output-file requirements.lock $(LOCK_ARGS)

# Known vulnerabilities in the locked packages (pip-audit), from OSV or PyPI's advisory data,
# whichever answers; skipped, saying so, where neither can be reached (tools/audit.py).
audit: install
	$(BIN)/python tools/audit.py

# The development checkout's settings, so `manage.py` commands work as typed. Written only when
# missing; git-ignored; variables set in the environment win over it (as `make test` does).
.env:
	printf '# Development settings written by `make run` (git-ignored). Every variable: .env.example\nDJANGO_DEBUG=1\n' > $@

run: install .env
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_plan
	$(DEV) $(BIN)/python manage.py load_demo
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production: the environment gives DJANGO_SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (PostgreSQL);
# see README "Production" and .env.example. Never loads demo data.
SERVE := DJANGO_DEBUG=0 STATIC_MANIFEST=1
serve: secret-key-set install
	$(SERVE) $(BIN)/python manage.py migrate --noinput
	$(SERVE) $(BIN)/python manage.py load_plan
	$(SERVE) $(BIN)/python manage.py collectstatic --noinput
	$(SERVE) $(BIN)/gunicorn -c config/gunicorn.conf.py config.wsgi

secret-key-set:
	@test -n "$$DJANGO_SECRET_KEY" || { echo "make serve: DJANGO_SECRET_KEY is not set (and ALLOWED_HOSTS, DATABASE_URL); see .env.example" >&2; exit 1; }

# Empties the development database (every row, your own accounts too) and loads the plan and demo again.
reset-demo: install .env
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_demo --reset

# Empties the development database and fills it with the city-size sample data (about 2 minutes).
seed-scale: install .env
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py seed_scale --reset

test: install
	$(TEST_ENV) $(BIN)/pytest

# Production-like variables for Django's deployment check (a throw-away random key; behind a TLS proxy).
DEPLOY_ENV := DJANGO_DEBUG=0 ALLOWED_HOSTS=ict-portal.example.lg.jp SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto \
	DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')

lint: install
	$(BIN)/ruff check .
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(DEPLOY_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

# `make bench` measures on the seed_scale data set (BENCH_PROJECTS=2000 by default), runs the load
# run after, and prints one table; it fails when a target is missed. `BENCH_ARGS=--no-load` leaves out
# the load run; `BENCH_ARGS=--demo` measures on the demo and 10×, 30×, 60× its projects instead.
bench: install
	$(TEST_ENV) $(BIN)/python bench/run.py $(BENCH_ARGS)

# The busy weeks under load: gunicorn (config/gunicorn.conf.py) on loopback on a throwaway seed_scale
# copy, on PostgreSQL when DATABASE_URL is set (else SQLite); 10-15 minutes. See README "Load".
load: install
	$(TEST_ENV) $(BIN)/python bench/load.py

messages: install
	$(DEV) $(BIN)/python manage.py makemessages -l en --ignore=.venv
	$(DEV) $(BIN)/python manage.py compilemessages --ignore=.venv

# Runs the accessibility browser tests (axe-core, keyboard, 360 px and 200 %) and, when all pass,
# writes their results to the statement at /accessibility/ (core/accessibility_results.json).
a11y-results: install
	$(TEST_ENV) A11Y_RESULTS=core/accessibility_results.json $(BIN)/pytest tests/browser/test_accessibility.py
