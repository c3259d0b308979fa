"""Shared benchmark plumbing: one PostgreSQL database per catalog size, the environment every
benchmark process gets, manage.py calls, percentiles and Markdown tables."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCH_DB_BASE = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hypershop_bench"
)
BENCH_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")


def database_url(products: int) -> str:
    """A database per catalog size, so switching sizes never reseeds what is already there."""
    parts = urlsplit(BENCH_DB_BASE)
    return urlunsplit(parts._replace(path=f"{parts.path}_{products}"))


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def bench_env(db_url: str, **extra: str) -> dict[str, str]:
    """Production settings (plus the floor view and query counting) on the bench database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop.settings.bench",
        "DATABASE_URL": db_url,
        "REDIS_URL": BENCH_REDIS,
        # One key prefix per database: catalogs of different sizes share the bench's Redis
        # database, and a version counter, a page or the facet index's shared copy written for
        # one must never be read for another (a 1M run once loaded the 100k run's index).
        "CACHE_KEY_PREFIX": "bench-" + urlsplit(db_url).path.lstrip("/"),
        "STATEMENT_TIMEOUT_MS": "5000",
        "PYTHONPATH": str(ROOT),
        "MEDIA_ROOT": str(ROOT / ".bench-media"),
    }
    env.update(extra)
    return env


def manage(db_url: str, *args: str, **env: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=bench_env(db_url, **env),
        check=True,
        cwd=ROOT,
    )


def flush_cache() -> None:
    import redis

    redis.Redis.from_url(BENCH_REDIS).flushdb()


def percentile(samples: list[float], pct: float) -> float:
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[int(pct) - 1]


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        lines.append(
            "| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        )
    return "\n".join(lines)


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    print(markdown_table(headers, rows))


def prepare(db_url: str, *args: str, **env: str) -> dict:
    """Run `python -m bench.prepare ...` on a bench database and return what it reports."""
    import json

    output = subprocess.run(
        [sys.executable, "-m", "bench.prepare", *args],
        env=bench_env(db_url, **env),
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCHJSON "))
    return json.loads(line.removeprefix("BENCHJSON "))
