#!/usr/bin/env bash
# Starts (or restarts) the Celery worker (with beat) under a supervisor that starts it again whenever it exits
# (a crash, an unrecoverable broker error after a Redis restart); the supervisor's pid is in
# $RUN_DIR/celery.pid, and stopping it (TERM) stops the worker for good. RUN_DIR and LOG_DIR default to var/run
# and var/log; CELERY_CONCURRENCY to 2.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_DIR="${RUN_DIR:-var/run}"
LOG_DIR="${LOG_DIR:-var/log}"
mkdir -p "$RUN_DIR" "$LOG_DIR"
PID_FILE="$RUN_DIR/celery.pid"
LOG_FILE="$LOG_DIR/celery.log"
if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  kill "$(cat "$PID_FILE")"
  for _ in $(seq 100); do kill -0 "$(cat "$PID_FILE")" 2>/dev/null || break; sleep 0.1; done
fi

supervise() {
  set +e
  local child="" stopping=0
  trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null;
        [ -n "$child" ] && kill -KILL -- "-$child" 2>/dev/null; exit 0' TERM INT
  while [ "$stopping" = 0 ]; do
    # In a process group of its own (setsid): a worker killed hard leaves its embedded beat behind, which would
    # go on sending the periodic tasks next to the new worker's beat; the group is killed with the worker.
    setsid .venv/bin/celery -A config worker -B --schedule="$RUN_DIR/celerybeat-schedule" --loglevel=INFO \
      --concurrency="${CELERY_CONCURRENCY:-2}" --pidfile= >>"$LOG_FILE" 2>&1 &
    child=$!
    echo "$child" >"$RUN_DIR/celery-worker.pid"
    wait "$child"
    code=$?
    kill -KILL -- "-$child" 2>/dev/null  # what the worker left behind (its beat, pool processes)
    [ "$stopping" = 1 ] && break
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) supervisor: the celery worker exited (code $code); starting it again" >>"$LOG_FILE"
    sleep 2
  done
}

supervise </dev/null &
echo $! >"$PID_FILE"
echo "celery worker started under its supervisor (log: $LOG_FILE)"
