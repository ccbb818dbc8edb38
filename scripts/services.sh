#!/usr/bin/env bash
# Starts the project's own PostgreSQL/PostGIS cluster and Redis under var/ on free ports, unless
# DATABASE_URL / REDIS_URL are set. Writes var/services.env, which config/settings.py and the Makefile read.
# The cluster is durable (fsync on) and asks for passwords (generated once, under var/secrets/).
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
  SECRETS="$ROOT/var/secrets"  # generated passwords (0600): the superuser's and the geoportal reader's
  mkdir -p "$SECRETS" && chmod 700 "$SECRETS"
  for role in postgres geoportal_reader; do
    [ -s "$SECRETS/$role.password" ] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$SECRETS/$role.password")
  done
  PG_PASSWORD="$(cat "$SECRETS/postgres.password")"
  READER_PASSWORD="$(cat "$SECRETS/geoportal_reader.password")"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    pwfile="$(mktemp)"; printf '%s\n' "$PG_PASSWORD" >"$pwfile"
    [ "$(id -u)" = 0 ] && chown postgres "$pwfile"
    as_postgres "$PG_BIN/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" --auth=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >var/pg-initdb.log
    rm -f "$pwfile"
  fi
  # Over the socket with the superuser's password (a cluster of an earlier version trusted everyone: it takes it).
  psql_() { PGPASSWORD="$PG_PASSWORD" as_postgres "$PG_BIN/psql" -h "$PGDATA" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
  pg_options="-c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c max_connections=200 -c max_parallel_workers_per_gather=0"
  if as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    PG_PORT=$(sed -n 4p "$PGDATA/postmaster.pid")
    # Started by an earlier version with fsync or synchronous commits off: restart it durable.
    if [ "$(psql_ -d postgres -c "SELECT setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes') AND setting <> 'on'")" != "" ]; then
      as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    fi
  fi
  if ! as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    PG_PORT=$(free_port 55432)
    as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 start \
      -o "-p $PG_PORT -k $PGDATA $pg_options" >/dev/null
  fi
  PG_PORT=$(sed -n 4p "$PGDATA/postmaster.pid")
  psql_ -d postgres -c "ALTER ROLE postgres PASSWORD '$PG_PASSWORD'" >/dev/null
  psql_ -d postgres -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'geoportal_reader') THEN CREATE ROLE geoportal_reader LOGIN; END IF;
    END \$\$; ALTER ROLE geoportal_reader PASSWORD '$READER_PASSWORD'" >/dev/null
  # Passwords on every connection, socket and TCP (a cluster of an earlier version trusted everyone).
  hba_wanted="local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256"
  if [ "$(cat "$PGDATA/pg_hba.conf")" != "$hba_wanted" ]; then
    printf '%s\n' "$hba_wanted" >"$PGDATA/pg_hba.conf"
    as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" reload >/dev/null
  fi
  psql_ -d postgres -c "SELECT 1 FROM pg_database WHERE datname='urbaplan'" | grep -q 1 || psql_ -d postgres -c "CREATE DATABASE urbaplan"
  psql_ -d urbaplan -c "CREATE EXTENSION IF NOT EXISTS postgis" 2>/dev/null
  psql_ -d template1 -c "CREATE EXTENSION IF NOT EXISTS postgis" 2>/dev/null
  # libpq clients started from the Makefile (psql, pgbench, GDAL, the bench's peers) find the passwords here.
  (umask 077; printf '127.0.0.1:%s:*:postgres:%s\nlocalhost:%s:*:postgres:%s\n127.0.0.1:%s:*:geoportal_reader:%s\nlocalhost:%s:*:geoportal_reader:%s\n' \
    "$PG_PORT" "$PG_PASSWORD" "$PG_PORT" "$PG_PASSWORD" "$PG_PORT" "$READER_PASSWORD" "$PG_PORT" "$READER_PASSWORD" >"$SECRETS/pgpass")
  echo "DATABASE_URL=postgis://postgres:$PG_PASSWORD@127.0.0.1:$PG_PORT/urbaplan" >> "$ENV_FILE.new"
  echo "GEOPORTAL_DATABASE_PASSWORD=$READER_PASSWORD" >> "$ENV_FILE.new"
  echo "PGPASSFILE=$SECRETS/pgpass" >> "$ENV_FILE.new"
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
