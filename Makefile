# Tandem: `make run` starts the app on its embedded default; `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint format messages venv dev-venv migrate bench-venv bench-seed bench-load bench-inprocess bench-queries bench-pwa clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade --quiet pip

venv: $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt

dev-venv: $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt

migrate: venv
	$(BIN)/python manage.py migrate --noinput

## run: web server + Celery worker with embedded beat (SQLite, file-system broker by default)
run: migrate
	@echo ""
	@echo "  Tandem is starting: open http://localhost:$(PORT)/ on this machine."
	@echo "  (Broker: $${CELERY_BROKER_URL:-$${REDIS_URL:-embedded file-system queue in data/broker}})"
	@echo ""
	PORT=$(PORT) $(BIN)/honcho start -f Procfile

## test: the whole suite (browser and integration tests skip outside CI if Chromium/Redis are missing):
## most of it on in-memory SQLite, then the tests whose other processes share a database file,
## then the API suite again on a throw-away PostgreSQL.
test: dev-venv
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not shared_db and not gate"
	$(BIN)/python -m pytest -n 2 -m gate
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m shared_db
	$(BIN)/python -m testing.on_postgres -n 2 --dist loadgroup -q --ignore=tests/browser -m "not shared_db and not gate and not integration"

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	node --test tests/js/
	$(BIN)/python manage.py makemigrations --check --dry-run

## messages: re-extract the English msgids into the catalogs and compile them (GNU gettext);
## the .mo files are committed, so `make run` needs no gettext.
LANGS ?= es fr de
messages: dev-venv
	for domain in django djangojs; do \
	  $(BIN)/python manage.py makemessages $(addprefix -l ,$(LANGS)) -d $$domain --no-obsolete \
	    --ignore=.venv --ignore=bench --ignore=tests --ignore=testing --ignore=staticfiles --ignore=data; \
	done
	$(BIN)/python manage.py compilemessages $(addprefix -l ,$(LANGS)) --ignore=.venv

format: dev-venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Benchmarks (README "Performance"): data generator, API under load, query budgets, PWA weight
bench-venv: $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-bench.txt -r requirements-dev.txt

bench-seed: migrate
	$(BIN)/python manage.py seed_demo --families 1000 --days 365 --seed 1

bench-load: bench-venv
	$(BIN)/python bench/api_load.py

bench-inprocess: bench-venv  # after bench-load has seeded its data folder
	$(BIN)/python bench/inprocess.py

bench-queries: bench-venv
	$(BIN)/python bench/queries.py

bench-pwa: venv
	$(BIN)/python bench/pwa_weight.py

clean:
	rm -rf $(VENV) data staticfiles
