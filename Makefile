# Repères — the commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: install run test lint format migrate superuser demo messages css bench bench-load bench-scale bench-cluster lighthouse fuzz-live clean

# The virtual environment is rebuilt when a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Development server: debug on unless DJANGO_DEBUG says otherwise.
run: install
	DJANGO_DEBUG=$${DJANGO_DEBUG-1} $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG-1} $(BIN)/python manage.py load_questionnaire
	DJANGO_DEBUG=$${DJANGO_DEBUG-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite; pytest exits non-zero when a test fails and when no test ran at all.
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: install
	DJANGO_DEBUG=$${DJANGO_DEBUG-1} $(BIN)/python manage.py migrate --noinput

# Development only: a demo adviser and a few hundred synthetic questionnaires.
demo: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_questionnaire
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo

superuser: install
	DJANGO_DEBUG=$${DJANGO_DEBUG-1} $(BIN)/python manage.py createsuperuser

# Needs GNU gettext; the compiled catalogues are committed so nobody else does.
messages: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l en --no-location \
		--ignore=.venv --ignore=staticfiles --ignore=tests
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

# static/css/bootstrap.css (committed): the Bootstrap rules the templates use, from the pinned
# packages in frontend/. Run it after using a new Bootstrap class. Needs Node; the app does not.
css: install
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund
	CRISPY_TEMPLATES="$$($(BIN)/python -c 'import crispy_bootstrap5, pathlib; print(pathlib.Path(crispy_bootstrap5.__file__).parent / "templates")')" \
		node frontend/build-css.mjs

# Production mode (gunicorn, DEBUG off) measured with wrk; SQLite unless DATABASE_URL is set
# (use a scratch database). Needs wrk (apt-get install -y wrk).
bench: install
	@command -v wrk > /dev/null || (apt-get install -y -qq wrk > /dev/null 2>&1 || (echo "make bench needs wrk: apt-get install -y wrk"; exit 1))
	$(BIN)/python bench/run.py

# 5,000 whole student journeys at 16, 32 then 64 clients; fails unless the database holds
# exactly the journeys the client saw succeed (QUALITY.md R1). SQLite unless DATABASE_URL is set.
bench-load: install
	$(BIN)/python bench/load.py

# A million stored questionnaires on PostgreSQL (DATABASE_URL, a scratch database), then the
# national, adviser and class dashboards and the item-quality report timed (QUALITY.md P4).
bench-scale: install
	$(BIN)/python bench/scale.py

# The national topology on this machine (deploy/): HAProxy, two gunicorn instances, PgBouncer,
# a PostgreSQL primary and its streaming replica, Redis; 5,000 journeys at 64 clients with one
# instance killed and restarted mid-run; fails on one lost questionnaire or one 5xx.
bench-cluster: install
	@for tool in haproxy pgbouncer; do command -v $$tool > /dev/null || PATH="$$PATH:/usr/sbin" command -v $$tool > /dev/null || \
		(apt-get install -y -qq $$tool > /dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq $$tool > /dev/null 2>&1) || \
		(echo "make bench-cluster needs $$tool: apt-get install -y $$tool"; exit 1)); done
	$(BIN)/python bench/cluster.py

# Lighthouse (mobile) on the home page, a step and the results, as production serves them
# (QUALITY.md P8). Needs Node (npx fetches Lighthouse) and Chromium; not run in CI. Its own
# port, so that it can run beside make bench.
lighthouse: install
	BENCH_PORT=$${BENCH_PORT-8766} $(BIN)/python bench/lighthouse.py

# Malformed requests against gunicorn as deployed; fails on any 5xx, traceback or token logged.
fuzz-live: install
	$(BIN)/python bench/fuzz.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
