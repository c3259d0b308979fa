"""Shared benchmark plumbing: a dedicated PostgreSQL database, Django set-up, percentiles."""

from __future__ import annotations

import os
import statistics
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hypershop_bench"


def setup_django(database_url: str | None = None) -> str:
    """Point Django at the benchmark database (created if missing) and Redis, then set it up."""
    url = database_url or os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    os.environ.setdefault("CACHE_KEY_PREFIX", "hypershop-bench")
    os.environ.setdefault("STATEMENT_TIMEOUT_MS", "120000")
    os.environ["DJANGO_SETTINGS_MODULE"] = "shop.settings.base"
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    return url


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(samples: list[float], pct: float) -> float:
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[int(pct) - 1]


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    """A Markdown table, ready for the README."""
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
