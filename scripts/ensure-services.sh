#!/usr/bin/env bash
# Makes sure the PostgreSQL and Redis the tests will use answer. They are read from
# DATABASE_URL_TEST/REDIS_URL_TEST (the Makefile sets them from DATABASE_URL/REDIS_URL) and default
# to 127.0.0.1:5432 and 127.0.0.1:6379. A stopped local server on its default port is started
# where this machine has it installed; otherwise one sentence says what to do.
set -uo pipefail

# host and port of a URL such as postgres://user@host:5432/db or redis://host:6379/1
host_of() { local rest=${1#*://}; rest=${rest%%/*}; rest=${rest##*@}; echo "${rest%:*}"; }
port_of() { local rest=${1#*://}; rest=${rest%%/*}; rest=${rest##*@}; [[ $rest == *:* ]] && echo "${rest##*:}" || echo "$2"; }
is_local() { [[ $1 == 127.0.0.1 || $1 == localhost ]]; }

PG_URL=${DATABASE_URL_TEST:-postgres://postgres@127.0.0.1:5432/hypershop}
REDIS_URL_=${REDIS_URL_TEST:-redis://127.0.0.1:6379/1}
PG_HOST=$(host_of "$PG_URL") PG_PORT=$(port_of "$PG_URL" 5432)
REDIS_HOST=$(host_of "$REDIS_URL_") REDIS_PORT=$(port_of "$REDIS_URL_" 6379)

pg_ok() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null || (exec 3<>"/dev/tcp/$PG_HOST/$PG_PORT") 2>/dev/null; }
redis_ok() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG || \
             { exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT" && printf 'PING\r\n' >&3 && timeout 1 head -c5 <&3 | grep -q PONG; } 2>/dev/null; }

if ! pg_ok; then
  if is_local "$PG_HOST" && [ "$PG_PORT" = 5432 ] && command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "PostgreSQL is not answering; starting it"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
    for _ in $(seq 1 20); do pg_ok && break; sleep 0.5; done
  fi
  pg_ok || { echo "PostgreSQL is not running on $PG_HOST:$PG_PORT: start it (or 'docker compose up -d db') or set DATABASE_URL."; exit 1; }
fi
if ! redis_ok; then
  if is_local "$REDIS_HOST" && [ "$REDIS_PORT" = 6379 ] && command -v redis-server >/dev/null 2>&1; then
    echo "Redis is not answering; starting it"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    for _ in $(seq 1 20); do redis_ok && break; sleep 0.5; done
  fi
  redis_ok || { echo "Redis is not running on $REDIS_HOST:$REDIS_PORT: start it (or 'docker compose up -d redis') or set REDIS_URL."; exit 1; }
fi
echo "PostgreSQL ($PG_HOST:$PG_PORT) and Redis ($REDIS_HOST:$REDIS_PORT) are up."
