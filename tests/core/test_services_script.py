"""`make test` checks the PostgreSQL and Redis it will use, or says in one sentence what to do.

Only ports where nothing listens are used for the failing cases: the script starts local servers
on their default ports alone, so these tests never start or stop the machine's services.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "ensure-services.sh"


def _run(database_url: str, redis_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL_TEST": database_url, "REDIS_URL_TEST": redis_url}
    return subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60
    )


def test_the_services_this_run_uses_are_reported_up():
    result = _run(os.environ["DATABASE_URL"], os.environ["REDIS_URL"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("are up.")


def test_unreachable_postgresql_fails_with_one_sentence():
    result = _run("postgres://postgres@127.0.0.1:1/hypershop", os.environ["REDIS_URL"])
    assert result.returncode == 1
    assert result.stdout.strip().splitlines() == [
        "PostgreSQL is not running on 127.0.0.1:1: start it (or 'docker compose up -d db') "
        "or set DATABASE_URL."
    ]


def test_unreachable_redis_fails_with_one_sentence():
    result = _run(os.environ["DATABASE_URL"], "redis://127.0.0.1:1/0")
    assert result.returncode == 1
    assert result.stdout.strip().splitlines() == [
        "Redis is not running on 127.0.0.1:1: start it (or 'docker compose up -d redis') "
        "or set REDIS_URL."
    ]
