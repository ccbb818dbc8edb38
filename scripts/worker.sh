#!/usr/bin/env bash
# Starts (or restarts) the Celery worker in the background, pid in var/run/celery.pid.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/run var/log
if [ -f var/run/celery.pid ] && kill -0 "$(cat var/run/celery.pid)" 2>/dev/null; then
  kill "$(cat var/run/celery.pid)"; sleep 1
fi
.venv/bin/celery -A config worker -B --schedule=var/run/celerybeat-schedule --loglevel=INFO --concurrency=2 --pidfile= \
  >var/log/celery.log 2>&1 &
echo $! > var/run/celery.pid
echo "celery worker started (log: var/log/celery.log)"
