# The two commands: `make run` and `make test`. Both set up what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format install messages screenshots vendor clean

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
# Links in e-mails point at this server, whatever its port.
run: export MAAKMATCH_BASE_URL ?= http://$(HOST):$(PORT)
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

# Refresh the vendored NL Design System CSS and the web font from the npm
# registry (needs node's npm; `make run` and `make test` never do). Change a
# version here, run `make vendor`, and commit web/static/web/vendor/.
# @utrecht/design-tokens is not vendored: its licence keeps Utrecht's brand
# tokens proprietary. web/static/web/theme.css is MaakMatch's own token set.
UTRECHT_CSS_VERSION := 9.0.4
NOTO_SANS_VERSION := 5.3.0
VENDOR := web/static/web/vendor
vendor:
	rm -rf var/npm && mkdir -p var/npm
	cd var/npm && npm pack --silent @utrecht/component-library-css@$(UTRECHT_CSS_VERSION) \
	  @fontsource-variable/noto-sans@$(NOTO_SANS_VERSION) >/dev/null
	cd var/npm && for f in *.tgz; do mkdir -p "$${f%.tgz}" && tar xzf "$$f" -C "$${f%.tgz}"; done
	rm -rf $(VENDOR)/utrecht $(VENDOR)/noto-sans && mkdir -p $(VENDOR)/utrecht $(VENDOR)/noto-sans
	cp var/npm/utrecht-component-library-css-$(UTRECHT_CSS_VERSION)/package/dist/index.css $(VENDOR)/utrecht/component-library.css
	cp var/npm/utrecht-component-library-css-$(UTRECHT_CSS_VERSION)/package/LICENSE.md $(VENDOR)/utrecht/LICENSE-component-library-css.md
	cp var/npm/fontsource-variable-noto-sans-$(NOTO_SANS_VERSION)/package/files/noto-sans-latin-wght-normal.woff2 \
	   var/npm/fontsource-variable-noto-sans-$(NOTO_SANS_VERSION)/package/files/noto-sans-latin-ext-wght-normal.woff2 \
	   $(VENDOR)/noto-sans/
	cp var/npm/fontsource-variable-noto-sans-$(NOTO_SANS_VERSION)/package/LICENSE $(VENDOR)/noto-sans/LICENSE
	printf '%s\n' "# Written by make vendor; the versions of what is in this folder." \
	  "@utrecht/component-library-css $(UTRECHT_CSS_VERSION) EUPL-1.2 utrecht/component-library.css" \
	  "@fontsource-variable/noto-sans $(NOTO_SANS_VERSION) OFL-1.1 noto-sans/*.woff2" \
	  "htmx.org 2.0.11 0BSD htmx-2.0.11.min.js" > $(VENDOR)/VERSIONS.txt
	rm -rf var/npm

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
