# The two commands a newcomer needs: `make run` and `make test`. `make stop` ends what they started.
SHELL := /bin/bash
PY := .venv/bin/python
WITH_ENV := set -a; source var/services.env; set +a;

.PHONY: run dev test stop setup services migrate demo tour outbox load-shared check pytest bench clean

setup:
	@scripts/setup.sh

services: setup
	@scripts/services.sh >/dev/null

migrate: services
	@$(WITH_ENV) $(PY) manage.py migrate --no-input -v 0

# The demo data, and the raster layer of ../shared/data when it is there (built only when missing or stale).
demo: migrate
	@$(WITH_ENV) $(PY) manage.py load_demo
	@$(WITH_ENV) $(PY) manage.py signing_dev_pki --users audit-seal platform-seal application-seal >/dev/null  # the seals: the daily audit checkpoint's, the platform's (tacit authorisations), the applications'
	@$(WITH_ENV) $(PY) manage.py raster_prepare --shared

# The tour (development): demo accounts for every role (one password, printed) and a file of every procedure in every
# state, several published; idempotent (a second run changes nothing).
tour: demo
	@$(WITH_ENV) $(PY) manage.py demo_files  # the demo accounts first, then the files

# Development only: the local mail catcher (SMTP on loopback) and the outbox SMS provider, read at /dev/outbox/.
# It writes EMAIL_HOST/EMAIL_PORT/SMS_PROVIDER to var/services.env, read by every later line.
outbox: services
	@if [ "$${URBAPLAN_ENV:-development}" = "development" ]; then scripts/mail_catcher.sh; fi

load-shared: migrate
	@$(WITH_ENV) $(PY) manage.py load_shared_data
	@$(WITH_ENV) $(PY) manage.py raster_prepare --shared

# Served by gunicorn (WEB_WORKERS processes x 4 threads), static files by WhiteNoise; `make dev` for the
# autoreloading development server instead.
WEB_WORKERS ?= 3
run: outbox tour
	@mkdir -p var/run
	@$(WITH_ENV) $(PY) manage.py collectstatic --no-input -v 0
	@$(WITH_ENV) scripts/worker.sh start
	@$(WITH_ENV) $(PY) manage.py demo_accounts
	@echo "Serving on http://127.0.0.1:8000  (Ctrl-C to stop the web server; 'make stop' stops the rest)"
	@$(WITH_ENV) .venv/bin/gunicorn config.wsgi:application --bind 127.0.0.1:8000 --workers $(WEB_WORKERS) \
		--threads 4 --worker-class gthread --access-logfile - --graceful-timeout 10

dev: outbox tour
	@mkdir -p var/run
	@$(WITH_ENV) scripts/worker.sh start
	@$(WITH_ENV) $(PY) manage.py demo_accounts
	@echo "Development server on http://127.0.0.1:8000 (reloads on change; 'make stop' stops the rest)"
	@$(WITH_ENV) $(PY) manage.py runserver 127.0.0.1:8000

check: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	@$(WITH_ENV) .venv/bin/mypy .

pytest: services
	@$(WITH_ENV) .venv/bin/pytest $(PYTEST_ARGS)

test: services check pytest

# Every scenario of the brief's benchmarks (S1..S8; about an hour on 2 cores at 1M parcels); a selection with
# SCENARIOS="S1 S2", a smoke test with BENCH_ARGS=--quick. S6 reads the demo data; the peers' virtualenv is
# made on first use.
bench: demo
	@$(WITH_ENV) $(PY) bench/run.py $(if $(SCENARIOS),--scenarios $(SCENARIOS)) $(BENCH_ARGS)

stop:
	@scripts/stop.sh

clean: stop
	rm -rf var
