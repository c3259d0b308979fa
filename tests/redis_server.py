"""A real redis-server of the test's own, on a free port, that the test can pause and resume.

Pausing is SIGSTOP/SIGCONT: the kernel still accepts connections and buffers commands, nothing
answers, exactly what a hung Redis (swapping, a long fork, a stalled VM) looks like to a client.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.test import override_settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PausableRedis:
    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:  # the fault tests need a real Redis; fail, never skip
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        for _attempt in range(5):
            self.port = _free_port()
            self.process = subprocess.Popen(
                [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
                + ["--appendonly", "no", "--protected-mode", "no"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._wait_ready():
                return
            self.process.kill()
            self.process.wait()
        raise RuntimeError("could not start a redis-server on a free port")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return True
            except OSError:
                time.sleep(0.05)
        return False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def pause(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    @contextmanager
    def paused(self) -> Iterator[None]:
        self.pause()
        try:
            yield
        finally:
            self.resume()

    def stop(self) -> None:
        self.resume()
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def caches(self) -> dict:
        """The project's cache settings, pointed at this server."""
        return {"default": {**settings.CACHES["default"], "LOCATION": self.url}}

    @contextmanager
    def as_cache(self) -> Iterator[None]:
        with override_settings(CACHES=self.caches()):
            yield
