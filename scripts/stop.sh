#!/usr/bin/env bash
# Stops what `make run` / `make test` started under var/.
set -uo pipefail
cd "$(dirname "$0")/.."
# The worker's supervisor first (it stops the worker itself), so that it does not start the worker again.
if [ -f var/run/celery.pid ]; then
  pid="$(cat var/run/celery.pid)"
  kill "$pid" 2>/dev/null && echo "stopped celery"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f var/run/celery.pid var/run/celery-worker.pid
fi
for f in var/run/*.pid; do
  [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null && echo "stopped $(basename "$f" .pid)"
  rm -f "$f"
done
if [ -f var/redis/redis.pid ]; then kill "$(cat var/redis/redis.pid)" 2>/dev/null && echo "stopped redis"; fi
if [ -f var/pg/postmaster.pid ]; then
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D var/pg -m fast stop
  else /usr/lib/postgresql/15/bin/pg_ctl -D var/pg -m fast stop; fi
fi
exit 0
