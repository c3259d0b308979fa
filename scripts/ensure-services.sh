#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer; starts them if this
# machine has them installed but stopped; otherwise says in one sentence what to do.
set -uo pipefail
pg_ok() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
redis_ok() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG || \
             { exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && timeout 1 head -c5 <&3 | grep -q PONG; } 2>/dev/null; }

if ! pg_ok; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "PostgreSQL is not answering; starting it"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
    for _ in $(seq 1 20); do pg_ok && break; sleep 0.5; done
  fi
  pg_ok || { echo "PostgreSQL is not running on 127.0.0.1:5432: start it (or 'docker compose up -d db') or set DATABASE_URL."; exit 1; }
fi
if ! redis_ok; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "Redis is not answering; starting it"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    for _ in $(seq 1 20); do redis_ok && break; sleep 0.5; done
  fi
  redis_ok || { echo "Redis is not running on 127.0.0.1:6379: start it (or 'docker compose up -d redis') or set REDIS_URL."; exit 1; }
fi
echo "PostgreSQL and Redis are up."
