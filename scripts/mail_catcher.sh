#!/usr/bin/env bash
# Development only: starts (or restarts) the mail catcher (`manage.py mail_catcher`, a real SMTP server on loopback
# storing every message under var/outbox/mail) on a free port, under a supervisor that starts it again whenever it
# exits, like the worker's (scripts/worker.sh). Then points the platform at it: EMAIL_HOST/EMAIL_PORT and the
# outbox SMS provider (SMS under var/outbox/sms) are written to var/services.env, which the worker and the web server
# read after this. The supervisor's pid is in $RUN_DIR/mail-catcher.pid; `make stop` (TERM) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_DIR="${RUN_DIR:-var/run}"
LOG_DIR="${LOG_DIR:-var/log}"
ENV_FILE="${ENV_FILE:-var/services.env}"
mkdir -p "$RUN_DIR" "$LOG_DIR"
PID_FILE="$RUN_DIR/mail-catcher.pid"
LOG_FILE="$LOG_DIR/mail-catcher.log"
if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  kill "$(cat "$PID_FILE")"
  for _ in $(seq 100); do kill -0 "$(cat "$PID_FILE")" 2>/dev/null || break; sleep 0.1; done
fi

free_port() {  # first free TCP port on 127.0.0.1 from $1 upwards
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
PORT="$(free_port "${MAIL_CATCHER_PORT:-51025}")"

supervise() {
  set +e
  local child="" stopping=0
  trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM INT
  while [ "$stopping" = 0 ]; do
    .venv/bin/python manage.py mail_catcher --host 127.0.0.1 --port "$PORT" >>"$LOG_FILE" 2>&1 &
    child=$!
    wait "$child"
    code=$?
    [ "$stopping" = 1 ] && break
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) supervisor: the mail catcher exited (code $code); starting it again" >>"$LOG_FILE"
    sleep 2
  done
}

supervise </dev/null >>"$LOG_FILE" 2>&1 &
echo $! >"$PID_FILE"
for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done  # up to 30 s

# The platform's mail and SMS settings, replacing those of an earlier start.
touch "$ENV_FILE"
grep -v -E '^(EMAIL_HOST|EMAIL_PORT|EMAIL_USE_TLS|EMAIL_USE_SSL|EMAIL_HOST_USER|EMAIL_HOST_PASSWORD|SMS_PROVIDER)=' \
  "$ENV_FILE" >"$ENV_FILE.new" || true
cat >>"$ENV_FILE.new" <<ENV
EMAIL_HOST=127.0.0.1
EMAIL_PORT=$PORT
EMAIL_USE_TLS=false
EMAIL_USE_SSL=false
EMAIL_HOST_USER=
EMAIL_HOST_PASSWORD=
SMS_PROVIDER=gis_core.notifications.development.OutboxSmsProvider
ENV
mv "$ENV_FILE.new" "$ENV_FILE"
echo "mail catcher on 127.0.0.1:$PORT (messages under var/outbox; log: $LOG_FILE)"
