# AMF Events: developer commands.
#
#   make run    the app with demo data on http://127.0.0.1:$(PORT) (web + Celery worker with beat)
#   make test   everything the tests need, then lint and the whole test suite (what CI runs)
#
# Both first check the Debian packages they need (requirements/debian-packages.txt, through
# .ci/system-packages): installed when missing and run as root, otherwise the command to run is
# printed and make stops. Both create .venv on first use and reinstall Python packages only when the
# lock files (requirements/base.txt, requirements/dev.txt) change.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
PORT ?= 8000
# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-x tests/events"`.
PYTEST_ARGS ?=
# Languages for `make messages`, e.g. `make messages LOCALES="id th vi"`; empty = every existing one.
LOCALES ?=

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
MANAGE := $(PY) manage.py

# Keyed on the lock files' content, not their dates, so a fresh clone or a copy of the tree sharing an
# up-to-date .venv sees it as up to date.
REQ_HASH := $(shell cat requirements/base.txt requirements/dev.txt | cksum | tr -s ' ' '-')
UV_STAMP := $(VENV)/.uv-$(UV_VERSION)
SYNC_STAMP := $(VENV)/.synced-$(REQ_HASH)
NPM_STAMP := node_modules/.npm-ci-done
# The one list of Debian packages, read by this script for make, .ci/run and the Dockerfile.
SYSTEM_PACKAGES := bash .ci/system-packages

export PYTHONUNBUFFERED := 1
export UV_LINK_MODE := copy
# The platform's certificate store, as pip and npm use it (uv otherwise trusts only its own bundle,
# which fails behind a TLS-inspecting proxy).
export UV_SYSTEM_CERTS := 1

.PHONY: help run test lint lint-py format lock messages services-check venv system-packages-run \
	system-packages-test

help:
	@echo "make run       the app with demo data on http://127.0.0.1:$(PORT) (PORT=... to change)"
	@echo "make test      install what the tests need, lint, run the whole suite against PostgreSQL"
	@echo "make lint      ruff check, ruff format --check, djlint --lint templates"
	@echo "make format    ruff format and ruff check --fix"
	@echo "make lock      regenerate requirements/*.txt (hashed) from pyproject.toml"
	@echo "make messages  extract and compile translations (LOCALES=\"id th\" to add languages)"
	@echo "make bench-registration  load benchmark of the registration form (bench/)"
	@echo "make bench-badges      1,000 badges as one print job beside a reportlab baseline (bench/)"
	@echo "make bench-staff       admin list, dashboard and exports at 10,000 registrations (bench/)"
	@echo "make bench-checkin     20 devices scanning 2,000 badges, and an offline sync (bench/)"

# --- Environment -----------------------------------------------------------------------------------

# Silent when everything is installed. Listed first among the prerequisites of run and test, so that
# Python's venv module is there before .venv is created.
system-packages-run:
	@$(SYSTEM_PACKAGES) runtime local

system-packages-test:
	@$(SYSTEM_PACKAGES) runtime local test

$(PY):
	$(PYTHON) -m venv $(VENV)

$(UV_STAMP): | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@touch $@

$(SYNC_STAMP): | $(UV_STAMP)
	@echo "==> Installing Python packages from requirements/dev.txt (new .venv or changed lock file)"
	$(UV) pip sync --python $(PY) --require-hashes requirements/dev.txt
	@rm -f $(VENV)/.synced-*
	@touch $@

venv: $(SYNC_STAMP)

$(NPM_STAMP): package.json package-lock.json
	@echo "==> Installing npm packages (npm ci)"
	npm ci --no-audit --no-fund
	@touch $@

# --- Run -------------------------------------------------------------------------------------------

# The SITE_URL of `make run`: as the settings read it (the environment first, then the env file), or
# http://127.0.0.1:$(PORT) when neither sets it.
define SITE_URL_PY
import os

import environ

env_file = os.environ.get("AMF_ENV_FILE", ".env")
if env_file:
    environ.Env.read_env(env_file, overwrite=False)
print(os.environ.get("SITE_URL") or "http://127.0.0.1:$(PORT)")
endef
export SITE_URL_PY

