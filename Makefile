# Single entry point. `make run` and `make test` work on a fresh Debian/Ubuntu machine.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Local development defaults; production sets its own environment (see README).
export DJANGO_DEBUG ?= 1
# What the app needs to serve pages and print handouts, and what the test suite needs on top
# (PDF tools, Chromium for the browser tests, Node for axe-core, Java for the Nu HTML Checker).
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
	fonts-morisawa-bizud-gothic fonts-noto-color-emoji gettext
TEST_PACKAGES := $(RUN_PACKAGES) poppler-utils qpdf chromium nodejs default-jre-headless
# Playwright drives the system Chromium; it must never download a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: install install-run system-packages run-packages run test test-postgres ci lint migrations-check messages demo-data bench screenshots clean

# Debian/Ubuntu's python3 needs python3-venv for `-m venv`; it is installed when the first try fails.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV) || { rm -rf $(VENV) && bash scripts/system-packages.sh python3-venv && python3 -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Everything the test suite needs; `install-run` is the smaller set for serving the app.
install: system-packages install-run node_modules/.installed

install-run: run-packages $(VENV)/.installed locale/en/LC_MESSAGES/django.mo

run-packages:
	@bash scripts/system-packages.sh $(RUN_PACKAGES)

# npm comes with NodeSource's nodejs; Debian's separate npm package conflicts with it, so it is
# only asked for when no npm is on the PATH.
system-packages:
	@bash scripts/system-packages.sh $(TEST_PACKAGES) $(if $(shell command -v npm 2>/dev/null),,npm)

# axe-core and vnu-jar for the accessibility and HTML checks (not in git). --ignore-scripts: vnu-jar's
# install script would download a Java runtime when java is missing; Debian's JRE is installed above.
# The files the tests load are prerequisites too, so a stamp left without them (a checkout from when
# node_modules was committed loses the files on `git pull`, not the ignored stamp) still runs npm ci.
NODE_TOOLS := node_modules/axe-core/axe.min.js node_modules/vnu-jar/build/dist/vnu.jar
node_modules/.installed: package.json package-lock.json $(NODE_TOOLS)
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

$(NODE_TOOLS):

locale/en/LC_MESSAGES/django.mo locale/ja/LC_MESSAGES/django.mo: locale/en/LC_MESSAGES/django.po locale/ja/LC_MESSAGES/django.po | $(VENV)/.installed
	$(PY) manage.py compilemessages -v0

demo-data: install-run
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_demo

run: demo-data
	@echo ""
	@echo "  Open http://$(HOST):$(PORT)/  (local use only)"
	@echo "  Demo logins (password for all: demo-pass-2026):"
	@echo "    counselor / physician / clinicadmin"
	@echo "  physician and clinicadmin set up an authenticator app at their first sign-in (README)."
	@echo ""
	RENDER_AHEAD=$${RENDER_AHEAD:-1} $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest

test-postgres: install
	bash scripts/with-postgres.sh $(PY) -m pytest

# What CI runs (.ci/run): the README's test command on SQLite, then the same suite on PostgreSQL 15.
# The PostgreSQL run is required: scripts/ci-postgres.sh fails clearly, before it, when the local
# cluster cannot be started.
ci:
	$(MAKE) test
	@echo "== PostgreSQL run =="
	@$(SHELL) scripts/ci-postgres.sh
	$(MAKE) test-postgres

# Only the virtualenv: ruff and manage.py need none of the system or npm packages the tests use.
# lint_catalog checks the shipped fixtures, loaded into a scratch database (a clinic runs
# `manage.py lint_catalog` against its own database after editing the catalog).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@scratch=$$(mktemp -d) && export DATABASE_URL=sqlite:///$$scratch/lint.sqlite3 \
	  && $(PY) manage.py migrate --noinput -v0 && $(PY) manage.py load_demo --no-users >/dev/null \
	  && $(PY) manage.py lint_catalog; status=$$?; rm -rf $$scratch; exit $$status

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l ja -l en --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compilemessages -v0

bench: install demo-data
	$(PY) bench/handout.py
	$(PY) bench/workspace.py
	$(PY) bench/load.py

screenshots: install
	$(PY) tests/browser/screenshots.py

clean:
	rm -rf $(VENV) staticfiles node_modules
