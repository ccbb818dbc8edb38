#!/usr/bin/env bash
# Stops what `make run` / `make test` started under var/.
set -uo pipefail
cd "$(dirname "$0")/.."
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
