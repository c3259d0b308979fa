"""The embedded default: no DATABASE_URL/REDIS_URL, SQLite on a temporary file, and it serves."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_runs_on_sqlite_without_any_service(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "shop.settings.dev",
        "SQLITE_PATH": str(tmp_path / "shop.sqlite3"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    migrate = subprocess.run(
        manage + ["migrate", "--noinput"], env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    assert (tmp_path / "shop.sqlite3").exists()

    port = _free_port()
    server = subprocess.Popen(
        manage + ["runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        status = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    status, body = response.status, response.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200
        assert "Hypershop" in body
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/accounts/login/", timeout=5
        ) as response:
            assert response.status == 200
            assert 'name="password"' in response.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_worker_runs_tasks_on_sqlite(tmp_path):
    """`make run` starts the worker beside runserver on the embedded default: it must work."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "shop.settings.dev",
        "SQLITE_PATH": str(tmp_path / "shop.sqlite3"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    out = tmp_path / "ran.txt"

    def run(*args: str) -> str:
        done = subprocess.run(
            manage + list(args), env=env, capture_output=True, text=True, timeout=120, cwd=ROOT
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("migrate", "--noinput")
    run(
        "shell",
        "-c",
        f"from tests.core.worker_tasks import append; append.enqueue({str(out)!r}, 'on sqlite')",
    )
    run("worker", "--batch", "--no-startup-delay", "--no-reload")
    assert out.read_text() == "on sqlite\n"
