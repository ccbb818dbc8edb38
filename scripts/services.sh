#!/usr/bin/env bash
# Starts the project's own PostgreSQL/PostGIS cluster and Redis under var/ on free ports, unless
# DATABASE_URL / REDIS_URL are set. Writes var/services.env, which settings.py and the Makefile read.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
mkdir -p var
PG_BIN="$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)"
ENV_FILE="var/services.env"
: > "$ENV_FILE.new"

free_port() {  # first free TCP port on 127.0.0.1 from $1 upwards
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ -n "${DATABASE_URL:-}" ]; then
  echo "DATABASE_URL=$DATABASE_URL" >> "$ENV_FILE.new"
else
  PGDATA="$ROOT/var/pg"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    as_postgres "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >var/pg-initdb.log
  fi
  [ "$(id -u)" = 0 ] && chmod o+x "$ROOT" "$ROOT/var"
  if ! as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    PG_PORT=$(free_port 55432)
    as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 start \
      -o "-p $PG_PORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c shared_buffers=512MB -c max_connections=200 -c max_parallel_workers_per_gather=0" >/dev/null
  fi
  PG_PORT=$(sed -n 4p "$PGDATA/postmaster.pid")
  psql_() { "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
  psql_ -d postgres -c "SELECT 1 FROM pg_database WHERE datname='urbaplan'" | grep -q 1 || psql_ -d postgres -c "CREATE DATABASE urbaplan"
  psql_ -d urbaplan -c "CREATE EXTENSION IF NOT EXISTS postgis" 2>/dev/null
  psql_ -d template1 -c "CREATE EXTENSION IF NOT EXISTS postgis" 2>/dev/null
  echo "DATABASE_URL=postgis://postgres@127.0.0.1:$PG_PORT/urbaplan" >> "$ENV_FILE.new"
fi

if [ -n "${REDIS_URL:-}" ]; then
  echo "REDIS_URL=$REDIS_URL" >> "$ENV_FILE.new"
else
  mkdir -p var/redis
  REDIS_PORT=""
  if [ -f var/redis/redis.pid ] && kill -0 "$(cat var/redis/redis.pid)" 2>/dev/null; then
    REDIS_PORT=$(cat var/redis/port)
  else
    REDIS_PORT=$(free_port 56379)
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir "$ROOT/var/redis" --pidfile "$ROOT/var/redis/redis.pid" --logfile "$ROOT/var/redis/redis.log"
    echo "$REDIS_PORT" > var/redis/port
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0" >> "$ENV_FILE.new"
fi
mv "$ENV_FILE.new" "$ENV_FILE"
cat "$ENV_FILE"
