# Single entry point. `make run` and `make test` work on a fresh Debian/Ubuntu machine.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Local development defaults; production sets its own environment (see README).
export DJANGO_DEBUG ?= 1
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk gettext \
	poppler-utils qpdf chromium

.PHONY: install system-packages run test test-postgres lint migrations-check messages demo-data bench screenshots clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: system-packages $(VENV)/.installed locale/en/LC_MESSAGES/django.mo

system-packages:
	@bash scripts/system-packages.sh $(SYSTEM_PACKAGES)

locale/en/LC_MESSAGES/django.mo locale/ja/LC_MESSAGES/django.mo: locale/en/LC_MESSAGES/django.po locale/ja/LC_MESSAGES/django.po | $(VENV)/.installed
	$(PY) manage.py compilemessages -v0

demo-data: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py load_demo

run: demo-data
	@echo ""
	@echo "  Open http://$(HOST):$(PORT)/  (local use only)"
	@echo "  Demo logins (password for all: demo-pass-2026):"
	@echo "    counselor / physician / clinicadmin"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest

test-postgres: install
	bash scripts/with-postgres.sh $(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py lint_catalog

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l ja -l en --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compilemessages -v0

clean:
	rm -rf $(VENV) staticfiles
