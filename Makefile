# Repères — the commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: install run test test-all lint format migrate superuser demo messages css bench bench-load bench-scale bench-cluster lighthouse fuzz-live clean

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

# pytest exits non-zero when a test fails and when no test ran at all. Both targets pass
# PYTEST_ARGS on, e.g. PYTEST_ARGS="tests/assessments -x", and take WORKERS, the number of
# processes (pytest-xdist; 0: this one). Measured on 2 shared cores: `make test` took 1 min 30
# on two (each sets up its own database and content) and 1 min 25 on one; `make test-all` on
# PostgreSQL took 13 min on two with the machine's load at 6-10 and 12 min on one at 2-4, so
# two are kept there, where the minute-long fuzzing and browser tests can overlap.
test: WORKERS ?= 0
test-all: WORKERS ?= 2
PYTEST = $(BIN)/python -m pytest -n $(WORKERS)

# The everyday suite, in a few minutes: the browser and slow tests left out (MARKS), and a
# tenth of the generated examples and malformed requests (hypothesis profile "dev").
MARKS ?= not browser and not slow
test: install
	HYPOTHESIS_PROFILE=dev $(PYTEST) -m "$(MARKS)" $(PYTEST_ARGS)

# Everything CI runs: the browser tests, the slow ones, every generated example and the
# 10,000 malformed requests (hypothesis profile "ci").
test-all: install
	HYPOTHESIS_PROFILE=ci $(PYTEST) $(PYTEST_ARGS)

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