# Without DATABASE_URL / REDIS_URL: SQLite and Celery's filesystem transport in var/. With them: the
# same command runs on PostgreSQL and Redis. Ctrl-C stops the web server and the worker.
# The links in emails follow the port (SITE_URL=http://127.0.0.1:$(PORT), for the demo's seeding, the
# web server and the worker, which writes the emails), unless SITE_URL is set in the environment or
# .env. Honcho is given no env file: the settings read .env themselves, after the environment, so
# a PORT or SITE_URL there cannot override what this command says.
run: system-packages-run $(SYNC_STAMP)
	@mkdir -p "$${AMF_VAR_DIR:-var}"
	$(MANAGE) migrate --noinput
	@if [ -d locale ]; then $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0; fi
	@export SITE_URL="$$($(PY) -c "$$SITE_URL_PY")"; \
	echo "$(MANAGE) seed_demo --with-staff --verbosity 2"; \
	seed_output="$$($(MANAGE) seed_demo --with-staff --verbosity 2)"; \
	echo "$$seed_output"; \
	logins="$$(grep -E '^Demo (staff|role) login' <<<"$$seed_output" || true)"; \
	echo; \
	echo "================================================================================"; \
	echo "  AMF Events is starting on http://127.0.0.1:$(PORT)/"; \
	echo "  Admin: http://127.0.0.1:$(PORT)/$${ADMIN_URL:-admin/}"; \
	echo "  Links in emails: $${SITE_URL%/}/ (SITE_URL)"; \
	if [ -n "$$logins" ]; then sed 's/^/  /' <<<"$$logins"; fi; \
	echo "  Press Ctrl-C to stop the web server and the worker."; \
	echo "================================================================================"; \
	echo; \
	exec $(VENV)/bin/honcho start --procfile Procfile.dev --env /dev/null --port $(PORT) --no-colour

# --- Test ------------------------------------------------------------------------------------------

# Exactly what CI runs (.ci/run): system and Python packages, lint, then the whole suite on PostgreSQL
# (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/amf) with Redis on 127.0.0.1:6379.
test: system-packages-test $(SYNC_STAMP) $(NPM_STAMP) lint services-check
	@if [ -d locale ]; then $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0; fi
	DJANGO_SETTINGS_MODULE=amf.settings.test $(VENV)/bin/pytest $(PYTEST_ARGS)

# Fails early, with what to do, when the database server or Redis does not answer.
define SERVICES_CHECK_PY
import sys

import psycopg
import redis

from amf.settings.test import DATABASES

db = DATABASES["default"]
where = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
try:
    psycopg.connect(
        host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
        password=db["PASSWORD"] or None, dbname="postgres", connect_timeout=3,
    ).close()
except psycopg.Error as exc:
    sys.exit(
        f"PostgreSQL at {where} does not answer ({str(exc).strip()}).\n"
        "Start it (Debian: pg_ctlcluster <version> main start) or point DATABASE_URL at one, "
        "e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/amf make test"
    )
try:
    redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=3).ping()
except redis.RedisError as exc:
    sys.exit(
        f"Redis at 127.0.0.1:6379 does not answer ({exc}); the broker tests need it.\n"
        "Start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no"
    )
print(f"==> PostgreSQL at {where} and Redis at 127.0.0.1:6379 answer")
endef
export SERVICES_CHECK_PY

services-check: $(SYNC_STAMP)
	@$(PY) -c "$$SERVICES_CHECK_PY"

# --- Quality ---------------------------------------------------------------------------------------

lint-py: $(SYNC_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

lint: lint-py
	$(VENV)/bin/djlint --lint templates

format: $(SYNC_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# --- Dependencies and translations -----------------------------------------------------------------

# pyproject.toml pins every direct dependency; the lock files add every transitive one with hashes
# and record no index URL.
lock: $(UV_STAMP)
	$(UV) pip compile pyproject.toml --generate-hashes --no-header --python-version 3.11 \
		--output-file requirements/base.txt
	$(UV) pip compile pyproject.toml --extra dev --generate-hashes --no-header --python-version 3.11 \
		--output-file requirements/dev.txt

messages: $(SYNC_STAMP)
	@if [ -z "$(LOCALES)" ] && [ ! -d locale ]; then \
		echo 'No locale/ yet: name the languages, e.g. make messages LOCALES="id th vi"'; exit 1; fi
	@mkdir -p locale
	$(MANAGE) makemessages $(if $(LOCALES),$(addprefix --locale=,$(LOCALES)),--all) \
		--ignore=node_modules --ignore=var --ignore=tests --ignore=bench --no-obsolete
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules

# --- Benchmarks ------------------------------------------------------------------------------------

-include bench/Makefile.registration
-include bench/Makefile.badges
-include bench/Makefile.staff
-include bench/Makefile.checkin
