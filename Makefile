# The two commands: `make run` and `make test`. Both set up what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format install messages screenshots clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "MaakMatch needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Web, Celery worker and beat together, on SQLite and the filesystem broker
# unless DATABASE_URL / REDIS_URL say otherwise.
run: export DEBUG ?= 1
run: $(STAMP)
	mkdir -p var/broker/queue var/broker/processed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo
	@echo "MaakMatch runs at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "Stop with Ctrl+C."
	@echo
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/honcho --procfile Procfile.dev start

test: $(STAMP)
	@$(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; \
	  exit $$status

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerate and compile the Dutch and English translations.
messages: $(STAMP)
	DEBUG=1 $(PY) manage.py makemessages --locale nl --locale en --ignore '.venv/*' --ignore 'tests/*' --no-obsolete
	DEBUG=1 $(PY) manage.py compilemessages --ignore '.venv/*'

# The main page of each role, desktop and 360 px wide, into docs/screenshots/.
# Needs a browser: Debian's chromium, or `.venv/bin/playwright install chromium`.
screenshots: $(STAMP)
	MAAKMATCH_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(PY) -m pytest -q -p no:cacheprovider tests/e2e/test_screenshots.py

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
