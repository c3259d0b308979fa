"""Start and stop the shop under gunicorn (production settings) for benchmarks."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from bench.common import bench_env
from e2e.servers import free_port, process_group, wait_for


@contextlib.contextmanager
def gunicorn(
    db_url: str, port: int | None = None, workers: int = 2, threads: int = 1, **env: str
) -> Iterator[str]:
    """A gunicorn serving the shop; yields its base URL; stops it (and its workers) on exit."""
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "shop.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--log-level",
        "warning",
        "--timeout",
        "60",
    ]
    with process_group(command, bench_env(db_url, **env), log=None) as process:
        url = f"http://127.0.0.1:{port}"
        wait_for(url + "/healthz", process, f"gunicorn on port {port}", timeout=30)
        yield url
