# Hypershop: `make run` serves the shop with demo data on SQLite; `make test` runs every test
# against real PostgreSQL, Redis and Chromium.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell scripts/find-python.sh)
VENV := .venv
UV := .tools/bin/uv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PRODUCTS ?= 300
export DATABASE_URL_TEST := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/hypershop)
export REDIS_URL_TEST := $(or $(REDIS_URL),redis://127.0.0.1:6379/1)

.PHONY: help install run migrate demo test e2e services system-packages lint bench bench-scale vendor clean

help:
	@echo "make run    set up and serve the shop with demo data on http://$(HOST):$(PORT) (SQLite)"
	@echo "make test   set up and run every test (PostgreSQL, Redis, Chromium)"
	@echo "make e2e    the browser journeys; BASE_URL=https://... runs the shopper journeys against that shop"
	@echo "make bench  benchmarks against gunicorn, PostgreSQL and Redis"
	@echo "make bench-scale BENCH_SIZES=100000,1000000   the catalog's cold path at those sizes"

$(UV):
	@test -n "$(PYTHON)" || { echo "No Python >= 3.12 found: install one (pyenv install 3.12) or set PYTHON=..."; exit 1; }
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"

# Create or update .venv from the lock file, nothing else.
install: $(UV)
	$(UV) sync --frozen --python $(PYTHON)

# The embedded default: no DATABASE_URL/REDIS_URL, so SQLite and the local-memory cache.
run: install
	env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=shop.settings.dev $(PY) manage.py migrate --noinput
	env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=shop.settings.dev $(PY) manage.py seed_demo --products $(DEMO_PRODUCTS) --if-empty
	env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=shop.settings.dev $(PY) manage.py seed_layout
	env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=shop.settings.dev $(PY) manage.py seed_coupons
	env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=shop.settings.dev $(PY) manage.py seed_pages
	@# The worker (background tasks and periodic jobs) runs beside the web server and stops with it.
	env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=shop.settings.dev $(PY) manage.py worker --no-reload & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=shop.settings.dev $(PY) manage.py runserver $(HOST):$(PORT)

# PostgreSQL and Redis must answer on loopback; start them where this machine can.
services:
	@bash scripts/ensure-services.sh

system-packages:
	@bash scripts/ensure-system-packages.sh

# Two pytest-xdist processes (one per core here), each test file on one of them (module fixtures
# are built once); each has its own test database and Redis database (shop/settings/test.py).
# PYTEST_WORKERS=0 runs everything in this process (for --headed, --pdb).
PYTEST_WORKERS ?= 2

test: install services system-packages
	DATABASE_URL=$(DATABASE_URL_TEST) REDIS_URL=$(REDIS_URL_TEST) DJANGO_ALLOW_ASYNC_UNSAFE=true \
	  $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Browser journeys. Without BASE_URL: all of e2e/ on the test database (PostgreSQL, Redis, nginx).
# With BASE_URL: only the journeys marked `remote`, against that running shop (README, "Testing a
# running shop"); they sign up through the site, so no database access is needed.
e2e: install system-packages
ifdef BASE_URL
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest e2e -m remote --base-url "$(BASE_URL)" $(PYTEST_ARGS)
else
	$(MAKE) services
	DATABASE_URL=$(DATABASE_URL_TEST) REDIS_URL=$(REDIS_URL_TEST) DJANGO_ALLOW_ASYNC_UNSAFE=true \
	  $(PY) -m pytest e2e $(PYTEST_ARGS)
endif

lint: install
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

bench: install services system-packages
	$(PY) -m bench all $(BENCH_ARGS)

# The cold path at each catalog size: make bench-scale BENCH_SIZES=100000,1000000
bench-scale: install services system-packages
	$(PY) -m bench scale $(if $(BENCH_SIZES),--sizes "$(BENCH_SIZES)") $(BENCH_ARGS)

# Re-fetch the vendored front-end files from the npm registry at their pinned versions.
vendor:
	bash scripts/vendor.sh

clean:
	rm -rf .venv .tools staticfiles .test-media e2e-artifacts db.sqlite3
