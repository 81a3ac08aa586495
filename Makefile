# Outperform — the two commands: `make run` and `make test`. Everything a fresh machine needs is here.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 300
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test check bench demo serve install install-dev messages static chromium fonts lock clean test-pg fmt

$(PYTHON):
	@command -v $(PY) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PY) not found)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(PYTHON) pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	@touch $@

$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

install: $(STAMP)
install-dev: $(DEV_STAMP)

# Compiled translations (.mo) are built here from the committed .po files.
messages: $(STAMP)
	$(PYTHON) manage.py compilemessages --ignore '.venv/*' -v 0

static: $(STAMP)
	$(PYTHON) manage.py collectstatic --noinput -v 0

demo: $(STAMP) messages
	$(PYTHON) manage.py migrate --noinput -v 0
	$(PYTHON) manage.py demo --workers $(WORKERS)

run: demo static fonts
	@echo "Serving at http://$(HOST):$(PORT)/  (Ctrl-C stops)"
	DEBUG=$${DEBUG:-1} $(PYTHON) manage.py runserver $(HOST):$(PORT)

# Production-like serving of the same app.
serve: demo static
	$(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 3

# Debian's chromium for the browser tests (Playwright drives it; no browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "WARNING: could not install chromium; browser tests will be skipped"; }

# Chinese fonts for the PDF reports (WeasyPrint embeds a subset of Noto CJK in each PDF), and
# poppler's pdffonts, which the report tests use to check the embedding.
fonts:
	@{ fc-list 2>/dev/null | grep -qi "Noto Sans CJK" && command -v pdffonts >/dev/null 2>&1; } || { \
	  echo "Installing Debian's fonts-noto-cjk and poppler-utils for the PDF reports"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk poppler-utils >/dev/null) \
	  || echo "WARNING: could not install fonts-noto-cjk/poppler-utils; PDF reports will lack Chinese glyphs"; }

test: $(DEV_STAMP) messages chromium fonts
	$(BIN)/pytest -p no:cacheprovider -n 2 --dist loadfile $(PYTEST_ARGS)

# The suite against PostgreSQL (CI runs this after `make test`).
PG_URL ?= postgres://postgres@127.0.0.1:5432/outperform_ci
test-pg: $(DEV_STAMP) messages chromium fonts
	DATABASE_URL=$(PG_URL) REPLICA_DATABASE_URL=$(PG_URL)_replica $(BIN)/pytest -p no:cacheprovider -n 2 --dist loadfile --create-db $(PYTEST_ARGS)

check: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy outperform config
	$(PYTHON) manage.py check
	$(PYTHON) manage.py makemigrations --check --dry-run

fmt: $(DEV_STAMP)
	$(BIN)/ruff check --fix .

bench: $(DEV_STAMP)
	@for script in bench/*_bench.py; do echo "== $$script"; $(PYTHON) $$script || exit 1; done

lock: $(PYTHON)
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip freeze --exclude-editable > constraints.txt

clean:
	rm -rf $(VENV) var/static var/test.sqlite3
