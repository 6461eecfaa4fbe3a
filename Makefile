# Kinerja — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The development commands run with DEBUG on: without it the settings require a SECRET_KEY.
DEV := DEBUG=true

.PHONY: demo test install venv migrate seed serve lint messages clean system-packages assets

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

## Debian packages the documents (PDF) need: WeasyPrint's Pango, the DejaVu fonts of the print CSS,
## and poppler-utils (the tests read the PDFs back). Installs only what is missing (root or sudo).
DOCUMENT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils
system-packages:
	@missing=$$(for p in $(DOCUMENT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); echo "installing:" $$missing; \
	  $$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing; \
	fi

## Front-end packages from package.json (npm): Chart.js is copied into the static files the product
## serves (committed, so `make demo` needs no npm); axe-core stays in node_modules for the browser tests.
CHARTJS_STATIC := workflow/static/vendor/chartjs
assets:
	npm ci --no-audit --no-fund
	mkdir -p $(CHARTJS_STATIC)
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map node_modules/chart.js/LICENSE.md $(CHARTJS_STATIC)/

messages: install
	$(DEV) $(PY) manage.py compilemessages --ignore "$(VENV)" --ignore ".ci-venv" >/dev/null

migrate: messages
	$(DEV) $(PY) manage.py migrate --no-input

seed: migrate
	$(DEV) $(PY) manage.py seed_demo --simulate

## Set up everything, load the demo organisation of Pemprov Bengkulu and serve it.
demo: seed
	$(DEV) $(PY) manage.py demo_serve --host $(HOST) --port $(PORT)

## Run the whole test suite (SQLite unless DATABASE_URL is set).
test: messages
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static var/audit-anchor
